"""Two-factor sign-in in a real browser: a college's mental-health advisor (T3) signs in for the first time,
sets up an authenticator app from the page (the code is computed here with pyotp, as the phone would),
signs out, and signs in again with a code. On a phone, too."""

import time
from urllib.parse import urlparse

import pyotp
import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from tests.e2e.conftest import PHONE
from tests.e2e.steps import assert_fits_width, path_of, screenshot, sign_in
from xinyu.accounts.models import TwoFactorDevice
from xinyu.accounts.twofactor import AUDIT_WHAT
from xinyu.audit.models import AuditEntry

pytestmark = pytest.mark.e2e


@pytest.fixture(autouse=True)
def two_factor_enforced(settings):
    settings.XINYU_ENFORCE_TWO_FACTOR = True


ADVISOR = "T10003"  # the world's 吴心理辅导员, mental-health advisor of 信息工程学院 (T3)


def wait_for(page: Page, url: str) -> None:
    page.wait_for_url(lambda current: urlparse(current).path == url)


def enter_code(page: Page, code: str) -> None:
    page.get_by_test_id("code-input").fill(code)
    page.locator("form [type=submit]").click()


def enrol(page: Page) -> pyotp.TOTP:
    """Signs in with the password, reads the key off the enrolment page and confirms with a first code."""
    sign_in(page, ADVISOR)
    wait_for(page, reverse("accounts:two_factor_enrol"))
    expect(page.get_by_test_id("current-user")).to_have_count(0)  # not signed in yet
    expect(page.get_by_test_id("totp-qr").locator("svg")).to_be_visible()
    secret = page.get_by_test_id("totp-secret").inner_text().replace(" ", "")
    totp = pyotp.TOTP(secret)

    enter_code(page, "000000" if totp.now() != "000000" else "111111")
    expect(page.get_by_test_id("code-error")).to_be_visible()
    assert path_of(page) == reverse("accounts:two_factor_enrol")

    enter_code(page, totp.now())
    wait_for(page, reverse("core:home"))
    expect(page.get_by_test_id("current-user")).to_have_text("吴心理辅导员")
    return totp


def test_advisor_enrols_signs_out_and_signs_in_with_a_code(page, world, screenshot_dir):
    totp = enrol(page)
    device = TwoFactorDevice.objects.get(user__username=ADVISOR)
    assert device.confirmed_at is not None
    assert AuditEntry.objects.filter(what=AUDIT_WHAT, actor_username=ADVISOR).count() == 1

    page.locator(f'form[action="{reverse("accounts:logout")}"] [type=submit]').click()
    wait_for(page, reverse("accounts:login"))

    sign_in(page, ADVISOR)
    wait_for(page, reverse("accounts:two_factor"))
    expect(page.get_by_test_id("two-factor-form")).to_be_visible()
    # Still signed out while the code is asked for.
    page.goto(reverse("org:student_list"))
    assert path_of(page) == reverse("accounts:login")
    sign_in(page, ADVISOR)
    wait_for(page, reverse("accounts:two_factor"))
    screenshot(page, screenshot_dir, "two-factor-code")
    # The code the app shows next (the one used at enrolment is accepted once only).
    enter_code(page, totp.at(time.time() + 30))
    wait_for(page, reverse("core:home"))
    expect(page.get_by_test_id("current-user")).to_have_text("吴心理辅导员")
    page.goto(reverse("org:student_list"))
    expect(page.get_by_test_id("student-table")).to_contain_text("张三")


def test_enrolment_page_fits_a_phone(phone_page, world, screenshot_dir):
    sign_in(phone_page, ADVISOR)
    wait_for(phone_page, reverse("accounts:two_factor_enrol"))
    expect(phone_page.get_by_test_id("totp-qr").locator("svg")).to_be_visible()
    assert_fits_width(phone_page, PHONE["viewport"]["width"])
    screenshot(phone_page, screenshot_dir, "two-factor-enrol-phone")
