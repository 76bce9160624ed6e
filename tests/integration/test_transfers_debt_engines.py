"""The transfers, 直达资金, debt and 库款 queries give the same numbers on PostgreSQL and ClickHouse as on DuckDB (one portable
SQLAlchemy Core statement each), including the drill-through tables' totals."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pytest

from dashboard.core.drill import DrillState
from dashboard.core.scope import Scope
from queries import debt, transfers
from queries._paging import table_totals

pytestmark = pytest.mark.postgres

PROVINCE = Scope("430000", "province")
STATE = DrillState("430100", 2024, 1, 9, filters=(("kind", "专项"),))


def _answers() -> list:
    return [
        transfers.transfer_flows(PROVINCE, STATE),
        transfers.direct_fund_flows(PROVINCE, STATE),
        debt.debt_breakdown(PROVINCE, STATE),
        debt.maturity_profile(PROVINCE, STATE),
        debt.cash_levels(PROVINCE, STATE).drop(columns=["average_outflow", "cash_level"]),
        table_totals(PROVINCE, STATE, "transfers.records").to_frame(),
        table_totals(PROVINCE, STATE, "debt.bonds").to_frame(),
    ]


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    """Cells as comparable text: money to the fen (PostgreSQL's SUM of nothing is 0, DuckDB's 0.00), rows sorted."""
    text = frame.map(lambda v: f"{v:.2f}" if isinstance(v, Decimal) else str(v))
    return text.sort_values(list(text.columns)).reset_index(drop=True)


def test_every_engine_answers_as_duckdb(demo_url, server_url, use_store):
    use_store(demo_url)
    on_duck = _answers()
    use_store(server_url)
    on_server = _answers()
    for d, p in zip(on_duck, on_server):
        assert not d.empty
        pd.testing.assert_frame_equal(_sorted(d), _sorted(p))
