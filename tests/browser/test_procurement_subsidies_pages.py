"""/procurement and /subsidies in Chromium at desktop, tablet and phone sizes: the headline equals the store, the
red-flag / anomaly lists and the drill table render, and the page never scrolls sideways (wide tables scroll inside
their own box). One browser per page, resized between the three sizes; screenshots go to artifacts/screenshots/."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

import pytest
import sqlalchemy as sa

from tests.browser.driver import page_overflow, screenshot, wait_for, wait_for_dash_idle

SIZES = [(1440, 900, "desktop"), (1024, 768, "tablet"), (390, 844, "phone")]
PAGES = [
    (
        "procurement",
        "/procurement?region=430000&year=2024&period=1-12",
        "kpi-contract",
        "SELECT SUM(contract_amount) FROM procurement WHERE year = 2024",
        "procurement-high-ratio",
    ),
    (
        "subsidies",
        "/subsidies?region=430000&year=2024&period=1-12",
        "kpi-amount",
        "SELECT SUM(amount) FROM subsidy_payout WHERE EXTRACT(year FROM pay_date) = 2024",
        "subsidies-duplicate_id",
    ),
]


def _resize(driver, width: int, height: int) -> None:
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 768},
    )


@pytest.mark.parametrize("key, path, kpi, sql, flag_table", PAGES, ids=[p[0] for p in PAGES])
def test_page_at_three_sizes_shows_the_store_total_without_sideways_scroll(
    open_browser, duck, key, path, kpi, sql, flag_table
):
    with duck.connect() as conn:
        total = conn.execute(sa.text(sql)).scalar_one()
    expected = f"{(total / Decimal(10**8)).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,.2f}"
    driver = open_browser(*SIZES[0][:2])
    driver.set_script_timeout(120)  # two cores shared by many: a busy renderer must not fail a check
    for width, height, name in SIZES:
        _resize(driver, width, height)
        driver.go(path)
        shown = wait_for(
            driver, f"document.getElementById('{kpi}') && document.getElementById('{kpi}').textContent", timeout=60
        )
        assert shown == expected
        wait_for(
            driver,
            f"document.getElementById('{flag_table}') && document.getElementById('{key}-records')",
            timeout=60,
            message="red-flag list and drill table rendered",
        )
        wait_for_dash_idle(driver, timeout=60)
        size = page_overflow(driver)
        assert size["width"] == width and size["scrollWidth"] <= width, (name, size)
        text = driver.execute_script("return document.body.innerText")
        assert not re.search(r"(?<!\d)\d{17}[\dX](?!\d)", text), "an unmasked ID number on screen"
        screenshot(driver, f"{key}-{name}-{width}x{height}")
        for part in (f"{key}-ranking", f"{key}-trace", f"{key}-table"):  # skeleton parts: always present
            driver.execute_script(f"document.getElementById('{part}').scrollIntoView({{behavior: 'instant'}})")
            screenshot(driver, f"{key}-{name}-{width}x{height}-{part.removeprefix(key + '-')}")


def test_an_auditor_states_a_reason_to_see_an_anomaly_list_unmasked_and_can_mask_it_again(open_browser, duck):
    """On the whole after-death list (flag filter): masked at first; a reason and 显示完整信息 show the ID numbers the
    store holds; 恢复脱敏 masks them again. The same browser session, as a user who may unmask."""
    with duck.connect() as conn:
        ids = {
            r[0]
            for r in conn.execute(
                sa.text(
                    "SELECT s.recipient_id_number FROM subsidy_payout s JOIN person_death d "
                    "ON d.id_number = s.recipient_id_number WHERE s.pay_date > d.death_date "
                    "AND EXTRACT(year FROM s.pay_date) = 2024"
                )
            )
        }
    driver = open_browser(1440, 900, user="browser_auditor", role="审核", may_unmask=True)
    driver.set_script_timeout(120)
    driver.go("/subsidies?region=430000&year=2024&flag=after_death")
    wait_for(driver, "document.querySelector('.reveal-reason')", timeout=60, message="the reason box")
    full_id = r"(?<!\d)\d{17}[\dX](?!\d)"
    table_text = "document.getElementById('subsidies-records').innerText"
    assert not re.search(full_id, driver.execute_script(f"return {table_text}"))
    wait_for_dash_idle(driver, timeout=60)
    reason = driver.find_element("css selector", "input.reveal-reason")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'});", reason)
    reason.send_keys("审计核查死亡后发放")
    show = driver.find_element("css selector", ".reveal-bar .btn-outline-danger")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'});", show)
    screenshot(driver, "subsidies-after-death-reason-1440x900")
    show.click()
    shown = wait_for(
        driver,
        f"/恢复脱敏/.test(document.getElementById('subsidies-reveal-bar').innerText) && {table_text}",
        timeout=60,
        message="the table shown unmasked",
    )
    found = set(re.findall(full_id, shown))  # the first page of the list (50 rows): every ID on it in full
    assert found and found <= ids, (found, ids)
    assert not re.search(r"\d{3}\*{11}[\dX]{4}", shown), "a row still masked"
    screenshot(driver, "subsidies-after-death-unmasked-1440x900")
    forms = driver.execute_script("return document.querySelectorAll('.reveal-bar form').length")
    assert forms == 0, "a 审核 may unmask on screen but may not export (the export forms are for 分析 and 管理员)"
    hide = driver.find_element("css selector", ".reveal-bar .btn-outline-secondary")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'});", hide)
    hide.click()
    masked = wait_for(
        driver, f"document.querySelector('.reveal-reason') && {table_text}", timeout=60, message="masked again"
    )
    assert not re.search(full_id, masked)


def test_an_unmasked_list_is_masked_again_when_the_auditor_opens_another_view(open_browser):
    """The reason belongs to one view: following a link to another list (a new URL state) shows it masked, with the
    reason box offered again, never with the old reason applied."""
    driver = open_browser(1440, 900, user="browser_auditor", role="审核", may_unmask=True)
    driver.set_script_timeout(120)
    driver.go("/subsidies?region=430000&year=2024&flag=after_death")
    reason = wait_for(driver, "document.querySelector('input.reveal-reason')", timeout=60, message="reason box")
    wait_for_dash_idle(driver, timeout=60)
    reason = driver.find_element("css selector", "input.reveal-reason")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'});", reason)
    reason.send_keys("审计核查死亡后发放")
    show = driver.find_element("css selector", ".reveal-bar .btn-outline-danger")
    show.click()
    full_id = r"(?<!\d)\d{17}[\dX](?!\d)"
    table_text = "document.getElementById('subsidies-records').innerText"
    wait_for(
        driver,
        f"/恢复脱敏/.test(document.getElementById('subsidies-reveal-bar').innerText) && "
        f"/\\d{{17}}[\\dX]/.test({table_text})",
        timeout=60,
        message="shown unmasked",
    )
    link = driver.find_element("id", "subsidies-flag-duplicate_id-all")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'});", link)
    link.click()
    text = wait_for(
        driver,
        "/同一身份证/.test(document.getElementById('subsidies-table').innerText) && "
        f"document.querySelector('input.reveal-reason') && {table_text}",
        timeout=60,
        message="the other list, masked",
    )
    wait_for_dash_idle(driver, timeout=60)
    assert not re.search(full_id, driver.execute_script(f"return {table_text}")), text
