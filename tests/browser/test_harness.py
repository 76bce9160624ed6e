"""The browser harness itself: what counts as a local request, and that a real page is measured truly."""

from decimal import ROUND_HALF_UP, Decimal

import pytest
import sqlalchemy as sa

from tests.browser.driver import is_local, page_overflow, record_requests, screenshot, wait_for, wait_for_dash_idle


@pytest.mark.parametrize(
    "url, local",
    [
        ("http://127.0.0.1:8050/_dash-layout", True),
        ("http://localhost/assets/geo/430000.json", True),
        ("data:image/png;base64,AAAA", True),
        ("blob:http://127.0.0.1:8050/1234", True),
        ("https://cdn.plot.ly/plotly-latest.min.js", False),
        ("https://fonts.googleapis.com/css?family=Noto", False),
        ("http://10.0.0.8/tiles/1/2/3.png", False),
    ],
)
def test_request_locality(url, local):
    assert is_local(url) is local


def test_overview_on_a_phone_shows_the_store_total_without_sideways_scroll(open_browser, duck):
    with duck.connect() as conn:
        spending = conn.execute(
            sa.text(
                "select sum(amount) from payment where province_code = '430000' and extract(year from pay_date) = 2024"
            )
        ).scalar_one()
    expected = f"{(spending / Decimal(10**8)).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,.2f}"
    driver = open_browser(390, 844)
    driver.go("/?region=430000&year=2024&period=1-12")
    shown = wait_for(
        driver, "document.getElementById('kpi-spending') && document.getElementById('kpi-spending').textContent"
    )
    assert shown == expected
    size = page_overflow(driver)
    assert size["width"] == 390 and size["scrollWidth"] <= size["width"], size
    screenshot(driver, "harness-overview-390x844")
    navbar = "document.querySelector('.navbar')"
    assert driver.execute_script(f"return {navbar}.getBoundingClientRect().height") <= 80  # links folded away
    assert not driver.execute_script(
        "return [...document.querySelectorAll('.navbar .nav-link')].some(a => a.offsetParent !== null)"
    )
    wait_for_dash_idle(driver)
    # looked up and clicked in one script: the static first paint's toggler is replaced by the rendered one
    driver.execute_script("document.getElementById('nav-toggler').click()")
    wait_for(
        driver,
        "[...document.querySelectorAll('.navbar .nav-link')].some(a => a.textContent === '支出' "
        "&& a.getBoundingClientRect().height >= 44)",
    )
    assert any(url.endswith("/_dash-layout") for url in record_requests(driver))
