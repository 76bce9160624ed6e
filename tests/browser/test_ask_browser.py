"""The question box in a real browser: typed on `/` and sent with Enter, the first example of the issue opens
/spending for 长沙市 with function 205 and shows the one-sentence answer with the store's number; the box is named
for screen readers, fits a phone without sideways scroll, and sits on the screen view too."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import parse_qs, urlsplit

import sqlalchemy as sa
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from tests.browser.driver import page_overflow, screenshot, wait_for, wait_for_dash_idle

QUESTION = "长沙市今年教育支出进度"


def _rate(duck) -> tuple[int, int, str]:
    with duck.connect() as conn:
        year, month = conn.execute(
            sa.text(
                "SELECT year, MAX(month) FROM mart_payment_month WHERE year = (SELECT MAX(year) FROM mart_payment_month) GROUP BY year"
            )
        ).one()
        paid, budget = conn.execute(
            sa.text(
                "SELECT (SELECT SUM(amount) FROM mart_payment_month WHERE year = :y AND month <= :m "
                "AND city_code = '430100' AND func_code = '205'), (SELECT SUM(amount) FROM mart_indicator_year "
                "WHERE year = :y AND city_code = '430100' AND func_code = '205')"
            ),
            {"y": year, "m": month},
        ).one()
    rate = (Decimal(paid) / Decimal(budget) * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return int(year), int(month), f"{rate}%"


def test_the_first_example_works_from_the_box_on_the_overview(open_browser, duck):
    year, month, rate = _rate(duck)
    width, height = 1920, 1080
    driver = open_browser(width, height)
    driver.go("/")
    wait_for(driver, "document.getElementById('ask-q')", message="the question box")
    wait_for_dash_idle(driver)  # the rendered page has replaced the static first paint (inert: it takes no typing)
    named = driver.execute_script(
        "const i = document.getElementById('ask-q'); return [i.labels.length ? i.labels[0].textContent : '',"
        " i.closest('form').getAttribute('role'), i.closest('form').getAttribute('aria-label')]"
    )
    assert named == ["问数", "search", "问数:用中文提问,回车查看答案"]
    box = driver.find_element(By.ID, "ask-q")
    box.send_keys(QUESTION + Keys.ENTER)
    wait_for(driver, "location.pathname === '/spending'", timeout=30, message="navigates to /spending")
    wait_for(driver, "document.getElementById('ask-answer')?.textContent.includes('执行率')", timeout=30)
    wait_for_dash_idle(driver, 30)
    query = {k: v[0] for k, v in parse_qs(urlsplit(driver.current_url).query).items()}
    assert query == {"region": "430100", "year": str(year), "period": f"1-{month}", "func": "205", "ask": QUESTION}
    answer = driver.find_element(By.ID, "ask-answer")
    assert answer.get_attribute("role") == "status"
    assert f"长沙市{year}年1-{month}月教育支出执行率 {rate}" in answer.text
    assert driver.find_element(By.ID, "ask-q").get_attribute("value") == QUESTION
    screenshot(driver, f"ask-answer-{width}x{height}")
    driver.find_element(By.ID, "ask-q").clear()
    driver.find_element(By.ID, "ask-q").send_keys("今天天气怎么样" + Keys.ENTER)
    wait_for(driver, "document.getElementById('ask-answer')?.textContent.includes('没有理解')", timeout=30)
    assert urlsplit(driver.current_url).path == "/spending"  # back on the page it was asked from
    assert 2 <= len(driver.find_elements(By.CSS_SELECTOR, "#ask-answer a.ask-suggestion")) <= 3


def test_the_box_fits_a_phone(open_browser):
    driver = open_browser(390, 844)
    driver.go("/")
    wait_for(driver, "document.getElementById('ask-q')")
    wait_for_dash_idle(driver, 30)
    box = driver.find_element(By.ID, "ask-q").rect
    assert box["height"] >= 44 and box["x"] >= 0 and box["x"] + box["width"] <= 390, box
    overflow = page_overflow(driver)
    assert overflow["scrollWidth"] <= overflow["clientWidth"] + 1, overflow
    screenshot(driver, "ask-box-390x844")


def test_the_screen_has_the_box(open_browser):
    driver = open_browser(1920, 1080)
    driver.go("/screen")
    wait_for(driver, "document.querySelector('.screen-root') && document.getElementById('ask-q')", timeout=30)
    shown = driver.execute_script(
        "const r = document.getElementById('ask-q').getBoundingClientRect();"
        "const top = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);"
        "return r.width > 100 && r.height > 10 && top === document.getElementById('ask-q');"
    )
    assert shown, "the box is visible above the wall layout"
    screenshot(driver, "ask-screen-1920x1080")
