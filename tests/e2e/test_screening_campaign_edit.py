"""The centre extends an open campaign's close time, sees the settings that can no longer change locked,
closes it with a confirmation; a student then finds the campaign closed."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.steps import screenshot, sign_in_to_home
from tests.screening.test_campaigns import make_campaign
from xinyu.audit.models import AuditEntry
from xinyu.screening.models import Campaign

pytestmark = pytest.mark.e2e


def test_centre_extends_and_closes_a_campaign(page, world, screenshot_dir):
    campaign = make_campaign(world)
    sign_in_to_home(page, world.cast["counsellor"].username)
    page.goto(reverse("screening:campaign_list"))
    page.get_by_test_id("campaign-edit").first.click()
    form = page.get_by_test_id("campaign-form")
    expect(form.locator('input[name="title"]')).to_be_disabled()
    expect(form.locator('textarea[name="consent_text"]')).to_be_disabled()
    later = timezone.localtime(campaign.closes_at + dt.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    form.locator('input[name="closes_at"]').fill(later)
    form.locator('textarea[name="reminder_text"]').fill("请在周五前完成")
    screenshot(page, screenshot_dir, "desktop-campaign-edit")
    page.get_by_test_id("campaign-save").click()
    expect(page.get_by_role("alert").first).to_be_visible()
    campaign.refresh_from_db()
    assert timezone.localtime(campaign.closes_at).strftime("%Y-%m-%dT%H:%M") == later
    assert campaign.reminder_text == "请在周五前完成"

    # An earlier close time is refused with the reason.
    earlier = timezone.localtime(campaign.closes_at - dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    page.get_by_test_id("campaign-form").locator('input[name="closes_at"]').fill(earlier)
    page.get_by_test_id("campaign-save").click()
    expect(page.get_by_test_id("form-errors")).to_be_visible()

    # Close now, after the confirmation.
    page.get_by_test_id("campaign-close").click()
    page.get_by_test_id("close-confirm").click()  # not confirmed yet: the browser asks for the tick
    expect(page.get_by_test_id("close-form")).to_be_visible()
    page.locator("#id_confirm").check()
    page.get_by_test_id("close-confirm").click()
    expect(page.get_by_test_id("campaign-state")).to_be_visible()
    assert not Campaign.objects.get(pk=campaign.pk).is_open()
    assert AuditEntry.objects.filter(what="screening.campaign_close").count() == 1
    assert AuditEntry.objects.filter(what="screening.campaign").count() == 1
