"""The centre imports an English PHQ-9 that has neither bands nor the item-9 red flag: it lands as a draft
on a page saying so, activation is refused until the warning is ticked, then the version is in use."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.e2e.steps import screenshot, sign_in_to_home
from tests.screening.questionnaires import as_bytes, english_phq9
from xinyu.audit.models import AuditEntry
from xinyu.screening.models import Instrument
from xinyu.screening.services import load_shipped_instruments

pytestmark = pytest.mark.e2e


def test_centre_imports_and_activates_an_instrument_lacking_its_safety_net(page, world, screenshot_dir):
    load_shipped_instruments()  # a transactional test before this one may have flushed the migration's rows
    sign_in_to_home(page, world.cast["counsellor"].username)
    page.goto(reverse("screening:campaign_list"))
    page.get_by_test_id("instruments-link").click()
    expect(page.get_by_test_id("instruments")).to_contain_text("PHQ-9")
    form = page.get_by_test_id("import-form")
    form.locator('input[name="file"]').set_input_files(
        files=[{"name": "phq9-en.json", "mimeType": "application/json", "buffer": as_bytes(english_phq9())}]
    )
    form.locator('button[type="submit"]').click()

    expect(page.get_by_test_id("state")).to_have_text("草稿")
    expect(page.get_by_test_id("missing")).to_contain_text("没有红色警示")
    expect(page.get_by_test_id("no-red-flags")).to_be_visible()
    expect(page.get_by_test_id("without-chinese")).to_contain_text("9 道题只有英文")
    screenshot(page, screenshot_dir, "desktop-instrument-draft")

    page.get_by_test_id("activate").click()
    expect(page.get_by_test_id("activate-error")).to_be_visible()
    assert Instrument.objects.get(code="PHQ9").is_draft

    page.locator('input[name="confirm_missing"]').check()
    page.get_by_test_id("activate").click()
    expect(page.get_by_test_id("active")).to_be_visible()
    expect(page.get_by_test_id("state")).to_have_text("使用中")
    screenshot(page, screenshot_dir, "desktop-instrument-activated")
    assert Instrument.objects.get(code="PHQ9").is_active
    entry = AuditEntry.objects.get(what="screening.instrument_activation")
    assert (entry.actor, entry.detail["confirmed_without_safety_net"]) == (world.cast["counsellor"], True)
