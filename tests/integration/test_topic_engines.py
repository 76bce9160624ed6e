"""The topic pages' queries run unchanged on PostgreSQL and ClickHouse and give DuckDB's answers: every mart breakdown, the
fact views, and a keyset page of every drill-through table (portable SQL, bound parameters)."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pytest

from dashboard.core.drill import DrillState
from dashboard.core.scope import Scope
from dashboard.store.memo import bind_cache
from queries import revenue, spending
from queries._paging import SOURCES, PageRequest, table_page, table_totals

pytestmark = pytest.mark.postgres

PROVINCE = Scope("430000", "province")
STATE = DrillState("430100", 2024, 1, 6, filters=(("func", "208"),))


def _answers(agency: str, indicator: str) -> list[pd.DataFrame]:
    drilled = DrillState("430100", 2024, 1, 6, filters=(("agency", agency), ("indicator", indicator)))
    frames = [spending.breakdown(PROVINCE, STATE, by) for by in ("region", "func", "econ", "pay_type", "sanbao")]
    frames += [
        spending.monthly(PROVINCE, STATE),
        spending.function_items(PROVINCE, STATE),
        spending.top_agencies(PROVINCE, STATE),
        spending.top_projects(PROVINCE, STATE),
        spending.by_department(PROVINCE, STATE),
        revenue.by_region(PROVINCE, STATE),
        revenue.by_item(PROVINCE, STATE, "item"),
        revenue.monthly(PROVINCE, STATE),
    ]
    for name, state in (
        ("spending.agencies", STATE),
        ("spending.indicators", drilled),
        ("spending.payments", drilled),
        ("revenue.items", STATE),
    ):
        source = SOURCES[name]
        first = table_page(PROVINCE, state, name, PageRequest.of(source))
        frames += [first.rows, table_totals(PROVINCE, state, name).to_frame()]

    def text(value) -> str:  # PostgreSQL's coalesce(sum, 0) gives Decimal('0'), DuckDB's Decimal('0.00')
        return f"{value:.2f}" if isinstance(value, Decimal) else str(value)

    return [f.reset_index(drop=True).map(text) for f in frames]


def test_every_engine_answers_as_duckdb(demo_url, server_url, use_store, duck):
    bind_cache(None)
    with duck.connect() as conn:
        agency, indicator = (
            str(v)
            for v in conn.exec_driver_sql(
                "select agency_id, indicator_id from payment where city_code = '430100' and func_code = '208' "
                "and pay_date between date '2024-01-01' and date '2024-06-30' order by id limit 1"
            ).one()
        )
    use_store(demo_url)
    on_duck = _answers(agency, indicator)
    use_store(server_url)
    on_server = _answers(agency, indicator)
    assert len(on_duck) == len(on_server)
    for d, p in zip(on_duck, on_server):
        pd.testing.assert_frame_equal(d, p)
    assert all(len(f) for f in on_duck)
