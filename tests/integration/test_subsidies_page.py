"""/subsidies through its callbacks: headline figures, ranking, anomaly lists and the drill-through tables equal the
test's own SQL on the store; personal data never leaves the server unmasked (screen, callbacks, exports)."""

from __future__ import annotations

import csv
import io
import json
import re
from decimal import Decimal

import openpyxl
import pytest

from dashboard.core.scope import User
from tests.integration.dash_tree import by_id, children_of, figure_in, text_of, walk
from tests.integration.region_sql import rows as own_sql
from tests.integration.topic_helpers import (
    in_view,
    numbers,
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

KEY = "subsidies"
CASES = [
    ("430000", "province", "province_code", 2024, 1, 12),
    ("430100", "city", "city_code", 2024, 4, 9),
    ("430121", "county", "county_code", 2023, 1, 6),
]
ID_NUMBER = re.compile(r"(?<![0-9])\d{17}[\dX](?![0-9])")


def test_the_demo_sampling_is_stated_from_the_store(call_callback, duck):
    out = render(call_callback, KEY, {"region": "430000", "year": "2024", "period": "1-12"})
    share = own_sql(duck, "SELECT share FROM sampling WHERE topic = 'subsidies'")[0][0]
    assert 0 < share < 1
    note = text_of(by_id(out[f"{KEY}-kpis"]["children"], "subsidy-sample-note"))
    assert note.startswith(f"演示数据:一卡通发放按约 {float(share) * 100:.2g}% 抽样")


@pytest.mark.parametrize("code, level, column, year, first, last", CASES)
def test_kpis_equal_the_store(call_callback, duck, code, level, column, year, first, last):
    out = render(call_callback, KEY, {"region": code, "year": str(year), "period": f"{first}-{last}"})
    n, amount, people = own_sql(
        duck,
        f"""SELECT COUNT(*), SUM(amount), COUNT(DISTINCT recipient_id_number)
                                          FROM subsidy_payout WHERE {in_view("pay_date", column, year, first, last)}""",
        code=code,
    )[0]
    kpis = out[f"{KEY}-kpis"]["children"]
    assert text_of(by_id(kpis, "kpi-amount")) == shown(amount, level)
    assert text_of(by_id(kpis, "kpi-payouts")) == f"{n:,}"
    assert text_of(by_id(kpis, "kpi-recipients")) == f"{people:,}"
    assert text_of(by_id(kpis, "kpi-per-payout")) == yuan(amount / n)
    assert f"人均 {yuan(amount / people)} 元" in text_of(kpis)


def test_category_and_program_filters_apply_to_the_headline(call_callback, duck):
    program, name = own_sql(
        duck, "SELECT id, name FROM subsidy_program WHERE region_code = '430100' AND category = '高龄津贴'"
    )[0]
    for query, where in [
        ({"category": "高龄津贴"}, "category = '高龄津贴'"),
        ({"program": str(program)}, f"program_id = {program}"),
    ]:
        out = render(call_callback, KEY, {"region": "430100", "year": "2024", "period": "1-12", **query})
        amount = own_sql(
            duck,
            f"SELECT SUM(amount) FROM subsidy_payout WHERE {in_view('pay_date', 'city_code', 2024, 1, 12)} AND {where}",
            code="430100",
        )[0][0]
        assert text_of(by_id(out[f"{KEY}-kpis"]["children"], "kpi-amount")) == shown(amount, "city")
    component, _ = table(call_callback, KEY, {"region": "430100", "year": "2024", "program": str(program)})
    assert f"{name} · 发放明细" in text_of(component)


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
        c or "own": (n, a, r)
        for c, n, a, r in own_sql(
            duck,
            f"""
        SELECT {child}, COUNT(*), SUM(amount), COUNT(DISTINCT recipient_id_number) FROM subsidy_payout
        WHERE {in_view("pay_date", column, year, first, last)} GROUP BY 1""",
            code=code,
        )
    }
    names = dict(own_sql(duck, "SELECT name, adcode FROM region WHERE parent_adcode = :c", c=code))
    total, own, children = rows[0], rows[1], rows[2:]
    assert total[1] == "合计" and total[3] == shown(sum(a for _, a, _ in per_child.values()), level)
    assert own[1].endswith("本级") and own[2] == "0" and own[3] == shown(0, level), "payouts sit in counties"
    assert {r[1] for r in children} == set(names)
    for row in children:
        n, amount, people = per_child.get(names[row[1]], (0, Decimal(0), 0))
        assert (row[2], row[3], row[4]) == (f"{n:,}", shown(amount, level), f"{people:,}")
        assert row[5] == (yuan(amount / n) if n else "—")


