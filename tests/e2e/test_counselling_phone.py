"""Counselling in the browser: a student books an appointment on a phone; the counsellor confirms it, records
a session with confidential notes and the intake form on a desktop; the college's mental-health advisor, who
sees the student at T3, cannot read the notes anywhere."""

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from tests.counselling.conftest import make_slot
from tests.e2e.conftest import PHONE, TIMEOUT_MS
from tests.e2e.steps import assert_fits_width, follow_nav, screenshot, sign_in_to_home
from xinyu.counselling.models import Booking, Room, Session

pytestmark = pytest.mark.e2e

SECRET = "来访者谈到父亲酗酒，夜里不敢回家"


def test_a_student_books_on_a_phone_and_the_counsellor_confirms(phone_page, page, world, screenshot_dir):
    room = Room.objects.create(school=world.school, name="个体咨询室1", location="行政楼301")
    slot = make_slot(world.cast["counsellor"], room, hours_from_now=50)
    width = PHONE["viewport"]["width"]

    sign_in_to_home(phone_page, world.cast["student"].username)
    follow_nav(phone_page, reverse("counselling:my_bookings"), phone=True)
    phone_page.get_by_test_id("to-slots").click()
    phone_page.wait_for_url(f"**{reverse('counselling:slot_list')}")
    choice = phone_page.locator(f'[data-testid="open-slot"][data-id="{slot.pk}"]')
    expect(choice).to_contain_text("冯咨询师")
    expect(choice).to_contain_text("个体咨询室1")
    assert_fits_width(phone_page, width)
    screenshot(phone_page, screenshot_dir, "phone-counselling-slots")
    choice.click()
    phone_page.wait_for_url(f"**{reverse('counselling:book', args=[slot.pk])}")
    phone_page.get_by_test_id("book-form").locator("textarea[name=reason]").fill("最近总是失眠")
    assert_fits_width(phone_page, width)
    phone_page.get_by_test_id("book-submit").click()
    phone_page.wait_for_url(f"**{reverse('counselling:my_bookings')}")
    booking = Booking.objects.get()
    row = phone_page.locator(f'[data-testid="my-booking"][data-id="{booking.pk}"]')
    expect(row).to_have_attribute("data-status", "requested")
    expect(row.get_by_test_id("booking-change")).to_be_visible()
    assert_fits_width(phone_page, width)
    screenshot(phone_page, screenshot_dir, "phone-counselling-booked")

    # The counsellor confirms on a desktop; the student sees it confirmed.
    sign_in_to_home(page, world.cast["counsellor"].username)
    follow_nav(page, reverse("counselling:schedule"))
    item = page.locator(f'[data-testid="slot"][data-id="{slot.pk}"]')
    expect(item.get_by_test_id("slot-student")).to_have_text("张三")
    item.get_by_test_id("booking-confirm").click()
    page.wait_for_url(f"**{reverse('counselling:schedule')}")
    expect(page.locator(f'[data-testid="slot"][data-id="{slot.pk}"]')).to_have_attribute("data-status", "confirmed")
    phone_page.reload()
    expect(row).to_have_attribute("data-status", "confirmed")


def test_a_counsellor_records_a_session_and_the_advisor_cannot_read_it(browser, live_server, page, world, page_watch):
    room = Room.objects.create(school=world.school, name="个体咨询室1")
    slot = make_slot(world.cast["counsellor"], room, hours_from_now=-1)
    booking = slot.bookings.create(student=world.in_scope, status="confirmed", confirmed_at=timezone.now())

    sign_in_to_home(page, world.cast["counsellor"].username)
    follow_nav(page, reverse("counselling:schedule"))
    page.locator(f'[data-testid="slot"][data-id="{slot.pk}"]').get_by_test_id("record-session").click()
    page.wait_for_url(f"**{reverse('counselling:session_new', args=[booking.pk])}")
    form = page.get_by_test_id("session-form")
    form.locator("select[name=risk_level]").select_option("low")
    form.locator("textarea[name=notes]").fill(SECRET)
    form.get_by_test_id("session-submit").click()
    session = Session.objects.get()
    page.wait_for_url(f"**{reverse('counselling:intake', args=[session.pk])}")
    intake = page.get_by_test_id("intake-form")
    intake.locator("textarea[name=presenting_concern]").fill("家庭矛盾导致失眠")
    intake.locator("input[name=consent_to_counselling]").check()
    intake.locator("input[name=confidentiality_limits_explained]").check()
    intake.get_by_test_id("intake-submit").click()
    page.wait_for_url(f"**{reverse('counselling:session_detail', args=[session.pk])}")
    expect(page.get_by_test_id("session-notes")).to_contain_text(SECRET)
    expect(page.get_by_test_id("risk-level")).not_to_be_empty()
    assert Session.objects.get().notes == SECRET
    assert Booking.objects.get().status == "attended"

    # The college's mental-health advisor, on a phone of their own: the record is not there for them.
    context = browser.new_context(base_url=live_server.url, locale="zh-CN", timezone_id="Asia/Shanghai", **PHONE)
    context.set_default_timeout(TIMEOUT_MS)
    advisor = context.new_page()
    page_watch.attach(advisor)
    try:
        sign_in_to_home(advisor, world.cast["mental_health_advisor"].username)
        for url in (
            reverse("counselling:session_detail", args=[session.pk]),
            reverse("counselling:session_list"),
            reverse("counselling:schedule"),
        ):
            response = advisor.goto(url)
            assert response.status == 404, url
            assert SECRET not in advisor.content()
        advisor.goto(reverse("studentfile:file", args=[world.in_scope.pk]))
        assert SECRET not in advisor.content()
        assert "家庭矛盾导致失眠" not in advisor.content()
    finally:
        context.close()
