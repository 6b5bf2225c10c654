"""Supervision in the browser: a counsellor brings a case to supervision from the counselling record; the
supervisor finds it in the queue and records the session with guidance; the counsellor reads the guidance; a
head teacher who sees the student reaches none of it."""

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from tests.e2e.steps import screenshot, sign_in_to_home
from tests.workforce.conftest import counsel
from xinyu.workforce.models import SupervisionRequest, SupervisionSession

pytestmark = pytest.mark.e2e

QUESTION = "来访者反复提到想休学，我拿不准是否应鼓励其与家长沟通"
GUIDANCE = "先陪伴来访者梳理休学的利弊，再讨论与家长沟通的方式；下次咨询评估情绪风险"


def sign_out(page: Page) -> None:
    page.locator(f'form[action="{reverse("accounts:logout")}"] button[type=submit]').click()
    page.wait_for_url(f"**{reverse('accounts:login')}")


def test_a_counsellor_brings_a_case_and_reads_the_supervisors_guidance(page, world, screenshot_dir):
    session = counsel(world, world.cast["counsellor"], next_step="supervision")

    # The counsellor, from the counselling record, brings the case to supervision with a question.
    sign_in_to_home(page, world.cast["counsellor"].username)
    page.goto(reverse("counselling:session_detail", args=[session.pk]))
    page.get_by_test_id("to-supervision").click()
    page.wait_for_url(f"**{reverse('workforce:request_new')}?session={session.pk}")
    expect(page.get_by_test_id("request-student")).to_contain_text("张三")
    page.get_by_test_id("request-form").locator("textarea[name=question]").fill(QUESTION)
    page.get_by_test_id("request-submit").click()
    request = SupervisionRequest.objects.get()
    page.wait_for_url(f"**{reverse('workforce:request_detail', args=[request.pk])}")
    expect(page.get_by_test_id("request-status")).to_have_attribute("data-status", "submitted")
    expect(page.get_by_test_id("question")).to_contain_text(QUESTION)
    sign_out(page)

    # The supervisor finds it in the queue and records an individual session with guidance.
    sign_in_to_home(page, world.cast["supervisor"].username)
    page.goto(reverse("workforce:supervision"))
    page.locator(f'[data-testid="queue-item"][data-id="{request.pk}"]').click()
    page.wait_for_url(f"**{reverse('workforce:request_detail', args=[request.pk])}")
    page.get_by_test_id("to-record").click()
    page.wait_for_url(f"**{reverse('workforce:session_new')}?request={request.pk}")
    form = page.get_by_test_id("session-form")
    row = form.locator(f'[data-testid="session-request"][data-id="{request.pk}"]')
    expect(row.locator(f"input[name=discuss_{request.pk}]")).to_be_checked()
    form.locator("input[name=duration_minutes]").fill("60")
    row.locator(f"textarea[name=notes_{request.pk}]").fill("讨论了来访者的家庭动力")
    row.locator(f"textarea[name=guidance_{request.pk}]").fill(GUIDANCE)
    screenshot(page, screenshot_dir, "supervision-record-session")
    form.get_by_test_id("session-submit").click()
    supervision = SupervisionSession.objects.get()
    page.wait_for_url(f"**{reverse('workforce:session_detail', args=[supervision.pk])}")
    expect(page.get_by_test_id("present")).to_contain_text("冯咨询师")
    sign_out(page)

    # The counsellor sees new guidance on their case and reads it.
    sign_in_to_home(page, world.cast["counsellor"].username)
    page.goto(reverse("workforce:supervision"))
    mine = page.locator(f'[data-testid="my-request"][data-id="{request.pk}"]')
    expect(mine.get_by_test_id("guidance-new")).to_be_visible()
    mine.click()
    page.wait_for_url(f"**{reverse('workforce:request_detail', args=[request.pk])}")
    expect(page.get_by_test_id("request-status")).to_have_attribute("data-status", "discussed")
    expect(page.get_by_test_id("guidance-text")).to_contain_text(GUIDANCE)
    screenshot(page, screenshot_dir, "supervision-guidance")
    request.refresh_from_db()
    assert request.guidance_read_at is not None
    sign_out(page)

    # The head teacher, who sees 张三, reaches neither the request nor the session.
    sign_in_to_home(page, world.cast["head_teacher"].username)
    for path in (reverse("workforce:request_detail", args=[request.pk]),
                 reverse("workforce:session_detail", args=[supervision.pk])):  # fmt: skip
        response = page.goto(path)
        assert response.status == 404
        assert GUIDANCE not in page.content()
