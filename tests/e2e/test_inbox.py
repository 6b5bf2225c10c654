"""The navbar badge in a real browser: it counts a new item without a reload (htmx polling, under the
strict CSP), and opening the item from the inbox marks it read."""

from urllib.parse import urlparse

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from tests.e2e.steps import path_of, screenshot, sign_in_to_home
from xinyu.notify.services import notify
from xinyu.org.scope import Tier

pytestmark = pytest.mark.e2e


def test_the_badge_updates_without_a_reload_and_opening_marks_read(page: Page, world, screenshot_dir):
    advisor = world.cast["advisor"]
    page.clock.install()  # the page's timers run when the test says, not after 20 real seconds
    sign_in_to_home(page, advisor.username)
    badge = page.get_by_test_id("notify-badge")
    expect(badge).to_have_attribute("data-unread", "0")
    page.evaluate("() => { window.xinyuSamePage = true; }")

    notify(
        [advisor],
        student=None,
        tier=Tier.T0,
        key="e2e:1",
        title="Crisis step to take",
        link=reverse("core:home"),
        urgent=True,
    )
    notify(
        [world.cast["head_teacher"]], student=None, tier=Tier.T0, key="e2e:1", title="Someone else's item", urgent=True
    )
    with page.expect_response(lambda r: urlparse(r.url).path == reverse("notify:badge")) as poll:
        page.clock.run_for(21_000)
    assert poll.value.status == 200 and poll.value.request.headers.get("hx-request") == "true"
    expect(badge).to_have_attribute("data-unread", "1")
    expect(page.get_by_test_id("notify-unread")).to_contain_text("1")
    assert page.evaluate("() => window.xinyuSamePage") is True  # the same page: no reload

    badge.click()
    page.wait_for_url(f"**{reverse('notify:inbox')}")
    items = page.get_by_test_id("notification")
    expect(items).to_have_count(1)
    expect(items.get_by_test_id("notification-title")).to_have_text("Crisis step to take")
    expect(items).to_have_attribute("data-unread", "1")
    screenshot(page, screenshot_dir, "notify-inbox")
    items.get_by_test_id("open-notification").click()
    page.wait_for_url(lambda url: urlparse(url).path == reverse("core:home"))
    assert path_of(page) == reverse("core:home")
    expect(page.get_by_test_id("notify-badge")).to_have_attribute("data-unread", "0")
