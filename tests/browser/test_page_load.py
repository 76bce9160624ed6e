"""A light first load (issue 20) in a real browser: the page comes with the shell's layout (the page router's
callback is never asked on a first load) and `/` and `/screen` show their numbers before any callback answered;
nothing shifts (CLS ≤ 0.1); a page keeps only its own stylesheets after moving inside the app; every chart has its
"查看数据" table; and the overview's grid leaves no half-empty row at desktop widths (issue 16).
"""

from __future__ import annotations

import json

import pytest
from selenium.webdriver.common.by import By

from tests.browser.driver import every_chart, screenshot, wait_for, wait_for_dash_idle

CLS = """
window.__cls = 0;
new PerformanceObserver(l => { for (const e of l.getEntries()) if (!e.hadRecentInput) window.__cls += e.value; })
  .observe({type: 'layout-shift', buffered: true});
"""

# Every card of the grid shares its row band with cards that together span the grid from edge to edge, with no
# hole wider than the grid's gap: [card, left gap, holes, right gap] for each card that does not.
GRID_HOLES = """
const grid = document.querySelector('.overview-grid'), g = grid.getBoundingClientRect();
const gap = parseFloat(getComputedStyle(grid).columnGap) || 0;
const cards = [...grid.children].filter(c => c.getBoundingClientRect().height > 0);
return cards.map(c => {
  const r = c.getBoundingClientRect();
  const beside = cards.map(o => o.getBoundingClientRect())
    .filter(o => o.top < r.bottom - 1 && o.bottom > r.top + 1).sort((a, b) => a.left - b.left);
  let holes = 0;
  for (let i = 1; i < beside.length; i++) holes = Math.max(holes, beside[i].left - beside[i - 1].right - gap);
  return [c.className, beside[0].left - g.left, holes, g.right - Math.max(...beside.map(o => o.right))];
}).filter(([_, left, holes, right]) => left > 1 || holes > 1 || right > 1);
"""


def _dash_posts(driver) -> list[str]:
    """The outputs of every callback the page asked for so far (the URLs go to the harness's host check too)."""
    outputs = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message.get("method") != "Network.requestWillBeSent":
            continue
        request = message["params"]["request"]
        driver.requested.append(request["url"])
        if "_dash-update-component" in request["url"] and request.get("postData"):
            outputs.append(json.loads(request["postData"]).get("output", ""))
    return outputs


def _open(open_browser, width: int, height: int):
    driver = open_browser(width, height)
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": CLS})
    return driver


@pytest.mark.parametrize("width, height", [(1440, 900), (390, 844)])
def test_first_numbers_come_with_the_page_and_nothing_shifts(open_browser, width, height):
    driver = _open(open_browser, width, height)
    for path, tile in (("/?year=2024&period=1-6", "kpi-revenue"), ("/screen?year=2024&period=1-6", "kpi-revenue")):
        driver.get_log("performance")
        driver.go(path)
        text = f"document.getElementById('{tile}') && document.getElementById('{tile}').textContent"
        first = wait_for(driver, text, 60)  # the static first paint's, or already the renderer's
        wait_for_dash_idle(driver, timeout=90)
        wait_for(driver, every_chart("document.querySelectorAll('.js-plotly-plot').length >= 3"), 60, "no charts")
        wait_for_dash_idle(driver, timeout=90)
        posts = _dash_posts(driver)
        assert not any("_pages_content" in p for p in posts), f"{path}: the page router ran on a first load"
        assert driver.execute_script(f"return {text}") == first, f"{path}: the callbacks changed the first number"
        assert driver.execute_script("return document.getElementById('first-paint')") is None
        cls = driver.execute_script("return window.__cls")
        screenshot(driver, f"first-load-{width}-{path.split('?')[0].strip('/') or 'overview'}")
        assert cls <= 0.1, f"{path} at {width}x{height}: cumulative layout shift {cls:.3f}"


