"""The question box on the test store: a representative set of questions → the view (page and URL state) and the
numbers of the one-sentence answer, both equal to the test's own SQL; the scope's refusal; the /ask route
redirects and audits; the shell's answer line shows the sentence."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa

from dashboard.ask.answer import ask
from dashboard.core import settings
from dashboard.core.scope import Scope
from dashboard.state import audit
from dashboard.store.engine import current_data_version
from queries.regions import available_years

PROVINCE = Scope("430000", "province")
COUNTY = Scope("430102", "county")
YI, WAN = Decimal(100_000_000), Decimal(10_000)


def one(duck, sql: str, **params):
    with duck.connect() as conn:
        return conn.execute(sa.text(sql), params).one()


def rows(duck, sql: str, **params):
    with duck.connect() as conn:
        return conn.execute(sa.text(sql), params).all()


def pct(num, den) -> str:
    return f"{(Decimal(num) / Decimal(den) * 100).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}%"


def money(value, unit: Decimal) -> str:
    return f"{(Decimal(value) / unit).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,.2f}"


@pytest.fixture
def store(app):
    """(latest year, its last month with data) of the test store."""
    year = max(available_years())
    through = current_data_version().data_through
    return year, (through.month if through.year == year else 12)


def _view(answer) -> tuple[str, dict]:
    parts = urlsplit(answer.url)
    return parts.path, {k: v[0] for k, v in parse_qs(parts.query).items()}


def paid(duck, where: str, year: int, first: int, last: int, **params) -> Decimal:
    return Decimal(
        one(
            duck,
            f"SELECT COALESCE(SUM(amount), 0) FROM mart_payment_month WHERE year = :y AND month BETWEEN :a AND :b "
            f"AND {where}",
            y=year,
            a=first,
            b=last,
            **params,
        )[0]
    )


def budget(duck, where: str, year: int, **params) -> Decimal:
    return Decimal(
        one(
            duck,
            f"SELECT COALESCE(SUM(amount), 0) FROM mart_indicator_year WHERE year = :y AND {where}",
            y=year,
            **params,
        )[0]
    )


def revenue(duck, where: str, year: int, first: int, last: int, **params) -> Decimal:
    return Decimal(
        one(
            duck,
            f"SELECT COALESCE(SUM(amount), 0) FROM mart_revenue_month WHERE year = :y AND month BETWEEN :a AND :b "
            f"AND {where}",
            y=year,
            a=first,
            b=last,
            **params,
        )[0]
    )


def test_the_first_example_opens_spending_for_changsha_education(app, duck, store):
    year, last = store
    answer = ask("长沙市今年教育支出进度", PROVINCE)
    assert answer.understood, answer.text
    path, query = _view(answer)
    assert path == "/spending"
    assert query == {
        "region": "430100", "year": str(year), "period": f"1-{last}", "func": "205", "ask": "长沙市今年教育支出进度"
    }  # fmt: skip
    num = paid(duck, "city_code = '430100' AND func_code = '205'", year, 1, last)
    den = budget(duck, "city_code = '430100' AND func_code = '205'", year)
    assert answer.text.startswith(f"长沙市{year}年1-{last}月教育支出执行率 {pct(num, den)},序时进度 {pct(last, 12)}")
    assert answer.text.endswith("。")


@pytest.mark.parametrize(
    ("question", "path", "region", "where", "first", "last_month", "filters"),
    [
        ("全省今年支出", "/spending", "430000", "province_code = '430000'", 1, None, {}),
        ("长沙市上半年支出", "/spending", "430100", "city_code = '430100'", 1, 6, {}),
        ("芙蓉区一季度卫生健康支出", "/spending", "430102", "county_code = '430102' AND func_code = '210'", 1, 3,
         {"func": "210"}),
        ("省本级1-6月支出", "/spending", "430000", "province_code = '430000' AND city_code IS NULL", 1, 6, {}),
        ("株洲6月社保支出", "/spending", "430200", "city_code = '430200' AND func_code = '208'", 6, 6, {"func": "208"}),
        ("湘西前三季度农林水支出", "/spending", "433100", "city_code = '433100' AND func_code = '213'", 1, 9,
         {"func": "213"}),
    ],
)  # fmt: skip
def test_spending_amounts_equal_the_payments(
    app, duck, store, question, path, region, where, first, last_month, filters
):
    year, last = store
    last_month = last_month or last
    answer = ask(question, PROVINCE)
    assert answer.understood, answer.text
    got_path, query = _view(answer)
    assert (got_path, query["region"], query["year"]) == (path, region, str(year))
    assert query["period"] == (str(first) if first == last_month else f"{first}-{last_month}")
    assert {k: query[k] for k in filters} == filters
    unit = WAN if region == "430102" else YI
    amount = paid(duck, where, year, first, last_month)
    assert f" {money(amount, unit)}{'万元' if unit == WAN else '亿元'}" in answer.text, answer.text


@pytest.mark.parametrize(
    ("question", "region", "where", "first", "last_month", "kind"),
    [
        ("长沙今年上半年税收收入", "430100", "city_code = '430100' AND item_code LIKE '101%'", 1, 6, "101"),
        ("全省一季度非税收入", "430000", "province_code = '430000' AND item_code LIKE '103%'", 1, 3, "103"),
        ("衡阳市收入", "430400", "city_code = '430400'", 1, None, None),
        ("岳阳楼区2023年收入", "430602", "county_code = '430602'", 1, 12, None),
    ],
)
def test_revenue_amounts_equal_the_collections(app, duck, store, question, region, where, first, last_month, kind):
    year, last = store
    asked_year = 2023 if "2023" in question else year
    last_month = last_month or (last if asked_year == year else 12)
    answer = ask(question, PROVINCE)
    assert answer.understood, answer.text
    path, query = _view(answer)
    assert (path, query["region"], query.get("kind")) == ("/revenue", region, kind)
    unit, name = (WAN, "万元") if region == "430602" else (YI, "亿元")
    amount = revenue(duck, where, asked_year, first, last_month)
    assert f" {money(amount, unit)}{name}" in answer.text, answer.text


def test_tax_year_on_year_and_an_item(app, duck, store):
    year, _ = store
    answer = ask("长沙今年上半年税收收入同比", PROVINCE)
    now = revenue(duck, "city_code = '430100' AND item_code LIKE '101%'", year, 1, 6)
    before = revenue(duck, "city_code = '430100' AND item_code LIKE '101%'", year - 1, 1, 6)
    change = ((now - before) / before * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    assert f"同比 {'+' if change > 0 else ''}{change}%" in answer.text, answer.text
    assert f"上年同期 {money(before, YI)}亿元" in answer.text
    item = ask("芙蓉区一季度增值税", PROVINCE)
    path, query = _view(item)
    assert (path, query["item"], query["period"]) == ("/revenue", "10101", "1-3")
    vat = revenue(duck, "county_code = '430102' AND item_code = '10101'", year, 1, 3)
    assert f"增值税 {money(vat, WAN)}万元" in item.text, item.text


def test_revenue_growth_and_execution_rate_of_the_province(app, duck, store):
    year, last = store
    growth = ask("收入同比", PROVINCE)
    now = revenue(duck, "province_code = '430000'", year, 1, last)
    before = revenue(duck, "province_code = '430000'", year - 1, 1, last)
    change = ((now - before) / before * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    assert f"同比 {'+' if change > 0 else ''}{change}%" in growth.text, growth.text
    rate = ask("全省1-6月预算执行率", PROVINCE)
    num = paid(duck, "province_code = '430000'", year, 1, 6)
    den = budget(duck, "province_code = '430000'", year)
    assert f"预算执行率 {pct(num, den)},序时进度 50.0%" in rate.text, rate.text


def test_cash_level_and_which_counties_warn(app, duck, store):
    year, last = store
    level = ask("全省库款保障水平", PROVINCE)
    (closing,) = one(duck, "SELECT SUM(closing) FROM treasury_cash WHERE year * 12 + month = :m", m=year * 12 + last)
    outflow, = one(
        duck, "SELECT SUM(outflow) FROM treasury_cash WHERE year * 12 + month BETWEEN :a AND :m",
        a=year * 12 + last - 2, m=year * 12 + last,
    )  # fmt: skip
    months = (Decimal(closing) / (Decimal(outflow) / 3)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    assert f"库款保障水平 {months}个月" in level.text, level.text
    assert _view(level)[0] == "/debt"
    units = rows(
        duck,
        "SELECT t.region_code, r.name, SUM(CASE WHEN t.year * 12 + t.month = :m THEN closing END) AS closing, "
        "SUM(outflow) AS outflow FROM treasury_cash t JOIN region r ON r.adcode = t.region_code "
        "WHERE r.level = 'county' AND t.year * 12 + t.month BETWEEN :a AND :m GROUP BY 1, 2",
        a=year * 12 + last - 2, m=year * 12 + last,
    )  # fmt: skip
    red = Decimal(str(settings.get("CASH_RED")))
    flagged = sorted(name for _, name, c, o in units if o and Decimal(c or 0) / (Decimal(o) / 3) < red)
    warned = ask("哪些县库款预警", PROVINCE)
    assert warned.understood and _view(warned)[0] == "/debt"
    if flagged:
        assert f"预警的有{len(flagged)}个" in warned.text, warned.text
        assert all(name in warned.text for name in flagged[:10] if len(flagged) <= 10)
    else:
        assert "没有库款保障水平预警的地区" in warned.text, warned.text


def test_rankings_equal_a_group_by(app, duck, store):
    year, last = store
    top = ask("各市收入前五", PROVINCE)
    cities = rows(
        duck,
        "SELECT r.name, SUM(m.amount) FROM mart_revenue_month m JOIN region r ON r.adcode = m.city_code "
        "WHERE m.year = :y AND m.month BETWEEN 1 AND :b GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 5",
        y=year, b=last,
    )  # fmt: skip
    listed = re.findall(r"([\u4e00-\u9fa5]+) [0-9,.]+亿元", top.text.split(":", 1)[1])
    assert listed == [name for name, _ in cities], top.text
    assert f"{cities[0][0]} {money(cities[0][1], YI)}亿元" in top.text
    lowest = ask("哪个县执行率最低", PROVINCE)
    counties = rows(
        duck,
        "SELECT r.name, p.paid / b.budget FROM region r "
        "JOIN (SELECT county_code, SUM(amount) AS paid FROM mart_payment_month WHERE year = :y AND month <= :b "
        "GROUP BY 1) p ON p.county_code = r.adcode "
        "JOIN (SELECT county_code, SUM(amount) AS budget FROM mart_indicator_year WHERE year = :y GROUP BY 1) b "
        "ON b.county_code = r.adcode ORDER BY 2, r.adcode LIMIT 1",
        y=year, b=last,
    )  # fmt: skip
    assert f"最低的是{counties[0][0]}" in lowest.text, lowest.text
    position = ask("长沙市收入排名", PROVINCE)
    assert position.understood and "从高到低排第" in position.text
    rank = [name for name, _ in rows(
        duck,
        "SELECT r.name, SUM(m.amount) FROM mart_revenue_month m JOIN region r ON r.adcode = m.city_code "
        "WHERE m.year = :y AND m.month BETWEEN 1 AND :b GROUP BY 1 ORDER BY 2 DESC, 1",
        y=year, b=last,
    )].index("长沙市") + 1  # fmt: skip
    assert f"排第{rank}" in position.text


def test_the_rank_among_peers_equals_a_group_by_over_the_same_kind(app, duck, store):
    year, last = store
    answer = ask("浏阳市收入同类排名", PROVINCE)
    peers = rows(
        duck,
        "SELECT r.adcode, SUM(m.amount) FROM region r JOIN mart_revenue_month m ON m.county_code = r.adcode "
        "WHERE r.level = 'county' AND r.name LIKE '%市' AND m.year = :y AND m.month BETWEEN 1 AND :b "
        "GROUP BY 1 ORDER BY 2 DESC, 1",
        y=year, b=last,
    )  # fmt: skip
    codes = [c for c, _ in peers]
    amount = dict(peers)["430181"]
    assert answer.understood and _view(answer)[1]["region"] == "430000"
    assert f"浏阳市{year}年1-{last}月一般公共预算收入 {money(amount, WAN)}万元" in answer.text, answer.text
    assert f"在湖南省{len(codes)}个县级市中从高到低排第{codes.index('430181') + 1}" in answer.text
    assert "超出您的查看范围" in ask("芙蓉区收入同类排名", COUNTY).text


def test_a_county_user_asking_about_changsha_gets_the_refusal(app):
    refused = ask("长沙市今年教育支出进度", COUNTY)
    assert not refused.understood and refused.outcome == "denied" and refused.url is None
    assert "无权查看“长沙市”" in refused.text and len(refused.suggestions) == 3
    own = ask("今年教育支出进度", COUNTY)
    assert own.understood and _view(own)[1]["region"] == "430102"
    assert not ask("全省收入", COUNTY).understood


@pytest.mark.parametrize(
    "question", ["今天天气怎么样", "北京市今年收入", "2019年收入", "长沙和株洲的收入", "哪些县预警"]
)
def test_what_it_cannot_map_gets_no_view_and_two_or_three_suggestions(app, question):
    answer = ask(question, PROVINCE)
    assert not answer.understood and answer.url is None
    assert answer.text.startswith(("没有理解", "没有2019年")), answer.text
    assert 2 <= len(answer.suggestions) <= 3
    assert all(ask(s, PROVINCE).understood for s in answer.suggestions)


def test_the_route_redirects_to_the_view_and_audits_the_question(client_as):
    client = client_as("ask_county", region="430102")
    response = client.get("/ask", query_string={"q": "今年教育支出进度"})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/spending?region=430102&")
    refused = client.get(
        "/ask", query_string={"q": "长沙市今年教育支出进度"}, headers={"Referer": "/revenue?year=2024"}
    )
    assert refused.status_code == 302
    target = urlsplit(refused.headers["Location"])
    assert target.path == "/revenue" and parse_qs(target.query)["ask"] == ["长沙市今年教育支出进度"]
    outside = client.get("/ask", query_string={"q": "天气"}, headers={"Referer": "https://evil.example/x"})
    assert urlsplit(outside.headers["Location"]).path == "/"
    events = audit.search(action="ask", username="ask_county", limit=None)
    assert sorted(e["outcome"] for e in events) == ["denied", "failed", "ok"], events
    assert all(e["page"] == "/ask" and "q" in (e["params"] or "") for e in events)


def test_the_answer_line_shows_the_sentence(app, client, call_callback):
    search = "?region=430100&ask=长沙市今年教育支出进度"
    out = call_callback("ask-answer", [("ask-url", "search", search)])
    text = str(out["ask-answer"]["children"])
    assert "长沙市" in text and "教育支出执行率" in text
    assert out["ask-q"]["value"] == "长沙市今年教育支出进度"
    refusal = str(call_callback("ask-answer", [("ask-url", "search", "?ask=天气")])["ask-answer"]["children"])
    assert "没有理解" in refusal and "/ask?q=" in refusal


def _people(duck, code: str) -> Decimal:
    (people,) = one(duck, "SELECT population FROM region_stat WHERE region_code = :c", c=code)
    return Decimal(people)


def _per_person(amount: Decimal, people: Decimal) -> str:
    return f"{(amount / people).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,.2f}元/人"


@pytest.mark.parametrize(
    ("question", "path", "region", "sql"),
    [
        ("长沙市人均一般公共预算收入", "/revenue", "430100",
         "SELECT SUM(amount) FROM mart_revenue_month WHERE city_code = '430100' AND year = :y AND month <= :b"),
        ("全省今年人均支出", "/spending", "430000",
         "SELECT SUM(amount) FROM mart_payment_month WHERE province_code = '430000' AND year = :y AND month <= :b"),
        ("芙蓉区人均支出", "/spending", "430102",
         "SELECT SUM(amount) FROM mart_payment_month WHERE county_code = '430102' AND year = :y AND month <= :b"),
        ("株洲人均债务", "/debt", "430200",
         "SELECT SUM(principal) FROM bond WHERE city_code = '430200' AND issue_date <= :end AND maturity_date > :end"),
        ("怀化市人均补贴", "/subsidies", "431200",
         "SELECT SUM(amount) FROM subsidy_payout WHERE city_code = '431200' AND pay_date >= :a AND pay_date <= :end"),
    ],
)  # fmt: skip
def test_per_capita_answers_equal_own_sql(app, duck, store, question, path, region, sql):
    year, last = store
    answer = ask(question, PROVINCE)
    assert answer.understood, answer.text
    got_path, query = _view(answer)
    assert (got_path, query["region"], query["rank"], query["period"]) == (path, region, "capita", f"1-{last}")
    end = one(duck, "SELECT CAST(:d AS DATE) + INTERVAL 1 MONTH - INTERVAL 1 DAY", d=f"{year}-{last:02d}-01")[0]
    params = {"y": year, "b": last, "a": f"{year}-01-01", "end": end}
    amount = Decimal(one(duck, sql, **{k: v for k, v in params.items() if f":{k}" in sql})[0] or 0)
    assert f" {_per_person(amount, _people(duck, region))}" in answer.text, answer.text


def test_population_and_peer_rank_per_capita(app, duck, store):
    year, last = store
    people = ask("长沙市常住人口", PROVINCE)
    assert "长沙市" in people.text and "常住人口 1,051.31万人" in people.text, people.text
    peer = ask("芙蓉区同类排名", PROVINCE)
    assert peer.understood, peer.text
    path, query = _view(peer)
    assert (path, query["region"], query["rank"]) == ("/revenue", "430102", "peer")
    per_capita = {
        code: Decimal(amount) / Decimal(population)
        for code, amount, population in rows(
            duck,
            "SELECT s.region_code, COALESCE(SUM(m.amount), 0), s.population FROM region_stat s "
            "JOIN region r ON r.adcode = s.region_code AND r.level = 'county' AND r.name LIKE '%区' "
            "LEFT JOIN mart_revenue_month m ON m.county_code = s.region_code AND m.year = :y AND m.month <= :b "
            "GROUP BY s.region_code, s.population",
            y=year, b=last,
        )
    }  # fmt: skip
    order = sorted(per_capita, key=lambda c: (-per_capita[c], c))
    shown = _per_person(per_capita["430102"], Decimal(1))
    assert f"人均一般公共预算收入 {shown},在湖南省{len(order)}个市辖区中从高到低排第{order.index('430102') + 1}" in (
        peer.text
    ), peer.text
