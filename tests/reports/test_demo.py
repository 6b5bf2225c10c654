"""The demo college's year of monthly reports: every college, twelve months, sent mostly on time."""

import pytest

from xinyu.org.demo import build_demo_college
from xinyu.org.models import College
from xinyu.reports.demo import seed_monthly_reports
from xinyu.reports.models import MonthlyReport

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
