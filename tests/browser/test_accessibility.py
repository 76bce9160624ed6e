"""WCAG 2.1 AA and page weight in a real browser (issue 20).

- axe-core (tests/browser/vendor/axe-*.min.js, the npm package's build, injected from disk: nothing is fetched) on
  every page of the app's page registry, signed in as an administrator (who sees every page), at 1440×900 and
  390×844, and /screen at 1920×1080: no serious or critical violation of the WCAG 2.0/2.1 A and AA rules.
- The shell: lang="zh-CN", a skip link that is the first thing Tab reaches and leads to <main>; the charts' mode
  bars speak Chinese and are out of the tab order.
- Focus: a sort keeps it on the sort button, a filter chosen with the keyboard on the filter; a drill moves it to the
  new heading.
- Weight: the JavaScript a cold load of / and /spending runs stays under the budget measured after the partial
  Plotly bundles, each page loading the one it needs (the map's on /, the charts' on /spending); the full
  plotly.min.js, the Babel polyfill and dash_table's bundle are never requested.
"""

from __future__ import annotations

import re
from pathlib import Path

import dash
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from tests.browser.driver import screenshot, wait_for, wait_for_dash_idle

AXE = Path(__file__).resolve().parent / "vendor" / "axe-4.14.1.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
ADMIN = ("a11y_admin", "管理员")
# JavaScript of a cold load, decoded bytes (compression does not change it), and the Plotly bundle the page draws
# with: / has a map (about 4.5 MB: 1.34 MB Dash, React, the component suites and assets/*.js + 3.10 MB Plotly with
# MapLibre + Dash's lazy chunks; 6.17 MB before the partial bundles), /spending has none (about 2.7 MB: the same
# with the 1.29 MB charts bundle; 4.5 MB when it loaded the maps bundle too).
JS_BUDGET = {"/": ("plotly-cockpit-maps.min.js", 4_600_000), "/spending": ("plotly-cockpit-charts.min.js", 2_800_000)}

RUN_AXE = """
const done = arguments[arguments.length - 1];
axe.run({exclude: [['.js-plotly-plot .main-svg'], ['.js-plotly-plot .gl-container']]}, {runOnly: {type: 'tag', values: %s}, resultTypes: ['violations']})
  .then(r => done(r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ': ' + n.failureSummary)}))))
  .catch(e => done([{id: 'axe-error', impact: 'critical', help: String(e), nodes: []}]));
"""


def _pages() -> list[str]:
    return sorted(p["path"] for p in dash.page_registry.values())


def _settle(driver) -> None:
    """Wait until the page's first callbacks filled its heading and no callback is in flight, and every chart has
    its summary (drawn or, far below the screen, waiting to be drawn: it is described from its figure)."""
    wait_for(
        driver,
        "(() => { const h = document.querySelector('#main-content h1, .screen-title');"
        " return h !== null && h.textContent.trim().length > 0; })()",
        timeout=90,
        message="the page's heading never filled",
    )
    wait_for_dash_idle(driver, timeout=90)
    wait_for(
        driver,
        "Array.from(document.querySelectorAll('.dash-graph')).every(g => g.hasAttribute('aria-label'))",
        timeout=60,
        message="a chart was never drawn (or has no text alternative)",
    )


def _axe(driver) -> list[dict]:
    driver.execute_script(AXE.read_text(encoding="utf-8"))
    return driver.execute_async_script(RUN_AXE % WCAG_TAGS)


def _report(failures: dict[str, list[dict]]) -> str:
    lines = []
    for page, violations in failures.items():
        for v in violations:
            lines.append(f"{page}: {v['impact']} {v['id']} ({v['help']})")
            lines.extend(f"    {n[:240]}" for n in v["nodes"])
    return "\n".join(lines)


def _viewport(driver, width: int, height: int) -> None:
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 768},
    )


