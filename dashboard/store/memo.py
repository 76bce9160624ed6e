"""Memoised queries, keyed by function, scope, arguments and data version.

The backend is whatever cache `create_app()` binds (flask-caching's SimpleCache or Redis); queries only see this
module, so they stay free of flask. The data version in every key means a new load is never served stale results,
and the scope in every key means one scope's rows are never served to another.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from typing import Any, TypeVar

from dashboard.store.engine import current_data_version

F = TypeVar("F", bound=Callable[..., Any])
_backend: Any = None


def bind_cache(backend: Any) -> None:
    """Use `backend` (an object with get/set, e.g. a cachelib cache) for memoised queries; None disables."""
    global _backend
    _backend = backend


def cache_key(fn: Callable, scope: Any, args: tuple, kwargs: dict) -> str:
    parts = [
        fn.__module__,
        fn.__qualname__,
        scope.key,
        current_data_version().key,
        *(getattr(a, "key", repr(a)) for a in args),
        *(f"{k}={v!r}" for k, v in sorted(kwargs.items())),
    ]
    return "q:" + hashlib.sha256("|".join(parts).encode()).hexdigest()


def memoized(fn: F) -> F:
    """Cache `fn(scope, *args)`; arguments with a `.key` (DrillState) are keyed by it."""

    @functools.wraps(fn)
    def wrapper(scope, *args, **kwargs):
        if _backend is None:
            return fn(scope, *args, **kwargs)
        key = cache_key(fn, scope, args, kwargs)
        hit = _backend.get(key)
        if hit is not None:
            return hit
        result = fn(scope, *args, **kwargs)
        _backend.set(key, result)
        return result

    wrapper.uncached = fn  # type: ignore[attr-defined]
    return wrapper  # type: ignore[return-value]
