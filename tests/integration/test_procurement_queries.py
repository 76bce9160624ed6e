"""政府采购 queries against the test's own SQL on the demo store, at the province, one city and one county; the
red-flag lists hold every planted anomaly of their kind and nothing clean; scope is enforced (fail closed)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from dashboard.core.drill import DrillState
from dashboard.core.scope import Scope
from queries import procurement as q
from tests.integration.region_sql import rows

PROVINCE = Scope("430000", "province")
YEAR = 2024
# (region, its ancestry column): the province, 长沙 and 长沙县
VIEWS = [("430000", "province_code"), ("430100", "city_code"), ("430121", "county_code")]
PERIODS = [(1, 12), (3, 7)]


@pytest.fixture(autouse=True)
def store(demo_url, use_store):
    use_store(demo_url)


def _view(column: str, region: str, first: int, last: int, year: int = YEAR) -> str:
    end = f"{year + 1}-01-01" if last == 12 else f"{year}-{last + 1:02d}-01"
    return f"{column} = '{region}' AND contract_date >= DATE '{year}-{first:02d}-01' AND contract_date < DATE '{end}'"


@pytest.mark.parametrize("region, column", VIEWS)
@pytest.mark.parametrize("first, last", PERIODS)
def test_summary_equals_own_sql(duck, region, column, first, last):
    got = q.summary(PROVINCE, DrillState(region, YEAR, first, last)).iloc[0]
    n, budget, contract, sme, single = rows(
        duck,
        f"""
        SELECT COUNT(*), SUM(budget_amount), SUM(contract_amount),
               SUM(CASE WHEN sme THEN contract_amount ELSE 0 END),
               SUM(CASE WHEN method = '单一来源' THEN contract_amount ELSE 0 END)
        FROM procurement WHERE {_view(column, region, first, last)}""",
    )[0]
    assert n > 0
    assert (got["n"], got["budget"], got["contract"], got["sme_contract"], got["single_source_contract"]) == (
        n,
        budget,
        contract,
        sme,
        single,
    )
    assert got["saving_rate"] == pytest.approx(float((budget - contract) / budget))
    assert got["sme_share"] == pytest.approx(float(sme / contract))
    prev = rows(
        duck, f"SELECT SUM(contract_amount) FROM procurement WHERE {_view(column, region, first, last, YEAR - 1)}"
    )
    assert got["contract_prev"] == prev[0][0]


@pytest.mark.parametrize("region, column", VIEWS)
@pytest.mark.parametrize(
    "by, filters",
    [("category", {}), ("method", {}), ("category", {"method": "询价"}), ("method", {"category": "服务"})],
)
def test_breakdown_equals_own_sql_with_every_value_listed(duck, region, column, by, filters):
    got = q.breakdown(PROVINCE, DrillState(region, YEAR, 1, 12), by, **filters)
    extra = "".join(f" AND {k} = '{v}'" for k, v in filters.items())
    expected = {
        k: (n, c)
        for k, n, c in rows(
            duck,
            f"""
        SELECT {by}, COUNT(*), SUM(contract_amount) FROM procurement
        WHERE {_view(column, region, 1, 12)}{extra} GROUP BY 1""",
        )
    }
    assert list(got[by]) == list(q.CATEGORIES if by == "category" else q.METHODS)
    for _, row in got.iterrows():
        assert (row["n"], row["contract"]) == expected.get(row[by], (0, 0)), row[by]
    assert sum(s for s in got["share"] if s is not None) == pytest.approx(1.0)


@pytest.mark.parametrize(
    "region, column, child",
    [
        ("430000", "province_code", "COALESCE(city_code, county_code)"),
        ("430100", "city_code", "county_code"),
        ("430121", "county_code", "NULL"),
    ],
)
def test_region_ranking_has_own_level_and_every_child_and_adds_up(duck, region, column, child):
    got = q.region_ranking(PROVINCE, DrillState(region, YEAR, 1, 12), category="货物")
    expected = {
        c: (n, b, k)
        for c, n, b, k in rows(
            duck,
            f"""
        SELECT {child}, COUNT(*), SUM(budget_amount), SUM(contract_amount) FROM procurement
        WHERE {_view(column, region, 1, 12)} AND category = '货物' GROUP BY 1""",
        )
    }
    children = {r[0] for r in rows(duck, "SELECT adcode FROM region WHERE parent_adcode = :r", r=region)}
    assert got["is_own_level"].tolist() == [True] + [False] * len(children)
    assert set(got["code"].dropna()) == children
    for _, row in got.iterrows():
        code = None if row["is_own_level"] else row["code"]
        assert (row["n"], row["budget"], row["contract"]) == expected.get(code, (0, 0, 0)), code
    total = rows(
        duck, f"SELECT SUM(contract_amount) FROM procurement WHERE {_view(column, region, 1, 12)} AND category = '货物'"
    )[0][0]
    assert got["contract"].sum() == total


@pytest.mark.parametrize("region, column", VIEWS)
def test_single_source_trend_equals_own_sql_for_every_month_of_every_year(duck, region, column):
    got = q.single_source_trend(PROVINCE, DrillState(region, YEAR, 1, 6))
    expected = rows(
        duck,
        f"""
        SELECT year, EXTRACT(month FROM contract_date), SUM(contract_amount),
               SUM(CASE WHEN method = '单一来源' THEN contract_amount ELSE 0 END)
        FROM procurement WHERE {column} = '{region}' GROUP BY 1, 2 ORDER BY 1, 2""",
    )
    assert [tuple(r) for r in got[["year", "month", "contract", "single_source_contract"]].itertuples(index=False)] == [
        tuple(r) for r in expected
    ]
    assert set(got["year"]) == {YEAR - 1, YEAR}


@pytest.mark.parametrize("region, column", VIEWS)
def test_top_suppliers_and_their_share_equal_own_sql(duck, region, column):
    got = q.top_suppliers(PROVINCE, DrillState(region, YEAR, 1, 12))
    expected = rows(
        duck,
        f"""
        SELECT supplier_id, SUM(contract_amount) AS c, SUM(SUM(contract_amount)) OVER () FROM procurement
        WHERE {_view(column, region, 1, 12)} GROUP BY 1 ORDER BY c DESC, supplier_id LIMIT 10""",
    )
    assert list(zip(got["supplier_id"], got["contract"])) == [(s, c) for s, c, _ in expected]
    assert got["share"].sum() == pytest.approx(float(sum(c for _, c, _ in expected) / expected[0][2]))


# -- red flags: every planted anomaly, nothing clean ---------------------------------------------------------------


def _planted_ids(anomalies, kind: str) -> set[int]:
    ids = {i for a in anomalies if a["kind"] == kind for i in a["procurement_ids"]}
    assert ids, f"no {kind} planted"
    return ids


def _regions_of(duck, ids: set[int]) -> list[tuple[str, str]]:
    """(region, ancestry column) views that hold some of `ids`: the province, the city and the county of the first."""
    province, city, county = rows(
        duck,
        f"SELECT province_code, city_code, county_code FROM procurement "
        f"WHERE id IN ({','.join(map(str, sorted(ids)))}) AND county_code IS NOT NULL "
        "AND city_code IS NOT NULL ORDER BY id LIMIT 1",
    )[0]
    return [(province, "province_code"), (city, "city_code"), (county, "county_code")]


def _ids_in(duck, ids: set[int], column: str, region: str) -> set[int]:
    return {
        r[0]
        for r in rows(
            duck, f"SELECT id FROM procurement WHERE id IN ({','.join(map(str, ids))}) AND {column} = :r", r=region
        )
    }


@pytest.mark.parametrize(
    "kind, query", [("procurement_high_ratio", q.high_ratio_contracts), ("procurement_split", q.split_purchases)]
)
def test_red_flag_lists_hold_exactly_the_planted_purchases_at_every_level(duck, demo_anomalies, kind, query):
    planted = _planted_ids(demo_anomalies, kind)
    for region, column in _regions_of(duck, planted):
        got = query(PROVINCE, DrillState(region, YEAR, 1, 12))
        expected = _ids_in(duck, planted, column, region)
        assert expected and set(got["id"]) == expected, (kind, region)
    assert query(PROVINCE, DrillState("430000", YEAR - 1, 1, 12)).empty, "nothing is planted the year before"


def test_high_ratio_rows_carry_their_ratio(demo_anomalies):
    got = q.high_ratio_contracts(PROVINCE, DrillState("430000", YEAR, 1, 12))
    assert all(r >= 0.97 for r in got["contract_ratio"])
    assert list(got["contract_ratio"]) == sorted(got["contract_ratio"], reverse=True)


def test_split_list_follows_the_band_setting(demo_anomalies, monkeypatch):
    """Raising SPLIT_BAND above every planted part empties the list: the band is read from the settings."""
    state = DrillState("430000", YEAR, 1, 12)
    assert not q.split_purchases.uncached(PROVINCE, state).empty
    monkeypatch.setenv("COCKPIT_SPLIT_BAND", "0.995")
    assert q.split_purchases.uncached(PROVINCE, state).empty


def test_split_rows_are_under_their_threshold_and_in_groups_of_one_agency(duck, demo_anomalies):
    got = q.split_purchases(PROVINCE, DrillState("430000", YEAR, 1, 12))
    assert all(Decimal("0.8") * t <= b < t for b, t in zip(got["budget_amount"], got["threshold"]))
    assert (got.groupby("agency_name")["id"].count() >= 2).all()
    province_level = got[got["region_code"] == "430000"]
    assert set(province_level["threshold"]) <= {Decimal(4_000_000)}


# -- scope ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [q.summary, q.region_ranking, q.top_suppliers, q.high_ratio_contracts, q.split_purchases, q.single_source_trend],
)
def test_a_region_outside_the_scope_gives_no_rows(query):
    for scope, region in [(Scope("430200", "city"), "430100"), (Scope.nothing(), "430000")]:
        assert query(scope, DrillState(region, YEAR, 1, 12)).empty, (scope, region)


@pytest.mark.postgres
@pytest.mark.parametrize(
    "query, args",
    [
        (q.summary, ()),
        (q.breakdown, ("method",)),
        (q.region_ranking, ()),
        (q.single_source_trend, ()),
        (q.top_suppliers, ()),
        (q.high_ratio_contracts, ()),
        (q.split_purchases, ()),
    ],
)
def test_every_engine_gives_the_same_answer(server_url, use_store, query, args):
    state = DrillState("430000", YEAR, 1, 12)
    on_duckdb = query.uncached(PROVINCE, state, *args).astype(str)
    use_store(server_url)
    on_server = query.uncached(PROVINCE, state, *args).astype(str)
    assert len(on_duckdb) > 0
    assert on_duckdb.to_dict("records") == on_server.to_dict("records")