def test_a_county_ranks_its_townships_with_recipients(call_callback, duck):
    out = render(call_callback, KEY, {"region": "430121", "year": "2024"})
    table_rows_shown = [
        [text_of(td) for td in tr["props"]["children"]]
        for tr in walk(by_id(out[f"{KEY}-ranking"]["children"], f"{KEY}-township-table"))
        if tr["type"] == "Tr" and tr["props"]["children"][0]["type"] == "Td"
    ]
    expected = own_sql(
        duck,
        f"""SELECT township, COUNT(*), SUM(amount) AS a, COUNT(DISTINCT recipient_id_number)
                                 FROM subsidy_payout WHERE {in_view("pay_date", "county_code", 2024, 1, 12)}
                                 GROUP BY 1 ORDER BY a DESC, 1""",
        code="430121",
    )
    assert [r[:4] for r in table_rows_shown] == [[t, f"{n:,}", yuan(a), f"{p:,}"] for t, n, a, p in expected]


def test_township_chart_of_a_county_equals_the_store(call_callback, duck):
    out = render(call_callback, KEY, {"region": "430121", "year": "2024"})
    bars = figure_in(out, "township")["data"][0]
    shown_bars = dict(zip(numbers(bars["y"]), numbers(bars["x"])))
    expected = own_sql(
        duck,
        f"""SELECT township, SUM(amount) AS a FROM subsidy_payout
                                 WHERE {in_view("pay_date", "county_code", 2024, 1, 12)} GROUP BY 1 ORDER BY a DESC LIMIT 15""",
        code="430121",
    )
    assert len(shown_bars) == len(expected)
    for township, amount in expected:
        assert shown_bars[f"长沙县{township}"] == pytest.approx(float(amount / 10_000))


# -- anomaly lists -----------------------------------------------------------------------------------------------


def _anomaly_rows(out: dict, flag: str) -> list[list[str]]:
    component = by_id(out[f"{KEY}-trace"]["children"], f"{KEY}-{flag}")
    body = next(c for c in walk(component) if c["type"] == "Tbody")
    return [[text_of(td) for td in tr["props"]["children"]] for tr in walk(children_of(body)) if tr["type"] == "Tr"]


def _masked(id_number: str) -> str:
    return id_number[:3] + "*" * 11 + id_number[-4:]


ANOMALY_KINDS = [
    ("subsidy_duplicate_id", "duplicate_id"),
    ("subsidy_after_death", "after_death"),
    ("subsidy_above_standard", "above_standard"),
]


def _planted_ids(demo_anomalies, kind: str) -> set[int]:
    planted = [a for a in demo_anomalies if a["kind"] == kind]
    return (
        {int(a["key"]) for a in planted}
        if kind == "subsidy_above_standard"
        else {i for a in planted for i in a["payout_ids"]}
    )