@pytest.mark.parametrize("width, height", [(1440, 900), (1920, 1080)])
def test_the_overview_grid_leaves_no_half_empty_row(open_browser, width, height):
    driver = open_browser(width, height)
    driver.go("/?year=2024&period=1-9")
    wait_for(driver, every_chart("document.querySelectorAll('.overview-grid .js-plotly-plot').length === 4"), 60)
    wait_for_dash_idle(driver, timeout=90)
    holes = driver.execute_script(GRID_HOLES)
    driver.execute_script("document.querySelector('.card-trend').scrollIntoView()")
    screenshot(driver, f"overview-grid-{width}x{height}")
    assert not holes, f"rows of the grid are not filled at {width}x{height}: {holes}"


def test_each_chart_has_its_data_table(open_browser):
    driver = open_browser(1440, 900)
    for path, charts in (("/", 4), ("/spending", 7), ("/risk", 3)):
        driver.go(path)
        wait_for_dash_idle(driver, timeout=90)
        wait_for(
            driver,
            f"document.querySelectorAll('.chart-data .chart-data-table, .chart-data .chart-data-empty').length >= {charts}",
            60,
            f"{path}: a chart has no 查看数据 table",
        )
        toggles = driver.find_elements(By.CSS_SELECTOR, "details.chart-data > summary")
        assert len(toggles) >= charts and all(t.text == "查看数据" for t in toggles), path
    driver.go("/")
    wait_for(driver, "document.querySelector('#overview-revenue-mix-data table')", 60)
    summary = driver.find_element(By.CSS_SELECTOR, "#overview-revenue-mix + details > summary, .card-mix summary")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'}); arguments[0].click()", summary)
    rows = driver.execute_script(
        "return [...document.querySelectorAll('#overview-revenue-mix-data table:last-child tbody tr')]"
        ".map(r => r.innerText)"
    )
    bars = driver.execute_script(
        "const g = document.querySelector('#overview-revenue-mix .js-plotly-plot') ||"
        " document.getElementById('overview-revenue-mix');"
        "return g.data.filter(t => t.type === 'bar')[0].customdata"
    )
    assert [r.split("\t")[0] for r in rows] == list(bars), rows  # the top items, by their full names
    assert all(r.endswith("亿元") for r in rows), rows
    screenshot(driver, "overview-chart-data")
    driver.go("/screen")
    wait_for(driver, "document.querySelectorAll('.screen-panel .chart-data .chart-data-table').length >= 4", 60)
    hidden = driver.execute_script(
        "return [...document.querySelectorAll('.screen-panel .chart-data')].every(d => d.offsetWidth <= 1)"
    )
    assert hidden, "the wall's data tables take room on the wall"


def test_a_page_keeps_only_its_own_stylesheets_after_moving_inside_the_app(open_browser):
    driver = open_browser(1440, 900)
    driver.go("/")
    wait_for(driver, "document.querySelector('.navbar') && document.getElementById('overview-title')", 60)
    wait_for_dash_idle(driver, timeout=90)
    sheets = "return [...document.styleSheets].map(s => s.href || '').filter(h => h.includes('/assets/pages/'))"
    assert {h.split("/")[-1].split("?")[0] for h in driver.execute_script(sheets)} == {"overview.css", "map-labels.css"}
    driver.execute_script(  # a link inside the app: no reload (found and clicked at once: the navbar may re-render)
        "[...document.querySelectorAll('.navbar a')].find(a => new URL(a.href).pathname === '/spending').click()"
    )
    wait_for(
        driver, "document.getElementById('spending-title') && document.getElementById('spending-title').textContent", 60
    )
    wait_for(
        driver,
        "![...document.styleSheets].some(s => (s.href || '').includes('/assets/pages/overview.css'))",
        10,
        "the overview's stylesheet stayed after leaving it",
    )
    names = {h.split("/")[-1].split("?")[0] for h in driver.execute_script(sheets)}
    assert names == {"topics.css"}, names
    display = driver.execute_script("return getComputedStyle(document.querySelector('.filter-bar')).display")
    assert display == "grid", "topics.css is not applied on the page opened inside the app"


