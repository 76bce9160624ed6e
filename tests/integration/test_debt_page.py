"""/debt: the headline, the ranking and the bond table equal the test's own SQL on the store at the province, a city
and a county; every planted 债务率 grade and 库款 shortfall shows with its grade and nothing clean is flagged; the
table pages without loss and the export equals the screen."""

from __future__ import annotations

import csv
import io
import json
import re
from decimal import Decimal

import pytest

from tests.integration.dash_tree import by_id, children_of, figure_in, text_of, walk
from tests.integration.region_sql import one, rows, subtree_sql
from tests.integration.topic_helpers import (
    numbers,
    percent,
    render,
    row_count,
    shown,
    table,
    total_text,
    walk_table,
    yuan,
)

KEY = "debt"
CASES = [("430000", "province"), ("431200", "city"), ("431202", "county")]
END = "DATE '2024-12-31'"


UNIT = "COALESCE(county_code, city_code, province_code)"


def figures_of(duck, code: str) -> dict[str, Decimal]:
    """The region's 2024 debt figures with our own SQL (the whole subtree; transfers from outside it)."""
    units = subtree_sql(code)
    general, special, limit, revenue, fund, transfers, interest, spending, special_interest, fund_spending = one(
        duck,
        f"""SELECT
        (SELECT COALESCE(SUM(principal), 0) FROM bond WHERE {UNIT} IN ({units}) AND kind = '一般'
           AND issue_date <= {END} AND maturity_date > {END}),
        (SELECT COALESCE(SUM(principal), 0) FROM bond WHERE {UNIT} IN ({units}) AND kind = '专项'
           AND issue_date <= {END} AND maturity_date > {END}),
        (SELECT SUM(general_limit + special_limit) FROM debt_limit WHERE region_code IN ({units}) AND year = 2024),
        (SELECT SUM(amount) FROM revenue WHERE {UNIT} IN ({units}) AND EXTRACT(year FROM collect_date) = 2024),
        (SELECT SUM(amount) FROM fund_revenue WHERE {UNIT} IN ({units}) AND EXTRACT(year FROM collect_date) = 2024),
        (SELECT SUM(amount) FROM transfer WHERE to_region IN ({units}) AND from_region NOT IN ({units})
           AND EXTRACT(year FROM transfer_date) = 2024),
        (SELECT COALESCE(SUM(amount), 0) FROM payment WHERE {UNIT} IN ({units}) AND func_code = '232'
           AND EXTRACT(year FROM pay_date) = 2024),
        (SELECT SUM(amount) FROM payment WHERE {UNIT} IN ({units}) AND EXTRACT(year FROM pay_date) = 2024),
        (SELECT COALESCE(SUM(amount), 0) FROM fund_spending WHERE {UNIT} IN ({units}) AND func_code = '232'
           AND EXTRACT(year FROM pay_date) = 2024),
        (SELECT SUM(amount) FROM fund_spending WHERE {UNIT} IN ({units}) AND EXTRACT(year FROM pay_date) = 2024)""",
    )
    return {
        "general": general,
        "special": special,
        "debt": general + special,
        "limit": limit,
        "capacity": revenue + fund + transfers,
        "interest": interest,
        "spending": spending,
        "special_interest": special_interest,
        "fund_spending": fund_spending,
    }


