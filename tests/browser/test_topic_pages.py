"""/revenue and /spending in a real browser: the store's numbers at desktop, tablet and phone sizes without sideways
scroll and with touch-sized controls; the pager walks the drill-through table; a chart click filters the page
through the URL and Back undoes it."""

from __future__ import annotations

import time
from decimal import ROUND_HALF_UP, Decimal

import pytest
import sqlalchemy as sa
from selenium.webdriver.common.action_chains import ActionChains

from tests.browser.driver import every_chart, page_overflow, screenshot, text_by_id, wait_for, wait_for_dash_idle

SIZES = [(1440, 900), (1024, 768), (390, 844)]
CITY = "region=430100&year=2024&period=1-6"


def _yi(amount: Decimal) -> str:
    return f"{(amount / Decimal(10**8)).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,.2f}"


def _expected(duck) -> dict[str, str]:
    with duck.connect() as conn:
        revenue, paid = conn.execute(
            sa.text("""
            select (select sum(amount) from revenue where city_code = '430100'
                      and collect_date between date '2024-01-01' and date '2024-06-30'),
                   (select sum(amount) from payment where city_code = '430100'
                      and pay_date between date '2024-01-01' and date '2024-06-30')""")
        ).one()
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


# Horizontal bar charts whose left margin Plotly had to grow for their labels (automargin then draws the chart a
# second time): dashboard/ui/figures/theme.fit_category_labels sizes it beforehand.
GREW = """return [...document.querySelectorAll('.topic-graph .js-plotly-plot')]
  .filter(gd => gd.data.length && gd.data.every(t => t.type === 'bar' && t.orientation === 'h'))
  .filter(gd => Math.round(gd._fullLayout._size.l) > gd.layout.margin.l)
  .map(gd => [gd.layout.title.text, gd.layout.margin.l, gd._fullLayout._size.l]);"""


@pytest.mark.parametrize("width, height", SIZES, ids=lambda v: str(v))
def test_topic_pages_show_the_store_at_every_size(open_browser, duck, width, height):
    expected = _expected(duck)
    driver = open_browser(width, height)
    driver.set_script_timeout(120)  # a loaded CI machine may keep the page busy drawing eleven charts
    for path, kpi, name in (("/revenue", "kpi-revenue", "revenue"), ("/spending", "kpi-paid", "spending")):
        driver.go(f"{path}?{CITY}")
        shown = wait_for(
            driver, f"document.getElementById('{kpi}') && document.getElementById('{kpi}').textContent", timeout=90
        )
        assert shown == expected[kpi]
        wait_for(driver, f"document.getElementById('{name}-records') !== null", timeout=90)
        wait_for_dash_idle(driver, timeout=90)
        wait_for(
            driver,
            every_chart(
                "[...document.querySelectorAll('.topic-graph')]"
                ".every(g => g.querySelector('.main-svg') && !g.querySelector('.cockpit-chart-waiting'))"
            ),
            timeout=90,
        )  # every chart drawn, so the page has its final height
        assert driver.execute_script(GREW) == [], "bar labels did not fit the margin: the chart was drawn twice"
        size = page_overflow(driver)
        assert size["scrollWidth"] <= size["width"], (path, size)
        chosen = text_by_id(driver, f"{name}-year-value"), text_by_id(driver, f"{name}-period-value")
        assert chosen == ("2024年", "上半年累计"), (
            f"the filter bar does not show the address's year and period: {chosen}"
        )
        drawn, sent = driver.execute_script(
            f"const b = document.querySelector('#{name}-records tbody');"
            " return [b.querySelectorAll('tr').length, JSON.parse(b.getAttribute('data-html')).length];"
        )  # the rows come as data (dashboard/ui/frozen.py): each one drawn
        assert drawn == sent > 0, (drawn, sent)
        if width < 768:
            assert _small_targets(driver) == []
        screenshot(driver, f"{name}-{width}x{height}")
        driver.execute_script(
            "const r = document.getElementById(arguments[0]).getBoundingClientRect();"
            "window.scrollTo(0, r.top + window.scrollY - 80);",
            f"{name}-records",
        )
        screenshot(driver, f"{name}-{width}x{height}-table")


def test_chart_click_filters_through_the_url_back_undoes_it_and_the_pager_walks(open_browser):
    driver = open_browser(1440, 900)
    driver.set_script_timeout(120)  # a loaded CI machine may keep the page busy drawing eleven charts
    driver.go(f"/spending?{CITY}")
    label = wait_for(
        driver,
        "document.getElementById('spending-page-label') && document.getElementById('spending-page-label').textContent",
        timeout=90,
    )
    assert label.startswith("第 1 /")
    wait_for_dash_idle(driver, timeout=90)
    first_row = driver.execute_script("return document.querySelector('#spending-records tbody tr').textContent")
    driver.execute_script("""[...document.querySelectorAll('.btn-pager')].find(b => b.textContent === '下一页')
                             .click()""")
    wait_for(driver, "document.getElementById('spending-page-label').textContent.startsWith('第 2 /')", timeout=60)
    assert driver.execute_script("return document.querySelector('#spending-records tbody tr').textContent") != first_row

    before = driver.execute_script("return document.getElementById('kpi-paid').textContent")
    wait_for(
        driver,
        every_chart("[...document.querySelectorAll('.topic-graph')].every(g => g.querySelector('.main-svg'))"),
        timeout=90,
    )
    find_bar = """const econ = [...document.querySelectorAll('.topic-graph')].find(g => g.id.includes('"slot":"econ"'));
                  return econ.querySelector('.point path');"""
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", driver.execute_script(find_bar))
    for _attempt in range(3):  # a click while Plotly still re-lays out the chart (responsive resize) can be lost
        ActionChains(driver).move_to_element(driver.execute_script(find_bar)).click().perform()  # via drag layer
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and not driver.execute_script("return location.search.includes('econ=')"):
            time.sleep(0.2)
        if driver.execute_script("return location.search.includes('econ=')"):
            break
    url = wait_for(driver, "location.search.includes('econ=') && location.search", timeout=60)
    paid = "(document.getElementById('kpi-paid') || {}).textContent"  # the page re-renders from the new URL
    wait_for(driver, f"{paid} && {paid} !== '{before}'", timeout=90)
    assert "region=430100" in url and "period=1-6" in url
    wait_for_dash_idle(driver, timeout=90)
    screenshot(driver, "spending-1440x900-filtered")
    driver.back()
    wait_for(driver, "!location.search.includes('econ=')", timeout=60)
    wait_for(driver, f"{paid} === '{before}'", timeout=90)
