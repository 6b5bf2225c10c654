"""The workload interface: activities organised, by organiser, in [start, end)."""

import datetime as dt

import pytest

from tests.education.conftest import activity
from xinyu.education.models import Activity, Level
from xinyu.education.workload import organised_activities

pytestmark = pytest.mark.django_db


def test_organised_activities_counts_and_sums_minutes_in_the_window(world):
    cast = world.cast
    for day, who, minutes in (
        (dt.date(2026, 9, 1), "counsellor", 90),
        (dt.date(2026, 12, 31), "counsellor", 60),
        (dt.date(2027, 1, 1), "counsellor", 45),
        (dt.date(2026, 8, 31), "head_teacher", 40),
        (dt.date(2026, 10, 8), "head_teacher", 40),
    ):
        activity(
            world,
            kind=Activity.Kind.LECTURE,
            level=Level.SCHOOL,
            title="讲座",
            organiser=cast[who],
            held_on=day,
            minutes=minutes,
        )
    assert organised_activities(dt.date(2026, 9, 1), dt.date(2027, 1, 1)) == {
        cast["counsellor"].pk: (2, 150),
        cast["head_teacher"].pk: (1, 40),
    }
    assert organised_activities(dt.date(2020, 1, 1), dt.date(2020, 2, 1)) == {}