@pytest.mark.parametrize("code, level", CASES)
def test_kpis_equal_the_store(call_callback, duck, code, level):
    out = render(call_callback, KEY, {"region": code, "year": "2024", "period": "1-12"})
    kpis = out[f"{KEY}-kpis"]["children"]
    f = figures_of(duck, code)
    assert text_of(by_id(kpis, "kpi-debt")) == shown(f["debt"], level)
    assert f"债务限额 {shown(f['limit'], level)} · 占限额 {percent(f['debt'], f['limit'])}" in text_of(kpis)
    assert text_of(by_id(kpis, "kpi-debt-ratio")) == percent(f["debt"], f["capacity"])
    assert "综合财力按2024年全年" in text_of(kpis)
    assert text_of(by_id(kpis, "kpi-interest-ratio")) == percent(f["interest"], f["spending"])
    assert f"专项 {percent(f['special_interest'], f['fund_spending'])}" in text_of(kpis)
    due = one(
        duck,
        f"""SELECT SUM(principal) FROM bond WHERE {UNIT} IN ({subtree_sql(code)})
        AND issue_date <= {END} AND maturity_date > {END} AND EXTRACT(year FROM maturity_date) = 2025""",
    )[0]
    maturity = figure_in(out, "maturity")
    first_year = sum(numbers(trace["y"])[list(trace["x"]).index("2025")] for trace in maturity["data"])
    assert first_year == pytest.approx(float(due or 0) / float(10**8 if level != "county" else 10**4))
    closing, outflow = one(
        duck,
        f"""SELECT
        (SELECT SUM(closing) FROM treasury_cash WHERE region_code IN ({subtree_sql(code)}) AND year = 2024
           AND month = 12),
        (SELECT SUM(outflow) / 3.0 FROM treasury_cash WHERE region_code IN ({subtree_sql(code)}) AND year = 2024
           AND month BETWEEN 10 AND 12)""",
    )
    assert text_of(by_id(kpis, "kpi-cash")) == f"{float(closing) / float(outflow):.2f}"


def test_bond_kind_filter_narrows_balance_limit_and_table(call_callback, duck):
    q = {"region": "431200", "year": "2024", "period": "1-12", "bond_kind": "专项"}
    out = render(call_callback, KEY, q)
    f = figures_of(duck, "431200")
    special_limit = one(
        duck,
        f"SELECT SUM(special_limit) FROM debt_limit WHERE region_code IN ({subtree_sql('431200')}) AND year = 2024",
    )[0]
    kpis = out[f"{KEY}-kpis"]["children"]
    assert text_of(by_id(kpis, "kpi-debt")) == shown(f["special"], "city")
    assert f"专项债务限额 {shown(special_limit, 'city')}" in text_of(kpis)
    component, _page = table(call_callback, KEY, q)
    assert total_text(component, KEY, "principal") == yuan(f["special"])


def _ranking(out) -> dict[str, list[str]]:
    component = by_id(out[f"{KEY}-ranking"]["children"], f"{KEY}-ranking-table")
    body = next(c for c in walk(component) if c["type"] == "Tbody")
    cells = [[text_of(td) for td in tr["props"]["children"]] for tr in walk(children_of(body)) if tr["type"] == "Tr"]
    return {r[1]: r[2:] for r in cells}


def test_ranking_shows_every_planted_debt_grade_and_no_other(call_callback, duck, demo_anomalies):
    planted = {a["region"]: a["grade"] for a in demo_anomalies if a["kind"] == "debt_ratio"}
    labels = {"红": "高风险", "橙": "较高风险", "黄": "关注"}
    names = dict(rows(duck, "SELECT adcode, name FROM region"))
    cities = [c for (c,) in rows(duck, "SELECT adcode FROM region WHERE level = 'city'")]
    seen = {}
    for city in cities:
        ranking = _ranking(render(call_callback, KEY, {"region": city, "year": "2024", "period": "1-12"}))
        for name, cells in ranking.items():
            if name != "合计" and cells[4] != "正常":
                seen[name] = cells[4]
    assert seen == {names[code]: labels[grade] for code, grade in planted.items()}


def test_ranking_row_of_a_county_equals_the_store(call_callback, duck):
    rows = _ranking(render(call_callback, KEY, {"region": "431200", "year": "2024", "period": "1-12"}))
    f = figures_of(duck, "431202")
    assert rows["鹤城区"][:3] == [shown(f["debt"], "city"), shown(f["limit"], "city"), shown(f["capacity"], "city")]
    assert rows["鹤城区"][3] == percent(f["debt"], f["capacity"])
    total = figures_of(duck, "431200")
    assert rows["合计"][0] == shown(total["debt"], "city") and rows["合计"][2] == shown(total["capacity"], "city")


