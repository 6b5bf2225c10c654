"""A leave walked through the return gate in a real browser (desktop): the centre's counsellor records the
leave and a "not yet fit" assessment, the college's mental-health advisor records the parents' agreement and
signs off (still blocked), the counsellor's new assessment completes the gate, and the student is back with
follow-ups scheduled. The advisor never sees the hospital's confidential statement."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.e2e.steps import follow_nav, path_of, screenshot, sign_in_to_home
from xinyu.org.models import Student
from xinyu.referrals.models import Leave

pytestmark = pytest.mark.e2e

STATEMENT = "建议住院治疗-机密"


def _switch_to(page: Page, username: str) -> None:
    page.locator(f'form[action="{reverse("accounts:logout")}"] [type=submit]').click()
    page.context.clear_cookies()
    sign_in_to_home(page, username)


def _gate_item(page: Page, code: str):
    return page.get_by_test_id("gate").locator(f'[data-testid="gate-item"][data-code="{code}"]')


def test_a_leave_goes_through_the_return_gate(page: Page, world, screenshot_dir):
    today = timezone.localdate()
    # The counsellor finds the student and records the leave with the hospital's statement.
    sign_in_to_home(page, "T10005")
    follow_nav(page, reverse("referrals:index"))
    page.locator("#q").fill("张三")
    page.get_by_test_id("student-search").locator("[type=submit]").click()
    page.get_by_test_id("found-student").filter(has_text="张三").get_by_test_id("start-leave").click()
    page.wait_for_url(f"**{reverse('referrals:leave_new', args=[world.in_scope.pk])}")
    form = page.get_by_test_id("leave-form")
    form.locator("[name=applied_on]").fill((today - dt.timedelta(days=2)).isoformat())
    form.locator("[name=reason_summary]").fill("因抑郁住院治疗，家长申请休学")
    form.locator("[name=starts_on]").fill(today.isoformat())
    form.locator("[name=expected_return_on]").fill((today + dt.timedelta(days=60)).isoformat())
    form.locator("[name=statement_received_on]").fill((today - dt.timedelta(days=3)).isoformat())
    form.locator("[name=statement_hospital]").fill("衢州市第三医院")
    form.locator("[name=statement_summary]").fill(STATEMENT)
    page.get_by_test_id("leave-submit").click()
    leave = Leave.objects.get()
    page.wait_for_url(f"**{reverse('referrals:leave_detail', args=[leave.pk])}")
    expect(page.get_by_test_id("leave-status")).to_have_attribute("data-status", "on_leave")
    assert Student.objects.get(pk=world.in_scope.pk).status == Student.Status.ON_LEAVE
    expect(page.get_by_test_id("gate-form-sign_off")).to_have_count(0)

    # A first assessment: not yet fit; then the statement of fitness.
    assessment = page.get_by_test_id("gate-form-assessment")
    assessment.locator("input[name=assessment-result][value=not_yet]").check()
    assessment.locator("[name=assessment-note]").fill("情绪仍不稳定，两周后复评")
    page.get_by_test_id("gate-submit-assessment").click()
    expect(_gate_item(page, "assessment")).to_have_attribute("data-blocked", "yes")
    fitness = page.get_by_test_id("gate-form-fitness")
    fitness.locator("[name=fitness-dated]").fill(today.isoformat())
    fitness.locator("[name=fitness-hospital]").fill("衢州市第三医院")
    page.get_by_test_id("gate-submit-fitness").click()
    expect(_gate_item(page, "fitness")).to_have_attribute("data-done", "yes")

    # The college's mental-health advisor: parents' agreement and contacts, then the sign-off.
    _switch_to(page, "T10003")
    page.goto(reverse("referrals:leave_detail", args=[leave.pk]))
    expect(page.get_by_test_id("gate-form-assessment")).to_have_count(0)
    expect(page.get_by_test_id("open-confidential")).to_have_count(0)
    assert STATEMENT not in page.content()
    parents = page.get_by_test_id("gate-form-parents")
    parents.locator("[name=parents-agreed_on]").fill(today.isoformat())
    row = parents.get_by_test_id("contact-row").first
    row.locator("[name=parents-name_1]").fill("张建国")
    row.locator("[name=parents-relation_1]").fill("父亲")
    row.locator("[name=parents-phone_1]").fill("13905701234")
    page.get_by_test_id("gate-submit-parents").click()
    expect(page.get_by_test_id("contacts")).to_contain_text("13905701234")
    page.get_by_test_id("gate-form-sign_off").locator("[name=sign_off-note]").fill("学院同意复学")
    page.get_by_test_id("gate-submit-sign_off").click()
    expect(_gate_item(page, "sign_off")).to_have_attribute("data-done", "yes")
    # Three of four done, but "not yet fit" still blocks.
    expect(page.get_by_test_id("leave-status")).to_have_attribute("data-status", "on_leave")
    expect(_gate_item(page, "assessment")).to_have_attribute("data-done", "no")
    screenshot(page, screenshot_dir, "return-gate-blocked")

    # The counsellor's new assessment completes the gate.
    _switch_to(page, "T10005")
    page.goto(reverse("referrals:leave_detail", args=[leave.pk]))
    assessment = page.get_by_test_id("gate-form-assessment")
    assessment.locator("input[name=assessment-result][value=fit]").check()
    assessment.locator("[name=assessment-note]").fill("情绪平稳，同意复学")
    page.get_by_test_id("gate-submit-assessment").click()
    expect(page.get_by_test_id("leave-status")).to_have_attribute("data-status", "returned")
    expect(page.get_by_test_id("follow-up")).to_have_count(9)
    expect(page.get_by_test_id("follow-ups")).to_contain_text("吴心理辅导员")
    screenshot(page, screenshot_dir, "return-gate-returned")
    assert path_of(page) == reverse("referrals:leave_detail", args=[leave.pk])
    assert Student.objects.get(pk=world.in_scope.pk).status == Student.Status.ENROLLED
    # The counsellor recorded the statement and reads it (step-up is off in the test settings).
    page.get_by_test_id("open-confidential").click()
    expect(page.get_by_test_id("statement-summary")).to_have_text(STATEMENT)

    # Out of scope: the other college's mental-health advisor gets 404.
    _switch_to(page, "T10007")
    response = page.goto(reverse("referrals:leave_detail", args=[leave.pk]))
    assert response.status == 404 and "张三" not in page.content()
