"""The demo college's year of monthly reports: every college, twelve months, sent mostly on time."""

import pytest

from xinyu.org.demo import build_demo_college
from xinyu.org.models import College
from xinyu.reports.demo import seed_leading_group_year, seed_monthly_reports
from xinyu.reports.models import MonthlyReport, Symposium, YearSummary

pytestmark = pytest.mark.django_db


def test_a_year_of_reports_for_every_college_that_has_its_posts():
    college = build_demo_college(students=300, seed=7, class_size=25)
    counts = seed_monthly_reports(college.school, 7)
    reports = MonthlyReport.objects.exclude(status="superseded")
    colleges = College.objects.filter(school=college.school).count()
    assert reports.values("college").distinct().count() == colleges
    assert counts["sent"] + counts["late"] >= 11 * colleges
    assert counts["missing"] >= 1 and counts["returned"] == 1
    corrected = MonthlyReport.objects.get(version=2)
    assert corrected.status == "sent" and corrected.reason
    assert all(report.figures["college"] for report in reports.filter(status="sent"))


def test_last_years_symposium_with_decisions_done_and_waiting():
    college = build_demo_college(students=300, seed=7, class_size=25)
    seed_monthly_reports(college.school, 7)
    seeded = seed_leading_group_year(college.school, 7)
    assert seeded["decisions"] == 3
    meeting = Symposium.objects.get(pk=seeded["symposium"])
    assert meeting.decisions.filter(done_at__isnull=False).count() == 1
    assert YearSummary.objects.get(year=meeting.year).summary
