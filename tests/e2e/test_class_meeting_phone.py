"""Activities in the browser: a class wellbeing rep records a theme class meeting on a phone, taking the
attendance from the class roster (everyone ticked, the absent unticked), and the meeting counts in the
theme class meeting coverage the college's mental-health advisor sees."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.e2e.conftest import PHONE
from tests.e2e.steps import assert_fits_width, follow_nav, screenshot, sign_in_to_home
from xinyu.education.models import Activity

pytestmark = pytest.mark.e2e


def test_a_wellbeing_rep_records_a_class_meeting_on_a_phone(phone_page, page, world, screenshot_dir):
    width = PHONE["viewport"]["width"]
    sign_in_to_home(phone_page, world.cast["wellbeing_rep"].username)
    follow_nav(phone_page, reverse("education:activities"), phone=True)
    phone_page.get_by_test_id("activity-new").click()
    # The rep records for one class only: the form opens at once, the roster all ticked.
    form = phone_page.get_by_test_id("activity-form")
    expect(phone_page.get_by_test_id("activity-place")).to_contain_text("软件2501班")
    ticks = form.get_by_test_id("present")
    expect(ticks).to_have_count(3)
    for index in range(3):
        expect(ticks.nth(index)).to_be_checked()
    form.locator("input[name=title]").fill("珍爱生命主题班会")
    form.locator("textarea[name=account]").fill("同学们分享了压力应对的方法。")
    form.locator("label", has_text="张三").click()  # absent: untick
    expect(form.locator("label", has_text="张三").locator("input")).not_to_be_checked()
    assert_fits_width(phone_page, width)
    screenshot(phone_page, screenshot_dir, "phone-class-meeting")
    form.get_by_test_id("activity-submit").click()
    expect(phone_page.get_by_test_id("activity-title")).to_have_text("珍爱生命主题班会")
    meeting = Activity.objects.get(title="珍爱生命主题班会")
    assert phone_page.url.endswith(reverse("education:activity", args=[meeting.pk]))
    expect(phone_page.get_by_test_id("headcount")).to_have_text("2")
    expect(phone_page.get_by_test_id("attendees")).to_have_count(0)  # a student sees no attendance list
    assert_fits_width(phone_page, width)
    assert set(meeting.attendance.values_list("student__name", flat=True)) == {"赵寝", "钱委"}

    # The college's mental-health advisor sees A1 covered, A2 not yet.
    sign_in_to_home(page, world.cast["mental_health_advisor"].username)
    page.goto(reverse("education:coverage"))
    row = page.locator(f'[data-testid="coverage-row"][data-college="{world.college_a.pk}"]')
    expect(row.get_by_test_id("held")).to_have_text("1")
    expect(row.get_by_test_id("classes")).to_have_text("2")
    row.locator("a").click()
    page.wait_for_url(f"**{reverse('education:coverage_college', args=[world.college_a.pk])}**")
    expect(page.locator('[data-testid="class-row"][data-held="yes"]')).to_contain_text("软件2501班")
    expect(page.locator('[data-testid="class-row"][data-held="no"]')).to_contain_text("网络2501班")
