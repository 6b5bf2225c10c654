"""A dorm leader reports a concern on a phone in a few taps; the advisor takes it from "my work" on a desktop;
the dorm leader's "my reports" then shows it taken, and nothing else."""

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from tests.e2e.conftest import PHONE
from tests.e2e.steps import assert_fits_width, follow_nav, path_of, screenshot, sign_in_to_home
from xinyu.concerns.models import ConcernReport

pytestmark = pytest.mark.e2e


def report_on_the_phone(page: Page, world, shots) -> ConcernReport:
    sign_in_to_home(page, world.cast["dorm_leader"].username)
    follow_nav(page, reverse("concerns:report_new"), phone=True)

    form = page.get_by_test_id("report-form")
    # The picker offers the dorm leader's room-mates by name, and nobody else.
    expect(form.get_by_test_id("pick-student")).to_have_text(["张三"])
    form.get_by_test_id("pick-student").filter(has_text="张三").click()
    # Choosing self-harm swaps in the urgency buttons through htmx, with "urgent" pre-selected.
    with page.expect_response(lambda r: "part=urgency" in r.url and r.request.headers.get("hx-request") == "true"):
        form.get_by_test_id("category-self_harm").click()
    expect(page.locator("#urgency-urgent")).to_be_checked()
    # Screenshots come after the swap: Playwright leaves style="" on the inputs it photographs, and htmx
    # would copy that attribute onto the swapped-in ones, which the strict CSP rightly refuses.
    shots("report-form")
    form.get_by_test_id("description").fill("昨晚熄灯后说了不想活了，一直在哭")
    form.locator("input[name=place]").fill("1号楼101")
    shots("report-filled")
    form.get_by_test_id("report-submit").click()

    page.wait_for_url("**/thanks/")
    thanks = page.get_by_test_id("report-thanks")
    expect(thanks.get_by_test_id("receiver-roles").locator("li")).to_have_count(3)  # urgent: the centre too
    expect(thanks.get_by_test_id("help-lines")).to_contain_text("12356")
    # Roles, not people.
    for person in ("周辅导员", "吴心理辅导员", "冯咨询师"):
        assert person not in page.content()
    shots("report-thanks")

    thanks.get_by_test_id("to-my-reports").click()
    page.wait_for_url(f"**{reverse('concerns:my_reports')}")
    report = ConcernReport.objects.get()
    row = page.locator(f'[data-testid="my-report"][data-report="{report.pk}"]')
    expect(row).to_have_attribute("data-status", "waiting")
    expect(row.get_by_test_id("my-report-student")).to_have_text("张三")
    shots("my-reports-waiting")
    return report


def test_dorm_leader_reports_on_a_phone_and_the_advisor_takes_it(phone_page, page, world, screenshot_dir):
    width = PHONE["viewport"]["width"]

    def shots(name):
        assert_fits_width(phone_page, width)
        screenshot(phone_page, screenshot_dir, f"phone-{name}")

    report = report_on_the_phone(phone_page, world, shots)
    assert (report.student, report.category, report.urgency) == (world.in_scope, "self_harm", "urgent")

    # The advisor, on a desktop: "my work" lists the report with its deadline; they open it and take it.
    sign_in_to_home(page, world.cast["advisor"].username)
    follow_nav(page, reverse("core:my_work"))
    item = page.locator(f'[data-testid="work-item"][data-kind="report"][data-id="{report.pk}"]')
    expect(item).to_contain_text("张三")
    item.click()
    page.wait_for_url(f"**{reverse('concerns:report_detail', args=[report.pk])}")
    expect(page.get_by_test_id("report-description")).to_contain_text("不想活了")
    expect(page.get_by_test_id("reporter")).to_have_text("赵寝")
    page.get_by_test_id("report-acknowledge").click()
    page.wait_for_url(f"**{reverse('concerns:report_detail', args=[report.pk])}")
    expect(page.get_by_test_id("report-state")).to_have_attribute("data-status", "acknowledged")
    expect(page.get_by_test_id("triage-crisis")).to_be_visible()
    screenshot(page, screenshot_dir, "desktop-report-taken")
    follow_nav(page, reverse("core:my_work"))
    expect(
        page.locator(f'[data-testid="work-item"][data-kind="report-to-triage"][data-id="{report.pk}"]')
    ).to_be_visible()

    # Back on the phone: the report is taken, and that is all the dorm leader learns.
    phone_page.reload()
    row = phone_page.locator(f'[data-testid="my-report"][data-report="{report.pk}"]')
    expect(row).to_have_attribute("data-status", "taken")
    assert "周辅导员" not in phone_page.content()
    shots("my-reports-taken")
    response = phone_page.goto(reverse("concerns:report_detail", args=[report.pk]))
    assert response.status == 404 and "不想活了" not in phone_page.content()
    assert path_of(phone_page) == reverse("concerns:report_detail", args=[report.pk])


def test_head_teacher_finds_a_student_by_search_and_reports(page, world):
    """Staff search their own students through htmx (the search box belongs to its own GET form), pick one,
    and send a report; the picker never offers a student outside their class."""
    sign_in_to_home(page, world.cast["head_teacher"].username)
    follow_nav(page, reverse("concerns:report_new"))
    page.evaluate("() => { window.xinyuSamePage = true; }")
    with page.expect_response(lambda r: "part=picker" in r.url and r.request.headers.get("hx-request") == "true"):
        page.get_by_test_id("picker-search").press_sequentially("2025")
    expect(page.get_by_test_id("pick-student")).to_have_count(3)
    assert "李四" not in page.get_by_test_id("report-form").inner_text()
    with page.expect_response(lambda r: "part=picker" in r.url):
        page.get_by_test_id("picker-search").fill("张")
    expect(page.get_by_test_id("pick-student")).to_have_text(["张三 2025000001"])
    assert page.evaluate("() => window.xinyuSamePage") is True
    page.get_by_test_id("pick-student").click()
    with page.expect_response(lambda r: "part=urgency" in r.url):
        page.get_by_test_id("category-missing").click()
    expect(page.locator("#urgency-normal")).to_be_checked()
    page.get_by_test_id("urgency-urgent").click()
    page.get_by_test_id("description").fill("两天没回寝室，电话关机")
    page.get_by_test_id("report-submit").click()
    page.wait_for_url("**/thanks/")
    report = ConcernReport.objects.get()
    assert (report.student, report.reporter, report.category, report.urgency) == (
        world.in_scope, world.cast["head_teacher"], "missing", "urgent",
    )  # fmt: skip
