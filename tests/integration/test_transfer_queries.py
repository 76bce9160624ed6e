"""Transfers and 直达资金 queries against the test's own SQL on the demo store, at the province, a city and a county;
the planted 直达资金 lags come out graded 红; nothing outside the scope."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

import pytest

from dashboard.core.drill import DrillState
from dashboard.core.scope import Scope
from queries.transfers import direct_fund_flows, direct_fund_progress, direct_payment, transfer_flows
from tests.integration.region_sql import children, rows, subtree_sql

PROVINCE = Scope("430000", "province")
LEVEL_COLUMN = {"province": "province_code", "city": "city_code", "county": "county_code"}
CASES = [("430000", "province", 2024, 1, 12), ("430100", "city", 2024, 1, 6), ("431223", "county", 2023, 4, 9)]
ZERO = Decimal(0)


def pd_na(value) -> bool:
    return value is None or value != value


@pytest.fixture(autouse=True)
def store(demo_url, use_store):
    use_store(demo_url)


def expected_received(duck, code: str, year: int, first: int, last: int) -> dict:
    """(row code or None for 本级, kind) → (received from outside the row, passed down) with our own SQL."""
    period = "EXTRACT(year FROM transfer_date) = :y AND EXTRACT(month FROM transfer_date) BETWEEN :a AND :b"
    out: dict = defaultdict(lambda: [ZERO, ZERO])
    for kind, amount in rows(
        duck,
        f"SELECT kind, SUM(amount) FROM transfer WHERE to_region = :c AND {period} GROUP BY 1",
        c=code,
        y=year,
        a=first,
        b=last,
    ):
        out[(None, kind)][0] = amount
    for kind, amount in rows(
        duck,
        f"SELECT kind, SUM(amount) FROM transfer WHERE from_region = :c AND {period} GROUP BY 1",
        c=code,
        y=year,
        a=first,
        b=last,
    ):
        out[(None, kind)][1] = amount
    for child in children(duck, code):
        for kind, amount in rows(
            duck,
            f"""
                SELECT kind, SUM(amount) FROM transfer WHERE to_region IN ({subtree_sql(child)})
                AND from_region NOT IN ({subtree_sql(child)}) AND {period} GROUP BY 1""",
            y=year,
            a=first,
            b=last,
        ):
            out[(child, kind)][0] = amount
    return {k: tuple(v) for k, v in out.items()}


@pytest.mark.parametrize("code, level, year, first, last", CASES)
def test_transfers_received_by_row_and_kind_equal_the_store(duck, code, level, year, first, last):
    flows = transfer_flows(PROVINCE, DrillState(code, year, first, last))
    got: dict = defaultdict(lambda: (ZERO, ZERO))
    for r in flows.itertuples():
        key = (None if pd_na(r.code) else r.code, r.kind)
        got[key] = (got[key][0] + r.received, got[key][1] + r.passed_down)
    expected = expected_received(duck, code, year, first, last)
    assert {k: v for k, v in got.items() if v != (ZERO, ZERO)} == {
        k: v for k, v in expected.items() if v != (ZERO, ZERO)
    }


@pytest.mark.parametrize("code, level, year, first, last", CASES)
def test_whole_region_received_is_what_came_from_outside_it(duck, code, level, year, first, last):
    flows = transfer_flows(PROVINCE, DrillState(code, year, first, last))
    expected = rows(
        duck,
        f"""
        SELECT COALESCE(SUM(amount), 0) FROM transfer WHERE to_region IN ({subtree_sql(code)})
        AND from_region NOT IN ({subtree_sql(code)}) AND EXTRACT(year FROM transfer_date) = :y
        AND EXTRACT(month FROM transfer_date) BETWEEN :a AND :b""",
        y=year,
        a=first,
        b=last,
    )[0][0]
    assert flows["received"].sum() - flows["passed_down"].sum() == expected
    assert expected > 0


def test_province_receives_the_calibrated_central_transfers():
    flows = transfer_flows(PROVINCE, DrillState("430000", 2024, 1, 12))
    assert flows["received"].sum() - flows["passed_down"].sum() == Decimal("495300000000.00")  # 4,953亿
    assert set(flows["kind"]) == {"一般性", "专项", "共同事权"}


def expected_direct(duck, code: str, level: str, year: int, last: int) -> dict:
    """row code (None = 本级) → (received − passed down, allocated, paid), January to the end of `last`."""
    column = LEVEL_COLUMN[level]
    child_expr = {"province": "COALESCE(city_code, county_code)", "city": "county_code", "county": "NULL"}[level]
    out: dict = defaultdict(lambda: [ZERO, ZERO, ZERO])
    for (c, _kind), (received, passed) in _direct_received(duck, code, year, last).items():
        out[c][0] += received - passed
    for c, amount in rows(
        duck,
        f"""SELECT {child_expr}, SUM(amount) FROM budget_indicator WHERE {column} = :c
            AND direct_fund AND year = :y AND EXTRACT(month FROM issue_date) <= :b GROUP BY 1""",
        c=code,
        y=year,
        b=last,
    ):
        out[c][1] += amount
    for c, amount in rows(
        duck,
        f"""SELECT {
            child_expr.replace("city_code", "p.city_code").replace("county_code", "p.county_code")
        }, SUM(p.amount)
            FROM payment p JOIN budget_indicator i ON i.id = p.indicator_id WHERE p.{column} = :c AND i.direct_fund
            AND i.year = :y AND EXTRACT(year FROM p.pay_date) = :y AND EXTRACT(month FROM p.pay_date) <= :b
            GROUP BY 1""",
        c=code,
        y=year,
        b=last,
    ):
        out[c][2] += amount
    return {k: tuple(v) for k, v in out.items()}


def _direct_received(duck, code: str, year: int, last: int) -> dict:
    got: dict = defaultdict(lambda: [ZERO, ZERO])
    period = "direct_fund AND EXTRACT(year FROM transfer_date) = :y AND EXTRACT(month FROM transfer_date) <= :b"
    got[(None, "")][0] = rows(
        duck, f"SELECT COALESCE(SUM(amount), 0) FROM transfer WHERE to_region = :c AND {period}", c=code, y=year, b=last
    )[0][0]
    got[(None, "")][1] = rows(
        duck,
        f"SELECT COALESCE(SUM(amount), 0) FROM transfer WHERE from_region = :c AND {period}",
        c=code,
        y=year,
        b=last,
    )[0][0]
    for child in children(duck, code):
        got[(child, "")][0] = rows(
            duck,
            f"""SELECT COALESCE(SUM(amount), 0) FROM transfer
            WHERE to_region IN ({subtree_sql(child)}) AND from_region NOT IN ({subtree_sql(child)}) AND {period}""",
            y=year,
            b=last,
        )[0][0]
    return got


@pytest.mark.parametrize("code, level, year, first, last", CASES)
def test_direct_fund_received_allocated_paid_by_row_equal_the_store(duck, code, level, year, first, last):
    state = DrillState(code, year, first, last)
    progress = direct_fund_progress(direct_fund_flows(PROVINCE, state), "code", direct_payment(PROVINCE, state, "code"))
    got = {
        None if pd_na(r.code) else r.code: (r.received - r.passed_down, r.allocated, r.paid)
        for r in progress.itertuples()
    }
    expected = expected_direct(duck, code, level, year, last)
    assert {k: v for k, v in got.items() if v != (ZERO, ZERO, ZERO)} == {
        k: v for k, v in expected.items() if v != (ZERO, ZERO, ZERO)
    }
    for r in progress.itertuples():
        if r.allocated:
            assert r.payment_rate == pytest.approx(float(r.paid / r.allocated))


def test_direct_fund_by_program_adds_up_to_the_region(duck):
    state = DrillState("430100", 2024, 1, 12)
    flows = direct_fund_flows(PROVINCE, state)
    by_program = direct_fund_progress(flows, "program", direct_payment(PROVINCE, state, "program"))
    expected = dict(
        rows(
            duck,
            """SELECT transfer_program, SUM(amount) FROM budget_indicator
        WHERE city_code = '430100' AND direct_fund AND year = 2024 GROUP BY 1""",
        )
    )
    assert dict(zip(by_program["program"], by_program["allocated"])) == expected
    assert by_program["paid"].sum() == direct_payment(PROVINCE, state, "code")["paid"].sum()


def _city_of(duck, county: str) -> str:
    return rows(duck, "SELECT parent_adcode FROM region WHERE adcode = :c", c=county)[0][0]


def test_every_planted_direct_fund_lag_is_red_and_below_70pct_where_no_clean_county_is(duck, demo_anomalies):
    lagging = {a["region"] for a in demo_anomalies if a["kind"] == "direct_fund_lag"}
    assert len(lagging) == 2
    below_70 = set()
    for city in children(duck, "430000"):
        state = DrillState(city, 2024, 1, 12)
        progress = direct_fund_progress(
            direct_fund_flows(PROVINCE, state), "code", direct_payment(PROVINCE, state, "code")
        )
        counties = progress[progress["code"].notna()]
        below_70 |= set(counties.loc[counties["payment_rate"] < 0.70, "code"])
        for row in counties[counties["code"].isin(lagging)].itertuples():
            assert (row.payment_grade_level, row.payment_grade) == ("红", "严重滞后")
    assert below_70 == lagging
    for county in lagging:  # and on the county's own page
        state = DrillState(county, 2024, 1, 12)
        own = direct_fund_progress(direct_fund_flows(PROVINCE, state), "code", direct_payment(PROVINCE, state, "code"))
        assert list(own["payment_grade_level"]) == ["红"] and own["payment_rate"].iloc[0] < 0.66


@pytest.mark.parametrize(
    "scope, region",
    [(Scope("430200", "city"), "430100"), (Scope.nothing(), "430000"), (Scope("430102", "county"), "430100")],
)
def test_nothing_outside_the_scope(scope, region):
    state = DrillState(region, 2024, 1, 12)
    assert transfer_flows(scope, state).empty
    assert direct_fund_flows(scope, state).empty


def test_a_city_scope_sees_its_city_like_the_province_does():
    state = DrillState("430100", 2024, 1, 12)
    mine = transfer_flows(Scope("430100", "city"), state)
    assert mine["received"].sum() == transfer_flows(PROVINCE, state)["received"].sum() > 0
