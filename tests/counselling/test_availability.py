"""Publishing available times: runs of slots, and overlaps refused (same room, same counsellor)."""

import datetime as dt

import pytest
from django.utils import timezone

from xinyu.audit.models import AuditEntry
from xinyu.counselling import services
from xinyu.counselling.models import Slot
from xinyu.counselling.services import CounsellingError, planned_times, publish_slots


def next_weekday(weekday: int) -> dt.date:
    today = timezone.localdate() + dt.timedelta(days=1)
    return today + dt.timedelta(days=(weekday - today.weekday()) % 7)


def local(day, hour, minute=0):
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=timezone.get_current_timezone())


def test_a_run_every_tuesday_afternoon():
    tuesday = next_weekday(1)
    times = planned_times(tuesday, dt.time(14), dt.time(17), slot_minutes=50, break_minutes=10, weeks=3)
    assert len(times) == 9
    assert times[:3] == [
        (local(tuesday, 14), local(tuesday, 14, 50)),
        (local(tuesday, 15), local(tuesday, 15, 50)),
        (local(tuesday, 16), local(tuesday, 16, 50)),
    ]
    assert times[-1][0] == local(tuesday + dt.timedelta(weeks=2), 16)
    assert {start.weekday() for start, _end in times} == {1}


@pytest.mark.parametrize(
    "arguments,message",
    [
        ({"end": dt.time(14)}, "The end time must be later than the start time."),
        ({"end": dt.time(14, 30)}, "No slot of that length fits between the start and the end time."),
        ({"weeks": 0}, "The number of weeks must be between 1 and 26."),
        ({"slot_minutes": 5}, "A slot must last between 10 and 240 minutes."),
    ],
)
def test_bad_runs_are_refused(arguments, message):
    values = {"slot_minutes": 50, "break_minutes": 10, "weeks": 1, "end": dt.time(17)} | arguments
    end = values.pop("end")
    with pytest.raises(CounsellingError) as caught:
        planned_times(next_weekday(1), dt.time(14), end, **values)
    assert str(caught.value) == message


def test_publishing_writes_slots_and_an_audit_entry(world, room):
    counsellor = world.cast["counsellor"]
    tuesday = next_weekday(1)
    times = planned_times(tuesday, dt.time(14), dt.time(17), slot_minutes=50, break_minutes=10, weeks=2)
    slots = publish_slots(counsellor, room, times, by=counsellor)
    assert len(slots) == 6
    assert set(Slot.objects.values_list("counsellor", "room")) == {(counsellor.pk, room.pk)}
    entry = AuditEntry.objects.get(what="counselling.slots")
    assert (entry.action, entry.detail["count"], entry.student) == ("create", 6, None)


def test_the_same_room_cannot_be_given_twice(world, room, other_counsellor):
    tuesday = next_weekday(1)
    publish_slots(world.cast["counsellor"], room, [(local(tuesday, 14), local(tuesday, 14, 50))],
                  by=world.cast["counsellor"])  # fmt: skip
    run = [(local(tuesday, 13), local(tuesday, 13, 50)), (local(tuesday, 14, 30), local(tuesday, 15, 20))]
    with pytest.raises(CounsellingError) as caught:
        publish_slots(other_counsellor, room, run, by=other_counsellor)
    assert "overlaps the time 个体咨询室1 is already given to 冯咨询师" in str(caught.value)
    # All or nothing: the 13:00 slot before the clash was not kept either.
    assert Slot.objects.filter(counsellor=other_counsellor).count() == 0


def test_a_counsellor_cannot_be_in_two_rooms_at_once(world, room, room2):
    counsellor = world.cast["counsellor"]
    tuesday = next_weekday(1)
    publish_slots(counsellor, room, [(local(tuesday, 14), local(tuesday, 14, 50))], by=counsellor)
    with pytest.raises(CounsellingError) as caught:
        publish_slots(counsellor, room2, [(local(tuesday, 14, 49), local(tuesday, 15, 39))], by=counsellor)
    assert "overlaps a time 冯咨询师 already has in 个体咨询室1" in str(caught.value)
    # Back to back is fine; a withdrawn slot no longer blocks.
    publish_slots(counsellor, room2, [(local(tuesday, 14, 50), local(tuesday, 15, 40))], by=counsellor)
    first = Slot.objects.get(starts_at=local(tuesday, 14))
    services.withdraw_slot(first, by=counsellor)
    publish_slots(counsellor, room2, [(local(tuesday, 14), local(tuesday, 14, 50))], by=counsellor)


def test_only_centre_counsellors_publish_and_not_in_the_past(world, room):
    tuesday = next_weekday(1)
    advisor = world.cast["mental_health_advisor"]
    with pytest.raises(CounsellingError) as caught:
        publish_slots(advisor, room, [(local(tuesday, 14), local(tuesday, 15))], by=advisor)
    assert str(caught.value) == "Only the psychology centre's counsellors can publish available times."
    counsellor = world.cast["counsellor"]
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    with pytest.raises(CounsellingError) as caught:
        publish_slots(counsellor, room, [(local(yesterday, 14), local(yesterday, 15))], by=counsellor)
    assert "is in the past" in str(caught.value)


def test_a_booked_slot_cannot_be_withdrawn(world, booking):
    with pytest.raises(CounsellingError) as caught:
        services.withdraw_slot(booking.slot, by=world.cast["counsellor"])
    assert str(caught.value) == "This time is booked: cancel the booking first."
