"""The metric layer reads each table once per window: however many terms and views ask for it, a page's render
does not scan a fact table or mart more often than the page did before the layer existed (issue 12: /transfers and
/debt had become 2–6× heavier when every term was its own branch and every 直达 program its own statement)."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from dashboard.core.drill import DrillState
from dashboard.core.scope import Scope
from dashboard.store import memo
from dashboard.store.engine import finance_engine
from queries import debt, transfers
from tests.integration.render_calls import FreshMemo

PROVINCE = Scope("430000", "province")


@pytest.fixture
def statements(demo_url, use_store):
    """The SQL the finance store runs during the test, with a fresh memo bound."""
    use_store(demo_url)
    previous = memo._backend
    memo.bind_cache(FreshMemo())
    seen: list[str] = []
    engine = finance_engine()
    listener = lambda _c, _cur, sql, _p, _ctx, _m: seen.append(sql)  # noqa: E731
    sa.event.listen(engine, "before_cursor_execute", listener)
    yield seen
    sa.event.remove(engine, "before_cursor_execute", listener)
    memo.bind_cache(previous)


def _reading(seen: list[str], table: str) -> int:
    """How many times the statements read `table` (a UNION's branches each count)."""
    return sum(len(re.findall(rf"\bFROM {table}\b", sql)) for sql in seen)


def test_direct_fund_progress_by_region_program_and_whole_is_one_pass(statements):
    state = DrillState("430000", 2024, 1, 6)
    by_code = transfers.direct_payment(PROVINCE, state, "code")
    whole = transfers.direct_payment(PROVINCE, state, None)
    by_program = transfers.direct_payment(PROVINCE, state, "program")
    assert _reading(statements, "mart_payment_month") == 1
    assert _reading(statements, "budget_indicator") <= 2  # the pass, and the list of 直达 programs
    assert by_code["paid"].sum() == whole["paid"].iloc[0] == by_program["paid"].sum() > 0
    assert by_code["allocated"].sum() == whole["allocated"].iloc[0] == by_program["allocated"].sum() > 0


def test_terms_over_one_table_and_window_share_a_scan(statements):
    """利息支出率 reads interest and all spending from the payment mart in the same months: one scan; 库款保障水平
        reads treasury cash in two windows (the month's closing, three months' outflow): two; 专项债务利息支出率 reads
    the fund spending once."""
    debt.debt_metrics(PROVINCE, DrillState("430000", 2024, 1, 12))
    assert _reading(statements, "mart_payment_month") == 1
    assert _reading(statements, "treasury_cash") == 2
    assert _reading(statements, "fund_spending") == 1
