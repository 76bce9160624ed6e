"""/procurement through its callbacks: headline figures, ranking, red-flag lists and the drill-through tables equal
the test's own SQL on the store, at the province, one city and one county; exports equal the screen."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import openpyxl
import pytest

from tests.integration.dash_tree import by_id, children_of, figure_in, text_of, walk
from tests.integration.region_sql import rows as own_sql
from tests.integration.topic_helpers import (
    in_view,
    percent,
    render,
    row_count,
    row_links,
    shown,
    table,
    table_rows,
    total_text,
    walk_table,
    yuan,
)

KEY = "procurement"
CASES = [
    ("430000", "province", "province_code", 2024, 1, 12),
    ("430100", "city", "city_code", 2024, 1, 6),
    ("430121", "county", "county_code", 2023, 3, 9),
]


@pytest.mark.parametrize("code, level, column, year, first, last", CASES)
@pytest.mark.parametrize(
    "filters, where",
    [({}, "1=1"), ({"method": "竞争性磋商"}, "method = '竞争性磋商'"), ({"category": "服务"}, "category = '服务'")],
)
def test_kpis_equal_the_store(call_callback, duck, code, level, column, year, first, last, filters, where):
    out = render(call_callback, KEY, {"region": code, "year": str(year), "period": f"{first}-{last}", **filters})
    n, budget, contract, sme, single = own_sql(
        duck,
        f"""
        SELECT COUNT(*), SUM(budget_amount), SUM(contract_amount), SUM(CASE WHEN sme THEN contract_amount END),
               COALESCE(SUM(CASE WHEN method = '单一来源' THEN contract_amount END), 0)
        FROM procurement WHERE {in_view("contract_date", column, year, first, last)} AND {where}""",
        code=code,
    )[0]
    kpis = out[f"{KEY}-kpis"]["children"]
    assert text_of(by_id(kpis, "kpi-contract")) == shown(contract, level)
    assert f"{n:,} 个项目" in text_of(kpis)
    assert text_of(by_id(kpis, "kpi-saving")) == percent(budget - contract, budget)
    assert text_of(by_id(kpis, "kpi-sme")) == percent(sme, contract)
    assert text_of(by_id(kpis, "kpi-single-source")) == percent(single, contract)
    assert out[f"{KEY}-title"]["children"].endswith(f"{year}年{first}-{last}月")


@pytest.mark.parametrize("code, level, column, year, first, last", CASES[:2])
def test_ranking_is_own_level_plus_children_and_adds_up(call_callback, duck, code, level, column, year, first, last):
    out = render(call_callback, KEY, {"region": code, "year": str(year), "period": f"{first}-{last}"})
    ranking = by_id(out[f"{KEY}-ranking"]["children"], f"{KEY}-ranking-table")
    rows = [
        [text_of(td) for td in tr["props"]["children"]]
        for tr in walk(ranking)
        if tr["type"] == "Tr" and tr["props"].get("className", "").startswith("row-")
    ]
    child = "COALESCE(city_code, county_code)" if level == "province" else "county_code"
    per_child = {
        c or "own": (n, amount)
        for c, n, amount in own_sql(
            duck,
            f"""
        SELECT {child}, COUNT(*), SUM(contract_amount) FROM procurement
        WHERE {in_view("contract_date", column, year, first, last)} GROUP BY 1""",
            code=code,
        )
    }
    names = dict(own_sql(duck, "SELECT name, adcode FROM region WHERE parent_adcode = :c", c=code))
    total, own, children = rows[0], rows[1], rows[2:]
    assert total[1] == "合计" and total[4] == shown(sum(a for _, a in per_child.values()), level)
    assert own[1].endswith("本级") and own[4] == shown(per_child.get("own", (0, 0))[1], level)
    assert {r[1] for r in children} == set(names)
    for rank, row in enumerate(children, start=1):
        n, amount = per_child.get(names[row[1]], (0, Decimal(0)))
        assert (row[0], row[2], row[4]) == (str(rank), f"{n:,}", shown(amount, level))


def test_charts_carry_valid_filter_values_and_show_the_selection(call_callback):
    out = render(call_callback, KEY, {"region": "430000", "year": "2024", "method": "询价"})
    method = figure_in(out, "method")["data"][0]
    assert set(method["customdata"]) <= {
        "公开招标",
        "邀请招标",
        "竞争性谈判",
        "竞争性磋商",
        "询价",
        "单一来源",
        "框架协议",
    }
    assert len(method["customdata"]) > 1, "the chart that sets the method still shows every method"
    opacity = dict(zip(method["customdata"], method["marker"]["opacity"]))
    assert opacity["询价"] == 1.0 and all(v < 1 for k, v in opacity.items() if k != "询价")
    category = figure_in(out, "category")["data"][0]
    assert set(category["customdata"]) == {"货物", "工程", "服务"}
    trend = figure_in(out, "single-source")["data"]
    assert [t["name"][:5] for t in trend] == ["2023年", "2024年"]


def test_single_source_trend_equals_the_store(call_callback, duck):
    out = render(call_callback, KEY, {"region": "430100", "year": "2024"})
    trend = {t["name"][:4]: dict(zip(t["x"], t["y"])) for t in figure_in(out, "single-source")["data"]}
    for year, month, single, contract in own_sql(
        duck,
        """
            SELECT year, EXTRACT(month FROM contract_date),
                   SUM(CASE WHEN method = '单一来源' THEN contract_amount ELSE 0 END), SUM(contract_amount)
            FROM procurement WHERE city_code = '430100' GROUP BY 1, 2""",
    ):
        assert trend[str(year)][f"{int(month)}月"] == pytest.approx(float(single / contract * 100))


def test_top_supplier_concentration_equals_the_store(call_callback, duck):
    out = render(call_callback, KEY, {"region": "430000", "year": "2024", "period": "1-12"})
    shares = own_sql(
        duck,
        """
        SELECT SUM(contract_amount) AS c FROM procurement WHERE EXTRACT(year FROM contract_date) = 2024
        GROUP BY supplier_id ORDER BY c DESC LIMIT 10""",
    )
    total = own_sql(duck, "SELECT SUM(contract_amount) FROM procurement WHERE year = 2024")[0][0]
    expected = percent(sum(s for (s,) in shares), total)
    assert f"前十供应商集中度 {expected}" in text_of(out[f"{KEY}-kpis"]["children"])
    assert expected in figure_in(out, "suppliers")["layout"]["title"]["text"]


# -- red flags on the page ------------------------------------------------------------------------------------


def _flag_rows(out: dict, table_id: str) -> list[list[str]]:
    component = by_id(out[f"{KEY}-trace"]["children"], table_id)
    body = next(c for c in walk(component) if c["type"] == "Tbody")
    return [[text_of(td) for td in tr["props"]["children"]] for tr in walk(children_of(body)) if tr["type"] == "Tr"]


@pytest.mark.parametrize(
    "kind, flag, table_id, plan_no_column",
    [
        ("procurement_high_ratio", "high_ratio", "procurement-high-ratio", 0),
        ("procurement_split", "split", "procurement-split", 8),
    ],
)
def test_red_flag_lists_are_exactly_the_planted_purchases(
    call_callback, duck, demo_anomalies, kind, flag, table_id, plan_no_column
):
    """The card previews the first rows; the whole list pages in the drill table with totals over every row."""
    ids = [i for a in demo_anomalies if a["kind"] == kind for i in a["procurement_ids"]]
    county = own_sql(
        duck,
        f"SELECT county_code FROM procurement WHERE id IN ({','.join(map(str, ids))}) "
        "AND county_code IS NOT NULL ORDER BY id LIMIT 1",
    )[0][0]
    for code, column in [("430000", "province_code"), (county, "county_code")]:
        query = {"region": code, "year": "2024", "period": "1-12"}
        out = render(call_callback, KEY, query)
        expected = own_sql(
            duck,
            f"SELECT plan_no, contract_amount FROM procurement WHERE {column} = :c "
            f"AND id IN ({','.join(map(str, ids))})",
            c=code,
        )
        plan_nos = {r[0] for r in expected}
        preview = _flag_rows(out, table_id)
        assert expected and len(preview) == min(len(expected), 10)
        assert {r[plan_no_column] for r in preview} <= plan_nos
        listed = [row for rows, _ in walk_table(call_callback, KEY, {**query, "flag": flag}) for row in rows]
        assert sorted(r[0] for r in listed) == sorted(plan_nos)
        component, _ = table(call_callback, KEY, {**query, "flag": flag})
        assert total_text(component, KEY, "contract_amount") == yuan(sum(a for _, a in expected))


def test_a_red_flag_list_exports_with_the_screen_total(client, duck, demo_anomalies):
    ids = [i for a in demo_anomalies if a["kind"] == "procurement_split" for i in a["procurement_ids"]]
    expected = own_sql(duck, f"SELECT plan_no, budget_amount FROM procurement WHERE id IN ({','.join(map(str, ids))})")
    response = client.get("/export/procurement.xlsx?region=430000&year=2024&period=1-12&flag=split")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.get_data())).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    header = rows[3]
    body, total = rows[4:-1], rows[-1]
    assert sorted(r[header.index("采购计划编号")] for r in body) == sorted(p for p, _ in expected)
    assert total[0] == "合计" and Decimal(str(total[header.index("预算金额(元)")])) == sum(a for _, a in expected)


def test_red_flag_agency_links_drill_into_that_agency(call_callback, duck, demo_anomalies):
    split = next(a for a in demo_anomalies if a["kind"] == "procurement_split")
    agency_id, county = own_sql(
        duck,
        "SELECT agency_id, COALESCE(county_code, city_code, province_code) FROM procurement WHERE id = :i",
        i=split["procurement_ids"][0],
    )[0]
    out = render(call_callback, KEY, {"region": county, "year": "2024"})
    links = [
        c["props"]["href"]
        for c in walk(by_id(out[f"{KEY}-trace"]["children"], "procurement-split"))
        if c["type"] == "Link"
    ]
    assert any(f"agency={agency_id}" in link for link in links)


# -- drill-through: region → agency → purchases ----------------------------------------------------------------


@pytest.mark.parametrize("code, level, column, year, first, last", CASES)
def test_agency_table_totals_are_the_sum_of_all_its_rows(call_callback, duck, code, level, column, year, first, last):
    component, _ = table(call_callback, KEY, {"region": code, "year": str(year), "period": f"{first}-{last}"})
    agencies, budget, contract = own_sql(
        duck,
        f"""
        SELECT COUNT(DISTINCT agency_id), SUM(budget_amount), SUM(contract_amount) FROM procurement
        WHERE {in_view("contract_date", column, year, first, last)}""",
        code=code,
    )[0]
    assert row_count(component, KEY) == agencies
    assert total_text(component, KEY, "contract") == yuan(contract)
    assert total_text(component, KEY, "budget") == yuan(budget)
    assert total_text(component, KEY, "saving") == yuan(budget - contract)
    amounts = [Decimal(r[4].replace(",", "")) for r in table_rows(component, KEY)]
    assert len(amounts) == min(50, agencies) and amounts == sorted(amounts, reverse=True)


def test_agency_link_opens_its_purchases_and_paging_walks_them_all(call_callback, duck):
    query = {"region": "430000", "year": "2024", "period": "1-12"}
    component, _ = table(call_callback, KEY, query)
    link = row_links(component, KEY)[0]
    agency_id = link.split("agency=")[1].split("&")[0]
    expected = own_sql(
        duck, "SELECT plan_no, contract_amount FROM procurement WHERE agency_id = :a AND year = 2024", a=int(agency_id)
    )
    pages = walk_table(call_callback, KEY, {**query, "agency": agency_id}, sort="contract_date", descending=False)
    seen = [row[0] for rows, _ in pages for row in rows]
    assert len(pages) >= 1 and sorted(seen) == sorted(p for p, _ in expected)
    component, _ = table(call_callback, KEY, {**query, "agency": agency_id})
    assert total_text(component, KEY, "contract_amount") == yuan(sum(c for _, c in expected))
    assert "全部采购单位" in text_of(component)


def test_paging_walks_a_county_purchase_list_without_loss_or_repetition(call_callback, duck):
    """A county with more than one page of agencies' purchases: every plan number once, in order."""
    code = own_sql(
        duck,
        """SELECT county_code FROM procurement WHERE year = 2024 AND county_code IS NOT NULL
                            GROUP BY 1 HAVING COUNT(DISTINCT agency_id) > 50 ORDER BY COUNT(*) DESC LIMIT 1""",
    )
    code = (
        code[0][0]
        if code
        else own_sql(
            duck,
            "SELECT city_code FROM procurement WHERE year = 2024 "
            "GROUP BY 1 ORDER BY COUNT(DISTINCT agency_id) DESC LIMIT 1",
        )[0][0]
    )
    column = "county_code" if code[4:] != "00" else "city_code"
    pages = walk_table(call_callback, KEY, {"region": code, "year": "2024"}, sort="agency_name", descending=False)
    names = [row[0] for rows, _ in pages for row in rows]
    expected = own_sql(
        duck,
        f"SELECT a.name FROM agency a WHERE a.id IN (SELECT agency_id FROM procurement "
        f"WHERE {column} = :c AND year = 2024)",
        c=code,
    )
    assert len(pages) >= 2
    assert sorted(names) == sorted(n for (n,) in expected)


