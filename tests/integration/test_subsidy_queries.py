"""惠民惠农补贴 queries against the test's own SQL on the demo store, at the province, one city and one county; the
anomaly lists hold every planted anomaly of their kind and nothing clean, and never a row outside the scope."""

from __future__ import annotations

import functools
from decimal import Decimal

import pytest

from dashboard.core.drill import DrillState
from dashboard.core.scope import Scope
from queries import subsidies as q
from tests.integration.region_sql import rows

PROVINCE = Scope("430000", "province")
YEAR = 2024
VIEWS = [("430000", "province_code"), ("430100", "city_code"), ("430121", "county_code")]
PERIODS = [(1, 12), (4, 9)]


@pytest.fixture(autouse=True)
def store(demo_url, use_store):
    use_store(demo_url)


def _view(column: str, region: str, first: int, last: int, year: int = YEAR) -> str:
    end = f"{year + 1}-01-01" if last == 12 else f"{year}-{last + 1:02d}-01"
    return f"{column} = '{region}' AND pay_date >= DATE '{year}-{first:02d}-01' AND pay_date < DATE '{end}'"


@pytest.mark.parametrize("region, column", VIEWS)
@pytest.mark.parametrize("first, last", PERIODS)
def test_summary_equals_own_sql(duck, region, column, first, last):
    got = q.summary(PROVINCE, DrillState(region, YEAR, first, last)).iloc[0]
    n, amount, people = rows(
        duck,
        f"""SELECT COUNT(*), SUM(amount), COUNT(DISTINCT recipient_id_number)
                                       FROM subsidy_payout WHERE {_view(column, region, first, last)}""",
    )[0]
    assert n > 0
    assert (got["n"], got["amount"], got["recipients"]) == (n, amount, people)
    assert got["per_payout"] == amount / n and got["per_recipient"] == amount / people
    prev_n, prev_amount = rows(
        duck, f"SELECT COUNT(*), SUM(amount) FROM subsidy_payout WHERE {_view(column, region, first, last, YEAR - 1)}"
    )[0]
    assert (got["n_prev"], got["amount_prev"]) == (prev_n, prev_amount)


@pytest.mark.parametrize("region, column", VIEWS)
def test_by_category_equals_own_sql(duck, region, column):
    got = q.by_category(PROVINCE, DrillState(region, YEAR, 1, 12))
    expected = rows(
        duck,
        f"""SELECT category, COUNT(*), SUM(amount)
                              FROM subsidy_payout WHERE {_view(column, region, 1, 12)}
                              GROUP BY 1 ORDER BY 3 DESC, 1""",
    )
    assert [tuple(r) for r in got[["category", "n", "amount"]].itertuples(index=False)] == [tuple(r) for r in expected]
    assert got["share"].sum() == pytest.approx(1.0)


@pytest.mark.parametrize("region, column", VIEWS)
def test_by_program_equals_own_sql_and_follows_the_category(duck, region, column):
    got = q.by_program(PROVINCE, DrillState(region, YEAR, 1, 12), category="高龄津贴", limit=20)
    expected = rows(
        duck,
        f"""SELECT s.program_id, p.name, COUNT(*), SUM(s.amount) AS a FROM subsidy_payout s
                              JOIN subsidy_program p ON p.id = s.program_id
                              WHERE {_view("s." + column, region, 1, 12).replace("pay_date", "s.pay_date")}
                                AND s.category = '高龄津贴'
                              GROUP BY 1, 2 ORDER BY a DESC, 1 LIMIT 20""",
    )
    assert [tuple(r) for r in got[["id", "program_name", "n", "amount"]].itertuples(index=False)] == [
        tuple(r) for r in expected
    ]
    assert set(got["category"]) == {"高龄津贴"}