def test_every_planted_cash_shortfall_is_listed_red_at_the_province(call_callback, duck, demo_anomalies):
    out = render(call_callback, KEY, {"region": "430000", "year": "2024", "period": "1-12"})
    warnings = by_id(out[f"{KEY}-ranking"]["children"], f"{KEY}-cash-warnings")
    body = next(c for c in walk(warnings) if c["type"] == "Tbody")
    listed = {
        (text_of(tr["props"]["children"][0]), text_of(tr["props"]["children"][1]), text_of(tr["props"]["children"][3]))
        for tr in walk(children_of(body))
        if tr["type"] == "Tr"
    }
    names = dict(rows(duck, "SELECT adcode, name FROM region"))
    expected = {
        (names[a["region"]], f"{m[:4]}年{int(m[5:])}月", "库款预警")
        for a in demo_anomalies
        if a["kind"] == "treasury_cash_low"
        for m in a["months"]
    }
    assert listed == expected


def test_cash_heatmap_marks_the_planted_county_on_its_city_page(call_callback, demo_anomalies):
    anomaly = next(a for a in demo_anomalies if a["kind"] == "treasury_cash_low")
    city = anomaly["region"][:4] + "00"
    out = render(call_callback, KEY, {"region": city, "year": "2024", "period": "1-12"})
    figure = figure_in(out, "cash")
    heat = figure["data"][0]
    flagged = {(y, x) for y, row in zip(heat["y"], heat["text"]) for x, text in zip(heat["x"], row) if "预警" in text}
    assert {x for _y, x in flagged} == {"9月", "10月"} and len({y for y, _x in flagged}) == 1


def test_bond_table_pages_through_every_bond_once(call_callback, duck):
    q = {"region": "430000", "year": "2024", "period": "1-12"}
    pages = walk_table(call_callback, KEY, q, sort="maturity_date", descending=False)
    rows = [r for page_rows, _links in pages for r in page_rows]
    count, total = one(
        duck, f"SELECT COUNT(*), SUM(principal) FROM bond WHERE issue_date <= {END} AND maturity_date > {END}"
    )
    assert len(rows) == count > 50 and len({r[0] + r[3] for r in rows}) == count
    assert sum(Decimal(r[-1].replace(",", "")) for r in rows) == total
    assert [r[4] for r in rows] == sorted(r[4] for r in rows)


def test_export_equals_the_screen(client, call_callback):
    q = {"region": "431200", "year": "2024", "period": "1-12", "bond_kind": "一般"}
    component, _page = table(call_callback, KEY, q)
    qs = "&".join(f"{k}={v}" for k, v in q.items())
    rows = list(csv.reader(io.StringIO(client.get(f"/export/{KEY}.csv?{qs}").get_data().decode("utf-8-sig"))))
    assert rows[-1][0] == "合计" and f"{Decimal(rows[-1][-1]):,.2f}" == total_text(component, KEY, "principal")
    assert len([r for r in rows if len(r) > 3 and r[2] == "一般"]) == row_count(component, KEY)


def test_no_response_carries_an_id_number_or_a_bank_account(call_callback):
    """The page holds no personal data; a scan of its responses keeps it so (no 18-char ID, no 12+ digit run)."""
    q = {"region": "430100", "year": "2024", "period": "1-12"}
    text = json.dumps([render(call_callback, KEY, q), table(call_callback, KEY, q)], ensure_ascii=False)
    assert not re.search(r"(?<![A-Za-z\d.])\d{12,}", text)
    assert not re.search(r"(?<!\d)\d{17}[\dXx](?!\d)", text)
