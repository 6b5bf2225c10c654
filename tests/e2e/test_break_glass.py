"""Break-glass in a real browser (desktop): a mental-health advisor of another college opens a student's
file in an emergency with a reason; the centre's supervisor finds the urgent alert, reads the reason
and records the review."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.e2e.steps import path_of, screenshot, sign_in_to_home
from xinyu.audit.models import AuditEntry
from xinyu.notify.models import Notification
from xinyu.privacy.breakglass import student_file_url
from xinyu.privacy.models import BreakGlassGrant

pytestmark = pytest.mark.e2e

REASON = "晚上十一点接到该生室友电话，称其情绪失控，辅导员电话打不通，需要查看家长联系方式。"


def test_staff_outside_the_chain_breaks_the_glass_and_the_centre_sees_the_alert(page, world, screenshot_dir):
    student = world.in_scope
    sign_in_to_home(page, world.cast["outsider"].username)  # 褚外院, mental-health advisor of college B
    page.get_by_test_id("nav-more").click()
    page.get_by_test_id("nav-privacy").click()
    page.wait_for_url(f"**{reverse('privacy:break_glass_list')}")
    page.get_by_test_id("new-break-glass").click()
    page.wait_for_url(f"**{reverse('privacy:break_glass')}")
    expect(page.get_by_test_id("break-glass-warning")).to_be_visible()

    # Without a reason: refused, nothing granted.
    form = page.get_by_test_id("break-glass-form")
    form.get_by_test_id("bg-number").fill(student.student_number)
    form.get_by_test_id("bg-name").fill(student.name)
    form.get_by_test_id("bg-submit").click()
    expect(page.get_by_test_id("reason-error")).to_be_visible()
    assert not BreakGlassGrant.objects.exists()

    page.get_by_test_id("bg-reason").fill(REASON)
    screenshot(page, screenshot_dir, "desktop-break-glass")
    page.get_by_test_id("bg-submit").click()
    file_path = student_file_url(student)
    page.wait_for_url(lambda url: path_of(page) == file_path or url.endswith(file_path))
    grant = BreakGlassGrant.objects.get()
    assert grant.person == world.cast["outsider"] and grant.student == student and grant.is_active()
    entry = AuditEntry.objects.get(what="privacy.break_glass", action="create")
    # The reason stays with the grant (encrypted); the log names the grant.
    assert entry.post == "break_glass" and entry.reason == "" and entry.detail["grant"] == grant.pk
    assert grant.reason == REASON

    # The centre's supervisor finds the urgent alert (which does not name the student) and reviews.
    page.context.clear_cookies()
    sign_in_to_home(page, world.cast["supervisor"].username)
    page.goto(reverse("notify:inbox"))
    told = Notification.objects.get(
        recipient=world.cast["supervisor"], link=reverse("privacy:break_glass_detail", args=[grant.pk])
    )
    assert told.urgent and student.name not in told.title
    item = page.locator(f'[data-testid="notification"][data-id="{told.pk}"]')
    expect(item).to_be_visible()
    item.get_by_test_id("open-notification").click()
    page.wait_for_url(f"**{told.link}")
    expect(page.get_by_test_id("grant-reason")).to_contain_text("辅导员电话打不通")
    screenshot(page, screenshot_dir, "desktop-break-glass-review")
    review = page.get_by_test_id("review-form")
    review.locator('input[value="justified"]').check()
    page.get_by_test_id("review-note").fill("情况紧急，处置得当。")
    page.get_by_test_id("review-submit").click()
    expect(page.get_by_test_id("grant-review")).to_contain_text("情况紧急")
    grant.refresh_from_db()
    assert grant.outcome == "justified" and grant.reviewed_by == world.cast["supervisor"]
