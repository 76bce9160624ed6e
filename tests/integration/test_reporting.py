"""Reporting completeness (报送完整性): the demo's county that has not sent its last month shows as 未报送 — on the
overview's tiles, table and map and on the big screen — never as a county that spent or collected nothing; every
tile says how many of the children have reported, counted here with the test's own SQL over `report_submission`."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from plotly.io.json import to_json_plotly

from tests.integration.dash_tree import by_id, text_of, walk
from tests.integration.test_screen import screen  # noqa: F401  (the screen's render callback, as a fixture)

TABLES = ("payment", "revenue", "treasury_cash")


@pytest.fixture(scope="module")
def silent(demo_anomalies) -> dict:
    found = [a for a in demo_anomalies if a["kind"] == "report_missing"]
    assert len(found) == 1
    return found[0]


def _complete_children(duck, parent: str, year: int, last_month: int, tables=TABLES) -> tuple[int, int]:
    """(children of `parent` all of whose units reported every month 1..last_month of `tables`, children)."""
    sql = """
        WITH RECURSIVE sub(child, unit) AS (
            SELECT adcode, adcode FROM region WHERE parent_adcode = :parent
            UNION ALL SELECT sub.child, r.adcode FROM region r JOIN sub ON r.parent_adcode = sub.unit),
        want AS (SELECT child, unit, t.name AS tbl, m.month FROM sub
                 CROSS JOIN (SELECT unnest(CAST(:tables AS VARCHAR[])) AS name) t
                 CROSS JOIN (SELECT range + 1 AS month FROM range(:last)) m),
        gaps AS (SELECT DISTINCT child FROM want w WHERE NOT EXISTS (
                 SELECT 1 FROM report_submission s WHERE s.region_code = w.unit AND s.table_name = w.tbl
                 AND s.year = :year AND s.month = w.month))
        SELECT (SELECT count(DISTINCT child) FROM sub) - (SELECT count(*) FROM gaps), (SELECT count(DISTINCT child)
        FROM sub)"""
    with duck.connect() as conn:
        row = conn.execute(
            sa.text(sql), {"parent": parent, "year": year, "last": last_month, "tables": list(tables)}
        ).one()
    return int(row[0]), int(row[1])


def _names(duck, *codes: str) -> dict[str, str]:
    with duck.connect() as conn:
        rows = conn.execute(
            sa.text("SELECT adcode, name FROM region WHERE adcode IN :codes").bindparams(
                sa.bindparam("codes", expanding=True)
            ),
            {"codes": list(codes)},
        )
        return dict(rows.all())


def _overview(call_callback, region: str, period: str = "1-12"):
    query = {"region": region, "year": "2024", "period": period}
    return call_callback("overview-kpis", [("overview-query", "data", query)])


def test_the_silent_county_has_no_facts_and_no_report_for_its_last_month(duck, silent):
    county, year, month = silent["region"], silent["year"], silent["month"]
    with duck.connect() as conn:
        facts = conn.execute(
            sa.text(
                "SELECT (SELECT count(*) FROM payment WHERE county_code = :c AND pay_date >= make_date(:y, :m, 1)),"
                " (SELECT count(*) FROM report_submission WHERE region_code = :c AND year = :y AND month = :m),"
                " (SELECT count(*) FROM payment WHERE county_code = :c AND extract(year FROM pay_date) = :y)"
            ),
            {"c": county, "y": year, "m": month},
        ).one()
    assert facts[0] == 0 and facts[1] == 0 and facts[2] > 0


def test_tiles_say_how_many_children_reported_equal_to_our_sql(call_callback, duck, silent):
    county = silent["region"]
    city = f"{county[:4]}00"
    for region, noun in (("430000", "市"), (city, "县")):
        complete, children = _complete_children(duck, region, 2024, silent["month"])
        assert complete == children - 1  # the one county's parent (or the county itself) is the one missing
        out = _overview(call_callback, region)
        kpis = out["overview-kpis"]["children"]
        lines = [text_of(n) for n in walk(kpis) if "kpi-coverage" in str(n["props"].get("className", ""))]
        assert lines and set(lines) == {f"已报送 {complete}/{children} {noun}"}
        missing = [n for n in walk(kpis) if "kpi-coverage-missing" in str(n["props"].get("className", ""))]
        assert len(missing) == len(lines) and "未报送" in str(missing[0]["props"])  # who, on hover and aloud
        assert f"已报送 {complete}/{children} {noun}" in out["overview-freshness"]["children"]
    # a period the county did report is complete everywhere
    out = _overview(call_callback, city, "1-11")
    complete, children = _complete_children(duck, city, 2024, 11)
    assert complete == children
    assert f"已报送 {children}/{children} 县" in out["overview-freshness"]["children"]
    assert not [n for n in walk(out["overview-kpis"]) if "kpi-coverage-missing" in str(n["props"].get("className"))]


def test_the_table_shows_the_county_as_unreported_not_graded_and_says_the_total_leaves_it_out(
    call_callback, duck, silent
):
    county = silent["region"]
    name = _names(duck, county)[county]
    out = call_callback(
        "overview-table",
        [("overview-query", "data", {"region": f"{county[:4]}00", "year": "2024", "period": "1-12"})],
    )
    table = by_id(out["overview-table"]["children"], "region-table")
    rows = [[text_of(td) for td in r["props"]["children"]] for r in walk(table) if r["type"] == "Tr"]
    header, total, *body = rows
    assert header[-1] == "报送"
    row = next(r for r in body if r[0] == name)
    assert row[6] == "未报送" and row[7] == "未报送" and row[8] == "未报送"  # 执行率, 较序时进度, 报送
    assert body[-1][0] == name  # ranks last, not as the county that spent least
    assert all(r[8] == "已报送" for r in body if r[0] != name)
    units = len(body)  # 本级 + each county: one unit each
    assert total[8] == f"{units - 1}/{units} 个单位已报送"
    note = text_of(by_id(out["overview-table"]["children"], "gaps-note"))
    assert name in note and f"{silent['month']}月" in note and "合计仅含已报送数据" in note


def test_the_county_itself_shows_unreported_tiles(call_callback, silent):
    out = _overview(call_callback, silent["region"])
    kpis = out["overview-kpis"]["children"]
    lines = {text_of(n) for n in walk(kpis) if "kpi-coverage" in str(n["props"].get("className", ""))}
    assert lines == {f"未报送 {silent['month']}月"}
    card = next(c for c in walk(kpis) if c["type"] == "Col" and "'kpi-execution'" in str(c))
    assert "grade-unreported" in str(card) and "grade-yellow" not in str(card) and "grade-red" not in str(card)


def test_the_screen_names_the_county_unreported_on_map_tiles_and_header(screen, duck, silent):  # noqa: F811
    county = silent["region"]
    _status, out, _size = screen(f"?region={county[:4]}00&year=2024&period=1-12")
    complete, children = _complete_children(duck, f"{county[:4]}00", 2024, silent["month"])
    assert f"已报送 {complete}/{children} 县" in out["screen-freshness"]["children"]
    figure = out["screen-map"]["figure"]
    blank = [t for t in figure["data"] if county in t["locations"]]
    assert len(blank) == 1 and blank[0]["customdata"] == ["未报送"] and blank[0]["showscale"] is False
    coloured = [t for t in figure["data"] if county not in t["locations"]]
    assert coloured and all(v is not None for t in coloured for v in t["z"])  # every other county keeps its colour
    labels = {lab["code"]: lab["label"] for lab in figure["layout"]["meta"]["labels"]}
    assert labels[county] == "未报送"

    _status, out, _size = screen(f"?region={county}&year=2024&period=1-12")
    tiles = out["screen-kpis"]["children"]
    assert text_of(by_id(tiles, "kpi-cash")) == "未报送"  # month-end 库款 of a month not sent: no 0.00
    assert text_of(by_id(tiles, "kpi-month")) == "未报送"
    assert "grade-red" not in str(tiles) and "grade-yellow" not in str(tiles)
    assert f"未报送 {silent['month']}月" in out["screen-freshness"]["children"]


@pytest.mark.parametrize("key", ["spending", "revenue"])
def test_topic_rankings_list_the_county_unranked_as_unreported(call_callback, duck, silent, key):
    from tests.integration.topic_helpers import render

    county = silent["region"]
    name = _names(duck, county)[county]
    out = render(call_callback, key, {"region": f"{county[:4]}00", "year": "2024", "period": "1-12"})
    ranking = next(v["children"] for k, v in out.items() if k.endswith("-ranking"))
    table = by_id(ranking, f"{key}-ranking-table")
    rows = [[text_of(td) for td in r["props"]["children"]] for r in walk(table) if r["type"] == "Tr"]
    header, _total, _own, *children = rows
    assert header[-1] == "报送"
    assert children[-1][1] == name and children[-1][0] == "—" and children[-1][-1] == "未报送"
    ranks = [r[0] for r in children[:-1]]
    assert ranks == [str(i) for i in range(1, len(children))]  # the others are ranked 1…n without a gap
    assert all(r[-1] == "已报送" for r in children[:-1])
    complete, count = _complete_children(duck, f"{county[:4]}00", 2024, silent["month"])
    assert f"已报送 {complete}/{count} 县" in out[f"{key}-freshness"]["children"]  # 数据截至 says who has reported


def test_the_risk_heatmap_says_unreported_where_it_does_not_grade(call_callback, duck, silent):
    from dashboard.risk.rules import REPORTED_TABLES, TOPICS

    county = silent["region"]
    out = call_callback("risk-heatmap", [("risk-query", "data", {"region": f"{county[:4]}00", "year": "2024"})])
    trace = out["risk-heatmap"]["figure"]["data"][0]
    row = trace["text"][trace["y"].index(county)]
    for topic, text in zip(TOPICS, row):
        if topic in REPORTED_TABLES:
            assert text == "未报送", (topic, text)
    others = [t for y, r in zip(trace["y"], trace["text"]) if y != county for t in r]
    assert "未报送" not in others
    complete, count = _complete_children(duck, f"{county[:4]}00", 2024, silent["month"])
    assert f"已报送 {complete}/{count} 县" in out["risk-freshness"]["children"]


def test_the_attention_list_shows_the_county_unreported_not_its_part_figures(app, silent):
    from dashboard.core.drill import DrillState
    from dashboard.core.scope import Scope
    from dashboard.risk import monitor
    from dashboard.ui import cockpit_views as cv
    from queries import cockpit

    county = silent["region"]
    scope, state = Scope("430000", "province"), DrillState(f"{county[:4]}00", 2024, 1, 12)
    with app.server.test_request_context("/"):
        rows = cockpit.region_indicators(scope, state)
        listed = cv.attention(rows, monitor.region_risk(scope, state), state, "/screen", "亿元", limit=len(rows))
    item = next(
        li
        for li in walk(json.loads(to_json_plotly(listed)))
        if li["type"] == "Li" and li["props"].get("data-region") == county
    )
    assert "未报送" in text_of(item) and "个月" not in text_of(item)  # not 库款 0.00 个月 from a month not sent
