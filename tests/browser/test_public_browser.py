"""The public side in Chromium, anonymous: a phone (390×844) reads the village list and checks its own payouts; the
service-hall screen fills a 1920×1080 TV. No script runs, nothing is fetched from elsewhere, nothing scrolls
sideways; screenshots under artifacts/screenshots/."""

from __future__ import annotations

import sqlalchemy as sa
from selenium.webdriver.common.by import By

from dashboard.public.qr import village_path
from dashboard.public.routes import hall_path
from queries import public as q
from tests.browser.driver import page_overflow, screenshot, wait_for

COUNTY = "430102"


def _village_and_person(duck) -> tuple[q.Village, str, str]:
    v = max(q.villages(COUNTY), key=lambda v: (v.recipients, v.key))
    with duck.connect() as conn:
        name, id_number = conn.execute(
            sa.text(
                "SELECT recipient_name, recipient_id_number FROM subsidy_payout WHERE county_code = :c "
                "AND township = :t AND village = :v ORDER BY recipient_id_number LIMIT 1"
            ),
            {"c": COUNTY, "t": v.township, "v": v.name},
        ).one()
    return v, name, id_number


def test_a_phone_reads_the_village_list_and_checks_its_own_payouts(open_browser, duck):
    v, name, id_number = _village_and_person(duck)
    driver = open_browser(390, 844, user=None)
    driver.go(village_path(v))
    wait_for(driver, "document.getElementById('village-list') !== null", message="no village page")
    rows = driver.find_elements(By.CSS_SELECTOR, "#village-list tbody tr")
    assert rows and all("*" in r.find_element(By.TAG_NAME, "td").text for r in rows)
    overflow = page_overflow(driver)
    assert overflow["scrollWidth"] <= overflow["width"], overflow
    screenshot(driver, "public-village-390x844")
    driver.find_element(By.ID, "name").send_keys(name)
    driver.find_element(By.ID, "id_number").send_keys(id_number)
    driver.find_element(By.CSS_SELECTOR, "#check-form button[type=submit]").click()
    wait_for(driver, "document.getElementById('result') !== null", message="no self-check answer")
    cells = [c.text for c in driver.find_elements(By.CSS_SELECTOR, "#result td")]
    assert any(c.startswith("****") and len(c) == 8 for c in cells)
    assert id_number not in driver.page_source
    driver.execute_script("document.getElementById('self-check').scrollIntoView()")
    screenshot(driver, "public-self-check-390x844")
    assert page_overflow(driver)["scrollWidth"] <= 390
    assert driver.execute_script("return document.scripts.length") == 0


def test_the_hall_screen_fills_a_tv(open_browser, duck):
    v, _, _ = _village_and_person(duck)
    driver = open_browser(1920, 1080, user=None)
    driver.go(hall_path(COUNTY, v.township))
    wait_for(driver, "document.getElementById('hall-village') !== null", message="no hall screen")
    overflow = page_overflow(driver)
    assert overflow["scrollWidth"] <= 1920, overflow
    qr = driver.find_element(By.CSS_SELECTOR, ".hall-qr svg").rect
    assert qr["width"] >= 300 and qr["y"] + qr["height"] <= 1080
    size = driver.execute_script(
        "return parseFloat(getComputedStyle(document.querySelector('#hall-totals td')).fontSize)"
    )
    assert size >= 24  # legible from across a hall
    screenshot(driver, "public-hall-1920x1080")