@pytest.mark.parametrize(
    "region, column, child",
    [
        ("430000", "province_code", "COALESCE(city_code, county_code)"),
        ("430100", "city_code", "county_code"),
        ("430121", "county_code", "NULL"),
    ],
)
def test_region_ranking_has_own_level_and_every_child_and_adds_up(duck, region, column, child):
    program = rows(
        duck, "SELECT id FROM subsidy_program WHERE region_code = '430000' AND category = '城乡居民最低生活保障'"
    )[0][0]
    got = q.region_ranking(PROVINCE, DrillState(region, YEAR, 1, 12), program=program)
    expected = {
        c: (n, a)
        for c, n, a in rows(
            duck,
            f"""
        SELECT {child}, COUNT(*), SUM(amount) FROM subsidy_payout
        WHERE {_view(column, region, 1, 12)} AND program_id = {program} GROUP BY 1""",
        )
    }
    children = {r[0] for r in rows(duck, "SELECT adcode FROM region WHERE parent_adcode = :r", r=region)}
    assert got["is_own_level"].tolist() == [True] + [False] * len(children)
    assert set(got["code"].dropna()) == children
    for _, row in got.iterrows():
        code = None if row["is_own_level"] else row["code"]
        assert (row["n"], row["amount"]) == expected.get(code, (0, 0)), code
    assert got["amount"].sum() == sum(a for _, a in expected.values())


def test_township_ranking_of_a_county_equals_own_sql(duck):
    got = q.township_ranking(PROVINCE, DrillState("430121", YEAR, 1, 12), limit=100)
    expected = rows(
        duck,
        f"""SELECT township, COUNT(*), SUM(amount) AS a, COUNT(DISTINCT recipient_id_number)
                              FROM subsidy_payout WHERE {_view("county_code", "430121", 1, 12)}
                              GROUP BY 1 ORDER BY a DESC, 1""",
    )
    assert [tuple(r) for r in got[["township", "n", "amount", "recipients"]].itertuples(index=False)] == [
        tuple(r) for r in expected
    ]
    assert set(got["region_name"]) == {"长沙县"}


@pytest.mark.parametrize("region, column", VIEWS)
def test_monthly_equals_own_sql_for_both_years(duck, region, column):
    got = q.monthly(PROVINCE, DrillState(region, YEAR, 2, 10), category="城乡居民最低生活保障")
    expected = []
    for year in (YEAR - 1, YEAR):
        expected += rows(
            duck,
            f"""SELECT {year}, CAST(EXTRACT(month FROM pay_date) AS INTEGER) AS m, COUNT(*),
                                          SUM(amount) FROM subsidy_payout
                                   WHERE {_view(column, region, 2, 10, year)} AND category = '城乡居民最低生活保障'
                                   GROUP BY 1, 2 ORDER BY 2""",
        )
    assert [tuple(r) for r in got.itertuples(index=False)] == [tuple(r) for r in expected]


# -- anomaly lists: every planted anomaly, nothing clean -----------------------------------------------------------


def _planted(anomalies, kind: str) -> list[dict]:
    found = [a for a in anomalies if a["kind"] == kind]
    assert found, f"no {kind} planted"
    return found


def _planted_payouts(anomalies, kind: str) -> set[int]:
    if kind in ("subsidy_above_standard", "subsidy_account_name_mismatch"):
        return {int(a["key"]) for a in _planted(anomalies, kind)}
    return {i for a in _planted(anomalies, kind) for i in a["payout_ids"]}


def _ids_in(duck, ids: set[int], column: str, region: str) -> set[int]:
    return {
        r[0]
        for r in rows(
            duck, f"SELECT id FROM subsidy_payout WHERE id IN ({','.join(map(str, ids))}) AND {column} = :r", r=region
        )
    }


def _flagged(flag: str):
    def query(scope, state, **filters):
        return q.flagged_payouts(scope, state, flag, **filters)

    return query


FLAG_OF = {
    "subsidy_duplicate_id": "duplicate_id",
    "subsidy_after_death": "after_death",
    "subsidy_above_standard": "above_standard",
    "subsidy_account_name_mismatch": "account_mismatch",
}


@pytest.mark.parametrize("kind", FLAG_OF)
def test_anomaly_lists_hold_exactly_the_planted_payouts_at_every_level(duck, demo_anomalies, kind):
    planted, query = _planted_payouts(demo_anomalies, kind), _flagged(FLAG_OF[kind])
    county = rows(duck, f"SELECT county_code FROM subsidy_payout WHERE id = {min(planted)}")[0][0]
    city = rows(duck, "SELECT parent_adcode FROM region WHERE adcode = :c", c=county)[0][0]
    for region, column in [("430000", "province_code"), (city, "city_code"), (county, "county_code")]:
        got = query(PROVINCE, DrillState(region, YEAR, 1, 12))
        expected = _ids_in(duck, planted, column, region)
        assert expected and set(got["id"]) == expected, (kind, region)
        assert len(got) == len(expected), "a payout listed twice"
    assert query(PROVINCE, DrillState("430000", YEAR - 1, 1, 12)).empty, "nothing is planted the year before"


