"""The public side (村务公开) as a villager and a prober see it: the village list equals the store with names masked,
the self-check finds one's own payouts and answers everything else alike, limits and the challenge hold, no public
response carries an ID number or an account, the staff app stays closed, and the QR sheet decodes to the pages."""

from __future__ import annotations

import re
import subprocess
import time
from decimal import Decimal

import pytest
import sqlalchemy as sa

from dashboard.core.masking import mask_public_name
from dashboard.public.qr import qr_sheet, village_path, village_url
from dashboard.public.routes import hall_path
from dashboard.state.audit import audit_event
from dashboard.state.engine import state_engine
from queries import public as q
from tests.integration.dash_tree import callback_body

COUNTY = "430102"
TOKEN = re.compile(r'name="token" value="([^"]+)"')
QUESTION = re.compile(r"验证问题:(\d+) \+ (\d+) × (\d+) = \?")
ID_SHAPED = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
LONG_DIGITS = re.compile(r"(?<!\d)\d{12,}(?!\d)")


@pytest.fixture
def public(app, monkeypatch):
    monkeypatch.setenv("COCKPIT_PUBLIC_CHECK_SECONDS", "0")
    return app.server.test_client()


@pytest.fixture
def village(app):
    """The village of the county with the most recipients."""
    return max(q.villages(COUNTY), key=lambda v: (v.recipients, v.key))


def _person(duck, v, offset: int = 0) -> tuple[str, str, str]:
    with duck.connect() as conn:
        return tuple(
            conn.execute(
                sa.text(
                    "SELECT DISTINCT recipient_name, recipient_id_number, bank_account FROM subsidy_payout "
                    "WHERE county_code = :c AND township = :t AND village = :v ORDER BY 2 LIMIT 1 OFFSET :o"
                ),
                {"c": v.county, "t": v.township, "v": v.name, "o": offset},
            ).one()
        )


def _check(client, v, name: str, id_number: str, answer: str | None = None):
    page = client.get(village_path(v)).get_data(as_text=True)
    data = {"token": TOKEN.search(page).group(1), "name": name, "id_number": id_number}
    if answer is not None:
        data["answer"] = answer
    return client.post(village_path(v), data=data)


def _answer_section(html: str) -> str:
    """What the self-check said: the message and the result, without the fresh form token."""
    found = re.search(r'(<p class="notice".*?</p>)?\s*(<section id="result".*?</section>)?\s*</section>', html, re.S)
    return re.sub(r"\s+", " ", found.group(0)) if found else ""


def test_the_village_list_is_the_store_with_names_masked(public, duck, village):
    response = public.get(village_path(village))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    month = re.search(r'class="on" aria-current="page">(\d{4}-\d{2})<', html).group(1)
    with duck.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT p.recipient_name, g.name, p.amount FROM subsidy_payout p JOIN subsidy_program g "
                "ON g.id = p.program_id WHERE p.county_code = :c AND p.township = :t AND p.village = :v "
                "AND strftime(p.pay_date, '%Y-%m') = :m ORDER BY g.name, p.recipient_name, p.id"
            ),
            {"c": village.county, "t": village.township, "v": village.name, "m": month},
        ).all()
    cells = re.findall(
        r"<tr><td class=\"nw\">([^<]*)</td><td>([^<]*)</td><td class=\"nw\">(\d{4}-\d{2})</td><td class=\"num\">([^<]*)</td>",
        html,
    )
    assert cells == [(mask_public_name(n), g, month, f"{Decimal(a):,.2f}") for n, g, a in rows]
    assert rows and all(n not in html for n, _, _ in rows if len(n) > 1)
    assert f"合计 {sum(Decimal(a) for _, _, a in rows):,.2f} 元" in html