def test_every_page_has_no_serious_axe_violation_at_desktop_and_phone_size(open_browser):
    """Each page is loaded once at 1440×900 and checked, then the same viewport is narrowed to 390×844 (the CSS
    reflows as on a phone; the charts redraw) and checked again: one load per page keeps the test near two minutes."""
    driver = open_browser(1440, 900, user=ADMIN[0], role=ADMIN[1])
    driver.set_script_timeout(120)
    failures = {}
    for path in _pages():
        _viewport(driver, 1440, 900)
        driver.go(path)
        _settle(driver)
        assert driver.execute_script("return document.documentElement.lang") == "zh-CN", path
        for width, height in ((1440, 900), (390, 844)):
            if width != 1440:
                _viewport(driver, width, height)
                driver.execute_script("window.dispatchEvent(new Event('resize'))")
                wait_for_dash_idle(driver, timeout=60)
            violations = _axe(driver)
            if violations:
                failures[f"{path} at {width}x{height}"] = violations
                screenshot(driver, f"axe-{width}-{path.strip('/').replace('/', '-') or 'overview'}")
    assert not failures, "axe found serious or critical violations:\n" + _report(failures)


def test_the_wall_screen_has_no_serious_axe_violation(open_browser):
    driver = open_browser(1920, 1080, user=ADMIN[0], role=ADMIN[1])
    driver.set_script_timeout(120)
    driver.go("/screen")
    _settle(driver)
    violations = _axe(driver)
    assert not violations, _report({"/screen": violations})
    labels = driver.execute_script(
        "return Array.from(document.querySelectorAll('[role=radiogroup]')).map(g => g.getAttribute('aria-label'))"
    )
    assert labels and all(labels), f"the metric switch is not a named radio group: {labels}"


def test_skip_link_leads_to_main_and_filters_are_named(open_browser):
    driver = open_browser(1440, 900)
    driver.go("/spending")
    _settle(driver)
    driver.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)
    first = driver.switch_to.active_element
    assert first.text == "跳到主要内容" and first.get_attribute("href").endswith("#main-content")
    first.send_keys(Keys.ENTER)
    assert driver.execute_script("return document.activeElement.id") == "main-content"
    names = driver.execute_script("""
        return Array.from(document.querySelectorAll('.filter-bar button.dash-dropdown')).map(b =>
          (b.getAttribute('aria-labelledby') || '').split(' ').map(id => document.getElementById(id))
            .filter(Boolean).map(e => e.textContent.trim()).join(' '));""")
    assert names[0].startswith("年度 ") and names[1].startswith("期间 "), names
    assert all(len(n.split(" ")) >= 2 for n in names), f"a filter is named by its value alone: {names}"
    charts = driver.execute_script(
        "return Array.from(document.querySelectorAll('.dash-graph[role=figure]')).map(g => g.getAttribute('aria-label'))"
    )
    assert charts and all("项" in c or "暂无数据" in c or "热力图" in c for c in charts), charts
    titles = driver.execute_script(
        "return [...new Set([...document.querySelectorAll('.modebar-btn')].map(b => b.getAttribute('data-title')))]"
    )
    assert titles and not [t for t in titles if re.search("[A-Za-z]{3,}", t.replace("PNG", ""))], titles  # 中文
    tabbable_toolbar = driver.execute_script(
        'return document.querySelectorAll(\'.modebar-btn:not([tabindex="-1"]), .maplibregl-canvas[tabindex="0"]\')'
        ".length"
    )
    assert tabbable_toolbar == 0


