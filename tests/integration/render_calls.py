"""Every page's render callbacks as the browser posts them at a first load, for the fact-scan test and the benches.

`RENDERS` names, per page, the callbacks a page load runs (output id → the inputs it is posted with for a query);
`tables_read(sql)` the store tables a statement reads; `clear_process_caches()` what makes the next render a cache
miss in every cache a worker keeps.
"""

from __future__ import annotations

import contextlib
import functools
import re
import sys
from collections.abc import Callable, Iterator

import sqlalchemy as sa

from tests.integration.dash_tree import Dependency

TOPICS = ("spending", "subsidies", "procurement", "transfers", "debt", "revenue")
VIEWPORT = {"width": 1920, "height": 1080}


def _topic(key: str) -> dict[str, Callable[[dict], list[Dependency]]]:
    return {
        f"{key}-notices": lambda q: [(f"{key}-query", "data", q)],  # KPIs, every chart, the ranking
        f"{key}-year": lambda q: [(f"{key}-query", "data", q)],  # the filter bar's choices
    }


def _search(query: dict) -> str:
    return "?" + "&".join(f"{k}={v}" for k, v in query.items())


RENDERS: dict[str, dict[str, Callable[[dict], list[Dependency]]]] = {
    **{key: _topic(key) for key in TOPICS},
    "overview": {
        "overview-notices": lambda q: [("overview-query", "data", q)],
        "overview-more-kpis": lambda q: [  # the cockpit panels (more KPIs, map, mix, functions, trend)
            ("overview-query", "data", q),
            ("overview-metric", "value", "execution"),
            ("overview-viewport", "data", VIEWPORT),
        ],
    },
    "screen": {
        "screen-url": lambda q: [
            ("screen-url", "search", _search(q)),
            ("screen-viewport", "data", VIEWPORT),
            ("screen-map", "clickData", None),
            ("screen-metric", "value", "execution"),
            ("screen-refresh", "n_intervals", 0),
        ],
    },
    "risk": {"risk-notices": lambda q: [("risk-query", "data", q)]},
}
TABLES = {  # the drill-through table of each topic page: the one callback that may read facts, by keyset
    key: f"{key}-table" for key in TOPICS
}
FROM = re.compile(r"\b(?:FROM|JOIN)\s+\"?([a-z_]+)\"?", re.IGNORECASE)


def tables_read(sql: str) -> set[str]:
    """The tables a statement names after FROM or JOIN (subqueries and UNION branches included)."""
    return {m.lower() for m in FROM.findall(sql)}


def body(app, prefix: str, inputs: list[Dependency]) -> dict:
    """What the Dash renderer posts for the callback whose outputs start with `prefix` (an output id, or
    `id.prop`): wildcard outputs of the filter bar expanded to the page's filters, states not given as None."""
    import importlib
    import json

    key = next(k for k in app.callback_map if k.lstrip(".").startswith(prefix + ("" if "." in prefix else ".")))
    outputs: list = []
    for text in key.strip(".").split("..."):
        component, prop = text.rsplit(".", 1)
        if not component.startswith("{"):
            outputs.append({"id": component, "property": prop})
            continue
        pattern = json.loads(component)
        if pattern.get("filter") == ["ALL"]:  # the filter bar's selects: one per filter of the page
            filters = importlib.import_module(f"pages.{pattern['page']}").FILTERS
            outputs.append([{"id": {**pattern, "filter": name}, "property": prop} for name, _label in filters])
        else:
            outputs.append({"id": pattern, "property": prop})
    spec = app.callback_map[key]
    return {
        "output": key,
        "outputs": outputs if len(outputs) > 1 else outputs[0],
        "inputs": [{"id": i, "property": p, "value": v} for i, p, v in inputs],
        "changedPropIds": [f"{i}.{p}" for i, p, _ in inputs],
        "state": [{**dep, "value": None} for dep in spec.get("state", [])],
    }


class FreshMemo:
    """A memo backend that starts empty: a call's queries share results within the call, as in a fresh worker."""

    def __init__(self) -> None:
        self.data: dict[str, object] = {}

    def get(self, key: str) -> object:
        return self.data.get(key)

    def set(self, key: str, value: object) -> None:
        self.data[key] = value


@contextlib.contextmanager
def statements_run(engine: sa.Engine) -> Iterator[list[tuple[str, object]]]:
    """(sql, params) of every statement `engine` runs inside the block."""
    seen: list[tuple[str, object]] = []

    def listener(_conn, _cursor, sql, params, _context, _many) -> None:
        seen.append((sql, params))

    sa.event.listen(engine, "before_cursor_execute", listener)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", listener)


DATA_MODULES = ("queries", "dashboard.store", "dashboard.risk", "dashboard.report", "callbacks")


def clear_process_caches() -> int:
    """Empty every process-level cache of the app, as in a fresh worker: the query memo (a new, empty backend), the
    render cache and every `functools` cache of the modules that read or shape data (the metric layer's, the region
    tree, the classification names, the reporting calendar, statement builders …; not the static geo pack's, read
    once at start-up, nor the state store's). Returns how many functools caches were cleared."""
    from dashboard.store import memo
    from dashboard.web import render_cache

    cleared = 0
    for name, module in list(sys.modules.items()):
        if module is None or not any(name == m or name.startswith(m + ".") for m in DATA_MODULES):
            continue
        for value in list(vars(module).values()):
            if isinstance(value, functools._lru_cache_wrapper):  # functools.cache and lru_cache alike
                value.cache_clear()
                cleared += 1
    render_cache.clear()
    memo.bind_cache(FreshMemo())
    return cleared