def test_public_pages_have_their_own_strict_headers_and_no_cookie(public, village):
    for path in (village_path(village), hall_path(COUNTY, village.township), "/gongkai/", "/gongkai/no-such"):
        response = public.get(path)
        policy = response.headers["Content-Security-Policy"]
        assert "default-src 'none'" in policy and "frame-ancestors 'none'" in policy and "script-src" not in policy
        assert response.headers["Cache-Control"] == "no-store"
        assert response.headers["X-Frame-Options"] == "DENY"
        assert "Set-Cookie" not in response.headers
        assert "<script" not in response.get_data(as_text=True)


def test_the_self_check_shows_ones_own_payouts_with_the_accounts_last_4(public, duck, village):
    name, id_number, account = _person(duck, village)
    html = _check(public, village, name, id_number).get_data(as_text=True)
    first_year = q.latest_year() - 3 + 1
    with duck.connect() as conn:
        expected = conn.execute(
            sa.text(
                "SELECT strftime(pay_date, '%Y-%m'), amount FROM subsidy_payout WHERE recipient_id_number = :i "
                "AND county_code = :c AND township = :t AND village = :v AND year(pay_date) >= :y "
                "ORDER BY pay_date DESC, id"
            ),
            {"i": id_number, "c": village.county, "t": village.township, "v": village.name, "y": first_year},
        ).all()
    result = _answer_section(html)
    got = re.findall(
        r"<td class=\"nw\">(\d{4}-\d{2})</td>\s*<td class=\"num\">([^<]*)</td>\s*<td>\*\*\*\*(\d{4})</td>", result
    )
    assert sorted(got) == sorted((m, f"{Decimal(a):,.2f}", account[-4:]) for m, a in expected)
    assert id_number not in html and account not in html


def test_the_last_6_setting_asks_for_the_last_6(public, duck, village, monkeypatch):
    monkeypatch.setenv("COCKPIT_PUBLIC_ID_MATCH", "last6")
    name, id_number, _ = _person(duck, village)
    assert "身份证号码后 6 位" in public.get(village_path(village)).get_data(as_text=True)
    assert "****" in _answer_section(_check(public, village, name, id_number[-6:]).get_data(as_text=True))


def test_a_wrong_pair_an_unknown_person_and_nobody_answer_alike_in_the_same_time(app, duck, village, monkeypatch):
    monkeypatch.setenv("COCKPIT_PUBLIC_CHECK_SECONDS", "0.15")
    monkeypatch.setenv("COCKPIT_PUBLIC_CHALLENGE_AFTER", "50")
    client = app.server.test_client()
    name, id_number, _ = _person(duck, village)
    other_name, other_id, _ = _person(duck, village, 1)
    wrong_digit = id_number[:10] + ("1" if id_number[10] != "1" else "2") + id_number[11:]
    tries = [(name, wrong_digit), (name, other_id), (other_name, id_number), ("张三丰", "110101199003077777")]
    answers, times = set(), []
    for who, number in tries:
        started = time.monotonic()
        response = _check(client, village, who, number)
        times.append(time.monotonic() - started)
        assert response.status_code == 200
        answers.add(_answer_section(response.get_data(as_text=True)))
    assert len(answers) == 1 and "未查到" in answers.pop()
    assert min(times) >= 0.15
    started = time.monotonic()
    found = _check(client, village, name, id_number)
    assert time.monotonic() - started >= 0.15 and "****" in _answer_section(found.get_data(as_text=True))


def test_a_thousand_wrong_guesses_from_one_client_are_throttled_and_reveal_nothing(public, duck, village):
    name, id_number, _ = _person(duck, village)
    token = TOKEN.search(public.get(village_path(village)).get_data(as_text=True)).group(1)
    statuses, answers = [], set()
    for n in range(1000):
        guess = f"{id_number[:12]}{n:06d}"
        if guess == id_number:
            continue
        response = public.post(village_path(village), data={"token": token, "name": name, "id_number": guess})
        statuses.append(response.status_code)
        if response.status_code == 200:
            answers.add(_answer_section(response.get_data(as_text=True)))
        else:
            assert "查询过于频繁" in response.get_data(as_text=True) and "Retry-After" in response.headers
    assert statuses.count(200) == 10 and statuses.count(429) == len(statuses) - 10  # 10/minute
    assert len(answers) == 2 and all("****" not in a for a in answers)  # "nothing found", then "answer the question"
    with state_engine().connect() as conn:
        rows = conn.execute(sa.select(audit_event).where(audit_event.c.action == "public_check")).mappings().all()
    assert len(rows) == 3  # PUBLIC_CHALLENGE_AFTER queries ran, then each needed an answer
    assert all(id_number[:12] not in (r["params"] or "") and r["username"] is None for r in rows)
    assert {r["rows"] for r in rows} == {0}


