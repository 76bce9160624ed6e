"""/transfers: the headline, the ranking and the drill-through table equal the test's own SQL on the store at the
province, a city and a county; filters and cross-filters narrow them; the table pages without loss; the export
equals the screen; the planted 直达资金 lags show red."""

from __future__ import annotations

import csv
import io
import json
import re
from decimal import Decimal

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from tests.integration.dash_tree import by_id, children_of, figure_in, text_of, walk
from tests.integration.region_sql import one, subtree_sql
from tests.integration.topic_helpers import percent, render, row_count, shown, table, total_text, walk_table, yuan

KEY = "transfers"
CASES = [("430000", "province", 2024, 1, 12), ("430100", "city", 2024, 1, 6), ("431223", "county", 2023, 4, 9)]


def received(duck, code: str, year: int, first: int, last: int, where: str = "1=1") -> Decimal:
    """What the region as a whole received from outside it in the months [first, last] (our own SQL)."""
    return one(
        duck,
        f"""SELECT COALESCE(SUM(amount), 0) FROM transfer WHERE to_region IN ({subtree_sql(code)})
        AND from_region NOT IN ({subtree_sql(code)}) AND EXTRACT(year FROM transfer_date) = :y
        AND EXTRACT(month FROM transfer_date) BETWEEN :a AND :b AND {where}""",
        y=year,
        a=first,
        b=last,
    )[0]


def direct(duck, code: str, level: str, year: int, last: int) -> tuple[Decimal, Decimal, Decimal]:
    """直达资金 of the region, January to `last`: received from outside it, allocated (indicators issued), paid."""
    column = f"{level}_code"
    got = received(duck, code, year, 1, last, "direct_fund")
    allocated, paid = one(
        duck,
        f"""SELECT
        (SELECT COALESCE(SUM(amount), 0) FROM budget_indicator WHERE {column} = :c AND direct_fund AND year = :y
           AND EXTRACT(month FROM issue_date) <= :b),
        (SELECT COALESCE(SUM(p.amount), 0) FROM payment p JOIN budget_indicator i ON i.id = p.indicator_id
          WHERE p.{column} = :c AND i.direct_fund AND i.year = :y AND EXTRACT(year FROM p.pay_date) = :y
            AND EXTRACT(month FROM p.pay_date) <= :b)""",
        c=code,
        y=year,
        b=last,
    )
    return got, allocated, paid


def query(code: str, year: int, first: int, last: int, **filters) -> dict:
    return {"region": code, "year": str(year), "period": f"{first}-{last}", **filters}


@pytest.mark.parametrize("code, level, year, first, last", CASES)
def test_kpis_equal_the_store(call_callback, duck, code, level, year, first, last):
    out = render(call_callback, KEY, query(code, year, first, last))
    kpis = out[f"{KEY}-kpis"]["children"]
    total = received(duck, code, year, first, last)
    assert text_of(by_id(kpis, "kpi-received")) == shown(total, level)
    general = received(duck, code, year, first, last, "kind = '一般性'")
    assert text_of(by_id(kpis, "kpi-general")) == shown(general, level)
    got, allocated, paid = direct(duck, code, level, year, last)
    assert text_of(by_id(kpis, "kpi-allocation")) == percent(allocated, got)
    assert text_of(by_id(kpis, "kpi-payment")) == percent(paid, allocated)
    assert ("亿元" if level != "county" else "万元") in text_of(kpis)


def _ranking(out) -> dict[str, list[str]]:
    component = by_id(out[f"{KEY}-ranking"]["children"], f"{KEY}-ranking-table")
    body = next(c for c in walk(component) if c["type"] == "Tbody")
    rows = [[text_of(td) for td in tr["props"]["children"]] for tr in walk(children_of(body)) if tr["type"] == "Tr"]
    return {r[1]: r[2:] for r in rows}


