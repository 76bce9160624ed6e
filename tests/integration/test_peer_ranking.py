"""The ranking switch of the topic pages (`?rank=abs|capita|peer`): per capita and among peers, every figure equal to
the test's own SQL (the facts over `region_stat`), a county's own per-capita figure and rank among its peers, a bad
value falling back to 绝对值 with a notice, and a county user who has no peers to see."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest

from tests.integration.dash_tree import by_id, children_of, text_of, walk
from tests.integration.region_sql import rows
from tests.integration.topic_helpers import render

YEAR, FIRST, LAST = 2024, 1, 9
STAT_YEAR = 2023
# topic key → (metric shown, SQL of the numerator per county: table, amount, condition)
TOPICS = {
    "revenue": ("人均一般公共预算收入", "revenue", "amount", "collect_date >= :a AND collect_date < :b"),
    "spending": ("人均一般公共预算支出", "payment", "amount", "pay_date >= :a AND pay_date < :b"),
    "debt": ("人均债务", "bond", "principal", "issue_date <= :end AND maturity_date > :end"),
    "subsidies": ("人均补贴", "subsidy_payout", "amount", "pay_date >= :a AND pay_date < :b"),
}
BOUNDS = {"a": "2024-01-01", "b": "2024-10-01", "end": "2024-09-30"}


def _fen(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,.2f}"


def _per_capita(duck, key: str) -> dict[str, Decimal]:
    """county code → numerator ÷ 常住人口, every county of the province, from the facts."""
    _label, table, amount, where = TOPICS[key]
    found = rows(
        duck,
        f"SELECT s.region_code, coalesce(sum(f.{amount}), 0) / s.population FROM region_stat s "
        "JOIN region r ON r.adcode = s.region_code AND r.level = 'county' "
        f"LEFT JOIN {table} f ON f.county_code = s.region_code AND {where.replace('issue', 'f.issue')} "
        "WHERE s.year = :y GROUP BY s.region_code, s.population",
        y=STAT_YEAR,
        **BOUNDS,
    )
    return {c: Decimal(v) for c, v in found}


def _peer_rank(duck, values: dict[str, Decimal], code: str) -> tuple[int, int]:
    """(rank, peers) of `code` among the counties of its kind (name suffix 区 / 市 / other)."""
    names = dict(rows(duck, "SELECT adcode, name FROM region WHERE level = 'county'"))

    def kind(c: str) -> str:
        return "区" if names[c].endswith("区") else ("市" if names[c].endswith("市") else "县")

    peers = [c for c in values if kind(c) == kind(code)]
    return sum(1 for c in peers if values[c] > values[code]) + 1, len(peers)  # ties share a rank


def _ranking(out: dict, key: str) -> dict:
    return out[f"{key}-ranking"]["children"]


def _body_rows(table: dict) -> list[list[str]]:
    body = next(c for c in walk(table) if c["type"] == "Tbody")
    return [[text_of(td) for td in tr["props"]["children"]] for tr in children_of(body)]


def _query(region: str, rank: str | None) -> dict:
    query = {"region": region, "year": str(YEAR), "period": f"{FIRST}-{LAST}"}
    return query | ({"rank": rank} if rank is not None else {})


@pytest.mark.parametrize("key", list(TOPICS))
def test_per_capita_ranking_of_a_citys_counties_equals_own_sql(call_callback, duck, key):
    values = _per_capita(duck, key)
    out = render(call_callback, key, _query("430100", "capita"))
    table = by_id(_ranking(out, key), f"{key}-ranking-table")
    body = _body_rows(table)
    assert body[1][1] == "长沙市本级" and body[1][3] == "本级不计人均"
    children = body[2:]
    counties = [c for c, _n in rows(duck, "SELECT adcode, name FROM region WHERE parent_adcode = '430100'")]
    names = dict(rows(duck, "SELECT adcode, name FROM region WHERE parent_adcode = '430100'"))
    expected = sorted(counties, key=lambda c: (-values[c], c))
    assert [r[1] for r in children] == [names[c] for c in expected]
    for row, code in zip(children, expected):
        assert row[3] == _fen(values[code]), (key, code)
        people = rows(duck, "SELECT population FROM region_stat WHERE region_code = :c", c=code)[0][0]
        assert row[2] == _fen(Decimal(people) / 10_000)
    assert f"{TOPICS[key][0]}(元/人)" in text_of(table)


@pytest.mark.parametrize("key", ["revenue", "debt"])
def test_peer_ranking_ranks_each_county_among_its_kind_in_the_province(call_callback, duck, key):
    values = _per_capita(duck, key)
    out = render(call_callback, key, _query("430100", "peer"))
    body = _body_rows(by_id(_ranking(out, key), f"{key}-ranking-table"))
    names = dict(rows(duck, "SELECT name, adcode FROM region WHERE parent_adcode = '430100'"))
    assert len(body) == len(names)
    for rank_text, name, group, value in body:
        code = names[name]
        rank, count = _peer_rank(duck, values, code)
        assert rank_text == f"{rank}/{count}" and value == _fen(values[code]), (name, rank_text, group)
        assert group == {"区": "市辖区", "市": "县级市"}.get(name[-1], "县")


@pytest.mark.parametrize("key", list(TOPICS))
def test_a_countys_page_shows_its_per_capita_figure_and_rank_among_peers(call_callback, duck, key):
    values = _per_capita(duck, key)
    out = render(call_callback, key, _query("430102", None))
    line = text_of(by_id(_ranking(out, key), f"{key}-own-peer"))
    rank, count = _peer_rank(duck, values, "430102")
    people = rows(duck, "SELECT population FROM region_stat WHERE region_code = '430102'")[0][0]
    assert f"芙蓉区常住人口 {_fen(Decimal(people) / 10_000)} 万人" in line
    assert f"{TOPICS[key][0]} {_fen(values['430102'])} 元/人" in line, line
    assert f"在{count}个同类地区(市辖区)中从高到低排第{rank}" in line, line


def test_a_bad_rank_value_falls_back_to_absolute_with_a_notice(call_callback):
    out = render(call_callback, "revenue", _query("430100", "per<script>"))
    card = _ranking(out, "revenue")
    assert "排名口径“per<script>”无效" in text_of(card) and "已按绝对值排名" in text_of(card)
    table = by_id(card, "revenue-ranking-table")
    assert "本期收入" in text_of(table)  # the page's own absolute ranking
    current = [c for c in walk(card) if c.get("props", {}).get("aria-current") == "true"]
    assert [text_of(c) for c in current] == ["绝对值"]


def test_a_county_user_has_no_peers_to_see(call_callback, client_as):
    county = client_as("furong_peers", role="分析", region="430102")
    out = call_callback("revenue-notices", [("revenue-query", "data", _query("430102", "peer"))], client=county)
    line = text_of(by_id(_ranking(out, "revenue"), "revenue-own-peer"))
    assert "无可比较地区" in line and "人均一般公共预算收入" in line


def test_the_switch_keeps_the_view_and_sets_rank(call_callback):
    card = _ranking(render(call_callback, "spending", _query("430100", "capita")), "spending")
    marks = [c for c in walk(card) if str(c.get("props", {}).get("id", "")).startswith("spending-rank-")]
    links = {text_of(c): c["props"].get("href") for c in marks}
    assert links == {
        "绝对值": "/spending?region=430100&year=2024&period=1-9",
        "人均": None,  # the current one: marked, not a link
        "同类排名": "/spending?region=430100&year=2024&period=1-9&rank=peer",
    }
    assert [text_of(c) for c in marks if c["props"].get("aria-current") == "true"] == ["人均"]


# -- /risk: the same switch over the 财政健康指数 ranking ----------------------------------------------------------


@pytest.fixture
def risk_state(risk_state_url, use_state, tmp_path):
    """A private copy of the session's rule run (the sign-in of the test writes to it)."""
    import shutil

    path = tmp_path / "state.sqlite"
    shutil.copy(risk_state_url.removeprefix("sqlite:///"), path)
    use_state(f"sqlite:///{path}")