@pytest.mark.parametrize("kind, flag", ANOMALY_KINDS)
def test_anomaly_lists_page_through_exactly_the_planted_payouts_masked(call_callback, duck, demo_anomalies, kind, flag):
    """The card previews the largest few and links to the whole list, which pages in the drill table."""
    ids = _planted_ids(demo_anomalies, kind)
    id_list = ",".join(map(str, ids))
    county = own_sql(duck, f"SELECT county_code FROM subsidy_payout WHERE id = {min(ids)}")[0][0]
    for code, column in [("430000", "province_code"), (county, "county_code")]:
        query = {"region": code, "year": "2024"}
        expected = own_sql(
            duck,
            f"SELECT recipient_id_number, amount FROM subsidy_payout WHERE id IN ({id_list}) AND {column} = :c",
            c=code,
        )
        want = sorted((_masked(i), yuan(a)) for i, a in expected)
        out = render(call_callback, KEY, query)
        preview = _anomaly_rows(out, flag)
        assert expected and len(preview) == min(len(expected), 10)
        assert {(r[5], r[7]) for r in preview} <= set(want)
        assert not ID_NUMBER.search(text_of(out[f"{KEY}-trace"]["children"]))
        pages = walk_table(call_callback, KEY, {**query, "flag": flag})
        listed = [row for rows, _ in pages for row in rows]
        assert sorted((r[5], r[7]) for r in listed) == want
        component, _ = table(call_callback, KEY, {**query, "flag": flag})
        assert row_count(component, KEY) == len(expected)
        assert total_text(component, KEY, "amount") == yuan(sum(a for _, a in expected))


def test_a_long_anomaly_list_pages_without_loss_or_repetition(call_callback, duck):
    """after-death payouts over both years at the province: more than a page even at the test scale."""
    expected = own_sql(
        duck,
        """SELECT s.id, s.amount FROM subsidy_payout s
                                JOIN person_death d ON d.id_number = s.recipient_id_number
                                WHERE s.pay_date > d.death_date AND EXTRACT(year FROM s.pay_date) = 2024""",
    )
    query = {"region": "430000", "year": "2024", "flag": "after_death"}
    pages = walk_table(call_callback, KEY, query, sort="pay_date", descending=False)
    amounts = [row[7] for rows, _ in pages for row in rows]
    assert sorted(amounts) == sorted(yuan(a) for _, a in expected)
    dates = [row[0] for rows, _ in pages for row in rows]
    assert dates == sorted(dates)


def test_an_anomaly_list_exports_masked_with_the_screen_total(client, duck, demo_anomalies):
    ids = _planted_ids(demo_anomalies, "subsidy_after_death")
    expected = own_sql(
        duck, f"SELECT recipient_id_number, amount FROM subsidy_payout WHERE id IN ({','.join(map(str, ids))})"
    )
    response = client.get("/export/subsidies.csv?region=430000&year=2024&flag=after_death")
    assert response.status_code == 200
    lines = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    header = lines[3]
    body = [dict(zip(header, line)) for line in lines[4:-1]]
    assert lines[-1][0] == "合计" and Decimal(lines[-1][header.index("金额(元)")]) == sum(a for _, a in expected)
    assert sorted(r["身份证号"] for r in body) == sorted(_masked(i) for i, _ in expected)
    assert not ID_NUMBER.search(response.get_data(as_text=True))


# -- drill-through: region → program → payouts -----------------------------------------------------------------


@pytest.mark.parametrize("code, level, column, year, first, last", CASES)
def test_program_table_totals_are_the_sum_of_all_its_rows(call_callback, duck, code, level, column, year, first, last):
    component, _ = table(call_callback, KEY, {"region": code, "year": str(year), "period": f"{first}-{last}"})
    programs, amount = own_sql(
        duck,
        f"""SELECT COUNT(DISTINCT program_id), SUM(amount) FROM subsidy_payout
                                         WHERE {in_view("pay_date", column, year, first, last)}""",
        code=code,
    )[0]
    assert row_count(component, KEY) == programs
    assert total_text(component, KEY, "amount") == yuan(amount)


def test_program_link_opens_its_payouts_and_paging_walks_them_all(call_callback, duck):
    county, program = own_sql(
        duck,
        f"SELECT county_code, program_id FROM subsidy_payout "
        f"WHERE {in_view('pay_date', 'city_code', 2024, 1, 6)} GROUP BY 1, 2 "
        "ORDER BY COUNT(*) DESC, 1, 2 LIMIT 1",
        code="430100",
    )[0]
    query = {"region": county, "year": "2024", "period": "1-6"}
    component, _ = table(call_callback, KEY, query)
    program = str(program)
    assert any(f"program={program}" in link for link in row_links(component, KEY))
    expected = own_sql(
        duck,
        f"SELECT CAST(pay_date AS VARCHAR), amount FROM subsidy_payout "
        f"WHERE {in_view('pay_date', 'county_code', 2024, 1, 6)} AND program_id = :p",
        code=county,
        p=int(program),
    )
    pages = walk_table(call_callback, KEY, {**query, "program": program}, sort="pay_date", descending=False)
    seen = [(row[0], row[7]) for rows, _ in pages for row in rows]
    assert len(pages) >= 2, "the walk must cross a page boundary"
    assert sorted(seen) == sorted((d, yuan(a)) for d, a in expected)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


