"""/risk and /warnings in a real browser: no sideways scroll at 1440×900, 1024×768 and 390×844, the heatmap draws one
row per city, and a ticket can be worked to 已反馈 with its history shown."""

from __future__ import annotations

import time

import pytest
from selenium.webdriver.common.by import By

from dashboard.risk.run import run_rules
from dashboard.state.engine import state_engine
from dashboard.store.engine import finance_engine_for
from tests.browser.driver import page_overflow, screenshot, wait_for, wait_for_dash_idle

SIZES = [(1440, 900), (1024, 768), (390, 844)]


@pytest.fixture
def rules_ran(live_server, demo_url):
    """The live server's state store (this test's fresh SQLite file, see tests/conftest.py `state_store`) after one
    run of every rule."""
    finance = finance_engine_for(demo_url)
    try:
        return run_rules(finance, state_engine())
    finally:
        finance.dispose()


@pytest.mark.parametrize("width, height", SIZES)
def test_risk_page_fits_and_the_heatmap_has_a_row_per_city(open_browser, rules_ran, width, height):
    driver = open_browser(width, height)
    driver.set_script_timeout(120)
    driver.go("/risk?region=430000&year=2024&period=1-12")
    wait_for(
        driver,
        "document.querySelectorAll('#risk-heatmap .heatmaplayer text, #risk-heatmap text.textpoint')"
        ".length > 0 || document.querySelectorAll('#risk-heatmap svg').length > 1",
        30,
    )
    wait_for_dash_idle(driver, 30)
    y_labels = driver.execute_script(
        "return Array.from(document.querySelectorAll('#risk-heatmap .ytick text')).map(t => t.textContent)"
    )
    assert len(y_labels) == 14 and "长沙市" in y_labels
    assert wait_for(
        driver, "document.getElementById('kpi-health') && document.getElementById('kpi-health').textContent"
    )
    size = page_overflow(driver)
    assert size["scrollWidth"] <= size["width"], size
    screenshot(driver, f"risk-{width}x{height}")
    driver.execute_script("document.getElementById('risk-health').scrollIntoView()")
    screenshot(driver, f"risk-{width}x{height}-ranking")
    driver.execute_script("document.getElementById('risk-weights').scrollIntoView()")
    screenshot(driver, f"risk-{width}x{height}-weights")


def test_a_ticket_is_worked_in_the_browser_and_its_history_grows(open_browser, rules_ran):
    driver = open_browser(1440, 900, user="province_clerk", role="经办", region="430000")  # 经办 work tickets
    driver.set_script_timeout(120)
    driver.go("/warnings?region=430000&year=2024&period=1-12&ticket=1")
    wait_for(
        driver,
        "document.getElementById('ticket-state') && document.getElementById('ticket-state').textContent === '待反馈'",
        60,
    )
    driver.find_element("id", "ticket-comment").send_keys("已核实,正在整改")
    driver.find_element("id", "ticket-respond").click()
    wait_for(driver, "document.getElementById('ticket-state').textContent === '已反馈'", 90)
    history = driver.find_element("id", "ticket-history").text
    assert "反馈" in history and "已核实,正在整改" in history and "province_clerk" in history
    confirmation = driver.find_element("id", "ticket-confirmation")  # the buttons are gone for 经办; this stays
    assert confirmation.is_displayed() and "工单 #1 反馈已提交" in confirmation.text, confirmation.text
    screenshot(driver, "warnings-ticket-1440x900")


def test_the_reviewer_opens_the_attachment_and_sees_the_closing_confirmed(open_browser, rules_ran):
    import base64

    from dashboard.risk import tickets
    from queries.regions import region_tree
    from tests.signin import ensure_user

    content = b"%PDF-1.4 rectification report"
    clerk = ensure_user("province_clerk", "经办", "430000")
    attachment = tickets.read_upload(
        "整改报告.pdf", "data:application/pdf;base64," + base64.b64encode(content).decode()
    )
    tickets.act(state_engine(), 1, tickets.RESPOND, clerk, tree=region_tree(), comment="已整改", attachment=attachment)
    driver = open_browser(1440, 900, user="province_reviewer", role="审核", region="430000")
    driver.set_script_timeout(120)
    driver.go("/warnings?region=430000&year=2024&period=1-12&ticket=1")
    link = wait_for(driver, "document.querySelector('#ticket-history a.ticket-attachment')", 60)
    assert "整改报告.pdf" in link.text
    fetched = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "fetch(arguments[0].href).then(r => r.arrayBuffer().then(b => done([r.status,"
        " r.headers.get('content-type'), r.headers.get('content-disposition'), b.byteLength])));",
        link,
    )
    assert (
        fetched[:2] == [200, "application/pdf"] and fetched[2].startswith("attachment;") and fetched[3] == len(content)
    )
    wait_for_dash_idle(driver, 30)
    driver.find_element("id", "ticket-comment").send_keys("同意销号")
    accept = driver.find_element("id", "ticket-accept")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", accept)
    accept.click()
    wait_for(driver, "document.getElementById('ticket-state').textContent === '已销号'", 90)
    confirmation = driver.find_element("id", "ticket-confirmation")
    assert confirmation.is_displayed() and "工单 #1 已销号" in confirmation.text, confirmation.text
    assert not driver.find_element("id", "ticket-accept").is_displayed()  # nothing more to do on a closed ticket
    screenshot(driver, "warnings-closed-1440x900")


