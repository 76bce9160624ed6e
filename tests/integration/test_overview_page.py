"""The overview page: its numbers equal the store's (the test's own SQL), it drills, and bad URLs get notices."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

import pytest
import sqlalchemy as sa

from tests.integration.dash_tree import by_id, text_of, walk
from tests.integration.topic_helpers import PAGE_CASES, shown


def store_totals(duck, column: str, code: str, year: int, first: int, last: int) -> dict[str, Decimal]:
    """Revenue and spending of a region's subtree over months [first, last], and its budget — from the facts."""
    sql = f"""
        select
          (select coalesce(sum(amount), 0) from revenue where {column} = :code
             and extract(year from collect_date) = :y and extract(month from collect_date) between :a and :b),
          (select coalesce(sum(amount), 0) from payment where {column} = :code
             and extract(year from pay_date) = :y and extract(month from pay_date) between :a and :b),
          (select coalesce(sum(amount), 0) from budget_indicator where {column} = :code and year = :y)
    """
    with duck.connect() as conn:
        revenue, spending, budget = conn.execute(sa.text(sql), {"code": code, "y": year, "a": first, "b": last}).one()
    return {"revenue": revenue, "spending": spending, "budget": budget}


CASES = [*PAGE_CASES, ("431200", "city", "city_code", 2024, 7, 7)]


@pytest.mark.parametrize("code, level, column, year, first, last", CASES)
def test_kpis_equal_the_store(call_callback, duck, code, level, column, year, first, last):
    period = f"{first}-{last}" if first != last else str(first)
    out = call_callback(
        "overview-kpis", [("overview-query", "data", {"region": code, "year": str(year), "period": period})]
    )
    expected = store_totals(duck, column, code, year, first, last)
    kpis = out["overview-kpis"]["children"]
    assert text_of(by_id(kpis, "kpi-revenue")) == shown(expected["revenue"], level)
    assert text_of(by_id(kpis, "kpi-spending")) == shown(expected["spending"], level)
    assert text_of(by_id(kpis, "kpi-budget")) == shown(expected["budget"], level)
    execution = (expected["spending"] / expected["budget"] * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    assert text_of(by_id(kpis, "kpi-execution")) == f"{execution}%"
    card = next(c for c in walk(kpis) if c["type"] == "Col" and "'kpi-execution'" in str(c))  # graded as on /screen
    badges = [n for n in walk(card) if "grade-badge" in str(n["props"].get("className", ""))]
    assert len(badges) == 1 and text_of(badges[0]).strip(), card
    assert f"{level != 'county' and '亿元' or '万元'}" in text_of(kpis)
    assert out["overview-title"]["children"].endswith(
        f"{year}年{first}-{last}月" if first != last else f"{year}年{first}月"
    )


def _table_rows(out) -> list[list[str]]:
    table = by_id(out["overview-table"]["children"], "region-table")
    rows = []
    for component in walk(table):
        if component["type"] == "Tr" and component["props"].get("className", "").startswith("row-"):
            rows.append([text_of(td) for td in component["props"]["children"]])
    return rows


@pytest.mark.parametrize("code, level, column, year, first, last", CASES[:2])
def test_table_rows_are_own_level_plus_children_and_add_up(call_callback, duck, code, level, column, year, first, last):
    out = call_callback(
        "overview-table", [("overview-query", "data", {"region": code, "year": str(year), "period": f"{first}-{last}"})]
    )
    rows = _table_rows(out)
    child_column = "coalesce(city_code, county_code)" if level == "province" else "county_code"
    with duck.connect() as conn:
        per_child = dict(
            conn.execute(
                sa.text(f"""
            select coalesce({child_column}, 'own'), sum(amount) from payment
            where {column} = :code and extract(year from pay_date) = :y
              and extract(month from pay_date) between :a and :b group by 1"""),
                {"code": code, "y": year, "a": first, "b": last},
            ).all()
        )
        names = dict(
            conn.execute(sa.text("select adcode, name from region where parent_adcode = :code"), {"code": code}).all()
        )
        own_name = conn.execute(sa.text("select name from region where adcode = :code"), {"code": code}).scalar()
    total, own, children = rows[0], rows[1], rows[2:]
    assert total[0] == "合计"
    assert own[0] == f"{own_name}本级"
    assert own[3] == shown(per_child["own"], level)
    assert {r[0] for r in children} == set(names.values())
    for row in children:
        code_of = next(k for k, v in names.items() if v == row[0])
        assert row[3] == shown(per_child.get(code_of, Decimal(0)), level)
    assert total[3] == shown(sum(per_child.values()), level)


def test_child_names_are_drill_links_that_keep_year_and_period(call_callback):
    out = call_callback(
        "overview-table", [("overview-query", "data", {"region": "430000", "year": "2024", "period": "1-6"})]
    )
    links = {text_of(c): c["props"]["href"] for c in walk(out["overview-table"]["children"]) if c["type"] == "Link"}
    assert links["长沙市"] == "/?region=430100&year=2024&period=1-6"
    assert len(links) == 14


def test_breadcrumb_walks_back_up(call_callback):
    out = call_callback("overview-breadcrumb", [("overview-query", "data", {"region": "430102"})])
    crumbs = out["overview-breadcrumb"]["children"]
    links = [(text_of(c), c["props"]["href"]) for c in walk(crumbs) if c["type"] == "Link"]
    assert [name for name, _ in links] == ["湖南省", "长沙市"]
    assert links[0][1].startswith("/?region=430000&")
    assert "芙蓉区" in text_of(crumbs)


@pytest.mark.parametrize(
    "query, words",
    [
        ({"region": "999999"}, ["未找到区划代码"]),
        ({"region": "430100", "year": "1999"}, ["没有1999年的数据"]),
        ({"period": "2-1"}, ["无效"]),
    ],
)
def test_bad_url_values_show_a_notice_and_the_root(call_callback, query, words):
    out = call_callback("overview-notices", [("overview-query", "data", query)])
    notices = text_of(out["overview-notices"]["children"])
    for word in words:
        assert word in notices
    if "region" in query and query["region"] == "999999":
        assert out["overview-title"]["children"].startswith("湖南省")


def test_freshness_comes_from_the_data_version(call_callback, duck):
    out = call_callback("overview-freshness", [("overview-query", "data", {})])
    with duck.connect() as conn:
        through, load_id = conn.execute(
            sa.text("select data_through, load_id from data_version order by load_id desc limit 1")
        ).one()
    text = out["overview-freshness"]["children"]
    assert f"数据截至 {through:%Y年%m月%d日}" in text
    assert f"批次 {load_id}" in text


def test_page_shell_requests_nothing_off_host(client):
    html = client.get("/").get_data(as_text=True)
    urls = re.findall(r'(?:href|src)="([^"]+)"', html)
    assert urls, "the page references no assets at all"
    assert all(not u.startswith(("http:", "https:", "//")) for u in urls), urls
    assert "00-bootstrap-5.3.6.min.css" in html
