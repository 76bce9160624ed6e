"""/revenue and /spending in a real browser: the store's numbers at desktop, tablet and phone sizes without sideways
scroll and with touch-sized controls; a chart click filters the page through the URL and Back undoes it; the pager
walks the drill-through table."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest
import sqlalchemy as sa

from tests.browser.conftest import page_overflow, screenshot, wait_for, wait_for_dash_idle

SIZES = [(1440, 900), (1024, 768), (390, 844)]
CITY = "region=430100&year=2024&period=1-6"


def _yi(amount: Decimal) -> str:
    return f"{(amount / Decimal(10**8)).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,.2f}"


def _expected(duck) -> dict[str, str]:
    with duck.connect() as conn:
        revenue, paid = conn.execute(sa.text("""
            select (select sum(amount) from revenue where city_code = '430100'
                      and collect_date between date '2024-01-01' and date '2024-06-30'),
                   (select sum(amount) from payment where city_code = '430100'
                      and pay_date between date '2024-01-01' and date '2024-06-30')""")).one()
    return {"kpi-revenue": _yi(revenue), "kpi-paid": _yi(paid)}


def _small_targets(driver) -> list[str]:
    """Buttons, pager, sort headers and filter selects smaller than 44 px in either direction."""
    return driver.execute_script("""
        const out = [];
        for (const el of document.querySelectorAll('.btn-pager, .btn-sort, .filter-cell .Select-control,'
                                                   + ' .filter-cell .dash-dropdown')) {
          const r = el.getBoundingClientRect();
          if (r.width > 0 && (r.height < 44 || r.width < 44)) out.push(el.className + ' ' + r.width + 'x' + r.height);
        }
        return out;""")


@pytest.mark.parametrize("width, height", SIZES, ids=lambda v: str(v))
def test_topic_pages_show_the_store_at_every_size(open_browser, duck, width, height):
    expected = _expected(duck)
    driver = open_browser(width, height)
    for path, kpi, name in (("/revenue", "kpi-revenue", "revenue"), ("/spending", "kpi-paid", "spending")):
        driver.go(f"{path}?{CITY}")
        shown = wait_for(driver, f"document.getElementById('{kpi}') && document.getElementById('{kpi}').textContent",
                         timeout=30)
        assert shown == expected[kpi]
        wait_for(driver, f"document.getElementById('{name}-records') !== null", timeout=30)
        wait_for_dash_idle(driver, timeout=30)
        size = page_overflow(driver)
        assert size["scrollWidth"] <= size["width"], (path, size)
        if width < 768:
            assert _small_targets(driver) == []
        screenshot(driver, f"{name}-{width}x{height}")
        driver.execute_script("const r = document.getElementById(arguments[0]).getBoundingClientRect();"
                              "window.scrollTo(0, r.top + window.scrollY - 80);", f"{name}-records")
        screenshot(driver, f"{name}-{width}x{height}-table")


def test_chart_click_filters_through_the_url_and_back_undoes_it(open_browser):
    driver = open_browser(1440, 900)
    driver.go(f"/spending?{CITY}")
    wait_for(driver, "document.getElementById('spending-records') !== null", timeout=60)
    wait_for_dash_idle(driver, timeout=60)
    before = driver.execute_script("return document.getElementById('kpi-paid').textContent")
    # the first bar of the economic-class chart (a filter chart)
    bar = driver.execute_script("""
        const graphs = [...document.querySelectorAll('.topic-graph')];
        const econ = graphs.find(g => g.id.includes('"slot":"econ"'));
        return econ.querySelector('.point path');""")
    bar.click()
    url = wait_for(driver, "location.search.includes('econ=') && location.search", timeout=15)
    wait_for(driver, f"document.getElementById('kpi-paid').textContent !== '{before}'", timeout=30)
    assert "region=430100" in url and "period=1-6" in url
    screenshot(driver, "spending-1440x900-filtered")
    driver.back()
    wait_for(driver, "!location.search.includes('econ=')", timeout=15)
    wait_for(driver, f"document.getElementById('kpi-paid').textContent === '{before}'", timeout=30)


def test_pager_walks_the_table(open_browser):
    driver = open_browser(1024, 768)
    driver.go(f"/spending?{CITY}")
    label = wait_for(driver, "document.getElementById('spending-page-label') && "
                             "document.getElementById('spending-page-label').textContent", timeout=30)
    assert label.startswith("第 1 /")
    first_row = driver.execute_script("return document.querySelector('#spending-records tbody tr').textContent")
    driver.execute_script("""[...document.querySelectorAll('.btn-pager')].find(b => b.textContent === '下一页')
                             .click()""")
    wait_for(driver, "document.getElementById('spending-page-label').textContent.startsWith('第 2 /')", timeout=30)
    assert driver.execute_script("return document.querySelector('#spending-records tbody tr').textContent") \
        != first_row
