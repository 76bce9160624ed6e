"""The ranking switch in a real browser: /revenue of 长沙市 per capita, a click on 同类排名 pushes `rank=peer` into
the URL and shows the ranks among peers, Back returns to 人均; both views pass axe (WCAG 2.1 AA, serious and
critical), and a county's page says its rank among its peers."""

from __future__ import annotations

from tests.browser.driver import screenshot, text_by_id, wait_for, wait_for_dash_idle
from tests.browser.test_accessibility import AXE, RUN_AXE, WCAG_TAGS

QUERY = "region=430100&year=2024&period=1-9"


def _axe(driver) -> list[dict]:
    driver.execute_script(AXE.read_text(encoding="utf-8"))
    return driver.execute_async_script(RUN_AXE % WCAG_TAGS)


def _ranking_text(driver) -> str:
    return driver.execute_script(
        "return (document.getElementById('revenue-ranking-table') || {innerText: ''}).innerText"
    )


def _click(driver, element_id: str) -> None:
    """Click the link as its own click event (dcc.Link pushes the URL from it)."""
    driver.execute_script("document.getElementById(arguments[0]).click()", element_id)


def test_switching_to_peers_and_back(open_browser):
    driver = open_browser(1440, 900, user="peers_browser", role="分析")
    driver.set_script_timeout(120)
    driver.go(f"/revenue?{QUERY}&rank=capita")
    wait_for(driver, "document.getElementById('revenue-ranking-table') !== null", timeout=90)
    wait_for_dash_idle(driver, timeout=90)
    assert "人均一般公共预算收入(元/人)" in _ranking_text(driver) and "常住人口(万人)" in _ranking_text(driver)
    assert _axe(driver) == []
    _click(driver, "revenue-rank-peer")
    wait_for(driver, "window.location.search.includes('rank=peer')", message="the switch did not push rank=peer")
    wait_for(
        driver,
        "(document.getElementById('revenue-ranking-table') || {innerText: ''}).innerText.includes('同类组')",
        timeout=60,
        message="the peer ranking never showed",
    )
    wait_for_dash_idle(driver, timeout=60)
    assert "/36" in _ranking_text(driver)  # 长沙's districts among the province's 36 市辖区
    assert _axe(driver) == []
    driver.execute_script("document.getElementById('revenue-ranking').scrollIntoView()")
    screenshot(driver, "peer-ranking-revenue")
    driver.back()
    wait_for(driver, "window.location.search.includes('rank=capita')", message="Back did not return to 人均")
    wait_for(
        driver,
        "(document.getElementById('revenue-ranking-table') || {innerText: ''}).innerText.includes('常住人口')",
        timeout=60,
    )


def test_a_countys_page_says_its_rank_among_peers(open_browser):
    driver = open_browser(1440, 900, user="peers_browser", role="分析")
    driver.go("/spending?region=430102&year=2024&period=1-9")
    wait_for(driver, "document.getElementById('spending-own-peer') !== null", timeout=90)
    line = text_by_id(driver, "spending-own-peer")
    assert line.startswith("芙蓉区常住人口") and "个同类地区(市辖区)中从高到低排第" in line, line
