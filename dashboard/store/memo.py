"""Memoised queries, keyed by function, scope, arguments and data version.

The backend is whatever cache `create_app()` binds (flask-caching's SimpleCache or Redis); queries only see this
module, so they stay free of flask. The data version in every key means a new load is never served stale results,
and the scope in every key means one scope's rows are never served to another.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from dashboard.store.engine import current_data_version

F = TypeVar("F", bound=Callable[..., Any])
_backend: Any = None
log = logging.getLogger(__name__)


class ResilientCache:
    """A shared cache (Redis) that may go away: while it cannot be reached, every get misses and every set is
    dropped, so pages render from the store (uncached, slower) instead of failing. After a failure the backend is
    left alone for `retry_seconds` (a request does not wait on a dead server's timeout each time), then tried
    again; the first success ends the outage. One warning is logged when an outage starts, one line when it ends."""

    def __init__(self, backend: Any, retry_seconds: float = 5.0) -> None:
        self.backend = backend
        self.retry_seconds = retry_seconds
        self._down_since: float | None = None
        self._retry_at = 0.0
        self._lock = threading.Lock()

    @property
    def degraded(self) -> bool:
        return self._down_since is not None

    def _skip(self) -> bool:
        return self._down_since is not None and time.monotonic() < self._retry_at

    def _failed(self, error: Exception) -> None:
        with self._lock:
            if self._down_since is None:
                self._down_since = time.monotonic()
                log.warning("query cache unavailable, serving uncached: %s", type(error).__name__)
            self._retry_at = time.monotonic() + self.retry_seconds

    def _worked(self) -> None:
        if self._down_since is not None:
            with self._lock:
                if self._down_since is not None:
                    log.warning("query cache back after %.1f s", time.monotonic() - self._down_since)
                    self._down_since = None

    def get(self, key: str) -> Any:
        if self._skip():
            return None
        try:
            value = self.backend.get(key)
        except Exception as error:  # any failure of the cache server: a miss
            self._failed(error)
            return None
        self._worked()
        return value

    def set(self, key: str, value: Any) -> None:
        if self._skip():
            return
        try:
            self.backend.set(key, value)
        except Exception as error:
            self._failed(error)
            return
        self._worked()

    def check(self) -> bool:
        """Try the backend now (a readiness probe): whether it answers; ends or starts an outage accordingly."""
        try:
            self.backend.set("cockpit:ready", "1")
            self.backend.get("cockpit:ready")
        except Exception as error:
            self._failed(error)
            return False
        self._worked()
        return True


def cache_status() -> str:
    """`off` (no cache bound), `ok`, or `degraded` (the shared cache cannot be reached: queries run uncached)."""
    if _backend is None:
        return "off"
    if isinstance(_backend, ResilientCache):
        return "ok" if _backend.check() else "degraded"
    return "ok"


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