# -- personal data ---------------------------------------------------------------------------------------------


def _accounts(duck) -> set[str]:
    return {
        a for (a,) in own_sql(duck, "SELECT DISTINCT bank_account FROM subsidy_payout WHERE county_code = '430121'")
    }


def _responses(call_callback, duck) -> list[str]:
    """The raw JSON of every callback response of the page at a county: render, the program table, a program's
    payouts (first and second page)."""
    import json

    query = {"region": "430121", "year": "2024"}
    program = own_sql(
        duck,
        "SELECT program_id FROM subsidy_payout WHERE county_code = '430121' GROUP BY 1 ORDER BY COUNT(*) DESC LIMIT 1",
    )[0][0]
    outs = [render(call_callback, KEY, query), render(call_callback, KEY, {"region": "430000", "year": "2024"})]
    component, page = table(call_callback, KEY, {**query, "program": str(program)})
    outs.append(component)
    outs.append(table(call_callback, KEY, {**query, "program": str(program)}, {"stack": [page["next"]]})[0])
    outs.append(table(call_callback, KEY, query)[0])
    return [json.dumps(o, ensure_ascii=False) for o in outs]


def test_no_callback_response_holds_an_id_number_or_account(call_callback, duck):
    accounts = _accounts(duck)
    texts = _responses(call_callback, duck)
    for text in texts:
        assert not ID_NUMBER.search(text), ID_NUMBER.search(text).group(0)
        assert not any(account in text for account in accounts)
    assert any(re.search(r"\d{3}\*{11}[\dX]{4}", t) for t in texts), "the masked IDs are there"


def test_without_a_stated_reason_even_a_user_who_may_unmask_gets_masked_data(call_callback, duck, monkeypatch):
    reader = User("audit", "审计", "管理员", "430000", may_unmask=True)
    import callbacks._topic

    monkeypatch.setattr(callbacks._topic, "current_user", lambda: reader)
    texts = _responses(call_callback, duck)
    assert not any(ID_NUMBER.search(t) for t in texts)


def _payout_view(duck) -> dict:
    program = own_sql(
        duck,
        "SELECT program_id FROM subsidy_payout WHERE county_code = '430121' GROUP BY 1 ORDER BY COUNT(*) DESC LIMIT 1",
    )[0][0]
    return {"region": "430121", "year": "2024", "period": "1-1", "program": str(program)}


def test_a_user_who_may_unmask_sees_full_ids_after_stating_a_reason_and_it_is_audited(call_callback, client_as, duck):
    from dashboard.state import audit

    auditor = client_as("auditor_ok", role="审核", region="430000", may_unmask=True)
    query = _payout_view(duck)
    masked, _ = table(call_callback, KEY, query, client=auditor)
    assert not ID_NUMBER.search(json.dumps(masked, ensure_ascii=False))
    assert by_id(masked, f"{KEY}-reveal-bar") and "显示完整信息" in text_of(by_id(masked, f"{KEY}-reveal-bar"))
    shown_table, _ = table(call_callback, KEY, query, reveal={"reason": "审计核查重复领取"}, client=auditor)
    expected = {
        i
        for (i,) in own_sql(
            duck,
            f"""SELECT recipient_id_number FROM subsidy_payout
                                                WHERE {in_view("pay_date", "county_code", 2024, 1, 1)} AND program_id = :p
                                                ORDER BY amount DESC, id DESC LIMIT 50""",
            code="430121",
            p=int(query["program"]),
        )
    }
    assert {r[5] for r in table_rows(shown_table, KEY)} == expected
    assert "恢复脱敏" in text_of(by_id(shown_table, f"{KEY}-reveal-bar"))
    last = audit.search(action="unmask")[0]
    assert (last["username"], last["outcome"], last["detail"], last["rows"]) == (
        "auditor_ok",
        "ok",
        "审计核查重复领取",
        len(expected),
    )


