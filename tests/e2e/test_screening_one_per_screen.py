"""One question per screen on a phone: the head teacher shows the sitting's QR code (and its printable
sheet); a student enters, answers screen by screen (htmx swaps only the screen and updates the address),
is stopped on an unanswered required question, loses the connection, resumes where they stopped, goes
back to check an answer and submits from the finish screen. The same steps work without JavaScript."""

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from tests.e2e.conftest import PHONE, TIMEOUT_MS
from tests.e2e.steps import assert_fits_width, screenshot, sign_in_to_home
from tests.e2e.test_screening_phone import enter
from tests.screening.test_campaigns import make_campaign
from xinyu.screening.models import Participation, Response
from xinyu.screening.sittings import open_sitting

pytestmark = pytest.mark.e2e

ANSWER = reverse("screening:answer")


def screen_at(page: Page, position: int) -> None:
    expect(page.get_by_test_id("screen")).to_have_attribute("data-position", str(position))


def tap_and_next(page: Page, position: int, code: str) -> None:
    """Choose `code` on the current screen (saved at once) and go on to the next screen."""
    screen_at(page, position)
    with page.expect_response(lambda r: r.url.endswith(reverse("screening:save")) and r.status == 200):
        page.locator(f'[data-testid="item"] [data-testid="option"][data-code="{code}"]').click()
    page.get_by_test_id("next").click()
    screen_at(page, position + 1)


def test_one_question_per_screen_on_a_phone(browser, live_server, page, phone_page, world, page_watch, screenshot_dir):
    campaign = make_campaign(world, one_item_per_screen=True)
    width = PHONE["viewport"]["width"]

    # The head teacher opens a sitting: the QR code is large on the screen, and there is a printable sheet.
    sign_in_to_home(page, world.cast["head_teacher"].username)
    page.goto(reverse("screening:sitting_list"))
    page.get_by_test_id("open-sitting").click()
    code = page.get_by_test_id("sitting-code").inner_text().strip()
    qr = page.get_by_test_id("sitting-qr").locator("svg")
    expect(qr).to_be_visible()
    box = qr.bounding_box()
    assert box["width"] >= 300 and abs(box["width"] - box["height"]) < 2  # square, big enough to scan
    screenshot(page, screenshot_dir, "desktop-sitting-qr")
    page.get_by_test_id("sitting-print").click()
    expect(page.get_by_test_id("sitting-sheet")).to_contain_text(code)
    expect(page.get_by_test_id("sitting-sheet").locator("svg")).to_be_visible()

    # A student enters on their phone and answers screen by screen.
    first_context = browser.new_context(base_url=live_server.url, locale="zh-CN", **PHONE)
    first_context.set_default_timeout(TIMEOUT_MS)
    first = first_context.new_page()
    page_watch.attach(first)
    enter(first, code, world.in_scope)
    first.get_by_test_id("consent-agree").click()
    screen_at(first, 1)
    expect(first.locator('[data-testid="item"]')).to_have_count(1)
    expect(first.get_by_test_id("position")).to_contain_text("10")
    tap_and_next(first, 1, "1")
    expect(first).to_have_url(f"{live_server.url}{ANSWER}?q=2")  # htmx pushed the screen's address
    tap_and_next(first, 2, "1")
    # A required question cannot be skipped.
    first.get_by_test_id("next").click()
    expect(first.get_by_test_id("submit-error")).to_be_visible()
    screen_at(first, 3)
    tap_and_next(first, 3, "2")
    expect(first.get_by_test_id("progress")).to_contain_text("3")
    assert_fits_width(first, width)
    first_context.close()

    # Back on the phone in a new session: the questionnaire opens at question 4.
    enter(phone_page, code, world.in_scope)
    screen_at(phone_page, 4)
    phone_page.get_by_test_id("back").click()
    screen_at(phone_page, 3)
    expect(phone_page.locator('[data-testid="item"] input[value="2"]')).to_be_checked()
    phone_page.get_by_test_id("next").click()
    for position in range(4, 9):
        tap_and_next(phone_page, position, "0")
    tap_and_next(phone_page, 9, "0")
    phone_page.get_by_test_id("next").click()  # question 10 is optional: skipped
    screen_at(phone_page, 11)
    expect(phone_page.get_by_test_id("finish")).to_be_visible()
    screenshot(phone_page, screenshot_dir, "phone-one-per-screen-finish")
    phone_page.get_by_test_id("submit").click()
    phone_page.wait_for_url(f"**{reverse('screening:done')}")
    expect(phone_page.get_by_test_id("done")).to_be_visible()
    participation = Participation.objects.get(campaign=campaign, student=world.in_scope)
    assert participation.status == Participation.Status.SUBMITTED
    answers = Response.objects.get(participation=participation).answers
    assert answers == {"1": "1", "2": "1", "3": "2", **{str(n): "0" for n in range(4, 10)}}


def test_one_question_per_screen_without_javascript(
    browser, live_server, transactional_db, _empty_access_log, world, page_watch
):
    campaign = make_campaign(world, one_item_per_screen=True)

    sitting = open_sitting(campaign, world.a1, world.cast["head_teacher"])
    context = browser.new_context(base_url=live_server.url, locale="zh-CN", java_script_enabled=False, **PHONE)
    context.set_default_timeout(TIMEOUT_MS)
    phone = context.new_page()
    page_watch.attach(phone)
    enter(phone, sitting.code, world.in_scope)
    phone.get_by_test_id("consent-agree").click()
    screen_at(phone, 1)
    phone.locator('[data-testid="option"][data-code="3"]').click()
    phone.get_by_test_id("next").click()
    phone.wait_for_url(f"**{ANSWER}?q=2")
    screen_at(phone, 2)
    phone.get_by_test_id("next").click()  # unanswered: refused by the server
    expect(phone.get_by_test_id("submit-error")).to_be_visible()
    phone.get_by_test_id("back").click()
    phone.wait_for_url(f"**{ANSWER}?q=1")
    expect(phone.locator('[data-testid="item"] input[value="3"]')).to_be_checked()
    participation = Participation.objects.get(campaign=campaign, student=world.in_scope)
    assert Response.objects.get(participation=participation).answers == {"1": "3"}
    context.close()
    assert page_watch.take() == []