PLOTLY_BUNDLES = (
    "return performance.getEntriesByType('resource').map(e => e.name).filter(n => n.includes('/plotly-cockpit-'))"
    ".map(n => n.split('/').pop().split('?')[0])"
)
MAP_DRAWN = """(() => {
  const g = document.querySelector('#overview-map .js-plotly-plot');
  return !!(g && g._fullData && g._fullData.some(t => t.type === 'choroplethmap' && t.visible !== false));
})()"""


def test_a_page_without_a_map_loads_the_charts_bundle_and_a_map_page_opened_from_it_draws_its_map(open_browser):
    """/spending draws with the charts bundle only (no MapLibre); moving to / inside the app loads / afresh
    (assets/plotly-bundle.js), with the maps bundle, and its map draws."""
    driver = open_browser(1440, 900)
    driver.go("/spending")
    wait_for(driver, every_chart("document.querySelectorAll('.js-plotly-plot').length >= 3"), 90, "no charts")
    wait_for_dash_idle(driver, timeout=90)
    assert driver.execute_script(PLOTLY_BUNDLES) == ["plotly-cockpit-charts.min.js"]
    driver.execute_script(
        "[...document.querySelectorAll('.navbar .nav-link')].find(a => new URL(a.href).pathname === '/').click()"
    )
    wait_for(driver, MAP_DRAWN, 90, "the overview's map never drew after moving to /")
    assert driver.execute_script(PLOTLY_BUNDLES) == ["plotly-cockpit-maps.min.js"]
    screenshot(driver, "charts-bundle-then-map")


LAST_CHART = "[...document.querySelectorAll('.topic-graph')].at(-1)"
DRAWN = (  # a chart Plotly has drawn its figure in (not only the empty placeholder), and that waits for nothing
    "(g => { const gd = g.querySelector('.js-plotly-plot');"
    " return !!(gd && gd.data && gd.data.length) && !g.querySelector('.cockpit-chart-waiting'); })"
)


def test_a_chart_far_below_a_phone_screen_waits_until_the_page_scrolls_near_it(open_browser):
    """On a phone /spending's last chart is several screens down: it is not drawn with the page (a phone's CPU draws
    the charts it shows first), a screen reader still has its summary, it is drawn at once when the page is printed,
    and once the page scrolls near it (tools/plotly-bundle/one-chart-per-task.js)."""
    driver = open_browser(390, 844)
    driver.go("/spending?year=2024&period=1-6")
    wait_for_dash_idle(driver, timeout=90)
    wait_for(driver, f"{DRAWN}(document.querySelector('.topic-graph'))", 60, "the first chart was not drawn")
    wait_for(driver, f"{LAST_CHART}.querySelector('.cockpit-chart-waiting') !== null", 30, "the last chart was drawn")
    charts = driver.execute_script(
        f"const g = [...document.querySelectorAll('.topic-graph')]; return [g.length, g.filter({DRAWN}).length];"
    )
    assert 0 < charts[1] < charts[0], f"charts on the page, drawn with it: {charts}"
    label = f"{LAST_CHART}.getAttribute('aria-label') || ''"
    wait_for(
        driver, f"({label}).includes('。') && !({label}).includes('暂无数据')", 10, "the waiting chart has no summary"
    )
    printed = driver.execute_script(  # the browser lays a page out for print right after beforeprint
        f"const g = {LAST_CHART}, waited = {DRAWN}(g); window.dispatchEvent(new Event('beforeprint'));"
        f" return [waited, {DRAWN}(g)];"
    )
    assert printed == [False, True], f"the last chart was not drawn at once for printing: {printed}"
    driver.go("/spending?year=2024&period=1-6")
    wait_for_dash_idle(driver, timeout=90)
    wait_for(driver, f"{LAST_CHART}.querySelector('.cockpit-chart-waiting') !== null", 30, "the last chart was drawn")
    driver.execute_script(f"{LAST_CHART}.scrollIntoView({{block: 'center'}})")
    wait_for(driver, f"{DRAWN}({LAST_CHART})", 30, "the last chart was not drawn when the page scrolled to it")
    screenshot(driver, "spending-390-last-chart-drawn-on-scroll")