def test_after_repeated_failures_a_query_must_answer_the_question_once(public, duck, village):
    for n in range(3):
        _check(public, village, "无此人", f"11010119900307{n:04d}")
    page = public.get(village_path(village)).get_data(as_text=True)
    a, b, c = (int(x) for x in QUESTION.search(page).groups())
    name, id_number, _ = _person(duck, village)
    data = {"token": TOKEN.search(page).group(1), "name": name, "id_number": id_number}
    refused = public.post(village_path(village), data={**data, "answer": str(a + b * c + 1)}).get_data(as_text=True)
    assert "请先回答" in refused and "****" not in refused
    answered = public.post(village_path(village), data={**data, "answer": str(a + b * c)}).get_data(as_text=True)
    assert "****" in _answer_section(answered)
    replayed = public.post(village_path(village), data={**data, "answer": str(a + b * c)}).get_data(as_text=True)
    assert "请先回答" in replayed and "****" not in _answer_section(replayed)


def test_the_village_limit_holds_across_clients(app, duck, village, monkeypatch):
    monkeypatch.setenv("COCKPIT_PUBLIC_CHECK_SECONDS", "0")
    monkeypatch.setenv("COCKPIT_PUBLIC_RATE_LIMIT_VILLAGE", "5/hour")
    statuses = []
    for n in range(8):
        client = app.server.test_client()
        page = client.get(village_path(village), environ_base={"REMOTE_ADDR": f"10.0.0.{n}"}).get_data(as_text=True)
        data = {"token": TOKEN.search(page).group(1), "name": "无此人", "id_number": f"11010119900307{n:04d}"}
        statuses.append(
            client.post(village_path(village), data=data, environ_base={"REMOTE_ADDR": f"10.0.0.{n}"}).status_code
        )
    assert statuses == [200] * 5 + [429] * 3


def test_no_public_response_carries_an_id_number_or_an_account(public, duck, village):
    with duck.connect() as conn:
        secrets = conn.execute(
            sa.text("SELECT DISTINCT recipient_id_number, bank_account FROM subsidy_payout WHERE county_code = :c"),
            {"c": COUNTY},
        ).all()
    bodies = [public.get("/gongkai/").get_data(as_text=True)]
    for v in q.villages(COUNTY):
        html = public.get(village_path(v)).get_data(as_text=True)
        bodies.append(html)
        for month in re.findall(r"\?month=(\d{4}-\d{2})", html)[:3]:
            bodies.append(public.get(f"{village_path(v)}?month={month}").get_data(as_text=True))
    for township in {v.township for v in q.villages(COUNTY)}:
        bodies.append(public.get(hall_path(COUNTY, township)).get_data(as_text=True))
    name, id_number, _ = _person(duck, village)
    bodies.append(_check(public, village, name, id_number).get_data(as_text=True))
    text = "\n".join(bodies)
    assert not ID_SHAPED.search(text) and not LONG_DIGITS.search(text)
    assert not [s for pair in secrets for s in pair if s in text]


def test_the_staff_apps_callbacks_answer_401_from_the_public_side(app, public, village):
    public.get(village_path(village))
    body = callback_body(app, "overview-kpis", [("overview-query", "data", {})])
    for method, path in (("POST", "/_dash-update-component"), ("GET", "/_dash-layout"), ("GET", "/_dash-dependencies")):
        response = public.open(
            path, method=method, json=body, headers={"Referer": "http://localhost" + village_path(village)}
        )
        assert response.status_code == 401
        assert "_dash-config" not in response.get_data(as_text=True)
    for path in ("/gongkai/_dash-update-component", "/gongkai/_dash-layout", "/gongkai/overview"):
        response = public.post(path, json=body)
        assert response.status_code == 404 and "_dash-config" not in response.get_data(as_text=True)


