"""The demo seed: a term of supervision (individual and group sessions, cases waiting) and two case conferences
with tasks; the same seed gives the same data."""

import datetime as dt

import pytest
from django.db import transaction

from tests.conftest import SINCE
from tests.factories import UserFactory, student_with_account
from xinyu.org.models import Post
from xinyu.org.services import appoint
from xinyu.workforce.demo import seed_workforce
from xinyu.workforce.models import CaseConference, ConferenceTask, SupervisionRequest, SupervisionSession
from xinyu.workforce.supervision import supervision_minutes

pytestmark = pytest.mark.django_db


@pytest.fixture
def centre(world):
    part_timer = UserFactory(username="T10030", full_name="韩兼职")
    appoint(part_timer, Post.CENTRE_PART_TIME_COUNSELLOR, world.school, starts_on=SINCE)
    for n in range(14):
        student_with_account(name=f"学生{n}", student_number=f"20259{n:05d}", class_group=world.a1, school=world.school)
    return world


def _snapshot():
    return (
        sorted(SupervisionRequest.objects.values_list("student__student_number", "counsellor__username", "status")),
        sorted(SupervisionSession.objects.values_list("kind", "held_at", "duration_minutes")),
        sorted(ConferenceTask.objects.values_list("case__student__student_number", "assignee__username", "due_on")),
    )


def test_seed_workforce(centre):
    result = seed_workforce(centre.school, 7)
    assert (result.requests, result.conferences) == (8, 2)
    statuses = sorted(SupervisionRequest.objects.values_list("status", flat=True))
    assert statuses.count("scheduled") == 1 and statuses.count("submitted") == 1
    assert {"closed", "discussed"} <= set(statuses)
    assert set(SupervisionSession.objects.values_list("kind", flat=True)) == {"individual", "group"}
    assert result.sessions == SupervisionSession.objects.count()
    assert set(SupervisionRequest.objects.values_list("counsellor__username", flat=True)) == {"T10005", "T10030"}
    assert CaseConference.objects.count() == 2
    assert result.tasks == ConferenceTask.objects.count() == 2
    assert ConferenceTask.objects.filter(done_at__isnull=False).count() == 1
    given, received = supervision_minutes(dt.date(2000, 1, 1), dt.date(2100, 1, 1))
    total = sum(SupervisionSession.objects.values_list("duration_minutes", flat=True))
    assert given == {centre.cast["supervisor"].pk: total}
    assert set(received) == {centre.cast["counsellor"].pk, UserFactory._meta.model.objects.get(username="T10030").pk}


def test_the_same_seed_gives_the_same_data(centre):
    with transaction.atomic():
        seed_workforce(centre.school, 7)
        first = _snapshot()
        transaction.set_rollback(True)
    seed_workforce(centre.school, 7)
    assert _snapshot() == first
