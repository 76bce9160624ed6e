"""The big screen and the overview in headless Chromium: exact fit on walls, no sideways scroll on tablets and
phones, KPI values equal to the store (own SQL), a map click drills and back returns, bad URLs get a notice.
Every request stays on this host (checked by the harness at teardown). Screenshots: artifacts/screenshots/."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest
import sqlalchemy as sa
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By

from tests.browser.driver import page_overflow, screenshot, text_by_id, wait_for, wait_for_dash_idle

CHANGSHA_SEAT = (113.55, 28.25)  # a point well inside 长沙市 (浏阳), away from its borders


def province_revenue(duck, year: int, last: int) -> str:
    with duck.connect() as conn:
        amount = conn.execute(
            sa.text(
                "select sum(amount) from revenue where province_code = '430000' and extract(year from collect_date) = :y"
                " and extract(month from collect_date) <= :m"
            ),
            {"y": year, "m": last},
        ).scalar_one()
    return f"{(amount / Decimal(10**8)).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,.2f}"


def map_drawn(graph_id: str) -> str:
    """JS: the MapLibre map of `graph_id` has drawn its region layers."""
    return (
        f"(() => {{ const g = document.querySelector('#{graph_id} .js-plotly-plot');"
        " const s = g && g._fullLayout && g._fullLayout.map && g._fullLayout.map._subplot;"
        " return !!(s && s.map && s.map.isStyleLoaded() &&"
        " s.map.getStyle().layers.some(l => l.id.startsWith('plotly-trace-layer'))); })()"
    )


def click_map_at(driver, graph_id: str, lon: float, lat: float, url_part: str) -> None:
    """Hover, then click the map where (lon, lat) is drawn; retried because Plotly picks the point on hover."""
    graph = driver.find_element(By.ID, graph_id)
    for _attempt in range(4):
        x, y = driver.execute_script(
            f"const g = document.querySelector('#{graph_id} .js-plotly-plot');"
            " const m = g._fullLayout.map._subplot.map; const p = m.project([arguments[0], arguments[1]]);"
            " const c = m.getCanvas().getBoundingClientRect(), e = arguments[2].getBoundingClientRect();"
            " return [p.x + c.left - e.left - e.width / 2, p.y + c.top - e.top - e.height / 2];",
            lon,
            lat,
            graph,
        )
        ActionChains(driver).move_to_element_with_offset(graph, int(x), int(y)).pause(0.8).click().perform()
        try:
            wait_for(driver, f"location.search.includes('{url_part}')", timeout=3)
            return
        except pytest.fail.Exception:
            ActionChains(driver).move_to_element_with_offset(graph, 1, 1).perform()
    pytest.fail(f"clicking the map never navigated to {url_part}")


def resize(driver, width: int, height: int) -> None:
    """Give the open page a new viewport (cheaper than a new browser: CSS reflows, Plotly follows its box)."""
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 768},
    )


def assert_fits_the_wall(driver, width: int, height: int) -> None:
    """Document size equals the viewport, headline numerals ≥ 4% of its height, panels inside and apart."""
    size = page_overflow(driver)
    assert (size["scrollWidth"], size["scrollHeight"]) == (width, height), size
    numeral = driver.execute_script("return document.getElementById('kpi-revenue').getBoundingClientRect().height")
    assert numeral >= 0.04 * height
    boxes = driver.execute_script(
        "return [...document.querySelectorAll('.screen-header, .screen-tile, .screen-panel, .screen-ticker')]"
        ".map(e => { const r = e.getBoundingClientRect(); return [e.className, r.left, r.top, r.right, r.bottom,"
        " e.scrollHeight > e.clientHeight + 1]; })"
    )
    assert len(boxes) == 13
    for name, left, top, right, bottom, clipped in boxes:
        assert left >= 0 and top >= 0 and right <= width + 0.5 and bottom <= height + 0.5, name
        assert not clipped, f"{name} cuts off its content"
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            overlap = min(a[3], b[3]) - max(a[1], b[1]) > 1 and min(a[4], b[4]) - max(a[2], b[2]) > 1
            assert not overlap, (a[0], b[0])
    assert not driver.find_element(By.CSS_SELECTOR, ".navbar").is_displayed()


def test_screen_on_walls_shows_store_numbers_drills_and_goes_back(open_browser, duck):
    """1920×1080: exact fit, store numbers, a map click drills (URL, breadcrumb, outline) and back returns; then
    the same page at 3840×2160: still an exact fit."""
    driver = open_browser(1920, 1080)
    driver.go("/screen?region=430000&year=2024&period=1-9")
    wait_for(driver, map_drawn("screen-map"), timeout=60)
    wait_for_dash_idle(driver)
    assert text_by_id(driver, "kpi-revenue") == province_revenue(duck, 2024, 9)
    assert_fits_the_wall(driver, 1920, 1080)
    labels = wait_for(
        driver,
        "document.querySelectorAll('#screen-map .map-label').length === 14 &&"
        " [...document.querySelectorAll('#screen-map .map-label')].map(l => l.textContent)",
        message="the 14 cities are not named on the map",
    )
    assert any(text.startswith("长沙市") and text.endswith("%") for text in labels), labels
    scale_left, shapes_right = driver.execute_script(
        "const g = document.querySelector('#screen-map .js-plotly-plot');"
        " return [g.querySelector('.colorbar').getBoundingClientRect().left,"
        " g._fullLayout.map._subplot.map.getCanvas().getBoundingClientRect().right];"
    )
    assert scale_left >= shapes_right - 1, "the colour bar is drawn over the map"
    box_bottom, freshness_top, cut = driver.execute_script(
        "const cut = [...document.querySelectorAll('.attention-link')].filter(a => {"
        " const n = a.querySelector('.attention-name'), g = a.querySelector('.attention-grades');"
        " return n.scrollWidth > n.clientWidth || g.getBoundingClientRect().right > a.getBoundingClientRect().right;"
        " }).map(a => a.textContent);"
        " return [document.querySelector('.ask-bar').getBoundingClientRect().bottom,"
        " document.getElementById('screen-freshness').getBoundingClientRect().top, cut];"
    )
    assert box_bottom <= freshness_top, "the question box covers the 数据截至 line"
    assert cut == [], f"a region's name or grades are cut off in 重点关注地区: {cut}"
    screenshot(driver, "screen-1920x1080")

    click_map_at(driver, "screen-map", *CHANGSHA_SEAT, "region=430100")
    wait_for(driver, "document.getElementById('screen-title').textContent.startsWith('长沙市')")
    assert "year=2024&period=1-9" in driver.current_url
    assert text_by_id(driver, "screen-breadcrumb").replace("/", " ").split() == ["湖南省", "长沙市"]
    wait_for(
        driver,
        "(() => { const g = document.querySelector('#screen-map .js-plotly-plot');"
        " return g && g._fullData[0].geojson === '/assets/geo/430100.json'; })()",
    )
    wait_for(driver, map_drawn("screen-map"), timeout=30)
    screenshot(driver, "screen-1920x1080-drilled-changsha")
    driver.back()
    wait_for(driver, "location.search.includes('region=430000')")
    wait_for(driver, "document.getElementById('screen-title').textContent.startsWith('湖南省')")

    resize(driver, 3840, 2160)  # the same wall at 4K: everything is sized in vh/vw, so it scales in place
    wait_for(driver, "document.getElementById('kpi-revenue').getBoundingClientRect().height > 0.04 * 2160")
    assert_fits_the_wall(driver, 3840, 2160)
    screenshot(driver, "screen-3840x2160")


def test_screen_reflows_on_tablets_and_phones_and_explains_an_unknown_region(open_browser):
    driver = open_browser(820, 1180)
    driver.go("/screen?region=999999&year=2024&period=1-9")
    notice = wait_for(
        driver,
        "document.querySelector('#screen-notices .alert') &&"
        " document.querySelector('#screen-notices .alert').textContent",
        timeout=60,
    )
    assert "未找到区划代码“999999”" in notice
    wait_for_dash_idle(driver)  # the static first paint has been replaced by the rendered page
    assert driver.execute_script("return document.getElementById('screen-title').textContent").startswith("湖南省")
    wait_for(driver, "document.getElementById('kpi-revenue')", timeout=60)
    wait_for_dash_idle(driver)
    for width, height in ((820, 1180), (390, 844)):
        resize(driver, width, height)
        wait_for(driver, f"document.documentElement.scrollWidth <= {width}", message=f"sideways scroll at {width}")
        targets = driver.execute_script(
            "return [...document.querySelectorAll('.metric-switch label, .attention-link')]"
            ".map(e => e.getBoundingClientRect().height)"
        )
        assert targets and min(targets) >= 44
        screenshot(driver, f"screen-{width}x{height}")


def test_overview_fits_every_width_with_store_numbers(open_browser, duck):
    driver = open_browser(1440, 900)
    driver.go("/?region=430000&year=2024&period=1-9")
    shown = wait_for(
        driver,
        "document.getElementById('kpi-revenue') && document.getElementById('kpi-revenue').textContent",
        timeout=60,
    )
    assert shown == province_revenue(duck, 2024, 9)
    wait_for(driver, "document.getElementById('kpi-direct')", timeout=60)
    wait_for(driver, map_drawn("overview-map"), timeout=60)
    for width, height in ((1440, 900), (1024, 768), (820, 1180), (390, 844)):
        resize(driver, width, height)  # Plotly follows its box a moment after the CSS reflow
        wait_for(driver, f"document.documentElement.scrollWidth <= {width}", message=f"sideways scroll at {width}")
        screenshot(driver, f"overview-{width}x{height}")
    click_map_at(driver, "overview-map", *CHANGSHA_SEAT, "region=430100")  # a tap on the phone layout
    wait_for(driver, "document.getElementById('overview-title').textContent.startsWith('长沙市')", timeout=30)


TILES_FIT = (
    "[...document.querySelectorAll('.screen-tile')].map(t => { const r = t.getBoundingClientRect();"
    " const v = t.querySelector('.tile-value').getBoundingClientRect(), u = t.querySelector('.tile-unit');"
    " const ur = u.getBoundingClientRect(), value = t.querySelector('.tile-value');"
    " return [value.id, value.textContent, u.textContent, v.right <= r.right + 0.5 && ur.right <= r.right + 0.5,"
    " value.scrollWidth <= value.clientWidth + 1]; })"
)
BAR_TEXTS_INSIDE = (
    "['screen-revenue-mix', 'screen-functions'].flatMap(id => { const g = document.getElementById(id);"
    " const box = g.querySelector('.main-svg').getBoundingClientRect();"
    " return [...g.querySelectorAll('.bartext')].map(t => { const r = t.getBoundingClientRect();"
    " return [id, t.textContent, r.left >= box.left - 0.5 && r.right <= box.right + 0.5]; }); })"
)
TREND_TICKS = "[...document.querySelectorAll('#screen-trend .ytick text')].map(t => t.textContent)"
PANELS = (
    "[...document.querySelectorAll('.screen-panel')].map(p => { const t = p.querySelector('.panel-title');"
    " const g = p.querySelector('.screen-graph'); return [p.className, t.getBoundingClientRect().height,"
    " g ? g.getBoundingClientRect().height : null]; })"
)


def test_a_county_keeps_every_unit_on_walls_tablets_and_phones(open_browser):
    """芙蓉区: each tile shows its figure (≤ 7 digits) and its unit inside the tile, bar amounts inside their chart,
    money ticks without SI suffixes, one labelled shape without a colour bar; on a tablet and a phone every chart
    keeps a readable height and its panel title."""
    driver = open_browser(1920, 1080)
    driver.go("/screen?region=430102&year=2024&period=1-12")
    wait_for(driver, map_drawn("screen-map"), timeout=60)
    wait_for_dash_idle(driver)
    for width, height in ((1920, 1080), (3840, 2160), (1024, 768), (390, 844)):
        resize(driver, width, height)
        wait_for(driver, f"window.innerWidth === {width}")
        wait_for(driver, "document.querySelectorAll('#screen-trend .ytick text').length > 0")
        wait_for(driver, "document.querySelector('.map-label') !== null", message="no region label on the map")
        tiles = wait_for(driver, TILES_FIT)
        assert len(tiles) == 6
        for kpi_id, figure, unit, inside, whole in tiles:
            assert inside and whole, (width, kpi_id, figure, unit)
            if kpi_id in ("kpi-revenue", "kpi-spending", "kpi-month"):
                assert unit in ("亿元", "万元") and sum(c.isdigit() for c in figure) <= 7, (kpi_id, figure, unit)
        bars = driver.execute_script(f"return {BAR_TEXTS_INSIDE}")
        assert bars and all(inside for *_label, inside in bars), (width, [b for b in bars if not b[2]])
        ticks = driver.execute_script(f"return {TREND_TICKS}")
        assert ticks and not any(t.rstrip().endswith(("k", "M", "G")) for t in ticks), ticks
        assert driver.execute_script("return document.querySelectorAll('#screen-map .colorbar').length") == 0
        label = wait_for(
            driver,
            "(() => { const l = document.querySelector('#screen-map .map-label');"
            " return l && getComputedStyle(l).visibility === 'visible' && l.textContent; })()",
            message=f"the county's label is not shown at {width}",
        )
        assert label.startswith("芙蓉区") and label.endswith("%"), label
        if width < 1200:
            for name, title, chart in driver.execute_script(f"return {PANELS}"):
                assert title >= 14, (width, name, title)
                assert chart is None or chart >= 200, (width, name, chart)
        screenshot(driver, f"screen-county-{width}x{height}")


def test_an_unreported_county_shows_as_unreported_on_the_wall_and_the_overview(open_browser, demo_anomalies):
    """The county that has not sent its last month: grey and named 未报送 on its city's map, its month figures
    say 未报送 instead of 0.00, and the overview's table lists it last as 未报送."""
    county = next(a["region"] for a in demo_anomalies if a["kind"] == "report_missing")
    city = f"{county[:4]}00"
    driver = open_browser(1920, 1080)
    driver.go(f"/screen?region={city}&year=2024&period=1-12")
    wait_for(driver, map_drawn("screen-map"), timeout=60)
    wait_for_dash_idle(driver)
    label = wait_for(
        driver,
        f"(() => {{ const l = [...document.querySelectorAll('#screen-map .map-label')]"
        f".find(e => e.dataset.region === '{county}'); return l && l.textContent; }})()",
        message="the unreported county has no label on the map",
    )
    assert "未报送" in label
    coverage = driver.execute_script(
        "return [...document.querySelectorAll('.tile-coverage')].map(e => [e.textContent, "
        "e.getBoundingClientRect().bottom <= e.closest('.screen-tile').getBoundingClientRect().bottom + 0.5])"
    )
    assert len(coverage) == 6 and all(text.startswith("已报送") and inside for text, inside in coverage), coverage
    screenshot(driver, "screen-city-with-unreported-county")
    driver.go(f"/screen?region={county}&year=2024&period=1-12")
    wait_for(
        driver, "document.getElementById('kpi-cash') && document.getElementById('kpi-cash').textContent === '未报送'"
    )
    wait_for_dash_idle(driver)
    assert driver.execute_script("return document.getElementById('kpi-month').textContent") == "未报送"
    screenshot(driver, "screen-unreported-county")
    resize(driver, 1440, 900)
    driver.go(f"/?region={city}&year=2024&period=1-12")
    row = wait_for(
        driver,
        "(() => { const rows = [...document.querySelectorAll('#region-table tbody tr')];"
        " const last = rows[rows.length - 1]; return last && [...last.cells].map(c => c.textContent); })()",
    )
    assert row[-1] == "未报送" and row[6] == "未报送", row
    assert "未报送" in driver.execute_script("return document.getElementById('gaps-note').textContent")
