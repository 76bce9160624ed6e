"""The topic-page kit end to end: keyset paging walks a whole result without loss or repetition, cross-filter clicks
and the filter bar navigate, exports equal the screen and are safe, and no callback response leaks personal data."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
from decimal import Decimal
from urllib.parse import unquote

import openpyxl
import pytest
import sqlalchemy as sa

from dashboard.state import audit
from tests.integration.topic_helpers import render, row_count, table, total_text, walk_table, yuan
from tests.signin import PROVINCE_USER, ensure_user, sign_in_test_client

CITY = {"region": "430100", "year": "2024", "period": "1-6"}


def city_agencies(duck) -> set[int]:
    with duck.connect() as conn:
        return {
            r[0]
            for r in conn.execute(
                sa.text("""
            select a.id from agency a where a.city_code = '430100' and (
              exists (select 1 from payment p where p.agency_id = a.id
                        and p.pay_date between date '2024-01-01' and date '2024-06-30')
              or exists (select 1 from budget_indicator i where i.agency_id = a.id and i.year = 2024))""")
            )
        }


@pytest.mark.parametrize("sort, descending", [("paid", True), ("agency_name", False), ("payments", True)])
def test_paging_walks_every_row_once(call_callback, duck, sort, descending):
    """Sorted by money, by text, and by a count full of ties (the id tie-break must keep the order total)."""
    pages = walk_table(call_callback, "spending", CITY, sort, descending)
    ids = [int(re.search(r"agency=(\d+)", link).group(1)) for _rows, links in pages for link in links]
    expected = city_agencies(duck)
    assert len(pages) == -(-len(expected) // 50) > 2
    assert all(len(rows) == 50 for rows, _ in pages[:-1])
    assert len(ids) == len(set(ids)), "a row was repeated across pages"
    assert set(ids) == expected, "rows were lost"
    column = {"paid": 4, "agency_name": 0, "payments": 5}[sort]
    values = [row[column] for rows, _ in pages for row in rows]
    key = (lambda v: float(v.replace(",", ""))) if sort != "agency_name" else str
    assert values == sorted(values, key=key, reverse=descending)


def _post(client, app, output_prefix: str, inputs: list, state: list, changed: str):
    key = next(k for k in app.callback_map if k.startswith(output_prefix))
    output = key.split("@")[0].rsplit(".", 1)
    body = {
        "output": key,
        "outputs": {"id": output[0], "property": output[1]},
        "inputs": inputs,
        "state": state,
        "changedPropIds": [changed],
    }
    return client.post("/_dash-update-component", json=body)


def _chart(slot: str, name: str) -> dict:
    return {"type": "topic-chart", "page": "spending", "slot": slot, "filter": name}


def _click(app, client, chart: dict, value: str, query: dict):
    changed = json.dumps(chart, sort_keys=True, separators=(",", ":")) + ".clickData"
    key = next(
        k
        for k in app.callback_map
        if k.startswith("spending-nav.href") and "topic-chart" in json.dumps(app.callback_map[k]["inputs"])
    )
    body = {
        "output": key,
        "outputs": {"id": "spending-nav", "property": "href"},
        "inputs": [[{"id": chart, "property": "clickData", "value": {"points": [{"customdata": value}]}}]],
        "state": [{"id": "spending-query", "property": "data", "value": query}],
        "changedPropIds": [changed],
    }
    return client.post("/_dash-update-component", json=body)


def test_a_click_sets_the_chart_filter_and_a_second_click_clears_it(app, client):
    response = _click(app, client, _chart("econ", "econ"), "302", {**CITY, "func": "205"})
    href = json.loads(response.get_data(as_text=True))["response"]["spending-nav"]["href"]
    assert href == "/spending?region=430100&year=2024&period=1-6&func=205&econ=302"
    response = _click(app, client, _chart("econ", "econ"), "302", {**CITY, "func": "205", "econ": "302"})
    href = json.loads(response.get_data(as_text=True))["response"]["spending-nav"]["href"]
    assert href == "/spending?region=430100&year=2024&period=1-6&func=205"


def test_a_click_on_a_region_bar_drills_into_it(app, client):
    response = _click(app, client, _chart("region-rate", "region"), "430102", CITY)
    href = json.loads(response.get_data(as_text=True))["response"]["spending-nav"]["href"]
    assert href.startswith("/spending?region=430102&year=2024")


def _filter_bar(app, client, year, period, funcs, query):
    key = next(
        k
        for k in app.callback_map
        if k.startswith("spending-nav.href") and "topic-filter" in json.dumps(app.callback_map[k]["inputs"])
    )
    control = {"type": "topic-filter", "page": "spending", "filter": "func"}
    body = {
        "output": key,
        "outputs": {"id": "spending-nav", "property": "href"},
        "inputs": [
            {"id": "spending-year", "property": "value", "value": year},
            {"id": "spending-period", "property": "value", "value": period},
            [{"id": control, "property": "value", "value": funcs}],
        ],
        "state": [{"id": "spending-query", "property": "data", "value": query}],
        "changedPropIds": ["spending-period.value"],
    }
    return client.post("/_dash-update-component", json=body)


def test_filter_bar_navigates_only_on_a_change(app, client):
    response = _filter_bar(app, client, "2024", "1-9", "208", CITY)
    href = json.loads(response.get_data(as_text=True))["response"]["spending-nav"]["href"]
    assert href == "/spending?region=430100&year=2024&period=1-9&func=208"
    unchanged = _filter_bar(app, client, "2024", "1-6", None, CITY)  # what the page itself sets: stay
    assert "spending-nav" not in json.loads(unchanged.get_data(as_text=True))["response"]


def test_pager_pushes_and_pops_the_cursor(app, client):
    pager = {"type": "topic-pager", "page": "spending", "step": "next"}
    key = next(k for k in app.callback_map if k.startswith("spending-table-state.data"))
    shown = {"next": ["123.00", 7]}

    def step(which, table_state):
        pager["step"] = which
        body = {
            "output": key,
            "outputs": {"id": "spending-table-state", "property": "data"},
            "inputs": [[], [{"id": {**pager, "step": which}, "property": "n_clicks", "value": 1}]],
            "state": [
                {"id": "spending-table-state", "property": "data", "value": table_state},
                {"id": "spending-table-page", "property": "data", "value": shown},
            ],
            "changedPropIds": [
                json.dumps({**pager, "step": which}, sort_keys=True, separators=(",", ":")) + ".n_clicks"
            ],
        }
        response = client.post("/_dash-update-component", json=body)
        return json.loads(response.get_data(as_text=True))["response"]["spending-table-state"]["data"]

    after_next = step("next", {"sort": "paid", "desc": True, "stack": [["9.00", 1]]})
    assert after_next["stack"] == [["9.00", 1], ["123.00", 7]]
    assert step("prev", after_next)["stack"] == [["9.00", 1]]


# -- export ---------------------------------------------------------------------------------------------------


def _csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))


@pytest.mark.parametrize(
    "key, query, money",
    [
        ("spending", CITY, {"budget": "年度预算指标(元)", "paid": "本期支付(元)"}),
        (
            "revenue",
            {"region": "430102", "year": "2024", "period": "1-12"},
            {"current": "本期收入(元)", "previous": "上年同期(元)", "change": "增减额(元)"},
        ),
    ],
)
def test_exports_equal_the_screen(call_callback, client, key, query, money):
    component, _ = table(call_callback, key, query)
    rows_on_screen = row_count(component, key)
    qs = "&".join(f"{k}={v}" for k, v in query.items())
    as_csv = client.get(f"/export/{key}.csv?{qs}")
    assert as_csv.status_code == 200
    assert [(r["username"], r["rows"]) for r in audit.search(action="export")] == [(PROVINCE_USER, rows_on_screen)]
    disposition = as_csv.headers["Content-Disposition"]
    assert unquote(disposition.split("filename*=UTF-8''")[1]).endswith(".csv")
    lines = _csv_rows(as_csv)
    header_at = next(i for i, line in enumerate(lines) if len(line) > 2)
    header, body, total = lines[header_at], lines[header_at + 1 : -1], lines[-1]
    assert len(body) == rows_on_screen and total[0] == "合计"
    sheet = [
        list(r)
        for r in openpyxl.load_workbook(io.BytesIO(client.get(f"/export/{key}.xlsx?{qs}").get_data())).active.iter_rows(
            values_only=True
        )
    ]
    assert len(sheet) == len(lines) and sheet[header_at] == header
    for name, label in money.items():
        column = header.index(label)
        on_screen = total_text(component, key, name)
        assert yuan(Decimal(total[column])) == on_screen
        assert yuan(sum(Decimal(r[column]) for r in body)) == on_screen  # the file's rows add up to it too
        assert yuan(Decimal(str(sheet[-1][column]))) == on_screen


def test_export_over_the_limit_is_refused_not_cut(client, monkeypatch):
    monkeypatch.setenv("COCKPIT_EXPORT_MAX_ROWS", "10")
    response = client.get("/export/spending.csv?region=430100&year=2024&period=1-6")
    assert response.status_code == 413
    assert "超过导出上限" in response.get_data(as_text=True)


FORMULAS = ['=HYPERLINK("http://evil","点我")', "+1+2", "-3+4", "@SUM(A1:A2)", "\tcmd", "\rcmd"]


@pytest.fixture
def formula_store(demo_url, tmp_path, duck):
    """A copy of the demo store where some company payees of one indicator are named like formulas."""
    source = os.path.realpath(demo_url.removeprefix("duckdb:///"))
    target = tmp_path / "formulas.duckdb"
    shutil.copy(source, target)
    with duck.connect() as conn:
        indicator, agency, county = conn.execute(
            sa.text("""
            select i.id, i.agency_id, i.county_code from budget_indicator i join payment p on p.indicator_id = i.id
             where i.year = 2024 and i.county_code is not null and not p.payee_is_person
               and p.pay_date between date '2024-01-01' and date '2024-06-30'
             group by 1, 2, 3 having count(*) >= :n order by i.id limit 1"""),
            {"n": len(FORMULAS)},
        ).one()
    engine = sa.create_engine(f"duckdb:///{target}")
    with engine.begin() as conn:
        ids = [
            r[0]
            for r in conn.execute(
                sa.text("""
            select id from payment where indicator_id = :i and not payee_is_person
               and pay_date between date '2024-01-01' and date '2024-06-30' order by id limit :n"""),
                {"i": indicator, "n": len(FORMULAS)},
            )
        ]
        for payment_id, name in zip(ids, FORMULAS):
            conn.execute(sa.text("update payment set payee_name = :n where id = :p"), {"n": name, "p": payment_id})
        conn.execute(sa.text("update data_version set loaded_at = loaded_at + interval 1 second"))
    engine.dispose()
    return f"duckdb:///{target}", {
        "region": county,
        "year": "2024",
        "period": "1-6",
        "agency": str(agency),
        "indicator": str(indicator),
    }


def test_formula_like_payee_names_come_out_safe(formula_store, use_store):
    url, query = formula_store
    use_store(url)
    from dashboard.web.app import create_app

    client = create_app().server.test_client()
    ensure_user(PROVINCE_USER)
    sign_in_test_client(client, PROVINCE_USER)
    qs = "&".join(f"{k}={v}" for k, v in query.items())
    cells = [c for row in _csv_rows(client.get(f"/export/spending.csv?{qs}")) for c in row]
    for formula in FORMULAS:
        assert "'" + formula in cells
        assert formula not in cells
    sheet = openpyxl.load_workbook(io.BytesIO(client.get(f"/export/spending.xlsx?{qs}").get_data())).active
    values = {  # a bare CR comes back as LF from XML; XlsxWriter escapes it as _x000D_ (Excel reads a CR)
        str(cell.value).replace("_x000D_", "\n").replace("\r", "\n"): cell.data_type
        for row in sheet.iter_rows()
        for cell in row
        if cell.value is not None
    }
    for formula in (f.replace("\r", "\n") for f in FORMULAS):
        assert values.get("'" + formula) == "s"
        assert formula not in values


# -- masking ----------------------------------------------------------------------------------------------------


def test_no_callback_response_leaks_a_person_or_an_account(app, client, call_callback, duck):
    """Render, table and trace responses of both pages, down to a person-paying indicator and one of its
    payments, and the export: no bank account (a run of 12+ digits) and no person payee's full name."""
    with duck.connect() as conn:
        indicator, agency, county = conn.execute(
            sa.text("""
            select i.id, i.agency_id, i.county_code from budget_indicator i join payment p on p.indicator_id = i.id
             where i.year = 2024 and i.county_code = '430102' and p.payee_is_person
               and p.pay_date between date '2024-01-01' and date '2024-06-30'
             group by 1, 2, 3 order by count(*) desc, i.id limit 1""")
        ).one()
        people = conn.execute(
            sa.text("""
            select id, payee_name, payee_account from payment where indicator_id = :i and payee_is_person
               and pay_date between date '2024-01-01' and date '2024-06-30'"""),
            {"i": indicator},
        ).all()
    drill = {"region": county, "year": "2024", "period": "1-6", "agency": str(agency), "indicator": str(indicator)}
    texts = []
    for key, query in [
        ("spending", CITY),
        ("spending", drill),
        ("spending", {**drill, "payment": str(people[0][0])}),
        ("revenue", CITY),
        ("revenue", {**CITY, "item": "10101"}),
    ]:
        texts.append(json.dumps(render(call_callback, key, query), ensure_ascii=False))
        for sort in (None, "amount"):
            component, page = table(call_callback, key, query, {"sort": sort} if sort else {})
            texts.append(json.dumps([component, page], ensure_ascii=False))
    texts.append(
        client.get("/export/spending.csv?" + "&".join(f"{k}={v}" for k, v in drill.items()))
        .get_data()
        .decode("utf-8-sig")
    )
    everything = "\n".join(texts)
    assert "****" in everything and people[0][2][-4:] in everything  # masked accounts are there …
    assert not re.search(r"(?<![A-Za-z\d.])\d{12,}", everything)  # … no full one (not fractions, not ZF vouchers)
    for _id, name, _account in people:
        assert name not in everything
