"""`/screen?rotate=<seconds>` shows its board cycle: the current board among the four, the cycle's progress, and a
named pause / resume button that works from the keyboard. The wall still fits its 1920×1080 exactly."""

from __future__ import annotations

import time

from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from tests.browser.driver import page_overflow, screenshot, wait_for, wait_for_dash_idle

SECONDS = 5


def _current(driver) -> str:
    return driver.execute_script(
        "const s = document.querySelector('#rotate-steps .rotate-step-current'); return s ? s.textContent : ''"
    )


def test_the_rotation_shows_its_board_and_progress_and_pauses_from_the_keyboard(open_browser):
    driver = open_browser(1920, 1080)
    driver.go(f"/screen?rotate={SECONDS}")
    wait_for(driver, "document.getElementById('kpi-revenue') && document.getElementById('kpi-revenue').textContent", 60)
    wait_for(driver, "document.querySelector('#rotate-steps .rotate-step-current')", 15)
    steps = driver.execute_script(
        "return [...document.querySelectorAll('#rotate-steps .rotate-step')].map(s => s.textContent)"
    )
    assert steps == ["综合", "收入", "支出", "风险"]
    assert _current(driver) == "综合"
    progress = driver.find_element(By.ID, "rotate-progress")
    assert progress.get_attribute("role") == "progressbar" and progress.get_attribute("aria-label") == "本轮轮播进度"
    wait_for(driver, "document.getElementById('screen-grid').className.includes('board-revenue')", SECONDS * 3)
    assert _current(driver) == "收入"
    assert int(progress.get_attribute("aria-valuenow")) > 25  # a quarter of the cycle done, and more
    assert "收入 2/4" in driver.find_element(By.ID, "rotate-current").get_attribute("textContent")
    size = page_overflow(driver)
    assert (size["scrollWidth"], size["scrollHeight"]) == (1920, 1080), size
    screenshot(driver, "screen-rotation-1920")

    button = driver.find_element(By.ID, "rotate-toggle")
    assert button.text == "暂停轮播" and button.get_attribute("aria-pressed") == "false"
    button.send_keys(Keys.ENTER)  # a real button: the keyboard presses it
    wait_for(driver, "document.getElementById('rotate-toggle').textContent === '继续轮播'", 5)
    assert button.get_attribute("aria-pressed") == "true"
    paused_on, paused_at = _current(driver), progress.get_attribute("aria-valuenow")
    time.sleep(SECONDS * 1.5)  # longer than a board's turn: nothing moves while paused
    assert (_current(driver), progress.get_attribute("aria-valuenow")) == (paused_on, paused_at)
    button.send_keys(Keys.SPACE)
    wait_for(driver, "document.getElementById('rotate-toggle').textContent === '暂停轮播'", 5)
    wait_for(
        driver,
        f"document.querySelector('#rotate-steps .rotate-step-current').textContent !== {paused_on!r}",
        SECONDS * 3,
    )
    wait_for_dash_idle(driver)


def test_a_tile_opens_its_topic_page_for_the_same_region_and_period(open_browser):
    driver = open_browser(1920, 1080)
    driver.go("/screen?region=430100&year=2024&period=1-6")
    wait_for(driver, "document.getElementById('kpi-revenue') && document.getElementById('kpi-revenue').textContent", 60)
    wait_for_dash_idle(driver)  # the static first paint has been replaced by the rendered page
    links = driver.execute_script(
        "return [...document.querySelectorAll('.screen-kpis a.screen-tile-link')].map(a => a.getAttribute('href'))"
    )
    assert len(links) == 6 and links[0] == "/revenue?region=430100&year=2024&period=1-6", links
    assert (
        "/debt?region=430100&year=2024&period=1-6" in links and "/transfers?region=430100&year=2024&period=1-6" in links
    )
    for _attempt in range(
        5
    ):  # the tiles may be redrawn (first paint, then the data-version check) between find and key
        try:
            driver.find_element(By.CSS_SELECTOR, ".screen-kpis a.screen-tile-link").send_keys(Keys.ENTER)
            break  # a link: the keyboard opens it too
        except StaleElementReferenceException:
            time.sleep(0.5)
    wait_for(driver, "location.pathname === '/revenue' && location.search.includes('region=430100')", 30)
    wait_for(driver, "(document.querySelector('h1') || {}).textContent", 60)


def test_the_wall_with_its_pairing_card_and_rotation_bar_has_no_serious_axe_violation(open_browser):
    from tests.browser.test_accessibility import _axe, _report, _settle

    driver = open_browser(1920, 1080, user="wall_axe", role="领导")
    driver.set_script_timeout(120)
    driver.go(f"/screen?wall=axe-1&rotate={SECONDS * 6}")
    _settle(driver)
    wait_for(driver, "document.getElementById('wall-code')", 30)
    violations = _axe(driver)
    assert not violations, _report({"/screen?wall&rotate": violations})