def test_an_empty_list_offers_no_reveal_bar(call_callback, client_as):
    """Nothing is planted the year before: the after-death list of 2023 is empty, so there is nothing to unmask."""
    auditor = client_as("auditor_empty", role="审核", region="430000", may_unmask=True)
    component, _ = table(
        call_callback, KEY, {"region": "430000", "year": "2023", "flag": "after_death"}, client=auditor
    )
    assert row_count(component, KEY) == 0
    assert not any(c.get("props", {}).get("id") == f"{KEY}-reveal-bar" for c in walk(component))
    filled, _ = table(call_callback, KEY, {"region": "430000", "year": "2024", "flag": "after_death"}, client=auditor)
    assert by_id(filled, f"{KEY}-reveal-bar")


def test_a_reason_does_not_unmask_for_a_user_without_the_right_nor_a_too_short_one(call_callback, client_as, duck):
    from dashboard.state import audit

    query = _payout_view(duck)
    analyst = client_as("no_unmask", role="分析", region="430000")
    component, _ = table(call_callback, KEY, query, reveal={"reason": "审计核查重复领取"}, client=analyst)
    assert not ID_NUMBER.search(json.dumps(component, ensure_ascii=False))
    assert not any(c.get("props", {}).get("id") == f"{KEY}-reveal-bar" for c in walk(component)), (
        "no reveal bar for a user without the right"
    )
    assert audit.search(action="unmask")[0]["outcome"] == "denied"
    auditor = client_as("auditor_short", role="审核", region="430000", may_unmask=True)
    component, _ = table(call_callback, KEY, query, reveal={"reason": "查"}, client=auditor)
    assert not ID_NUMBER.search(json.dumps(component, ensure_ascii=False))
    assert "至少" in text_of(by_id(component, f"{KEY}-reveal-bar"))


def test_an_unmasked_export_takes_a_form_post_with_the_reason_and_the_session_token(client_as, duck):
    """The reveal bar's export forms: the reason and the CSRF token as form fields (no header, as a browser posts a
    form). A permitted user gets full ID numbers and both the unmask and the export are audited; without the right
    the file stays masked; without the token nothing is exported."""
    from dashboard.state import audit
    from dashboard.web.gate import CSRF_COOKIE

    query = _payout_view(duck)
    url = "/export/subsidies.csv?" + "&".join(f"{k}={v}" for k, v in query.items())
    expected = {
        i
        for (i,) in own_sql(
            duck,
            f"""SELECT recipient_id_number FROM subsidy_payout
                                                WHERE {in_view("pay_date", "county_code", 2024, 1, 1)} AND program_id = :p""",
            code="430121",
            p=int(query["program"]),
        )
    }

    def post(username: str, may_unmask: bool, token: bool = True):  # an analyst: the role that may export
        browser = client_as(username, role="分析", region="430000", may_unmask=may_unmask)
        csrf = browser.get_cookie(CSRF_COOKIE).value
        del browser.environ_base["HTTP_X_CSRFTOKEN"]
        return browser.post(url, data={"reason": "审计核查重复领取", **({"csrf_token": csrf} if token else {})})

    full = post("auditor_export", True)
    assert full.status_code == 200
    assert set(ID_NUMBER.findall(full.get_data(as_text=True))) == expected
    unmask, export = audit.search(action="unmask")[0], audit.search(action="export")[0]
    assert (unmask["username"], unmask["outcome"], unmask["detail"]) == ("auditor_export", "ok", "审计核查重复领取")
    assert (export["username"], export["rows"]) == ("auditor_export", len(expected))
    masked = post("reviewer_export", False)
    assert masked.status_code == 200 and not ID_NUMBER.search(masked.get_data(as_text=True))
    assert post("auditor_export", True, token=False).status_code == 403