def test_employee_dibao_lists_every_dibao_payout_to_a_public_employee_and_the_planted_ones(duck, demo_anomalies):
    got = q.flagged_payouts(PROVINCE, DrillState("430000", YEAR, 1, 12), "employee_dibao")
    expected = {
        r[0]
        for r in rows(
            duck,
            f"""SELECT s.id FROM subsidy_payout s
                                             JOIN public_employee e ON e.id_number = s.recipient_id_number
                                             WHERE s.category = '城乡居民最低生活保障'
                                               AND {_view("province_code", "430000", 1, 12, YEAR)}""",
        )
    }
    planted = {a["key"] for a in _planted(demo_anomalies, "subsidy_public_employee_dibao")}
    assert expected and set(got["id"]) == expected and len(got) == len(expected)
    assert set(got["recipient_id_number"]) == planted


def test_flag_summary_counts_each_list(duck):
    state = DrillState("430100", YEAR, 1, 12)
    summary = q.flag_summary(PROVINCE, state).set_index("flag")
    for flag in q.FLAG_DETAIL:
        listed = q.flagged_payouts(PROVINCE, state, flag)
        assert summary.at[flag, "n"] == len(listed)
        assert summary.at[flag, "amount"] == sum(listed["amount"], Decimal(0))
        assert summary.at[flag, "recipients"] == listed["recipient_id_number"].nunique()
    assert summary["n"].sum() > 0


def test_duplicate_payouts_say_how_many_counties_paid_and_a_county_sees_only_its_own(duck, demo_anomalies):
    for anomaly in _planted(demo_anomalies, "subsidy_duplicate_id"):
        first, second = anomaly["counties"]
        got = q.flagged_payouts(Scope(first, "county"), DrillState(first, YEAR, 1, 12), "duplicate_id")
        listed = got[got["recipient_id_number"] == anomaly["key"].split("|")[0]]
        assert len(listed) >= 1 and set(listed["region_code"]) == {first}
        assert set(listed["counties"]) == {2}
        assert second not in set(got["region_code"])


def test_after_death_rows_carry_the_death_date(demo_anomalies):
    got = q.flagged_payouts(PROVINCE, DrillState("430000", YEAR, 1, 12), "after_death")
    deaths = {a["key"]: a["death_date"] for a in _planted(demo_anomalies, "subsidy_after_death")}
    assert len(got) > 0
    assert all(
        str(d) == deaths[i] and p > d for i, d, p in zip(got["recipient_id_number"], got["death_date"], got["pay_date"])
    )


def test_above_standard_rows_carry_the_standard(duck, demo_anomalies):
    got = q.flagged_payouts(PROVINCE, DrillState("430000", YEAR, 1, 12), "above_standard")
    planted = {int(a["key"]): a for a in _planted(demo_anomalies, "subsidy_above_standard")}
    assert len(got) > 0
    for payout, amount, standard in zip(got["id"], got["amount"], got["standard_amount"]):
        assert amount * 100 == planted[payout]["amount_fen"] and standard * 100 == planted[payout]["standard_fen"]


# -- scope ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        q.summary,
        q.by_category,
        q.by_program,
        q.region_ranking,
        q.township_ranking,
        q.monthly,
        *(_flagged(flag) for flag in q.FLAG_DETAIL),
    ],
)
def test_a_region_outside_the_scope_gives_no_rows(query):
    for scope, region in [(Scope("430200", "city"), "430100"), (Scope.nothing(), "430000")]:
        assert query(scope, DrillState(region, YEAR, 1, 12)).empty, (scope, region)


@pytest.mark.postgres
@pytest.mark.parametrize(
    "query",
    [
        q.summary,
        q.by_category,
        q.by_program,
        q.region_ranking,
        q.monthly,
        q.township_ranking,
        q.flag_summary,
        *(functools.partial(q.flagged_payouts.uncached, flag=flag) for flag in q.FLAG_DETAIL),
    ],
)
def test_every_engine_gives_the_same_answer(server_url, use_store, query):
    state = DrillState("430000", YEAR, 1, 12)
    run = getattr(query, "uncached", query)
    on_duckdb = run(PROVINCE, state).astype(str)
    use_store(server_url)
    on_server = run(PROVINCE, state).astype(str)
    assert len(on_duckdb) > 0
    assert on_duckdb.to_dict("records") == on_server.to_dict("records")
