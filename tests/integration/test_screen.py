"""The big screen (/screen) and the overview's cockpit panels, driven through their callbacks.

Every expected number comes from the test's own SQL on the demo store; URLs that are wrong get a notice; a map
click drills one level down and nowhere else; a refresh with an unchanged data version sends nothing.
"""

from __future__ import annotations

import json
from decimal import ROUND_HALF_UP, Decimal

import pytest
import sqlalchemy as sa

from tests.integration.dash_tree import by_id, find_callback, text_of, walk
from tests.integration.topic_helpers import UNIT, percent, shown

VIEWPORT = {"width": 1920, "height": 1080}


def store_figures(duck, column: str, code: str, year: int, first: int, last: int) -> dict[str, Decimal]:
    """The screen's headline inputs for a region's subtree, straight from the fact tables. 直达资金 as of the
    period's end: paid from January ÷ the year's 直达 indicators issued by then."""
    months = "extract(year from {d}) = :y and extract(month from {d}) between :a and :b"
    sql = f"""
        select
          (select coalesce(sum(amount), 0) from revenue where {column} = :code and {months.format(d="collect_date")}),
          (select coalesce(sum(amount), 0) from payment where {column} = :code and {months.format(d="pay_date")}),
          (select coalesce(sum(amount), 0) from budget_indicator where {column} = :code and year = :y),
          (select coalesce(sum(p.amount), 0) from payment p join budget_indicator i on i.id = p.indicator_id
             where i.direct_fund and p.{column} = :code and extract(year from p.pay_date) = :y
             and extract(month from p.pay_date) <= :b),
          (select coalesce(sum(amount), 0) from budget_indicator where direct_fund and {column} = :code
             and year = :y and issue_date <= last_day(make_date(:y, :b, 1))),
          (select coalesce(sum(amount), 0) from payment where {column} = :code
             and extract(year from pay_date) = :y and extract(month from pay_date) = :b),
          (select coalesce(sum(closing), 0) from treasury_cash where {column} = :code and year = :y and month = :b),
          (select coalesce(sum(outflow), 0) from treasury_cash where {column} = :code
             and year * 12 + month between :y * 12 + :b - 2 and :y * 12 + :b)
    """
    with duck.connect() as conn:
        row = conn.execute(sa.text(sql), {"code": code, "y": year, "a": first, "b": last}).one()
    keys = ["revenue", "spending", "budget", "direct_paid", "direct_budget", "month", "closing", "outflow"]
    return dict(zip(keys, row))


@pytest.fixture
def screen(app, client):
    """POST the screen's one render callback as the browser would; returns (status, response dict)."""
    key, _spec = find_callback(app, "screen-kpis")
    outputs = [{"id": o.split(".")[0], "property": o.split(".")[1]} for o in key.strip(".").split("...")]

    def _post(
        search: str,
        *,
        trigger: str = "screen-url.search",
        click=None,
        metric: str = "execution",
        version=None,
        viewport=VIEWPORT,
    ):
        inputs = [
            ("screen-url", "search", search),
            ("screen-viewport", "data", viewport),
            ("screen-map", "clickData", click),
            ("screen-metric", "value", metric),
            ("screen-refresh", "n_intervals", 1 if trigger == "screen-refresh.n_intervals" else None),
        ]
        body = {
            "output": key,
            "outputs": outputs,
            "inputs": [{"id": i, "property": p, "value": v} for i, p, v in inputs],
            "changedPropIds": [trigger],
            "state": [{"id": "screen-version", "property": "data", "value": version}],
        }
        response = client.post("/_dash-update-component", json=body)
        assert response.status_code in (200, 204), response.get_data(as_text=True)[:2000]
        payload = json.loads(response.get_data(as_text=True))["response"] if response.status_code == 200 else {}
        return response.status_code, payload, len(response.get_data())

    return _post


CASES = [
    ("430000", "province", "province_code", 2024, 1, 9),
    ("430100", "city", "city_code", 2024, 1, 6),
    ("430102", "county", "county_code", 2023, 3, 9),
]


