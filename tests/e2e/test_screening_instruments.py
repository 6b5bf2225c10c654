"""The centre imports an English PHQ-9 that has neither bands nor the item-9 red flag: it lands as a draft
on a page saying so, activation is refused until the warning is ticked, then the version is in use."""

import json

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.e2e.steps import screenshot, sign_in_to_home
from tests.screening.questionnaires import as_bytes, english_phq9
from xinyu.audit.models import AuditEntry
from xinyu.screening.definition import definition_to_json, shipped_definition
from xinyu.screening.models import Instrument, Response, Result
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
    expect(page.get_by_test_id("not-saved")).to_be_visible()  # the preview: nothing saved yet
    assert not Instrument.objects.filter(code="PHQ9").exists()
    page.get_by_test_id("confirm").click()

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


def test_centre_previews_an_instrument_file_saves_it_as_a_draft_and_tries_it_as_a_student(page, world, screenshot_dir):
    load_shipped_instruments()
    raw = definition_to_json(shipped_definition("PHQ-9")) | {"version": "2"}
    sign_in_to_home(page, world.cast["counsellor"].username)
    page.goto(reverse("screening:instrument_list"))
    form = page.get_by_test_id("import-form")
    form.locator('input[name="file"]').set_input_files(
        files=[{"name": "phq9-v2.json", "mimeType": "application/json",
                "buffer": json.dumps(raw, ensure_ascii=False).encode()}]
    )  # fmt: skip
    form.locator('button[type="submit"]').click()

    expect(page.get_by_test_id("preview-heading")).to_contain_text("保存前核对")
    expect(page.get_by_test_id("red-flags")).to_contain_text("第 9 题")
    expect(page.get_by_test_id("bands")).to_contain_text("中重度")
    expect(page.get_by_test_id("items")).to_contain_text("做事时提不起劲或没有兴趣")
    screenshot(page, screenshot_dir, "desktop-instrument-preview")
    assert not Instrument.objects.filter(code="PHQ-9", version="2").exists()

    page.get_by_test_id("confirm").click()
    expect(page.get_by_test_id("state")).to_have_text("草稿")
    assert Instrument.objects.get(code="PHQ-9", version="2").is_draft

    page.get_by_test_id("try").click()
    expect(page.get_by_test_id("try-note")).to_be_visible()
    for item in page.get_by_test_id("item").all()[:9]:
        item.locator('[data-testid="option"][data-code="2"]').click()
    page.get_by_test_id("item").nth(9).locator('[data-testid="option"][data-code="1"]').click()
    page.get_by_test_id("try-submit").click()

    expect(page.get_by_test_id("try-total")).to_have_text("18")
    expect(page.get_by_test_id("try-band")).to_contain_text("中重度")
    expect(page.get_by_test_id("try-flags")).to_contain_text("立即发起危机预警上报")
    screenshot(page, screenshot_dir, "desktop-instrument-try")
    assert not Response.objects.exists() and not Result.objects.exists()
