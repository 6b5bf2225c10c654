"""The demo college's year of plans and activities: deterministic, and the plan shows real progress."""

import pytest
from django.utils import timezone

from xinyu.education.demo import seed_education
from xinyu.education.models import Activity, Attendance, Plan, PlanItem
from xinyu.education.plans import plan_summary
from xinyu.org.demo import build_demo_college
from xinyu.org.models import Appointment, College, Post

pytestmark = pytest.mark.django_db


def test_a_year_of_plans_and_activities():
    college = build_demo_college(students=300, seed=7, class_size=25)
    school = college.school
    result = seed_education(school, 7)
    # Every college whose mental-health advisor is in post drafts its plan (the demo leaves one post empty).
    colleges = College.objects.filter(
        school=school, pk__in=Appointment.objects.current().filter(post=Post.MENTAL_HEALTH_ADVISOR).values("college")
    ).count()
    assert result.plans == Plan.objects.filter(status=Plan.Status.PUBLISHED).count() == colleges + 1
    assert result.items == PlanItem.objects.count()
    assert set(Activity.objects.values_list("kind", flat=True)) == set(Activity.Kind.values)
    assert result.attendance == Attendance.objects.count() > 0
    for meeting in Activity.objects.filter(kind=Activity.Kind.CLASS_MEETING)[:5]:
        assert meeting.headcount == meeting.attendance.count()
    assert not Activity.objects.filter(held_on__gt=timezone.localdate()).exists()
    summary = plan_summary(school, timezone.localdate().year)
    measured = [row for row in summary["items"] if row["item"].measure == "class_meetings"]
    assert measured and all(0 < row["progress"].done <= row["progress"].total for row in measured)
    assert summary["done"] >= 1 and summary["overdue"] >= colleges


def test_the_same_seed_gives_the_same_activities():
    college = build_demo_college(students=300, seed=3, class_size=25)
    seed_education(college.school, 3)
    first = sorted(Activity.objects.values_list("kind", "title", "held_on", "class_group_id", "headcount"))
    Activity.objects.all().delete()
    PlanItem.objects.all().delete()
    Plan.objects.all().delete()
    seed_education(college.school, 3)
    assert sorted(Activity.objects.values_list("kind", "title", "held_on", "class_group_id", "headcount")) == first