@pytest.mark.parametrize(
    "query, word", [({"method": "抽签"}, "采购方式“抽签”无效"), ({"agency": "abc"}, "采购单位“abc”无效")]
)
def test_bad_filters_show_a_notice_and_are_dropped(call_callback, duck, query, word):
    out = render(call_callback, KEY, {"region": "430100", "year": "2024", "period": "1-6", **query})
    assert word in text_of(out[f"{KEY}-notices"]["children"])
    contract = own_sql(
        duck,
        f"SELECT SUM(contract_amount) FROM procurement WHERE {in_view('contract_date', 'city_code', 2024, 1, 6)}",
        code="430100",
    )[0][0]
    assert text_of(by_id(out[f"{KEY}-kpis"]["children"], "kpi-contract")) == shown(contract, "city")


def test_agency_of_another_region_is_not_a_valid_drill(call_callback, duck):
    other = own_sql(duck, "SELECT agency_id FROM procurement WHERE city_code = '430200' LIMIT 1")[0][0]
    out = render(call_callback, KEY, {"region": "430100", "agency": str(other)})
    assert "采购单位" in text_of(out[f"{KEY}-notices"]["children"])
    component, _ = table(call_callback, KEY, {"region": "430100", "agency": str(other)})
    assert "采购单位明细" in text_of(component)


# -- export ----------------------------------------------------------------------------------------------------


def test_exports_equal_the_screen(client, call_callback):
    query = {"region": "430100", "year": "2024", "period": "1-6"}
    component, _ = table(call_callback, KEY, query)
    screen_total = total_text(component, KEY, "contract")
    rows = row_count(component, KEY)
    response = client.get("/export/procurement.csv?region=430100&year=2024&period=1-6")
    assert response.status_code == 200
    lines = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    header_at = next(i for i, line in enumerate(lines) if line and line[0] == "采购单位")
    body, total = lines[header_at + 1 : -1], lines[-1]
    assert len(body) == rows and total[0] == "合计"
    assert yuan(Decimal(total[lines[header_at].index("合同金额(元)")])) == screen_total
    response = client.get("/export/procurement.xlsx?region=430100&year=2024&period=1-6")
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[-1][0] == "合计" and yuan(Decimal(str(values[-1][4]))) == screen_total
