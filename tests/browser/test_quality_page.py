"""/quality in a real browser at desktop and phone sizes: the headline is the store's 总分, both charts have drawn,
the rules table and the failing records show, and nothing scrolls sideways. Screenshots for people to look at."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.browser.driver import every_chart, page_overflow, screenshot, wait_for, wait_for_dash_idle

SIZES = [(1920, 1080), (390, 844)]


@pytest.fixture(scope="module")
def expected(duck) -> str:
    with duck.connect() as conn:
        score = conn.execute(
            sa.text(
                "SELECT score FROM quality_score WHERE level = 'province' AND region_code = '430000' "
                "AND year = 2024 AND quarter = 0 AND item = '总分'"
            )
        ).scalar_one()
    return f"{float(score):.2f}"


@pytest.mark.parametrize("width, height", SIZES)
def test_quality_page_fits_the_screen_and_shows_the_store(open_browser, expected, width, height):
    driver = open_browser(width, height)
    driver.set_script_timeout(120)  # two cores shared by many: a busy renderer must not fail a check
    driver.go("/quality?region=430000&year=2024&period=1-12")
    shown = wait_for(
        driver,
        "document.getElementById('kpi-quality') && document.getElementById('kpi-quality').textContent",
        timeout=90,
        message="quality headline",
    )
    assert shown == expected
    wait_for(
        driver,
        every_chart(
            "document.querySelectorAll('.topic-quality .js-plotly-plot .main-svg').length >= 2 "
            "&& document.getElementById('quality-records') && document.getElementById('quality-rules-table')"
        ),
        timeout=90,
        message="quality charts, rules and records",
    )
    wait_for_dash_idle(driver, timeout=60)
    size = page_overflow(driver)
    assert size["scrollWidth"] <= size["width"] == width, size
    screenshot(driver, f"quality-{width}x{height}")
    for part in ("ranking", "table"):
        driver.execute_script(f"document.getElementById('quality-{part}').scrollIntoView({{behavior: 'instant'}})")
        wait_for(
            driver,
            f"Math.abs(document.getElementById('quality-{part}').getBoundingClientRect().top) < 80 "
            "|| window.innerHeight + window.scrollY >= document.body.scrollHeight - 2",
            timeout=60,
        )
        screenshot(driver, f"quality-{width}x{height}-{part}")
