"""A key-concern registry entry in a real browser: proposed from an interview, confirmed by the
college's mental-health advisor with its care plan, reviewed, removal requested by the college and signed
off by the psychology centre (desktop viewport)."""

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from tests.care.conftest import confirm, propose
from tests.e2e.steps import assert_fits_width, follow_nav, sign_in_to_home
from tests.screening.test_triage import gad7, make_campaign, submit
from xinyu.care.models import CheckIn, RegistryEntry
from xinyu.concerns.models import ConcernReport
from xinyu.screening.services import load_shipped_instruments
from xinyu.screening.triage import triage_submission

pytestmark = pytest.mark.e2e


def sign_out(page: Page) -> None:
    page.locator(f'form[action="{reverse("accounts:logout")}"] button[type=submit]').click()
    page.wait_for_url(f"**{reverse('accounts:login')}")


def test_entry_from_interview_to_removal(page: Page, world):
    load_shipped_instruments()  # a transactional (browser) test's flush empties the migration's rows
    participation, results = submit(make_campaign(world), world.in_scope, {"GAD-7": gad7(12)})
    interview = triage_submission(participation, results).interview

    # The mental-health advisor records the interview: "recommend the key-concern registry".
    sign_in_to_home(page, "T10003")
    page.goto(reverse("core:interview_detail", args=[interview.pk]))
    form = page.get_by_test_id("interview-form")
    form.locator("input[name=method][value=in_person]").check()
    form.locator("input[name=outcome][value=recommend_registry]").check()
    form.locator("textarea[name=notes]").fill("家庭经济困难，近期失眠，建议纳入重点关注")
    form.get_by_test_id("interview-submit").click()
    expect(page.get_by_test_id("interview-outcome")).to_be_visible()
    entry = RegistryEntry.objects.get(student=world.in_scope)
    assert entry.status == "proposed"

    # From the registry list to the entry, and the confirmation with the care plan.
    follow_nav(page, reverse("care:registry"))
    page.get_by_test_id("registry-row").get_by_role("link", name="张三").click()
    expect(page.get_by_test_id("entry-status")).to_have_attribute("data-status", "proposed")
    expect(page.get_by_test_id("entry-reason")).to_contain_text("家庭经济困难")
    page.get_by_test_id("to-confirm").click()
    form = page.get_by_test_id("confirm-form")
    form.locator("input[name=categories][value=financial_hardship]").check()
    form.locator("input[name=risk_level][value=medium]").check()
    form.locator("textarea[name=goals]").fill("情绪稳定，按时上课")
    form.locator("textarea[name=measures_class]").fill("辅导员每两周谈心一次")
    form.locator("select[name=class_person]").select_option(str(world.cast["advisor"].pk))
    form.locator("select[name=dorm_leader]").select_option(str(world.cast["dorm_leader"].pk))
    form.get_by_test_id("confirm-submit").click()
    expect(page.get_by_test_id("entry-status")).to_have_attribute("data-status", "active")
    expect(page.get_by_test_id("plan-measures-class")).to_contain_text("辅导员每两周谈心一次")
    expect(page.get_by_test_id("plan-dorm")).to_contain_text("赵寝")

    # 研判: reviewed, the risk lowered.
    page.get_by_test_id("to-review").click()
    form = page.get_by_test_id("review-form")
    form.locator("textarea[name=assessment]").fill("情绪好转，睡眠改善")
    form.locator("textarea[name=support]").fill("继续每两周谈心")
    form.locator("input[name=risk_level][value=low]").check()
    form.get_by_test_id("review-submit").click()
    expect(page.get_by_test_id("entry-risk")).to_be_visible()
    expect(page.get_by_test_id("entry-history").locator("[data-kind=reviewed]")).to_have_count(1)

    # 解除: the college asks.
    page.get_by_test_id("to-removal").click()
    form = page.get_by_test_id("removal-form")
    form.locator("textarea[name=reason]").fill("连续三个月状态稳定")
    form.get_by_test_id("removal-submit").click()
    expect(page.get_by_test_id("entry-status")).to_have_attribute("data-status", "removal_requested")
    expect(page.get_by_test_id("to-decision")).to_have_count(0)  # the college cannot sign it off
    sign_out(page)

    # The centre assesses and signs off.
    sign_in_to_home(page, "T10005")
    page.goto(reverse("care:entry_detail", args=[entry.pk]))
    page.get_by_test_id("to-decision").click()
    form = page.get_by_test_id("decision-form")
    form.locator("textarea[name=assessment]").fill("中心评估：状态稳定，同意解除")
    form.locator("input[name=decision][value=approve]").check()
    form.get_by_test_id("decision-submit").click()
    expect(page.get_by_test_id("entry-status")).to_have_attribute("data-status", "removed")
    kinds = page.get_by_test_id("entry-history").locator("[data-testid=entry-event]")
    expect(kinds).to_have_count(5)

    entry.refresh_from_db()
    assert (entry.status, entry.removed_by) == ("removed", world.cast["counsellor"])
    assert list(entry.events.values_list("kind", flat=True)) == [
        "proposed",
        "confirmed",
        "reviewed",
        "removal_requested",
        "removed",
    ]
    # Hidden from the routine list, still there for the centre's "removed" filter.
    page.goto(reverse("care:registry"))
    expect(page.get_by_test_id("registry-row")).to_have_count(0)
    page.goto(reverse("care:registry") + "?status=removed")
    expect(page.get_by_test_id("registry-row")).to_have_count(1)


def test_dorm_leader_checks_in_on_a_phone(phone_page: Page, world):

    confirm(world, propose(world))
    page = phone_page
    sign_in_to_home(page, "2025000004")
    follow_nav(page, reverse("concerns:check_ins"), phone=True)
    card = page.get_by_test_id("check-in")
    expect(card).to_have_count(1)
    expect(card.get_by_test_id("check-in-name")).to_have_text("张三")
    body = page.locator("main").inner_text()
    assert "重点关注" not in body and "一人一策" not in body and "家庭变故" not in body
    assert_fits_width(page, 390)
    card.locator("input[name=status][value=wrong]").check()
    card.locator("textarea[name=note]").fill("这两天一直不说话，晚上很晚才回寝室")
    card.get_by_test_id("check-in-submit").click()
    expect(page.get_by_test_id("check-in")).to_have_count(1)
    check_in = CheckIn.objects.get()
    assert check_in.status == "wrong"
    assert ConcernReport.objects.get().description == "这两天一直不说话，晚上很晚才回寝室"
