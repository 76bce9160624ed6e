"""Per-capita metrics (人均一般公共预算收入 / 支出, 人均债务, 人均补贴, 人均地区生产总值) and the store's population and
GDP (`region_stat`): the demo's figures are the published 2023 city figures with counties adding up to their city,
and every per-capita value of the metric layer equals the test's own SQL to the fen, at province, city and county
level, with 本级 (which has no residents of its own) left without a per-capita figure."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest

from dashboard.core.drill import DrillState
from dashboard.core.scope import Scope
from dashboard.demo.statistics import HUNAN_CITIES_2023, STAT_YEAR
from queries import metrics, peers
from tests.integration.region_sql import rows

FEN = Decimal("0.01")
PROVINCE = Scope("430000", "province")
KEYS = ("population", "revenue_per_capita", "spending_per_capita", "debt_per_capita", "subsidy_per_capita")


def test_parents_equal_the_sum_of_their_children(duck):
    unequal = rows(
        duck,
        "SELECT p.region_code, p.population, sum(c.population), p.gdp, sum(c.gdp) FROM region_stat p "
        "JOIN region r ON r.parent_adcode = p.region_code JOIN region_stat c ON c.region_code = r.adcode "
        "AND c.year = p.year GROUP BY p.region_code, p.population, p.gdp "
        "HAVING p.population <> sum(c.population) OR p.gdp <> sum(c.gdp)",
    )
    assert unequal == []
    counted = rows(duck, "SELECT count(*), count(DISTINCT year) FROM region_stat")[0]
    regions = rows(duck, "SELECT count(*) FROM region WHERE level IN ('province', 'city', 'county')")[0][0]
    assert counted == (regions, 1)


def test_cities_hold_the_published_figures(duck):
    found = {
        code: (population, gdp)
        for code, population, gdp in rows(
            duck, "SELECT region_code, population, gdp FROM region_stat WHERE year = :y", y=STAT_YEAR
        )
    }
    for code, (wan, yi) in HUNAN_CITIES_2023.items():
        assert found[code] == (round(wan * 10_000), Decimal(str(yi)) * 100_000_000)
    assert found["430100"] == (10_513_100, Decimal("1433198000000.00"))  # 长沙 1051.31万人, 14331.98亿元


# the numerator of each metric in the test's own SQL over the facts: (table, amount, condition on :a :b :end)
NUMERATORS = {
    "revenue_per_capita": ("revenue", "amount", "collect_date >= :a AND collect_date < :b"),
    "spending_per_capita": ("payment", "amount", "pay_date >= :a AND pay_date < :b"),
    "debt_per_capita": ("bond", "principal", "issue_date <= :end AND maturity_date > :end"),
    "subsidy_per_capita": ("subsidy_payout", "amount", "pay_date >= :a AND pay_date < :b"),
}


def _own_sql(duck, code: str, level: str, key: str, state: DrillState) -> dict[str | None, Decimal]:
    """Numerator of `key` per child (None: 本级) of region `code`, from the facts."""
    table, amount, where = NUMERATORS[key]
    column = {"province": "province_code", "city": "city_code"}[level]
    child = "coalesce(city_code, county_code)" if level == "province" else "county_code"
    a, b = state.dates
    end = b.fromordinal(b.toordinal() - 1)
    found = rows(
        duck,
        f"SELECT {child}, sum({amount}) FROM {table} WHERE {column} = :code AND {where} GROUP BY 1",
        code=code,
        a=a,
        b=b,
        end=end,
    )
    return {c: Decimal(v) for c, v in found}


def _population(duck, code: str) -> int:
    return rows(duck, "SELECT population FROM region_stat WHERE region_code = :c AND year = :y", c=code, y=STAT_YEAR)[
        0
    ][0]


def _fen(value: Decimal) -> Decimal:
    return value.quantize(FEN, rounding=ROUND_HALF_UP)


@pytest.mark.parametrize(("code", "level"), [("430000", "province"), ("430100", "city"), ("431200", "city")])
@pytest.mark.parametrize(("first", "last"), [(1, 6), (1, 12), (9, 9)])
def test_per_capita_equals_own_sql_to_the_fen(duck, use_store, demo_url, code, level, first, last):
    use_store(demo_url)
    state = DrillState(code, 2024, first, last)
    frame = metrics.by_region(PROVINCE, state, KEYS)
    own_rows = frame[frame["is_own_level"]]
    assert own_rows["population"].iloc[0] == 0 and all(own_rows[k].iloc[0] is None for k in KEYS[1:])
    children = frame[~frame["is_own_level"]]
    assert len(children) > 5
    for key in KEYS[1:]:
        sums = _own_sql(duck, code, level, key, state)
        for _, row in children.iterrows():
            people = _population(duck, row["code"])
            assert row[f"{key}_den"] == people, (key, row["code"])
            assert row[f"{key}_num"] == sums.get(row["code"], Decimal(0)), (key, row["code"])
            assert _fen(Decimal(str(row[key]))) == _fen(sums.get(row["code"], Decimal(0)) / people), (key, row["code"])
        whole = metrics.whole(PROVINCE, state, (key,))
        expected = sum(sums.values(), Decimal(0)) / _population(duck, code)  # 本级 money over the whole population
        assert _fen(Decimal(str(whole[key]))) == _fen(expected), (key, code)


def test_a_later_year_reads_the_latest_statistics_and_an_earlier_the_first(use_store, demo_url, duck):
    use_store(demo_url)
    for year in (2023, 2024, 2022):
        frame = metrics.by_region(PROVINCE, DrillState("430100", year, 1, 12), ("population",))
        county = frame[frame["code"] == "430102"].iloc[0]
        assert county["population"] == _population(duck, "430102")


def test_every_per_capita_metric_has_its_unit_and_definition():
    declared = {m.key: m for m in metrics.metrics()}
    for key in (*KEYS[1:], "gdp_per_capita"):
        assert declared[key].unit == "元/人"
        assert "常住人口" in declared[key].definition and declared[key].name.startswith("人均")
    assert declared["population"].unit == "人"


def test_every_engine_gives_the_same_per_capita_figures(use_store, demo_url, server_url):
    state = DrillState("430100", 2024, 1, 9)
    use_store(demo_url)
    duck_frame = metrics.by_region(PROVINCE, state, KEYS)
    use_store(server_url)
    server_frame = metrics.by_region(PROVINCE, state, KEYS)
    for key in KEYS:
        assert list(duck_frame[f"{key}_num"]) == list(server_frame[f"{key}_num"]), key
        assert list(duck_frame[f"{key}_den"]) == list(server_frame[f"{key}_den"]), key


def test_every_engine_gives_the_same_peer_units(use_store, demo_url, server_url):
    state = DrillState("430000", 2024, 1, 6)
    found = {}
    for url in (demo_url, server_url):
        use_store(url)
        units = peers.peer_units(PROVINCE, state, ("revenue_per_capita",))
        found[url] = list(zip(units["code"], units["group"], units["revenue_per_capita_num"], units["population"]))
    assert len(found[demo_url]) == 122 and found[demo_url] == found[server_url]