def _risk_table(call_callback, region: str, rank: str | None) -> dict:
    out = call_callback("risk-health-table", [("risk-query", "data", _query(region, rank))])
    return out["risk-health-table"]["children"]


def test_risk_per_capita_debt_ranking_equals_own_sql(risk_state, call_callback, duck):
    values = _per_capita(duck, "debt")
    card = _risk_table(call_callback, "430100", "capita")
    body = _body_rows(by_id(card, "risk-health-table"))
    names = dict(rows(duck, "SELECT adcode, name FROM region WHERE parent_adcode = '430100'"))
    expected = sorted(names, key=lambda c: (-values[c], c))
    assert [r[1] for r in body[2:]] == [names[c] for c in expected]
    assert [r[3] for r in body[2:]] == [_fen(values[c]) for c in expected]


def test_risk_peer_ranking_orders_each_group_by_the_health_index(risk_state, call_callback, duck):
    card = _risk_table(call_callback, "430100", "peer")
    body = _body_rows(by_id(card, "risk-health-table"))
    counties = dict(rows(duck, "SELECT name, adcode FROM region WHERE level = 'county'"))
    kinds = {"区": "市辖区", "市": "县级市"}
    sizes = {g: sum(1 for n in counties if kinds.get(n[-1], "县") == g) for g in ("市辖区", "县级市", "县")}
    by_group: dict[str, list[tuple[int, float]]] = {}
    for rank_text, name, group, index in body:
        assert group == kinds.get(name[-1], "县")
        rank, count = map(int, rank_text.split("/"))
        assert count == sizes[group]  # every county of the province with its kind is a peer
        by_group.setdefault(group, []).append((rank, float(index)))
    for ranked in by_group.values():  # a higher index, a better rank; equal indices share one
        for rank, index in ranked:
            assert all((r == rank) == (i == index) for r, i in ranked), ranked


