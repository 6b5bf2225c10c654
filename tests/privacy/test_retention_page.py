"""The retention page: a dry run by year (counts only, nothing changed or recorded) and the runs so far, for
the centre and 学工部 only."""

import datetime as dt
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from tests.conftest import SINCE
from tests.factories import SchoolFactory, UserFactory
from tests.helpers import freeze_time, queries_for_page
from tests.privacy.test_retention import give_records
from tests.reports.conftest import SHANGHAI
from xinyu.org.models import Post, Student
from xinyu.org.services import appoint
from xinyu.privacy import retention
from xinyu.privacy.models import RetentionRun, StudentDeparture, StudentRetention
from xinyu.screening.models import Result

pytestmark = pytest.mark.django_db

READERS = ["counsellor", "supervisor", "student_affairs"]
OUTSIDERS = ["leading_group_member", "mental_health_advisor", "college_leader", "head_teacher", "advisor",
             "outsider", "student", "dorm_leader", "wellbeing_rep"]  # fmt: skip
TODAY = dt.datetime(2026, 12, 7, 10, tzinfo=SHANGHAI)


def leave(student, left_on):
    Student.objects.filter(pk=student.pk).update(status=Student.Status.GRADUATED)
    StudentDeparture.objects.create(student=student, left_on=left_on)


@pytest.fixture
def leavers(world):
    """One student who left in 2021 (destroyed this year, 5 years on), one in 2026 (archived 2027, destroyed
    2031), one without a leaving date."""
    give_records(world, world.other_college)
    leave(world.other_college, dt.date(2021, 7, 1))
    leave(world.in_scope, dt.date(2026, 7, 1))
    Student.objects.filter(pk=world.other_class.pk).update(status=Student.Status.WITHDRAWN)
    return world


def test_the_forecast_counts_each_year_and_changes_nothing(leavers):
    runs, retained = RetentionRun.objects.count(), StudentRetention.objects.count()
    with freeze_time(TODAY):
        plan = retention.forecast(dt.date(2026, 12, 7))
    by_year = {year.year: (year.archive, year.destroy) for year in plan.years}
    assert by_year == {2026: (1, 1), 2027: (1, 0), 2031: (0, 1)}
    assert plan.no_departure_date == 1
    assert plan.years[0].records["screening.result"] == 1
    assert (RetentionRun.objects.count(), StudentRetention.objects.count()) == (runs, retained)
    assert Result.objects.filter(student=leavers.other_college).count() == 1


def test_an_archived_file_is_only_counted_for_its_destruction(leavers):
    run = RetentionRun.objects.create(archived=1)
    StudentRetention.objects.create(student=leavers.other_college, left_on=dt.date(2021, 7, 1),
                                    archived_at=TODAY, archived_by_run=run)  # fmt: skip
    plan = retention.forecast(dt.date(2026, 12, 7))
    assert {year.year: (year.archive, year.destroy) for year in plan.years} == {
        2026: (0, 1),
        2027: (1, 0),
        2031: (0, 1),
    }


@pytest.mark.parametrize("who", READERS)
def test_the_centre_and_student_affairs_see_counts_and_runs_but_no_name(leavers, client_for, who):
    retention.apply_retention(dry_run=True, today=dt.date(2026, 12, 1))
    with freeze_time(TODAY):
        response = client_for(leavers.cast[who]).get(reverse("privacy:retention"))

    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-year="2031"' in page and 'data-testid="retention-run"' in page
    assert "测评结果" in page  # a kind of record, in words
    for student in (leavers.other_college, leavers.in_scope, leavers.other_class):
        assert student.name not in page and student.student_number not in page
    text = re.sub(r"<[^>]+>", " ", page)
    assert not re.search(r"\b[a-z]+\.[a-z]+\b", text.replace("manage.py", "")), "a model label on the page"
    assert "quzhou-2021@" not in text


@pytest.mark.parametrize("who", OUTSIDERS)
def test_others_get_404(world, client_for, who):
    assert client_for(world.cast[who]).get(reverse("privacy:retention")).status_code == 404


def test_the_command_records_its_runs_shown_on_the_page(leavers, client_for):
    with freeze_time(TODAY):
        call_command("apply_retention", "--dry-run", stdout=StringIO())
        page = client_for(leavers.cast["supervisor"]).get(reverse("privacy:retention")).content.decode()
    assert page.count('data-testid="retention-run"') == 1
    assert "试运行" in page or "Dry run" in page


def test_the_runs_cost_the_same_queries_with_one_run_or_three(leavers, client_for):
    client = client_for(leavers.cast["student_affairs"])
    RetentionRun.objects.create(dry_run=True, records={"screening.result": 1})
    one, _page = queries_for_page(client, reverse("privacy:retention"))
    RetentionRun.objects.create(dry_run=True, records={"care.interview": 2})
    RetentionRun.objects.create(archived=1, records={"org.guardian": 1})
    three, page = queries_for_page(client, reverse("privacy:retention"))
    assert one == three
    assert page.content.decode().count('data-testid="retention-run"') == 3


def test_another_schools_centre_does_not_count_this_schools_leavers(leavers, client_for):
    supervisor = UserFactory(username="T90001", full_name="外校主任")
    appoint(supervisor, Post.CENTRE_SUPERVISOR, SchoolFactory(name="外校", code="W"), starts_on=SINCE)
    with freeze_time(TODAY):
        page = client_for(supervisor).get(reverse("privacy:retention")).content.decode()
        own = client_for(leavers.cast["supervisor"]).get(reverse("privacy:retention")).content.decode()
    assert 'data-testid="retention-year"' not in page and "没有待归档或待销毁的离校学生档案" in page
    assert 'data-year="2031"' in own