def test_ranking_rows_equal_the_store_and_add_up(call_callback, duck):
    out = render(call_callback, KEY, query("430100", 2024, 1, 12))
    rows = _ranking(out)
    assert rows["合计"][2] == shown(received(duck, "430100", 2024, 1, 12), "city")
    own_received = one(
        duck, "SELECT SUM(amount) FROM transfer WHERE to_region = '430100' AND EXTRACT(year FROM transfer_date) = 2024"
    )[0]
    assert rows["长沙市本级"][0] == shown(own_received, "city")
    furong = received(duck, "430102", 2024, 1, 12)
    assert rows["芙蓉区"][2] == shown(furong, "city")
    assert list(rows)[:2] == ["合计", "长沙市本级"]
    for name, cells in rows.items():  # 一般性 + 专项 + 共同事权 = 净额 on every row
        parts = sum(Decimal(c.replace(",", "")) for c in cells[3:6])
        assert abs(parts - Decimal(cells[2].replace(",", ""))) <= Decimal("0.03"), name


def test_province_row_shows_what_it_passed_down(call_callback, duck):
    rows = _ranking(render(call_callback, KEY, query("430000", 2024, 1, 12)))
    passed = one(
        duck,
        "SELECT SUM(amount) FROM transfer WHERE from_region = '430000' AND EXTRACT(year FROM transfer_date) = 2024",
    )[0]
    assert rows["湖南省本级"][1] == shown(passed, "province")
    assert rows["合计"][2] == "4,953.00"
    # a city's row is its whole subtree: nothing it passes down leaves it, so the column says "—", never 0.00
    cities = [name for name in rows if name not in ("湖南省本级", "合计")]
    assert len(cities) == 14 and all(rows[name][1] == "—" for name in cities), {n: rows[n][1] for n in cities}
    assert rows["合计"][1] == "—"


@pytest.mark.parametrize(
    "filters, where",
    [
        ({"kind": "专项"}, "kind = '专项'"),
        ({"program": "均衡性转移支付"}, "program = '均衡性转移支付'"),
        ({"kind": "共同事权", "program": "就业补助资金"}, "kind = '共同事权' AND program = '就业补助资金'"),
    ],
)
def test_filters_narrow_the_headline_and_the_table(call_callback, duck, filters, where):
    q = query("430100", 2024, 1, 6, **filters)
    out = render(call_callback, KEY, q)
    expected = received(duck, "430100", 2024, 1, 6, where)
    assert text_of(by_id(out[f"{KEY}-kpis"]["children"], "kpi-received")) == shown(expected, "city")
    component, _page = table(call_callback, KEY, q)
    assert total_text(component, KEY, "amount") == yuan(expected)
    rows = "COUNT(*)" if "program" in filters else "COUNT(DISTINCT program)"  # tranches of one, else programs
    count = one(
        duck,
        f"""SELECT {rows} FROM transfer WHERE to_region IN ({subtree_sql("430100")})
        AND from_region NOT IN ({subtree_sql("430100")}) AND EXTRACT(year FROM transfer_date) = 2024
        AND EXTRACT(month FROM transfer_date) BETWEEN 1 AND 6 AND {where}""",
    )[0]
    assert row_count(component, KEY) == count


def test_an_unknown_program_is_dropped_with_a_notice(call_callback, duck):
    out = render(call_callback, KEY, query("430100", 2024, 1, 6, program="=cmd|' /C calc'!A0"))
    assert "转移支付项目" in text_of(out[f"{KEY}-notices"]["children"])
    assert text_of(by_id(out[f"{KEY}-kpis"]["children"], "kpi-received")) == shown(
        received(duck, "430100", 2024, 1, 6), "city"
    )


def test_charts_cross_filter_with_their_values(call_callback, duck):
    out = render(call_callback, KEY, query("430100", 2024, 1, 12, kind="专项"))
    figures = {k: v for k, v in out.items() if k.startswith("{")}
    kinds = figure_in(figures, "kind")
    assert set(kinds["data"][0]["customdata"]) == {"一般性", "专项", "共同事权"}
    programs = figure_in(figures, "program")
    assert set(programs["data"][0]["customdata"]) == {
        "农业相关转移支付资金",
        "衔接推进乡村振兴补助资金",
        "车辆购置税收入补助地方资金",
        "城镇保障性安居工程补助资金",
        "水利发展资金",
    }
    regions = figure_in(figures, "direct-region")
    with duck.connect() as conn:  # 本级 and counties alike: every unit of 长沙 that received 专项 直达资金
        received = {
            r[0]
            for r in conn.execute(
                sa.text(
                    "select distinct to_region from transfer where direct_fund and kind = '专项'"
                    " and to_region like '4301%' and extract(year from transfer_date) = 2024"
                )
            )
        }
    assert received and set(regions["data"][0]["customdata"]) == received


