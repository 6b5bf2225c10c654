"""What the reports app puts in "my work": the policy calendar's end for 学工部 (monthly reports and
decisions are tested with their modules)."""

import datetime as dt

import pytest
from django.urls import reverse

from tests.helpers import freeze_time
from tests.reports.conftest import SHANGHAI
from xinyu.reports.sources import calendar_work

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("who", ["student_affairs", "supervisor", "mental_health_advisor", "leading_group_member"])
def test_student_affairs_is_asked_to_add_next_years_holidays(world, who):
    user = world.cast[who]
    september = dt.datetime(2026, 9, 1, 10, tzinfo=SHANGHAI)
    december = dt.datetime(2026, 12, 3, 10, tzinfo=SHANGHAI)
    with freeze_time(september):
        assert calendar_work(user, september) is None
    with freeze_time(december):
        section = calendar_work(user, december)
    if who != "student_affairs":
        assert section is None
        return
    [item] = section.items
    assert (item.tier, item.student, item.due, item.overdue) == (0, None, dt.date(2026, 12, 31), False)
    assert "2026-12-31" in item.title and "2027" in item.title
    assert item.url == reverse("compliance:policy")


def test_the_task_stays_through_december_and_turns_overdue_after_the_calendar_ends(world):
    user = world.cast["student_affairs"]
    for day, overdue in ((dt.datetime(2026, 12, 31, 16, tzinfo=SHANGHAI), False),
                         (dt.datetime(2027, 1, 4, 9, tzinfo=SHANGHAI), True)):  # fmt: skip
        with freeze_time(day):
            [item] = calendar_work(user, day).items
        assert item.overdue is overdue