CELL_POINT = (
    "const gd = document.querySelector('#risk-heatmap .js-plotly-plot'), t = gd._fullData[0];"
    " const row = t.y.indexOf(arguments[0]), col = t.x.indexOf(arguments[1]);"
    " const xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis, box = gd.getBoundingClientRect();"
    " return [box.left + xa._offset + xa.l2p(col), box.top + ya._offset + ya.l2p(row), t.text[row][col]];"
)


def click_cell(driver, code: str, topic: str) -> str:
    """Move the mouse onto the heatmap cell (code × topic), let Plotly pick it on hover, click; returns its text.
    The browser's own input events (DevTools Input domain) at the cell's viewport point, taken just before."""
    host = driver.find_element(By.ID, "risk-heatmap")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", host)
    time.sleep(0.3)
    x, y, text = driver.execute_script(CELL_POINT, code, topic)
    for kind in ("mouseMoved", "mousePressed", "mouseReleased"):
        event = {"type": kind, "x": x, "y": y, "button": "left" if kind != "mouseMoved" else "none", "clickCount": 1}
        driver.execute_cdp_cmd("Input.dispatchMouseEvent", event)
        time.sleep(0.4 if kind == "mouseMoved" else 0.05)
    return text


def test_a_real_click_on_a_heatmap_cell_opens_its_evidence_or_drills(open_browser, rules_ran):
    """The click a person makes: Plotly's own event through dcc.Graph (which drops a heatmap point's customdata)."""
    driver = open_browser(1440, 900)
    driver.set_script_timeout(120)
    driver.go("/risk?region=430000&year=2024&period=1-12")
    wait_for(
        driver,
        "document.querySelector('#risk-heatmap .js-plotly-plot') &&"
        " document.querySelector('#risk-heatmap .js-plotly-plot')._fullData",
        60,
    )
    wait_for_dash_idle(driver, 30)
    cells = driver.execute_script(
        "const t = document.querySelector('#risk-heatmap .js-plotly-plot')._fullData[0];"
        " return t.y.flatMap((code, r) => t.x.map((topic, c) => [code, topic, t.text[r][c]]));"
    )
    graded = next(c for c in cells if c[0] == "430100" and c[2] != "正常")
    normal = next(c for c in cells if c[2] == "正常")
    for _attempt in range(3):
        assert click_cell(driver, graded[0], graded[1]) == graded[2]
        try:
            card = wait_for(
                driver,
                "document.getElementById('risk-evidence') && document.getElementById('risk-evidence').textContent",
                5,
            )
            break
        except pytest.fail.Exception:
            continue
    else:
        pytest.fail("a click on a graded cell opened no evidence")
    assert f"长沙市 · {graded[1]} · 预警证据" in card
    screenshot(driver, "risk-1440x900-evidence")
    click_cell(driver, normal[0], normal[1])
    wait_for(driver, f"location.search.includes('region={normal[0]}')", 15, "a click on a normal cell did not drill")


@pytest.mark.parametrize("width, height", [(390, 844)])
def test_warnings_page_fits(open_browser, rules_ran, width, height):
    driver = open_browser(width, height)
    driver.set_script_timeout(120)
    driver.go("/warnings?region=430000&year=2024&period=1-12&grade=红&ticket=2")
    wait_for(driver, "document.querySelectorAll('#ticket-table tbody tr').length > 0", 30)
    wait_for_dash_idle(driver, 30)
    size = page_overflow(driver)
    assert size["scrollWidth"] <= size["width"], size
    # the 状态 column is in view on a phone: every cell of it inside the viewport, the table not cut by its box
    cells = driver.execute_script(
        "return [...document.querySelectorAll('#ticket-table .ticket-state-cell')].map(c => {"
        " const r = c.getBoundingClientRect(); return [c.textContent, r.left, r.right, r.width]; })"
    )
    assert cells and all(left >= 0 and right <= width and w > 0 for _t, left, right, w in cells), cells[:3]
    box = driver.execute_script(
        "const b = document.querySelector('#ticket-table').parentElement; return [b.scrollWidth, b.clientWidth]"
    )
    screenshot(driver, f"warnings-{width}x{height}")
    assert box[0] <= box[1], box  # nothing of the table hidden behind a sideways scroll