@pytest.mark.parametrize("code, level, column, year, first, last", CASES)
def test_screen_kpis_equal_the_store(screen, duck, code, level, column, year, first, last):
    _status, out, _size = screen(f"?region={code}&year={year}&period={first}-{last}")
    expected = store_figures(duck, column, code, year, first, last)
    kpis = out["screen-kpis"]["children"]

    def fits(amount: Decimal) -> tuple[str, str]:
        """The tile's figure and unit: 亿元 from 10亿元 up, else 万元, so no figure has more than 7 digits."""
        unit_level = "province" if amount >= 10**9 else "county"
        return shown(amount, unit_level), "亿元" if amount >= 10**9 else "万元"

    def tile(kpi_id: str) -> tuple[str, str]:
        value = by_id(kpis, kpi_id)
        figure = next(c for c in walk(kpis) if kpi_id in str(c) and c["props"].get("className") == "tile-figure")
        units = [c["props"]["children"] for c in walk(figure) if c["props"].get("className") == "tile-unit"]
        return text_of(value), units[0]

    for kpi_id, amount in (("kpi-revenue", "revenue"), ("kpi-spending", "spending"), ("kpi-month", "month")):
        figure, unit_shown = tile(kpi_id)
        assert (figure, unit_shown) == fits(expected[amount]), kpi_id
        assert sum(ch.isdigit() for ch in figure) <= 7, figure
    assert text_of(by_id(kpis, "kpi-execution")) == percent(expected["spending"], expected["budget"])
    assert text_of(by_id(kpis, "kpi-direct")) == percent(expected["direct_paid"], expected["direct_budget"])
    cash = (expected["closing"] / (expected["outflow"] / 3)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    assert text_of(by_id(kpis, "kpi-cash")) == str(cash)
    unit = "亿元" if max(expected["revenue"], expected["spending"]) >= 10**9 else "万元"
    assert f"单位:{unit}" in out["screen-freshness"]["children"]
    assert out["screen-title"]["children"].endswith(f"{year}年{first}-{last}月")


def test_map_ships_codes_and_values_with_the_outline_as_a_url(screen, duck):
    status, out, size = screen("?region=430000&year=2024&period=1-9")
    figure = out["screen-map"]["figure"]
    trace = figure["data"][0]
    with duck.connect() as conn:
        children = {r[0] for r in conn.execute(sa.text("select adcode from region where parent_adcode = '430000'"))}
    assert trace["type"] == "choroplethmap"
    assert trace["geojson"] == "/assets/geo/430000.json"
    assert set(trace["locations"]) == children
    assert figure["layout"]["map"]["style"] == "white-bg"
    assert size < 50_000, f"a drill response of {size} bytes"


def test_risk_metric_colours_by_grade_and_says_it_in_words(screen):
    _status, out, _size = screen("?region=430000&year=2024&period=1-9", trigger="screen-metric.value", metric="risk")
    trace = out["screen-map"]["figure"]["data"][0]
    assert set(trace["z"]) <= {0, 1, 2, 3, 4}
    assert all(label in ("无预警", "蓝色预警", "黄色预警", "橙色预警", "红色预警") for label in trace["customdata"])
    legend = text_of(out["screen-map-legend"]["children"])
    assert "红色预警" in legend and "无预警" in legend
    assert "metric=risk" in out["screen-url"]["search"]


def test_a_map_click_drills_to_that_child_and_keeps_the_period(screen):
    click = {"points": [{"location": "430100"}]}
    _status, out, _size = screen("?region=430000&year=2024&period=1-9", trigger="screen-map.clickData", click=click)
    assert out["screen-url"]["search"].startswith("?region=430100&year=2024&period=1-9")
    assert out["screen-title"]["children"].startswith("长沙市")
    crumbs = out["screen-breadcrumb"]["children"]
    assert [text_of(c) for c in walk(crumbs) if c["type"] == "Link"] == ["湖南省"]
    assert out["screen-map"]["figure"]["data"][0]["geojson"] == "/assets/geo/430100.json"


def test_a_click_on_anything_but_a_child_does_not_drill(screen):
    click = {"points": [{"location": "430200"}]}  # 株洲: a sibling of 长沙, not its child
    _status, out, _size = screen("?region=430100&year=2024&period=1-9", trigger="screen-map.clickData", click=click)
    assert "screen-url" not in out
    assert out["screen-title"]["children"].startswith("长沙市")


def test_refresh_with_an_unchanged_data_version_sends_nothing(screen):
    _status, first, _size = screen("?region=430000")
    shown = first["screen-version"]["data"]
    _status, out, size = screen("?region=430000", trigger="screen-refresh.n_intervals", version=shown)
    assert out == {} and size < 100  # Dash answers no_update everywhere with an empty response
    older = {**shown, "version": "an older load"}
    status, out, _size = screen("?region=430000", trigger="screen-refresh.n_intervals", version=older)
    assert status == 200 and out["screen-version"]["data"] == shown and "screen-kpis" in out


def test_the_echo_of_a_drill_url_is_not_rendered_twice(screen):
    click = {"points": [{"location": "430100"}]}
    _status, drilled, _size = screen("?region=430000&year=2024&period=1-9", trigger="screen-map.clickData", click=click)
    pushed = drilled["screen-url"]["search"]
    _status, echo, _size = screen(pushed, version=drilled["screen-version"]["data"])
    assert echo == {}
    _status, back, _size = screen("?region=430000&year=2024&period=1-9", version=drilled["screen-version"]["data"])
    assert back["screen-title"]["children"].startswith("湖南省")  # the back button is not an echo


@pytest.mark.parametrize(
    "search, words, title",
    [
        ("?region=999999", ["未找到区划代码“999999”"], "湖南省"),
        ("?region=abc'--", ["未找到区划代码"], "湖南省"),
        ("?region=430100&year=1999", ["没有1999年的数据"], "长沙市"),
        ("?region=430100&period=9-2", ["无效"], "长沙市"),
        ("", [], "湖南省"),
    ],
)
def test_bad_urls_show_a_notice_and_a_valid_view(screen, search, words, title):
    _status, out, _size = screen(search)
    notices = text_of(out["screen-notices"]["children"])
    for word in words:
        assert word in notices
    if not words:
        assert notices == ""
    assert out["screen-title"]["children"].startswith(title)


def test_attention_lists_five_children_worst_first_as_drill_links(screen, duck):
    _status, out, _size = screen("?region=430000&year=2024&period=1-9")
    links = [c for c in walk(out["screen-side"]["children"]) if c["type"] == "Link"]
    assert len(links) == 5
    with duck.connect() as conn:
        rates = dict(
            conn.execute(
                sa.text("""
            select coalesce(city_code, county_code), sum(amount) from payment where province_code = '430000'
              and coalesce(city_code, county_code) is not null and extract(year from pay_date) = 2024
              and extract(month from pay_date) <= 9 group by 1""")
            ).all()
        )
        budgets = dict(
            conn.execute(
                sa.text("""
            select coalesce(city_code, county_code), sum(amount) from budget_indicator where province_code = '430000'
              and coalesce(city_code, county_code) is not null and year = 2024 group by 1""")
            ).all()
        )
    lowest = min(rates, key=lambda code: rates[code] / budgets[code])  # all lag 序时进度: the worst lag leads
    assert links[0]["props"]["href"].startswith(f"/screen?region={lowest}&year=2024&period=1-9")


def test_county_shows_its_top_agencies_and_projects_from_the_store(screen, duck):
    _status, out, _size = screen("?region=430102&year=2024&period=1-9")
    side = out["screen-side"]["children"]
    with duck.connect() as conn:
        name, amount = conn.execute(
            sa.text("""
            select a.name, sum(p.amount) from payment p join agency a on a.id = p.agency_id
            where p.county_code = '430102' and p.pay_date >= date '2024-01-01' and p.pay_date < date '2024-10-01'
            group by a.name order by 2 desc limit 1""")
        ).one()
        project = conn.execute(
            sa.text("""
            select j.name from payment p join budget_indicator i on i.id = p.indicator_id
            join project j on j.id = i.project_id
            where p.county_code = '430102' and p.pay_date >= date '2024-01-01' and p.pay_date < date '2024-10-01'
            group by j.name order by sum(p.amount) desc limit 1""")
        ).scalar_one()
    agencies = [text_of(td) for td in walk(by_id(side, "top-agencies")) if td["type"] == "Td"]
    page_unit = "亿元" if "单位:亿元" in out["screen-freshness"]["children"] else "万元"  # the wall's one unit
    assert agencies[:2] == [name, shown(amount, "province" if page_unit == "亿元" else "county")]
    assert f"(单位:{page_unit})" in text_of(by_id(side, "top-agencies"))
    assert text_of(by_id(side, "top-projects")).find(project) >= 0
    trace = out["screen-map"]["figure"]["data"][0]
    assert trace["locations"] == ["430102"] and trace["geojson"] == "/assets/geo/430100.json"


def test_revenue_mix_and_functions_add_up_to_the_headline(screen, duck):
    _status, out, _size = screen("?region=430100&year=2024&period=1-6")
    ring = out["screen-revenue-mix"]["figure"]["data"][0]
    expected = store_figures(duck, "city_code", "430100", 2024, 1, 6)
    assert Decimal(str(round(sum(ring["values"]), 6))) == (expected["revenue"] / UNIT["city"]).quantize(
        Decimal("0.000001")
    )
    assert ring["labels"] == ["税收收入", "非税收入"]
    bars = out["screen-functions"]["figure"]["data"][0]
    assert len(bars["y"]) == 10 and bars["x"] == sorted(bars["x"])  # top ten, largest drawn last (on top)


def test_ticker_shows_the_newest_open_warnings_of_the_rules_in_the_region(screen, demo_url):
    from dashboard.risk.run import run_rules
    from dashboard.state.engine import state_engine
    from dashboard.store.engine import finance_engine

    _status, out, _size = screen("?region=430100&year=2024&period=1-9")
    assert "当前无预警" in text_of(out["screen-ticker"]["children"])  # no rules run yet in this state store
    run_rules(finance_engine(), state_engine())
    with state_engine().connect() as conn:  # the test's own SQL on the state store
        newest = conn.execute(
            sa.text(
                "select message from risk_warning where state = '待处理' and region_code like '4301%' "
                "order by raised_at desc, case grade when '红' then 0 when '橙' then 1 when '黄' then 2 else 3 end, id desc "
                "limit 1"
            )
        ).scalar_one()
    _status, out, _size = screen("?region=430100&year=2024&period=1-9&metric=risk")
    ticker = text_of(out["screen-ticker"]["children"])
    assert newest in ticker and "临时" not in ticker


def test_overview_cockpit_panels_equal_the_store(call_callback, duck):
    out = call_callback(
        "overview-more-kpis",
        [
            ("overview-query", "data", {"region": "430100", "year": "2024", "period": "1-6"}),
            ("overview-metric", "value", "execution"),
            ("overview-viewport", "data", {"width": 1440, "height": 900}),
        ],
    )
    expected = store_figures(duck, "city_code", "430100", 2024, 1, 6)
    kpis = out["overview-more-kpis"]["children"]
    assert text_of(by_id(kpis, "kpi-direct")) == percent(expected["direct_paid"], expected["direct_budget"])
    assert text_of(by_id(kpis, "kpi-month")) == shown(expected["month"], "city")
    assert "overview-year" not in out and "overview-period" not in out  # the layout's (test_first_paint)
    assert out["overview-map"]["figure"]["data"][0]["geojson"] == "/assets/geo/430100.json"


@pytest.mark.parametrize(
    "trigger, inputs, href",
    [
        ("overview-map", {"click": {"points": [{"location": "430102"}]}}, "/?region=430102&year=2024&period=1-6"),
        ("overview-year", {"year": "2023"}, "/?region=430100&year=2023&period=1-6"),
        ("overview-period", {"period": "3"}, "/?region=430100&year=2024&period=3"),
        ("overview-map", {"click": {"points": [{"location": "430000"}]}}, None),
        ("overview-year", {}, None),
    ],
)
def test_overview_taps_and_filters_navigate(app, client, trigger, inputs, href):
    key, _spec = find_callback(app, "overview-nav")
    values = {"click": None, "year": "2024", "period": "1-6", **inputs}
    body = {
        "output": key,
        "outputs": {"id": "overview-nav", "property": "href"},
        "inputs": [
            {"id": "overview-map", "property": "clickData", "value": values["click"]},
            {"id": "overview-year", "property": "value", "value": values["year"]},
            {"id": "overview-period", "property": "value", "value": values["period"]},
        ],
        "changedPropIds": [f"{trigger}.{'clickData' if trigger == 'overview-map' else 'value'}"],
        "state": [
            {"id": "overview-query", "property": "data", "value": {"region": "430100", "year": "2024", "period": "1-6"}}
        ],
    }
    response = client.post("/_dash-update-component", json=body)
    sent = json.loads(response.get_data(as_text=True))["response"] if response.status_code == 200 else {}
    assert sent == ({} if href is None else {"overview-nav": {"href": href}})