def test_focus_stays_on_sort_and_moves_to_heading_after_drill(open_browser):
    driver = open_browser(1440, 900)
    driver.go("/spending?year=2024&period=1-6")
    _settle(driver)
    sort = driver.find_element(By.CSS_SELECTOR, ".btn-sort")
    label = sort.text
    driver.execute_script("arguments[0].focus()", sort)
    sort.send_keys(Keys.ENTER)
    wait_for_dash_idle(driver, timeout=60)
    wait_for(
        driver,
        f"document.activeElement && document.activeElement.classList.contains('btn-sort')"
        f" && document.activeElement.textContent.trim().startsWith({label.strip()[:2]!r})",
        timeout=10,
        message="focus was lost after sorting",
    )
    link = driver.find_element(By.CSS_SELECTOR, "#main-content table .drill-link")
    driver.execute_script("arguments[0].focus()", link)
    link.send_keys(Keys.ENTER)
    wait_for(
        driver,
        "document.activeElement && document.activeElement.tagName === 'H1'",
        timeout=60,
        message="focus did not move to the heading after a drill",
    )


FOCUSED_OPTION = (  # the label of the year option that has keyboard focus in the open list, or null
    "(() => { const option = document.activeElement && document.activeElement.closest('.dash-dropdown-option');"
    " return option ? option.textContent.trim() : null; })()"
)


def test_focus_stays_on_a_filter_chosen_with_the_keyboard(open_browser):
    """年度 opened with Enter, another year chosen with the arrow keys and Enter: the page moves to the new address
    (its layout is built again) and focus is back on the 年度 control, not on <body>.

    Each key waits for the effect of the one before, as a keyboard user watches the highlight: the list moves focus
    into itself a frame after it opens, and a key sent before that lands on the closed control instead."""
    driver = open_browser(1440, 900)
    driver.go("/spending?year=2024&period=1-6")
    _settle(driver)
    year = driver.find_element(By.CSS_SELECTOR, ".filter-bar button.dash-dropdown")
    year_id = year.get_attribute("id")
    driver.execute_script("arguments[0].focus()", year)
    year.send_keys(Keys.ENTER)
    wait_for(driver, "document.querySelectorAll('.dash-dropdown-option').length > 1", 30, "the year list did not open")
    wait_for(driver, f"{FOCUSED_OPTION} === '2024年'", 30, "focus did not move to the chosen year in the open list")
    driver.switch_to.active_element.send_keys(Keys.ARROW_DOWN)
    other = wait_for(
        driver, f"{FOCUSED_OPTION} !== '2024年' && {FOCUSED_OPTION}", 30, "the arrow key did not move to another year"
    )
    driver.switch_to.active_element.send_keys(Keys.ENTER)
    wait_for(driver, f"location.search.includes('year={other[:4]}')", 60, "choosing a year did not change the address")
    wait_for_dash_idle(driver, timeout=60)
    wait_for(
        driver,
        f"document.activeElement && document.activeElement.id === {year_id!r}",
        timeout=30,
        message=f"focus was not on the year filter after choosing a year: {driver.switch_to.active_element.tag_name}",
    )


def test_a_cold_load_stays_under_the_javascript_budget(open_browser):
    driver = open_browser(1440, 900)
    driver.execute_cdp_cmd("Network.setCacheDisabled", {"cacheDisabled": True})
    for path, (bundle, budget) in JS_BUDGET.items():
        driver.go(path)
        _settle(driver)
        wait_for(  # the charts load the bundle on demand; with the first paint the heading can come before it
            driver,
            f"performance.getEntriesByType('resource').some(e => e.name.includes('{bundle}'))",
            timeout=60,
            message=f"{path} never loaded the Plotly bundle {bundle}",
        )
        scripts = driver.execute_script("""
            return performance.getEntriesByType('resource')
              .filter(e => e.initiatorType === 'script' || /\\.js(\\?|$)/.test(e.name))
              .map(e => [e.name, e.decodedBodySize]);""")
        total = sum(size for _, size in scripts)
        names = [name for name, _ in scripts]
        assert [n for n in names if "/plotly-cockpit-" in n] == [next(n for n in names if bundle in n)], names
        never = ("package_data/plotly.min.js", "/polyfill@", "/dash_table/")
        assert not [n for n in names if any(part in n for part in never)], names
        assert total <= budget, f"{path}: {total:,} bytes of JavaScript > budget {budget:,}"
