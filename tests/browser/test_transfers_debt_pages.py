"""/transfers and /debt in a real browser at desktop, tablet and phone sizes: the headline is the store's number, every
chart has drawn, and nothing scrolls sideways (tables scroll inside their own box). Screenshots for people to look at.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest
import sqlalchemy as sa

from tests.browser.driver import every_chart, page_overflow, screenshot, wait_for, wait_for_dash_idle

SIZES = [(1440, 900), (1024, 768), (390, 844)]
CHARTS = {"transfers": 5, "debt": 5}


def _yi(amount: Decimal) -> str:
    return f"{(amount / Decimal(10**8)).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,.2f}"


@pytest.fixture(scope="module")
def expected(duck) -> dict[str, str]:
    """The headline of each page at 长沙市 for 2024, from our own SQL."""
    city = "SELECT adcode FROM region WHERE adcode = '430100' OR parent_adcode = '430100'"
    with duck.connect() as conn:
        received = conn.execute(
            sa.text(
                f"SELECT SUM(amount) FROM transfer WHERE to_region IN ({city}) AND from_region NOT IN ({city}) "
                "AND EXTRACT(year FROM transfer_date) = 2024"
            )
        ).scalar_one()
        debt = conn.execute(
            sa.text(
                "SELECT SUM(principal) FROM bond WHERE city_code = '430100' AND issue_date <= DATE '2024-12-31' "
                "AND maturity_date > DATE '2024-12-31'"
            )
        ).scalar_one()
    return {"transfers": _yi(received), "debt": _yi(debt)}


# Per chart and x tick label: inside the chart's svg, and apart from the next label: upright labels' boxes do not
# overlap; slanted ones (rotate in the transform) are at least one line height × √2 apart along the axis.
TICKS_APART = (
    "[...document.querySelectorAll('.js-plotly-plot')].flatMap(gd => {"
    " const svg = gd.querySelector('.main-svg').getBoundingClientRect();"
    " const ticks = [...gd.querySelectorAll('.xtick text')].map(t => [t, t.getBoundingClientRect()]);"
    " return ticks.map(([t, r], i) => { const next = ticks[i + 1];"
    " const slanted = (t.getAttribute('transform') || '').includes('rotate');"
    " const lh = parseFloat(getComputedStyle(t).fontSize) * 1.1;"
    " const apart = !next || (slanted ? (next[1].left + next[1].right - r.left - r.right) / 2 >= lh * 1.41"
    " : next[1].left >= r.right - 0.5);"
    " return [gd.parentElement.id, t.textContent, r.left >= svg.left - 0.5 && r.right <= svg.right + 0.5"
    " && r.bottom <= svg.bottom + 0.5, apart]; }); })"
)


@pytest.mark.parametrize("width, height", SIZES)
def test_pages_fit_the_screen_and_show_the_store(open_browser, expected, width, height):
    driver = open_browser(width, height)
    for key, kpi in (("transfers", "kpi-received"), ("debt", "kpi-debt")):
        driver.go(f"/{key}?region=430100&year=2024&period=1-12")
        shown = wait_for(
            driver,
            f"document.getElementById('{kpi}') && document.getElementById('{kpi}').textContent",
            timeout=90,
            message=f"{key} headline",
        )
        assert shown == expected[key]
        drawn = wait_for(
            driver,
            every_chart(
                f"document.querySelectorAll('.topic-{key} .js-plotly-plot .main-svg').length "
                f">= {CHARTS[key]} && document.getElementById('{key}-records')"
            ),
            timeout=90,
            message=f"{key} charts and table",
        )
        assert drawn
        wait_for_dash_idle(driver, timeout=60)
        for chart, text, inside, apart in driver.execute_script(f"return {TICKS_APART}"):
            assert inside and apart, (key, width, chart, text)  # x labels neither overlap nor run out of the chart
        size = page_overflow(driver)
        assert size["scrollWidth"] <= size["width"] == width, (key, size)
        screenshot(driver, f"{key}-{width}x{height}")
        for part in ("ranking", "table"):  # further down, for people to look at
            driver.execute_script(f"document.getElementById('{key}-{part}').scrollIntoView({{behavior: 'instant'}})")
            wait_for(
                driver,
                f"Math.abs(document.getElementById('{key}-{part}').getBoundingClientRect().top) < 80 "
                "|| window.innerHeight + window.scrollY >= document.body.scrollHeight - 2",
                timeout=60,
            )
            screenshot(driver, f"{key}-{width}x{height}-{part}")
