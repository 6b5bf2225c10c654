"""A class answers PHQ-9 on their phones: the head teacher opens a sitting, a student enters with the code,
their 学号 and ID check, loses the connection half-way, comes back where they were, submits with item 9
answered and sees the immediate-help lines at once; the college's mental-health advisor finds an urgent
item in their inbox."""

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from tests.e2e.conftest import DESKTOP, PHONE
from tests.e2e.steps import assert_fits_width, screenshot, sign_in_to_home
from tests.screening.test_campaigns import make_campaign
from xinyu.policy.loader import policy_in_force

pytestmark = pytest.mark.e2e


def enter(page: Page, code: str, student) -> None:
    page.goto(reverse("screening:enter") + f"?code={code}")
    form = page.get_by_test_id("entry-form")
    expect(form.get_by_test_id("entry-code")).to_have_value(code)
    form.get_by_test_id("entry-student_number").fill(student.student_number)
    form.get_by_test_id("entry-check").fill(student.reveal_id_number()[-6:])
    form.get_by_test_id("entry-submit").click()
    page.wait_for_url(f"**{reverse('screening:answer')}")


def choose(page: Page, number: int, code: str) -> None:
    item = page.locator(f'[data-testid="item"][data-number="{number}"]')
    with page.expect_response(lambda r: r.url.endswith(reverse("screening:save")) and r.status == 200):
        item.locator(f'[data-testid="option"][data-code="{code}"]').click()


def test_student_answers_on_a_phone_resumes_and_sees_help(
    browser, live_server, page, phone_page, world, screenshot_dir
):
    campaign = make_campaign(world)
    width = PHONE["viewport"]["width"]

    # The head teacher opens a sitting for their class and shows the code.
    sign_in_to_home(page, world.cast["head_teacher"].username)
    page.goto(reverse("screening:sitting_list"))
    page.get_by_test_id("open-sitting").click()
    code = page.get_by_test_id("sitting-code").inner_text().strip()
    assert len(code) == 6
    expect(page.get_by_test_id("sitting-link")).to_contain_text(f"?code={code}")
    screenshot(page, screenshot_dir, "desktop-sitting")

    # A student enters on their phone, agrees, answers four items, and then the connection is lost.
    first_context = browser.new_context(base_url=live_server.url, locale="zh-CN", **PHONE)
    first = first_context.new_page()
    enter(first, code, world.in_scope)
    expect(first.get_by_test_id("consent-text")).to_contain_text(campaign.consent_text)
    first.get_by_test_id("consent-agree").click()
    first.wait_for_url(f"**{reverse('screening:answer')}")
    for number in range(1, 5):
        choose(first, number, "1")
    expect(first.get_by_test_id("progress")).to_contain_text("4")
    assert_fits_width(first, width)
    first_context.close()

    # On a new page (a new browser session) they enter again and find their answers where they left them.
    enter(phone_page, code, world.in_scope)
    for number in range(1, 5):
        item = phone_page.locator(f'[data-testid="item"][data-number="{number}"]')
        expect(item.locator('input[value="1"]')).to_be_checked()
    expect(phone_page.locator('[data-testid="item"][data-number="5"] input:checked')).to_have_count(0)
    expect(phone_page.locator('[data-testid="item"][data-resume="true"]')).to_have_attribute("data-number", "5")
    for number in range(5, 9):
        choose(phone_page, number, "0")
    choose(phone_page, 9, "1")
    assert_fits_width(phone_page, width)
    screenshot(phone_page, screenshot_dir, "phone-questionnaire")
    phone_page.get_by_test_id("submit").click()
    phone_page.wait_for_url(f"**{reverse('screening:done')}")
    help_box = phone_page.get_by_test_id("immediate-help")
    expect(help_box).to_be_visible()
    expect(help_box).to_contain_text("12356")
    expect(help_box).to_contain_text("400-161-9995")
    centre = policy_in_force().centre  # the policy file's [centre]: 阳光心理中心, its phone and room
    expect(help_box).to_contain_text(f"阳光心理中心：电话 {centre.phone}")
    expect(help_box).to_contain_text(centre.main_room.location + centre.main_room.name)
    assert_fits_width(phone_page, width)
    screenshot(phone_page, screenshot_dir, "phone-screening-done")

    # The college's mental-health advisor finds an urgent item in their inbox.
    advisor_context = browser.new_context(base_url=live_server.url, locale="zh-CN", **DESKTOP)
    advisor = advisor_context.new_page()
    sign_in_to_home(advisor, world.cast["mental_health_advisor"].username)
    advisor.goto(reverse("notify:inbox"))
    expect(advisor.get_by_test_id("urgent-mark").first).to_be_visible()
    advisor_context.close()