def test_the_reveal_store_takes_the_typed_reason_and_a_blank_one_clears_it(app, client):
    """显示完整信息 stores the typed reason (trimmed); a blank reason or 恢复脱敏 empties the store."""
    from tests.integration.dash_tree import find_callback

    key, _spec = find_callback(app, f"{KEY}-reveal")

    def post(reason: str, action: str) -> dict:
        button = {"action": action, "page": KEY, "type": "topic-reveal"}
        body = {
            "output": key,
            "outputs": {"id": f"{KEY}-reveal", "property": "data"},
            "inputs": [[{"id": button, "property": "n_clicks", "value": 1}]],
            "changedPropIds": [json.dumps(button, separators=(",", ":"), sort_keys=True) + ".n_clicks"],
            "state": [
                [
                    {
                        "id": {"page": KEY, "part": "reason", "type": "topic-reveal-reason"},
                        "property": "value",
                        "value": reason,
                    }
                ]
            ],
        }
        response = client.post("/_dash-update-component", json=body)
        assert response.status_code == 200, response.get_data(as_text=True)[:500]
        return response.get_json()["response"][f"{KEY}-reveal"]["data"]

    assert post("  审计核查  ", "show") == {"reason": "审计核查"}
    assert post("   ", "show") == {}
    assert post("审计核查", "hide") == {}


def test_the_scan_would_catch_a_leak(call_callback, duck, monkeypatch):
    import callbacks._topic
    import callbacks.subsidies

    monkeypatch.setattr(callbacks._topic, "mask_rows", lambda frame, *_args, **_kw: frame)
    monkeypatch.setattr(callbacks.subsidies, "mask_frame", lambda frame, *_args, **_kw: frame)
    texts = _responses(call_callback, duck)
    assert any(ID_NUMBER.search(t) for t in texts)
    assert any(account in t for t in texts for account in _accounts(duck))


def test_payout_export_is_masked_and_equals_the_screen(client, call_callback, duck):
    program = own_sql(
        duck,
        "SELECT program_id FROM subsidy_payout WHERE county_code = '430121' GROUP BY 1 ORDER BY COUNT(*) DESC LIMIT 1",
    )[0][0]
    query = {"region": "430121", "year": "2024", "program": str(program)}
    component, _ = table(call_callback, KEY, query)
    url = f"region=430121&year=2024&program={program}"
    text = client.get(f"/export/subsidies.csv?{url}").get_data(as_text=True)
    lines = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    header_at = next(i for i, line in enumerate(lines) if line and line[0] == "发放日期")
    assert len(lines[header_at + 1 : -1]) == row_count(component, KEY)
    assert yuan(Decimal(lines[-1][-1])) == total_text(component, KEY, "amount")
    assert not ID_NUMBER.search(text) and not any(a in text for a in _accounts(duck))
    sheet = openpyxl.load_workbook(io.BytesIO(client.get(f"/export/subsidies.xlsx?{url}").data)).active
    cells = [str(v) for row in sheet.iter_rows(values_only=True) for v in row if v is not None]
    assert not any(ID_NUMBER.search(c) for c in cells)
    assert yuan(Decimal(str(list(sheet.iter_rows(values_only=True))[-1][-1]))) == total_text(component, KEY, "amount")


@pytest.mark.parametrize(
    "query, word", [({"program": "abc"}, "补贴项目“abc”无效"), ({"category": "发钱"}, "补贴类别“发钱”无效")]
)
def test_bad_filters_show_a_notice_and_are_dropped(call_callback, duck, query, word):
    out = render(call_callback, KEY, {"region": "430100", "year": "2024", "period": "1-6", **query})
    assert word in text_of(out[f"{KEY}-notices"]["children"])
    amount = own_sql(
        duck,
        f"SELECT SUM(amount) FROM subsidy_payout WHERE {in_view('pay_date', 'city_code', 2024, 1, 6)}",
        code="430100",
    )[0][0]
    assert text_of(by_id(out[f"{KEY}-kpis"]["children"], "kpi-amount")) == shown(amount, "city")