def test_the_hall_screen_totals_the_township_and_rotates_the_villages(public, duck, village):
    path = hall_path(COUNTY, village.township)
    html = public.get(path).get_data(as_text=True)
    year = q.latest_year()
    with duck.connect() as conn:
        total = conn.execute(
            sa.text(
                "SELECT SUM(amount) FROM subsidy_payout WHERE county_code = :c AND township = :t AND year(pay_date) = :y"
            ),
            {"c": COUNTY, "t": village.township, "y": year},
        ).scalar()
    assert f"{year} 年 · 合计 {Decimal(total):,.2f} 元" in html
    refresh = re.search(r'<meta http-equiv="refresh" content="(\d+);url=\?i=(\d+)">', html)
    assert refresh and refresh.group(1) == "20"
    names = {re.search(r"<h2>(\S+) · ", public.get(f"{path}?i={i}").get_data(as_text=True)).group(1) for i in range(10)}
    assert names == {v.name for v in q.township_villages(COUNTY, q.township_key(COUNTY, village.township))}
    assert "<svg" in html


def test_the_qr_sheet_decodes_to_the_village_pages(app, tmp_path, monkeypatch):
    zxingcpp = pytest.importorskip("zxingcpp")
    from PIL import Image

    monkeypatch.setenv("COCKPIT_PUBLIC_BASE_URL", "https://gongkai.example.gov.cn/")
    villages = q.villages(COUNTY)[:4]
    pdf = tmp_path / "sheet.pdf"
    pdf.write_bytes(qr_sheet("芙蓉区", villages))
    subprocess.run(["pdftoppm", "-r", "72", "-png", str(pdf), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) == len(villages)
    decoded = [[r.text for r in zxingcpp.read_barcodes(Image.open(p))] for p in pages]
    assert decoded == [[village_url(v)] for v in villages]
    assert village_url(villages[0]).startswith("https://gongkai.example.gov.cn/gongkai/430102/")


def test_the_cli_prints_a_sheet_per_village(app, demo_url, tmp_path):
    out = tmp_path / "f.pdf"
    import os
    import sys

    env = {**os.environ, "COCKPIT_DB_URL": demo_url}
    done = subprocess.run(
        [sys.executable, "-m", "dashboard", "qrcodes", "--county", COUNTY, "--output", str(out)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True, check=True).stdout
    assert f"Pages:           {len(q.villages(COUNTY))}" in info and "个村的二维码" in done.stdout


def test_staff_download_the_sheet_within_their_region(client_as, app):
    province = client_as("qr_fenxi", role="分析", region="430000")
    response = province.get(f"/qrcodes/{COUNTY}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    assert client_as("qr_lingdao", role="领导", region="430000").get(f"/qrcodes/{COUNTY}.pdf").status_code == 403
    assert client_as("qr_huaihua", role="分析", region="431200").get(f"/qrcodes/{COUNTY}.pdf").status_code == 403
    assert app.server.test_client().get(f"/qrcodes/{COUNTY}.pdf").status_code == 302


def test_the_staff_page_lists_a_countys_villages_with_their_links(call_callback, client_as, app):
    out = str(call_callback("qrcodes-list", [("qrcodes-county", "value", COUNTY)]))
    assert f"/qrcodes/{COUNTY}.pdf" in out
    assert all(village_url(v) in out for v in q.villages(COUNTY))
    lead = client_as("qr_lead", role="领导", region="430000")
    refused = str(call_callback("qrcodes-list", [("qrcodes-county", "value", COUNTY)], client=lead))
    assert "无权" in refused and "/qrcodes/" not in refused