def test_a_countys_risk_page_shows_its_rank_among_peers(risk_state, call_callback):
    card = _risk_table(call_callback, "430102", None)
    line = text_of(by_id(card, "risk-own-peer"))
    assert line.startswith("芙蓉区财政健康指数 ") and "个同类地区(市辖区)中从高到低排第" in line, line
    bad = _risk_table(call_callback, "430100", "人均")
    assert "排名口径“人均”无效" in text_of(bad)


def test_population_bands_make_the_peer_groups_when_set(call_callback, duck, monkeypatch):
    """PEER_GROUPING=population: the peers of a county are the province's counties in its 常住人口 band."""
    monkeypatch.setenv("COCKPIT_PEER_GROUPING", "population")
    monkeypatch.setenv("COCKPIT_PEER_POPULATION_BANDS", "50,100")
    values = _per_capita(duck, "revenue")
    people = dict(rows(duck, "SELECT region_code, population FROM region_stat"))

    def band(code: str) -> str:
        wan = Decimal(people[code]) / 10_000
        return "常住人口<50万人" if wan < 50 else ("常住人口50–100万人" if wan < 100 else "常住人口≥100万人")

    out = render(call_callback, "revenue", _query("430100", "peer"))
    body = _body_rows(by_id(_ranking(out, "revenue"), "revenue-ranking-table"))
    names = dict(rows(duck, "SELECT name, adcode FROM region WHERE parent_adcode = '430100'"))
    for rank_text, name, group, _value in body:
        code = names[name]
        peers = [c for c in values if band(c) == band(code)]
        assert group == band(code)
        assert rank_text == f"{sum(1 for c in peers if values[c] > values[code]) + 1}/{len(peers)}", name
