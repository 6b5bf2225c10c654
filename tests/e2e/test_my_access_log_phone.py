"""A student reads "who opened my file" on a phone: the college's mental-health advisor opened it a dozen
times one morning and the head teacher once; the page shows one line each, with the day, the post, how many
times and which records, and nothing scrolls sideways."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.conftest import PHONE
from tests.e2e.steps import assert_fits_width, follow_nav, screenshot, sign_in_to_home
from tests.helpers import freeze_time
from xinyu.audit.models import AuditEntry
from xinyu.audit.services import Event, record
from xinyu.org.scope import Tier

pytestmark = pytest.mark.e2e

MORNING = timezone.make_aware(dt.datetime(2026, 3, 2, 9, 0))


def test_a_student_reads_who_opened_the_file_on_a_phone(phone_page, world, screenshot_dir):
    with freeze_time(MORNING):
        for what, post in [("screening.results", "mental_health_advisor")] * 9 + [("studentfile.file", "")] * 3:
            record(world.cast["mental_health_advisor"], Event(AuditEntry.Action.VIEW, what, student=world.in_scope,
                                                               tier=Tier.T3, post=post))  # fmt: skip
        record(world.cast["head_teacher"], Event(AuditEntry.Action.VIEW, "student.detail", student=world.in_scope,
                                                  tier=Tier.T2, post="head_teacher"))  # fmt: skip

    sign_in_to_home(phone_page, world.cast["student"].username)
    follow_nav(phone_page, reverse("privacy:mine"), phone=True)
    log = phone_page.get_by_test_id("access-log")
    rows = log.get_by_test_id("access")
    expect(rows).to_have_count(2)
    advisor = rows.filter(has_text="吴心理辅导员")
    expect(advisor).to_have_attribute("data-count", "12")
    expect(advisor.get_by_test_id("access-post")).to_have_text("心理辅导员")
    expect(advisor.get_by_test_id("access-day")).to_have_text("2026-03-02")
    expect(advisor.get_by_test_id("access-count")).to_have_text("12 次")
    expect(advisor.get_by_test_id("access-kind")).to_have_text(["测评结果", "心理健康档案"])
    expect(rows.filter(has_text="孙班主任").get_by_test_id("access-post")).to_have_text("班主任")
    log.scroll_into_view_if_needed()
    assert_fits_width(phone_page, PHONE["viewport"]["width"])
    screenshot(phone_page, screenshot_dir, "phone-who-opened-my-file")
