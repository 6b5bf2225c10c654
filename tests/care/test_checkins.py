"""Dorm check-ins: how many are due, for the dorm leader's home page (which names nobody)."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from xinyu.care.checkins import due_count
from xinyu.care.models import CheckInAssignment
from xinyu.concerns.services.checkins import record_check_in

pytestmark = pytest.mark.django_db


def test_due_until_checked_in_and_again_after_the_cadence(world, active):
    leader = world.cast["dorm_leader"]
    assert due_count(leader) == 1
    assignment = CheckInAssignment.objects.get()
    record_check_in(assignment, by=leader, status="ok")
    assert due_count(leader) == 0
    later = timezone.now() + dt.timedelta(days=assignment.every_days)
    assert due_count(leader, later) == 1
    for who in ("head_teacher", "wellbeing_rep", "mental_health_advisor", "student"):
        assert due_count(world.cast[who]) is None


def test_the_dorm_leaders_home_says_a_check_in_is_due_without_a_name(world, active, client_for):
    page = client_for(world.cast["dorm_leader"]).get(reverse("core:home")).content.decode()
    assert 'data-testid="check-ins-due" data-count="1"' in page
    assert reverse("concerns:check_ins") in page
    assert world.in_scope.name not in page
    other = client_for(world.cast["wellbeing_rep"]).get(reverse("core:home")).content.decode()
    assert 'data-testid="check-ins-due"' not in other
