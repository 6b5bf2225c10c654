"""Counselling test data: the centre's rooms, a second counsellor, and helpers for slots and sessions."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.conftest import SINCE
from tests.factories import UserFactory
from xinyu.counselling import services
from xinyu.counselling.models import Room, Slot
from xinyu.org.models import Post
from xinyu.org.services import appoint

NOTE_TEXT = "来访者谈到与父亲的长期冲突，夜间失眠，否认自伤意念"


@pytest.fixture
def room(world) -> Room:
    return Room.objects.create(school=world.school, name="个体咨询室1", kind=Room.Kind.INDIVIDUAL, location="行政楼301")


@pytest.fixture
def room2(world) -> Room:
    return Room.objects.create(school=world.school, name="个体咨询室2", kind=Room.Kind.INDIVIDUAL)


@pytest.fixture
def other_counsellor(world):
    """A part-time counsellor of the same centre: not the treating counsellor of the world's sessions."""
    user = UserFactory(username="T10020", full_name="韩兼职")
    appoint(user, Post.CENTRE_PART_TIME_COUNSELLOR, world.school, starts_on=SINCE)
    return user


def make_slot(counsellor, room, *, hours_from_now: float = 48, minutes: int = 50) -> Slot:
    starts = timezone.now().replace(second=0, microsecond=0) + dt.timedelta(hours=hours_from_now)
    return Slot.objects.create(
        counsellor=counsellor, room=room, starts_at=starts, ends_at=starts + dt.timedelta(minutes=minutes)
    )


@pytest.fixture
def slot(world, room) -> Slot:
    return make_slot(world.cast["counsellor"], room)


@pytest.fixture
def booking(world, slot):
    return services.book(world.in_scope, slot, reason="最近睡不好", by=world.cast["student"])


def past_session(world, room, *, notes=NOTE_TEXT, days_ago: float = 1, counsellor=None):
    """A confirmed booking in the past and its recorded session."""
    counsellor = counsellor or world.cast["counsellor"]
    slot = make_slot(counsellor, room, hours_from_now=-24 * days_ago)
    booking = slot.bookings.create(student=world.in_scope, status="confirmed")
    return services.record_session(
        world.in_scope, by=counsellor, booking=booking, kind="individual", risk_level="low", next_step="continue",
        notes=notes,
    )  # fmt: skip


@pytest.fixture
def session(world, room):
    return past_session(world, room)
