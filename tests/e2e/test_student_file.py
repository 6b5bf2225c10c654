"""The student file in a real browser (desktop): the college's mental-health advisor opens 张三's file from
the student page, sees the timeline at T3, filters it by kind and opens the print view; a head teacher sees
the same file at T2 without scores or notes; strict CSP holds throughout (the page watch)."""

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from tests.e2e.steps import screenshot, sign_in_to_home
from tests.studentfile.conftest import make_records
from xinyu.audit.models import AuditEntry

pytestmark = pytest.mark.e2e


def open_file_from_student_page(page: Page, student) -> None:
    page.goto(reverse("org:student_detail", args=[student.pk]))
    page.get_by_test_id("student-file-link").click()
    page.wait_for_url(f"**{reverse('studentfile:file', args=[student.pk])}")


def test_mental_health_advisor_opens_filters_and_prints_a_file(page: Page, world, screenshot_dir):
    make_records(world)
    sign_in_to_home(page, "T10003")
    open_file_from_student_page(page, world.in_scope)
    expect(page.locator("h1")).to_contain_text("张三")
    expect(page.get_by_test_id("file-tier")).to_have_text("T3")
    expect(page.get_by_test_id("file-badge")).to_have_count(1)
    timeline = page.get_by_test_id("file-timeline")
    expect(timeline).to_contain_text("INTERVIEW-NOTE-学业压力")
    expect(timeline).to_contain_text("FAMILY-OUTCOME-母亲同意")
    screenshot(page, screenshot_dir, "student-file-t3")

    page.get_by_test_id("kind-family_contact").click()
    page.get_by_test_id("file-filter-apply").click()
    page.wait_for_url("**kind=family_contact**")
    expect(page.get_by_test_id("file-entry")).to_have_count(1)
    expect(timeline).to_contain_text("FAMILY-OUTCOME-母亲同意")
    expect(timeline).not_to_contain_text("宿舍里情绪低落-REPORT")

    page.get_by_test_id("file-print").click()
    page.wait_for_url(f"**{reverse('studentfile:file_print', args=[world.in_scope.pk])}?kind=family_contact")
    expect(page.get_by_test_id("file-print-page")).to_contain_text("FAMILY-OUTCOME-母亲同意")
    expect(page.locator("[data-print-page]")).to_be_visible()
    page.emulate_media(media="print")
    expect(page.locator("nav.navbar")).to_be_hidden()
    expect(page.locator("[data-print-page]")).to_be_hidden()

    actions = list(AuditEntry.objects.filter(what__startswith="studentfile.").values_list("what", "tier"))
    assert actions.count(("studentfile.file", 3)) == 2
    assert ("studentfile.print", 3) in actions


def test_head_teacher_sees_the_file_at_t2(page: Page, world):
    make_records(world)
    sign_in_to_home(page, "T10001")
    open_file_from_student_page(page, world.in_scope)
    expect(page.get_by_test_id("file-tier")).to_have_text("T2")
    timeline = page.get_by_test_id("file-timeline")
    expect(timeline).to_contain_text("宿舍里情绪低落-REPORT")
    expect(timeline).not_to_contain_text("INTERVIEW-NOTE-学业压力")
    expect(timeline).not_to_contain_text("FAMILY-OUTCOME-母亲同意")
    expect(page.get_by_test_id("file-access-log")).to_have_count(0)
    response = page.goto(reverse("studentfile:file", args=[world.other_college.pk]))
    assert response.status == 404
    assert "王五" not in page.content()
