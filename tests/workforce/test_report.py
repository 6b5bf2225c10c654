"""The statement across every kind of work, and `manage.py workforce_report` (the command-line contract)."""

import datetime as dt
import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from tests.courses.conftest import required_course
from xinyu.compliance.models import Qualification
from xinyu.counselling import services as counselling
from xinyu.courses.models import Section, SectionTeacher
from xinyu.education.models import Activity, Level
from xinyu.policy.terms import term_of
from xinyu.training.models import Attendance, Kind, Provider, TrainingEvent
from xinyu.workforce import statement as st
from xinyu.workforce.models import SupervisionSession

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 11, 10, 10, tzinfo=dt.UTC)


@pytest.fixture
def a_year_of_work(world, time_machine):
    """In 2026: the counsellor counsels 2 h, is supervised 1.5 h by the supervisor, teaches 32 class periods and
    attends 12 h of training the supervisor gives; the head teacher organises a 45-minute class meeting; the
    advisor's certificate expires in 30 days."""
    time_machine.move_to(NOW)
    counsellor, supervisor = world.cast["counsellor"], world.cast["supervisor"]
    counselling.record_session(world.in_scope, by=counsellor, duration_minutes=120, held_at=timezone.now())
    session = SupervisionSession.objects.create(
        school=world.school, supervisor=supervisor, held_at=timezone.now(), duration_minutes=90, recorded_by=supervisor
    )
    session.counsellors.add(counsellor)
    section = Section.objects.create(course=required_course(world.school), term="2026-2027-1", name="1 班")
    SectionTeacher.objects.create(section=section, teacher=counsellor, class_periods=32)
    event = TrainingEvent.objects.create(
        school=world.school, topic="危机干预", provider=Provider.INTERNAL, kind=Kind.WORKSHOP,
        starts_on=dt.date(2026, 10, 9), ends_on=dt.date(2026, 10, 10), hours=Decimal(12), trainer=supervisor,
        organiser="阳光心理中心",
    )  # fmt: skip
    Attendance.objects.create(event=event, person=counsellor, hours=Decimal(12))
    Activity.objects.create(
        school=world.school, kind=Activity.Kind.CLASS_MEETING, level=Level.CLASS, college=world.a1.college,
        class_group=world.a1, title="心理主题班会", held_on=dt.date(2026, 11, 3), minutes=45,
        organiser=world.cast["head_teacher"],
    )  # fmt: skip
    Qualification.objects.create(
        person=world.cast["advisor"], degree=Qualification.Degree.MASTER, certificate="心理咨询师（三级）",
        certificate_expires_on=dt.date(2026, 12, 10),
    )  # fmt: skip
    return world


def test_the_statement_adds_up_every_kind_of_work(a_year_of_work):
    world = a_year_of_work
    term = term_of(dt.date(2026, 11, 10))
    rows = {row.username: row for row in st.statement(term.start, term.end)}
    counsellor = rows[world.cast["counsellor"].username]
    assert counsellor.line("counselling").hours == Decimal("2.0")
    assert counsellor.line("supervision_received").hours == Decimal("1.5")
    assert counsellor.line("supervision_received").class_hours == Decimal("0.0")  # the policy credits none
    assert counsellor.line("course").minutes == 32 * 45
    assert counsellor.line("course").class_hours == Decimal("32.0")  # a class period is one 课时
    supervisor = rows[world.cast["supervisor"].username]
    assert supervisor.line("supervision_given").class_hours == Decimal("1.5")
    assert supervisor.line("training_given").hours == Decimal("12.0")
    activity = rows[world.cast["head_teacher"].username].line("activity")
    assert (activity.count, activity.minutes, activity.class_hours) == (1, 45, Decimal("0.4"))
    assert counsellor.total_class_hours == Decimal("34.0")


def test_workforce_report_as_json(a_year_of_work):
    world = a_year_of_work
    out = StringIO()
    call_command("workforce_report", "--year", "2026", "--format", "json", stdout=out)
    report = json.loads(out.getvalue())
    assert report["year"] == 2026
    staff = {row["username"]: row for row in report["staff"]}
    counsellor = staff[world.cast["counsellor"].username]
    assert counsellor["training_hours"] == 12.0
    assert counsellor["training_minimum_hours"] == 40 and counsellor["training_short"] is True
    assert (counsellor["supervision_received_hours"], counsellor["counselling_hours"]) == (1.5, 2.0)
    assert counsellor["course_hours"] == 24.0  # 32 periods of 45 minutes
    supervisor = staff[world.cast["supervisor"].username]
    assert supervisor["supervision_given_hours"] == 1.5 and supervisor["training_hours"] == 0.0
    advisor = staff[world.cast["advisor"].username]
    assert advisor["training_minimum_hours"] == 16
    assert advisor["qualifications_expiring"] == [{"certificate": "心理咨询师（三级）", "expires_on": "2026-12-10"}]
    assert counsellor["qualifications_expiring"] == []
    assert world.cast["student"].username not in staff


def test_workforce_report_as_a_table_in_chinese(a_year_of_work):
    out = StringIO()
    call_command("workforce_report", "--year", "2026", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].split("\t")[:4] == ["工号", "姓名", "岗位", "培训学时"]
    counsellor = next(line for line in lines if line.startswith(a_year_of_work.cast["counsellor"].username))
    assert "12.0（不足）" in counsellor and "专职" in counsellor
    assert "centre_counsellor" not in out.getvalue()


def test_a_year_without_work_lists_only_those_with_a_minimum(world):
    out = StringIO()
    call_command("workforce_report", "--year", "2022", "--format", "json", stdout=out)
    staff = json.loads(out.getvalue())["staff"]
    assert staff and all(row["training_minimum_hours"] is not None or row["qualifications_expiring"] for row in staff)
    assert all(row["counselling_hours"] == 0 for row in staff)


def test_a_year_before_any_policy_is_refused_in_chinese(world):
    with pytest.raises(CommandError, match="2019 年没有可用的政策文件"):
        call_command("workforce_report", "--year", "2019")
