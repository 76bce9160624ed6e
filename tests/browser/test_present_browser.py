"""Presenter mode in two browsers: a tablet (1024×768) on /present pairs with a wall (1920×1080) on
/screen?wall=…, and every drill, board, metric and period change on the tablet moves the wall. The latency from the
tap on the tablet to the wall showing the new view is measured and printed (p50 and max over the moves); the bound
asserted is generous (the machine is shared), the issue's target is 1 s."""

from __future__ import annotations

import statistics
import time

from selenium.webdriver.common.by import By

from tests.browser.driver import page_overflow, screenshot, wait_for, wait_for_dash_idle

BOUND_SECONDS = 10.0  # generous: a shared, loaded CI machine (the issue asks for 1 s); the measurement is printed


def _follow(wall, script: str, started: float, what: str) -> float:
    """Seconds from `started` until `script` is truthy on the wall (polled every 20 ms)."""
    deadline = started + BOUND_SECONDS
    while time.monotonic() < deadline:
        if wall.execute_script(f"return ({script});"):
            return time.monotonic() - started
        time.sleep(0.02)
    raise AssertionError(f"the wall did not follow '{what}' within {BOUND_SECONDS}s ({script})")


def _wall_title(region_name: str) -> str:
    return f"(document.getElementById('screen-title')?.textContent || '').startsWith({region_name!r})"


def test_a_tablet_pairs_with_a_wall_and_the_wall_follows_every_move(open_browser):
    wall = open_browser(1920, 1080, user="wall_hall", role="领导", region="430000")
    wall.go("/screen?wall=hall-1")
    code = wait_for(
        wall,
        "(() => { const c = document.getElementById('wall-code'); return c && /^[0-9]{6}$/.test(c.textContent)"
        " && c.textContent; })()",
        timeout=30,
        message="the wall never showed a pairing code",
    )
    assert wall.execute_script("return document.querySelector('.wall-qr').src.startsWith('data:image/svg+xml')")
    wait_for_dash_idle(wall, timeout=30)
    screenshot(wall, "present-wall-pairing-1920")

    tablet = open_browser(1024, 768, user="present_lead", role="领导", region="430000")
    tablet.go(f"/present?pair={code}")
    wait_for(tablet, "document.querySelectorAll('#present-child-list [data-region]').length >= 14", timeout=30)
    assert tablet.find_element(By.ID, "present-code").get_attribute("value") == code  # from the QR code's URL
    tablet.find_element(By.ID, "present-pair").click()
    wait_for(
        tablet, "(document.getElementById('present-pair-status')?.textContent || '').includes('已配对大屏 hall-1')"
    )
    wait_for(wall, "(document.getElementById('wall-presenter')?.textContent || '').includes('present_lead')", timeout=5)
    assert "领导" in wall.find_element(By.ID, "wall-presenter").text

    latencies: list[float] = []

    def tap(element_script: str, expected: str, what: str) -> None:
        wait_for_dash_idle(tablet)
        wait_for_dash_idle(wall)
        target = tablet.execute_script(f"const e = {element_script}; e.scrollIntoView({{block: 'center'}}); return e;")
        started = time.monotonic()
        tablet.execute_script("arguments[0].click()", target)
        latencies.append(_follow(wall, expected, started, what))

    screenshot(tablet, "present-tablet-paired-1024")
    first = tablet.execute_script("return document.querySelector('#present-child-list [data-region]')")
    city, city_name = first.get_attribute("data-region"), first.find_element(By.CLASS_NAME, "present-child-name").text
    tap(f"document.querySelector('#present-child-list [data-region=\"{city}\"]')", _wall_title(city_name), "drill")
    assert f"region={city}" in wall.execute_script("return location.search")
    wait_for(tablet, "document.querySelectorAll('#present-child-list [data-region]').length >= 1")
    county = tablet.execute_script("return document.querySelector('#present-child-list [data-region]')")
    county_code = county.get_attribute("data-region")
    county_name = county.find_element(By.CLASS_NAME, "present-child-name").text
    tap(
        f"document.querySelector('#present-child-list [data-region=\"{county_code}\"]')",
        _wall_title(county_name),
        "drill to a county",
    )
    tap("document.querySelector('.present-crumbs button')", _wall_title("湖南省"), "back up to the province")
    tap(
        "[...document.querySelectorAll('#present-board label')].find(l => l.textContent.includes('收入'))",
        "document.getElementById('screen-grid').className.includes('board-revenue')",
        "board",
    )
    tap(
        "[...document.querySelectorAll('#present-metric label')].find(l => l.textContent.includes('风险等级'))",
        "document.querySelector('#screen-metric input[value=\"risk\"]')?.checked",
        "metric",
    )
    wait_for_dash_idle(tablet)
    period = tablet.find_element(By.CSS_SELECTOR, "#present-period button, #present-period")
    tablet.execute_script("arguments[0].scrollIntoView({block: 'center'})", period)
    period.click()
    option = wait_for(
        tablet,
        "[...document.querySelectorAll('.dash-dropdown-option[role=option]')]"
        ".find(o => o.textContent.trim() === '1-6月')",
    )
    tablet.execute_script("arguments[0].scrollIntoView({block: 'nearest'})", option)
    started = time.monotonic()
    option.click()
    latencies.append(
        _follow(wall, "document.getElementById('screen-title').textContent.includes('1-6月')", started, "period")
    )

    wait_for_dash_idle(wall)
    size = page_overflow(wall)
    assert (size["scrollWidth"], size["scrollHeight"]) == (1920, 1080), size  # the strip overlays, never grows it
    screenshot(wall, "present-wall-following-1920")
    screenshot(tablet, "present-tablet-1024")
    p50, worst = statistics.median(latencies), max(latencies)
    print(
        f"\npresenter → wall latency over {len(latencies)} moves: p50 {p50 * 1000:.0f} ms, max {worst * 1000:.0f} ms "
        f"({', '.join(f'{s * 1000:.0f}' for s in latencies)} ms)"
    )
    assert worst < BOUND_SECONDS
    # the tiles of a wall a presenter drives open nothing (the tablet decides); a free /screen's tiles do
    assert wall.execute_script("return document.querySelectorAll('.screen-kpis a.screen-tile-link').length") == 0
