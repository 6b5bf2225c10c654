"""A centre counsellor with 2,000 open interviews, on a laptop: the urgent and the overdue counted at the
top, one college's overdue interviews found with the filter, and the filter kept from page to page."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.e2e.steps import screenshot, sign_in_to_home
from tests.factories import StudentFactory
from xinyu.care.models import Interview
from xinyu.core.listing import PAGE_SIZE

pytestmark = pytest.mark.e2e

ITEMS = 2_000


def test_a_counsellor_filters_a_long_list(page: Page, world, screenshot_dir):
    counsellor = world.cast["counsellor"]
    today = timezone.localdate()
    classes = [world.a1, world.a2, world.b1]
    students = [
        StudentFactory(
            name=f"学生{n:03d}", student_number=f"20258{n:05d}", class_group=classes[n % 3], school=world.school
        )
        for n in range(120)
    ]
    # Every 4th is overdue; students[n % 120] is in classes[n % 3]: the overdue of 机电2501班 are n % 12 == 2 or 6.
    Interview.objects.bulk_create(
        Interview(
            student=students[n % 120],
            source=Interview.Source.CONCERN_REPORT,
            assignee=counsellor,
            scheduled_by=counsellor,
            due_on=today - dt.timedelta(days=1 + n % 9) if n % 4 == 2 else today + dt.timedelta(days=n % 6),
        )
        for n in range(ITEMS)
    )
    overdue_in_b1 = sum(1 for n in range(ITEMS) if n % 4 == 2 and n % 3 == 2)

    sign_in_to_home(page, counsellor.username)
    page.goto(reverse("core:interview_list"))
    counts = page.get_by_test_id("list-counts")
    expect(counts).to_have_attribute("data-total", str(ITEMS))
    expect(counts).to_have_attribute("data-overdue", str(ITEMS // 4))
    items = page.get_by_test_id("interview-item")
    expect(items).to_have_count(PAGE_SIZE)
    expect(items.first.get_by_test_id("overdue")).to_be_visible()  # the overdue come first

    page.get_by_label("学院").select_option(label="机电工程学院")
    page.get_by_label("只看超时").check()
    page.get_by_test_id("list-filter").get_by_role("button", name="筛选").click()
    expect(page.get_by_test_id("list-matching")).to_have_attribute("data-count", str(overdue_in_b1))
    expect(items).to_have_count(PAGE_SIZE)
    expect(items.filter(has=page.get_by_test_id("overdue"))).to_have_count(PAGE_SIZE)
    expect(items.filter(has_text="机电2501班")).to_have_count(PAGE_SIZE)
    screenshot(page, screenshot_dir, "work-list-filtered")

    page.get_by_test_id("next-page").click()
    expect(page.get_by_label("学院")).to_have_value(str(world.college_b.pk))  # the filter holds on page 2
    expect(page.get_by_label("只看超时")).to_be_checked()
    expect(items).to_have_count(min(PAGE_SIZE, overdue_in_b1 - PAGE_SIZE))
    expect(items.filter(has_text="软件2501班")).to_have_count(0)
