"""A college's monthly report in a real browser (desktop): the mental-health advisor drafts last month's,
the college's leader in charge approves and sends it, 学工部 sees it arrive in the grid beside the reports
that are missing."""

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.e2e.steps import follow_nav, sign_in_to_home
from xinyu.reports.models import MonthlyReport
from xinyu.reports.overview import previous_month

pytestmark = pytest.mark.e2e


def sign_out(page: Page) -> None:
    page.locator(f'form[action="{reverse("accounts:logout")}"] button[type=submit]').click()
    page.wait_for_url(f"**{reverse('accounts:login')}")


def test_drafted_approved_and_arrived(page: Page, world):
    last = previous_month(timezone.localdate())
    before = previous_month(last)

    # The college's mental-health advisor drafts last month's report from the "More" menu.
    sign_in_to_home(page, world.cast["mental_health_advisor"].username)
    follow_nav(page, reverse("reports:monthly_index"))
    page.locator(f'[data-testid="college-reports"][data-college="A"] [data-month="{last:%Y-%m}"]').click()
    page.get_by_test_id("start-report").click()
    expect(page.get_by_test_id("figures")).to_be_visible()
    form = page.get_by_test_id("narrative-form")
    form.locator("[name=activities]").fill("开展心理主题班会12次，心理委员培训1次")
    form.locator("[name=problems]").fill("无")
    form.locator("[name=concerns]").fill("一名学生因家庭变故情绪低落，已联系家长")
    form.locator("[name=next_focus]").fill("期末考试心理调适")
    form.get_by_test_id("submit-report").click()
    expect(page.get_by_test_id("report-status")).to_have_attribute("data-status", "awaiting_approval")
    sign_out(page)

    # The leader in charge approves it and sends it to 学工部.
    sign_in_to_home(page, world.cast["college_leader"].username)
    page.goto(reverse("reports:monthly", args=[world.college_a.pk, f"{last:%Y-%m}"]))
    page.get_by_test_id("approve-report").click()
    expect(page.get_by_test_id("report-status")).to_have_attribute("data-status", "sent")
    sign_out(page)

    # 学工部 sees it arrive, and the month before it missing in both colleges.
    sign_in_to_home(page, world.cast["student_affairs"].username)
    follow_nav(page, reverse("reports:monthly_index"))
    page.get_by_test_id("to-grid").click()
    if before.year != last.year:
        page.goto(reverse("reports:monthly_grid") + f"?year={last.year}")
    row_a = page.locator('[data-testid="grid-row"][data-college="A"]')
    expect(row_a.locator(f'[data-month="{last:%Y-%m}"] [data-testid="state"]')).to_have_attribute(
        "data-state", "late" if MonthlyReport.objects.get().was_late else "sent"
    )
    if before.year == last.year:
        for college in ("A", "B"):
            cell = page.locator(f'[data-testid="grid-row"][data-college="{college}"] [data-month="{before:%Y-%m}"]')
            expect(cell.locator('[data-testid="state"]')).to_have_attribute("data-state", "missing")
    row_a.locator(f'[data-month="{last:%Y-%m}"] a').click()
    expect(page.get_by_test_id("narrative-concerns")).to_contain_text("家庭变故")
    expect(page.get_by_test_id("return-form")).to_be_visible()


def test_the_leading_group_reads_the_status_report_with_its_charts_and_the_board(page: Page, world):
    sign_in_to_home(page, world.cast["leading_group_member"].username)
    year = timezone.localdate().year
    page.goto(reverse("reports:status", args=[year]))
    for key in ("crisis-by-month", "registry-by-month"):
        chart = page.locator(f'[data-testid="chart"][data-key="{key}"]')
        expect(chart).to_have_attribute("data-drawn", "yes")
        expect(chart.locator("svg")).to_have_count(1)
    page.goto(reverse("compliance:board"))
    expect(page.locator("h1")).to_be_visible()
