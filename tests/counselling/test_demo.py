"""The demo seed: rooms, two weeks of times each way, bookings in every state, sessions with notes, one
exception used; no room or counsellor double-booked; the same seed gives the same data."""

import itertools

import pytest
from django.db import transaction

from tests.conftest import SINCE
from tests.factories import UserFactory, student_with_account
from xinyu.counselling.demo import seed_counselling
from xinyu.counselling.models import Booking, Room, Session, Slot
from xinyu.org.models import Post
from xinyu.org.services import appoint


@pytest.fixture
def centre(world):
    part_timer = UserFactory(username="T10030", full_name="韩兼职")
    appoint(part_timer, Post.CENTRE_PART_TIME_COUNSELLOR, world.school, starts_on=SINCE)
    for n in range(20):
        student_with_account(name=f"学生{n}", student_number=f"20259{n:05d}", class_group=world.a2, school=world.school)
    return world


def _snapshot():
    return (
        sorted(Slot.objects.values_list("counsellor__username", "room__name", "starts_at")),
        sorted(Booking.objects.values_list("student__student_number", "slot__starts_at", "status", "reason")),
        sorted(Session.objects.values_list("student__student_number", "held_at", "kind", "risk_level")),
    )


def test_seed_counselling(centre):
    result = seed_counselling(centre.school, 7)
    assert result.rooms == Room.objects.count() == 6
    assert set(Room.objects.values_list("kind", flat=True)) >= {"individual", "group", "catharsis", "relaxation"}
    assert result.slots == Slot.objects.count() >= 40
    assert set(Slot.objects.values_list("counsellor__username", flat=True)) == {"T10005", "T10030"}
    slots = list(Slot.objects.all())
    for a, b in itertools.combinations(slots, 2):
        if a.starts_at < b.ends_at and b.starts_at < a.ends_at:
            assert a.room_id != b.room_id and a.counsellor_id != b.counsellor_id
    assert set(Booking.objects.values_list("status", flat=True)) == {
        "requested", "confirmed", "cancelled", "attended", "no_show"
    }  # fmt: skip
    assert Session.objects.count() == result.sessions >= 8
    assert all(session.notes for session in Session.objects.all())
    assert Session.objects.filter(exception_at__isnull=False).count() == 1


def test_the_same_seed_gives_the_same_data(centre):
    with transaction.atomic():
        seed_counselling(centre.school, 11)
        first = _snapshot()
        transaction.set_rollback(True)
    assert Slot.objects.count() == 0
    seed_counselling(centre.school, 11)
    assert _snapshot() == first
