"""Measures: progress computed from the records."""

import datetime as dt

import pytest

from tests.courses.conftest import YEAR, make_records
from tests.education.conftest import activity
from xinyu.education.measures import (
    MEASURES,
    Progress,
    activity_month_held,
    class_meetings_each_term,
    dorm_activities_each_term,
    freshmen_take_the_course,
    term_for_year,
)
from xinyu.education.models import Activity, Level
from xinyu.policy.terms import term_of

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 11, 10)


def test_term_for_a_year_is_todays_or_the_years_last():
    assert term_for_year(2026, DAY) == term_of(DAY)
    assert term_for_year(2025, DAY) == term_of(dt.date(2025, 12, 31))


def test_class_meetings_count_classes_with_a_meeting_this_term(world, time_machine):
    time_machine.move_to(dt.datetime(2026, 11, 10, 10))
    rep = world.cast["head_teacher"]
    assert class_meetings_each_term(world.school, None, 2026) == Progress(0, 3, "classes")
    previous_term = term_of(DAY).start - dt.timedelta(days=1)
    for held_on, group in ((previous_term, world.a1), (DAY, world.a2), (DAY, world.a2)):
        activity(
            world,
            kind=Activity.Kind.CLASS_MEETING,
            level=Level.CLASS,
            title="班会",
            organiser=rep,
            held_on=held_on,
            college=group.college,
            class_group=group,
        )
    assert class_meetings_each_term(world.school, None, 2026) == Progress(1, 3, "classes")
    assert class_meetings_each_term(world.school, world.college_a, 2026) == Progress(1, 2, "classes")
    assert class_meetings_each_term(world.school, world.college_b, 2026) == Progress(0, 1, "classes")


def test_dorm_activities_and_the_activity_month(world, time_machine):
    time_machine.move_to(dt.datetime(2026, 11, 10, 10))
    assert dorm_activities_each_term(world.school, None, 2026) == Progress(0, 2, "dorm rooms")
    activity(
        world,
        kind=Activity.Kind.DORM_ACTIVITY,
        level=Level.DORM,
        title="寝室活动",
        held_on=DAY,
        organiser=world.cast["dorm_leader"],
        college=world.college_a,
        dorm_room=world.r1,
    )
    assert dorm_activities_each_term(world.school, None, 2026) == Progress(1, 2, "dorm rooms")
    assert dorm_activities_each_term(world.school, world.college_b, 2026) == Progress(0, 1, "dorm rooms")
    assert activity_month_held(world.school, world.college_a, 2026) == Progress(0, 1)
    activity(
        world,
        kind=Activity.Kind.ACTIVITY_MONTH,
        level=Level.SCHOOL,
        title="5·25心理健康教育活动月",
        held_on=dt.date(2026, 5, 25),
        organiser=world.cast["counsellor"],
    )
    assert activity_month_held(world.school, world.college_a, 2026).complete
    assert not activity_month_held(world.school, None, 2025).complete


def test_every_measure_has_a_label_and_answers(world):
    for code, measure in MEASURES.items():
        assert measure.code == code and str(measure.label)
        assert isinstance(measure.compute(world.school, None, 2026), Progress)


def test_the_freshmen_course_measure_counts_the_courses_coverage(world):
    assert freshmen_take_the_course(world.school, None, YEAR) == Progress(0, 5, "freshmen")
    make_records(world)
    assert freshmen_take_the_course(world.school, None, YEAR) == Progress(4, 5, "freshmen")
    assert freshmen_take_the_course(world.school, world.college_a, YEAR) == Progress(3, 4, "freshmen")
    assert freshmen_take_the_course(world.school, world.college_b, YEAR) == Progress(1, 1, "freshmen")