def test_planted_direct_fund_lags_are_red_on_their_city_page(call_callback, demo_anomalies):
    for anomaly in (a for a in demo_anomalies if a["kind"] == "direct_fund_lag"):
        county = anomaly["region"]
        city = county[:4] + "00"
        out = render(call_callback, KEY, query(city, 2024, 1, 12))
        figure = figure_in(out, "direct-region")
        bars = dict(zip(figure["data"][0]["customdata"], figure["data"][0]["text"]))
        assert bars[county].endswith("严重滞后") and float(bars[county].split("%")[0]) < 66


def test_program_table_lists_each_program_received_and_links_to_its_tranches(call_callback, duck):
    q = query("431200", 2024, 1, 12)
    pages = walk_table(call_callback, KEY, q)
    rows = [r for page_rows, _links in pages for r in page_rows]
    links = [link for _rows, page_links in pages for link in page_links]
    with duck.connect() as conn:
        expected = conn.execute(
            sa.text(f"""SELECT program, COUNT(*), SUM(amount) FROM transfer
            WHERE to_region IN ({subtree_sql("431200")}) AND from_region NOT IN ({subtree_sql("431200")})
              AND EXTRACT(year FROM transfer_date) = 2024 GROUP BY program""")
        ).all()
    assert sorted((r[0], r[3], r[4]) for r in rows) == sorted((p, f"{n:,}", yuan(a)) for p, n, a in expected)
    assert len(links) == len(expected) and all("program=" in link for link in links)


def test_table_pages_through_every_tranche_of_a_program_once(call_callback, duck):
    q = query("431200", 2024, 1, 12, program="均衡性转移支付")
    pages = walk_table(call_callback, KEY, q, sort="transfer_date", descending=False)
    rows = [r for page_rows, _links in pages for r in page_rows]
    expected = one(
        duck,
        f"""SELECT COUNT(*), SUM(amount) FROM transfer WHERE to_region IN ({subtree_sql("431200")})
        AND from_region NOT IN ({subtree_sql("431200")}) AND EXTRACT(year FROM transfer_date) = 2024
        AND program = '均衡性转移支付'""",
    )
    assert len(rows) == expected[0] > 50
    assert sum(Decimal(r[-1].replace(",", "")) for r in rows) == expected[1]
    dates = [r[0] for r in rows]
    assert dates == sorted(dates)


def test_export_equals_the_screen(client, call_callback):
    q = query("431223", 2024, 1, 12, kind="一般性", program="其他一般性转移支付")
    component, _page = table(call_callback, KEY, q)
    screen_total = total_text(component, KEY, "amount")
    qs = "&".join(f"{k}={v}" for k, v in q.items())
    rows = list(csv.reader(io.StringIO(client.get(f"/export/{KEY}.csv?{qs}").get_data().decode("utf-8-sig"))))
    assert rows[-1][0] == "合计" and f"{Decimal(rows[-1][-1]):,.2f}" == screen_total
    assert len([r for r in rows if r and r[0][:4] == "2024"]) == row_count(component, KEY)
    book = load_workbook(io.BytesIO(client.get(f"/export/{KEY}.xlsx?{qs}").get_data()))
    sheet = book.active
    last = [c.value for c in list(sheet.iter_rows())[-1]]
    assert last[0] == "合计" and f"{Decimal(str(last[-1])):,.2f}" == screen_total


def test_no_response_carries_an_id_number_or_a_bank_account(call_callback):
    """The page holds no personal data; a scan of its responses keeps it so (no 18-char ID, no 12+ digit run)."""
    q = query("430100", 2024, 1, 12)
    text = json.dumps([render(call_callback, KEY, q), table(call_callback, KEY, q)], ensure_ascii=False)
    assert not re.search(r"(?<![A-Za-z\d.])\d{12,}", text)
    assert not re.search(r"(?<!\d)\d{17}[\dXx](?!\d)", text)
