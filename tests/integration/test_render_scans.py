"""No page render scans the record facts (issue 15): at a cache miss — every process-level cache emptied, as in a
fresh worker — each page's render callbacks (the topic pages' KPIs, charts and rankings and their filter bar, /, its
cockpit panels, /screen and /risk) and a topic's first drill-through table read marts, reference tables and the
region-by-period tables only. A chart that scans `payment` or `subsidy_payout` is a bug that shows at 100 M rows.

`LEFT` is what has not moved yet, by page: the facts a render still reads, each at the grain of a mart already in
the demo (one row per region, month and item or program) or, for procurement, a page whose charts and red-flag
checks still group the contracts. A render reading any other record table fails (shrink the list when one moves).
"""

from __future__ import annotations

import shutil

import pytest
import sqlalchemy as sa

from dashboard.store.engine import finance_engine
from dashboard.store.schema import RECORDS
from tests.integration.render_calls import RENDERS, TABLES, body, clear_process_caches, tables_read

FACTS = {t.name for t in RECORDS}
CAPACITY = {"transfer", "fund_revenue"}  # 综合财力's terms (debt ratio, per-capita figures of a county)
LEFT: dict[str, set[str]] = {
    "spending": CAPACITY,
    "subsidies": CAPACITY,
    "procurement": {"procurement"},
    "transfers": {"transfer"},
    "debt": {*CAPACITY, "bond", "fund_spending"},
    "revenue": CAPACITY,
    "overview": {*CAPACITY, "bond"},
    "screen": set(),
    "risk": CAPACITY,
}
VIEWS = [
    {"region": "430000", "year": "2024", "period": "1-12"},
    {"region": "430100", "year": "2024", "period": "1-6"},
    {"region": "430102", "year": "2024", "period": "3-9"},
]


@pytest.fixture
def state_store(risk_state_url, use_state, tmp_path):
    """A private copy of the session's warning run: a state store without one runs the rules (over the facts) on
    its first use, which is not a render."""
    path = tmp_path / "state.sqlite"
    shutil.copy(risk_state_url.removeprefix("sqlite:///"), path)
    use_state(f"sqlite:///{path}")


@pytest.fixture
def read_at_a_miss(app, client):
    """`read(output, inputs)`: posts one callback after emptying every cache; returns the tables its SQL read."""

    def _read(output: str, inputs) -> set[str]:
        clear_process_caches()
        seen: list[str] = []
        listener = lambda _c, _cur, sql, _p, _ctx, _m: seen.append(sql)  # noqa: E731
        engine = finance_engine()
        sa.event.listen(engine, "before_cursor_execute", listener)
        try:
            response = client.post("/_dash-update-component", json=body(app, output, inputs))
        finally:
            sa.event.remove(engine, "before_cursor_execute", listener)
        assert response.status_code == 200, response.get_data(as_text=True)[:500]
        assert seen, "nothing was read: the render was not a cache miss"
        return {table for sql in seen for table in tables_read(sql)}

    return _read


@pytest.mark.parametrize("page", list(RENDERS))
def test_a_render_at_a_cache_miss_reads_no_record_fact(read_at_a_miss, page):
    for output, inputs in RENDERS[page].items():
        for query in VIEWS:
            read = read_at_a_miss(output, inputs(query)) & FACTS
            assert read <= LEFT[page], f"{output} {query}: {sorted(read - LEFT[page])}"


@pytest.mark.parametrize("page", [p for p in TABLES if p not in ("procurement", "transfers")])
def test_a_topic_first_drill_through_table_reads_marts(read_at_a_miss, page):
    """The first table of a topic (agencies, programs …) groups records: it reads marts, as the charts do."""
    inputs = [(f"{page}-query", "data", VIEWS[1]), (f"{page}-table-state", "data", {}), (f"{page}-reveal", "data", {})]
    read = read_at_a_miss(TABLES[page], inputs)
    assert not read & FACTS - LEFT[page], sorted(read & FACTS)
