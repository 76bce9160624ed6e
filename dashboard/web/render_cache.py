"""The rendered panels of a view, kept per worker: a warm render is a lookup, not a rebuild of every component.

The queries are memoised already (`dashboard.store.memo`), but turning their frames into KPI cards, figures and
tables costs 15–45 ms of CPU per render — the ceiling of a 2-core host's throughput. A render callback decorated
with `cached_render` keeps its serialised response (Plotly's JSON, a few tens of KB) in an in-process LRU keyed by
the callback, the caller's scope, role and unmask right, its arguments (the URL state and any other input), the
data version and, for panels that show warnings or tickets, the state store's version. So a new load, a rule run or
a ticket event is visible at once, and one user's panels are never served to a scope they would not be built for.
A request for a region outside the caller's scope is never served from here: it goes through the callback, which
audits the denial. `RENDER_CACHE_ENTRIES` = 0 turns it off.
"""

from __future__ import annotations

import functools
import json
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar

from plotly.io.json import to_json_plotly

from dashboard.core import settings
from dashboard.core.scope import scope_of
from dashboard.store.engine import current_data_version
from dashboard.web.context import current_user
from queries.regions import region_tree

F = TypeVar("F", bound=Callable[..., Any])
_entries: OrderedDict[tuple, str] = OrderedDict()
_lock = threading.Lock()


def clear() -> None:
    with _lock:
        _entries.clear()


def _asks_outside_scope(args: tuple, scope) -> bool:
    """Does any argument name a region (`{"region": …}`) that `scope` does not see?"""
    tree = region_tree()
    for arg in args:
        if isinstance(arg, dict) and "region" in arg:
            region = arg["region"]
            region = region[0] if isinstance(region, list) and region else region
            if not isinstance(region, str) or region not in tree or not scope.sees(tree, region):
                return True
    return False


def cached_render(state_version: Callable[[], object] | None = None) -> Callable[[F], F]:
    """Serve the decorated render callback's response from the LRU when the same caller asks for the same view of
    the same data (see module docstring); `state_version` names the state store's version when the panels show it."""

    def decorate(fn: F) -> F:
        name = f"{fn.__module__}.{fn.__qualname__}"

        @functools.wraps(fn)
        def wrapper(*args):
            size = settings.get("RENDER_CACHE_ENTRIES")
            user = current_user()
            if size <= 0 or user is None:
                return fn(*args)
            scope = scope_of(user)
            if _asks_outside_scope(args, scope):
                return fn(*args)
            key = (
                name,
                settings.fingerprint(),  # the stores, thresholds and grades the panels were built with
                scope.key,
                user.role,
                user.may_unmask,
                json.dumps(args, sort_keys=True, default=str),
                current_data_version().key,
                None if state_version is None else str(state_version()),
            )
            with _lock:
                hit = _entries.get(key)
                if hit is not None:
                    _entries.move_to_end(key)
            if hit is not None:
                out = json.loads(hit)
                return tuple(out) if isinstance(out, list) and len(out) > 1 else out
            result = fn(*args)
            encoded = to_json_plotly(list(result) if isinstance(result, tuple) else result)
            with _lock:
                _entries[key] = encoded
                while len(_entries) > size:
                    _entries.popitem(last=False)
            return result

        return wrapper  # type: ignore[return-value]

    return decorate
