"""What only a browser shows about sign-in: the real form, the CSP as Chromium enforces it, markup shown as text,
and a page whose session ended going back to the sign-in page by itself."""

from __future__ import annotations

from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.common.by import By

from dashboard.state import accounts
from tests.browser.driver import screenshot, text_by_id, wait_for, wait_for_dash_idle
from tests.signin import TEST_PASSWORD, ensure_user

EVIL = "<img src=x onerror=alert(1)>"


def csp_violations(driver) -> list[str]:
    return [e["message"] for e in driver.get_log("browser") if "Content Security Policy" in e["message"]]


def test_signing_in_through_the_form_lands_on_the_asked_page_under_the_csp(open_browser):
    ensure_user("changsha", "分析", "430100")
    driver = open_browser(1440, 900, user=None)
    driver.go("/?region=430102&year=2024")
    wait_for(driver, "document.getElementById('sign-in-form') !== null", message="no sign-in page")
    screenshot(driver, "signin-1440x900")
    driver.find_element(By.ID, "username").send_keys("changsha")
    driver.find_element(By.ID, "password").send_keys(TEST_PASSWORD)
    driver.find_element(By.CSS_SELECTOR, "#sign-in-form button[type=submit]").click()
    title = wait_for(
        driver,
        "document.querySelector('.page-title') && document.querySelector('.page-title')"
        ".textContent.includes('芙蓉区') && document.querySelector('.page-title').textContent",
    )
    assert title.startswith("芙蓉区")
    wait_for_dash_idle(driver)
    assert text_by_id(driver, "user-badge") == "changsha · 分析 · 长沙市"
    assert csp_violations(driver) == []
    cookies = {c["name"]: c for c in driver.get_cookies()}
    assert cookies["cockpit_session"]["httpOnly"] is True
    assert driver.execute_script("return document.cookie").count("cockpit_session") == 0


def test_a_name_full_of_markup_is_shown_as_text(open_browser):
    ensure_user("evil", "分析", "430100", display_name=EVIL)
    driver = open_browser(1440, 900, user="evil", region="430100")
    driver.go("/")
    badge = wait_for(
        driver, "document.getElementById('user-badge') && document.getElementById('user-badge').textContent"
    )
    assert badge.startswith(EVIL)
    assert driver.execute_script("return document.querySelectorAll('img[src=\"x\"]').length") == 0
    try:
        _ = driver.switch_to.alert  # raises when no alert is open
        raise AssertionError("an alert() ran")
    except NoAlertPresentException:
        pass


def test_a_page_whose_session_ended_returns_to_sign_in(open_browser):
    driver = open_browser(1440, 900, user="bob", region="430100")
    driver.go("/")
    wait_for(driver, "document.querySelector('.drill-link') !== null", message="no drill links")
    accounts.update_user("bob", enabled=False, actor="test")
    # client-side navigation → callback → 401 (clicked by script: the table sits below the fold, under the map)
    # (a callback refused meanwhile may already have sent the page to sign-in: then there is nothing to click)
    driver.execute_script("const link = document.querySelector('.drill-link'); if (link) link.click();")
    wait_for(
        driver,
        "document.getElementById('sign-in-form') !== null",
        message="the page stayed put after its callbacks were refused",
    )
    assert "next=" in driver.current_url and "reason=disabled" in driver.current_url
    assert "账户已停用" in driver.find_element(By.ID, "sign-in-message").text
