"""Bookings: one open booking per student, one booking per slot (also under a race), change, cancel window,
confirm, no-show, reminders."""

import datetime as dt
import threading
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.utils import timezone, translation

from tests.counselling.conftest import make_slot
from tests.helpers import moves_to, unreachable, walk_move
from xinyu.audit.models import AuditEntry
from xinyu.counselling import services
from xinyu.counselling.models import Booking
from xinyu.counselling.services import CounsellingError
from xinyu.counselling.tasks import counselling_reminders
from xinyu.notify.models import Notification


def test_a_student_books_and_the_counsellor_is_told(world, slot):
    booking = services.book(world.in_scope, slot, reason=" 最近睡不好 ", by=world.cast["student"])
    assert (booking.status, booking.reason, booking.slot) == ("requested", "最近睡不好", slot)
    note = Notification.objects.get(recipient=world.cast["counsellor"])
    assert "张三" not in note.title and note.link == "/counselling/schedule/"
    entry = AuditEntry.objects.get(what="counselling.booking")
    assert (entry.action, entry.tier, entry.student, entry.post) == ("create", 3, world.in_scope, "self")


def test_one_open_booking_per_student(world, room, booking):
    other = make_slot(world.cast["counsellor"], room, hours_from_now=72)
    with pytest.raises(CounsellingError) as caught:
        services.book(world.in_scope, other, by=world.cast["student"])
    assert str(caught.value) == "You already have an open booking. Change or cancel it first."
    services.cancel_booking(booking, by=world.cast["student"])
    assert services.book(world.in_scope, other, by=world.cast["student"]).status == "requested"


def test_a_taken_slot_cannot_be_booked_again(world, booking):
    with pytest.raises(CounsellingError) as caught:
        services.book(world.other_class, booking.slot, by=world.other_class.user)
    assert str(caught.value) == "Someone has just booked this time. Please choose another one."


def test_the_database_refuses_a_second_booking_of_a_slot(world, booking):
    """The constraint holds even for a writer that skips the service's check."""
    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.create(slot=booking.slot, student=world.other_class)
    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.create(slot=make_slot(booking.slot.counsellor, booking.slot.room, hours_from_now=90),
                               student=world.in_scope)  # fmt: skip
    # A cancelled booking frees the slot.
    services.cancel_booking(booking, by=world.cast["student"])
    assert services.book(world.other_class, booking.slot, by=world.other_class.user).student == world.other_class


@pytest.mark.django_db(transaction=True)
def test_two_students_racing_for_one_slot_exactly_one_wins(world, slot):
    """Two threads, each with its own connection, book the same slot at the same moment."""
    if connection.vendor == "sqlite":
        pytest.skip("SQLite's in-memory test database is one connection; the constraint test above covers it")
    barrier = threading.Barrier(2)
    outcomes = []

    def attempt(student):
        try:
            barrier.wait()
            with translation.override("en"):  # a new thread starts in the default language
                services.book(student, slot, by=student.user)
            outcomes.append("won")
        except CounsellingError as error:
            outcomes.append(str(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(s,)) for s in (world.in_scope, world.other_class)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["Someone has just booked this time. Please choose another one.", "won"]
    assert Booking.objects.filter(slot=slot).count() == 1


def test_a_past_or_withdrawn_or_other_school_slot_cannot_be_booked(world, room):
    past = make_slot(world.cast["counsellor"], room, hours_from_now=-1)
    with pytest.raises(CounsellingError) as caught:
        services.book(world.in_scope, past, by=world.cast["student"])
    assert str(caught.value) == "This time has already begun. Please choose another one."
    withdrawn = make_slot(world.cast["counsellor"], room, hours_from_now=30)
    services.withdraw_slot(withdrawn, by=world.cast["counsellor"])
    with pytest.raises(CounsellingError) as caught:
        services.book(world.in_scope, withdrawn, by=world.cast["student"])
    assert str(caught.value) == "This time is no longer available. Please choose another one."


def test_changing_moves_the_booking_atomically(world, room, other_counsellor, booking):
    services.confirm_booking(booking, by=world.cast["counsellor"])
    target = make_slot(other_counsellor, room, hours_from_now=96)
    moved = services.change_booking(booking, target, by=world.cast["student"])
    assert (moved.pk, moved.slot, moved.status, moved.confirmed_at) == (booking.pk, target, "requested", None)
    # The old time is free again; the new counsellor and the old one are told.
    assert services.book(world.other_class, booking.slot, by=world.other_class.user)
    assert Notification.objects.filter(recipient=other_counsellor).count() == 1
    assert Notification.objects.filter(recipient=world.cast["counsellor"]).count() == 3  # request, moved, request
    entry = AuditEntry.objects.filter(what="counselling.booking", action="update").get()
    assert entry.detail == {"booking": booking.pk, "from": booking.slot_id, "to": target.pk}


def test_changing_to_a_taken_slot_keeps_the_old_one(world, room, booking):
    taken = make_slot(world.cast["counsellor"], room, hours_from_now=96)
    services.book(world.other_class, taken, by=world.other_class.user)
    with pytest.raises(CounsellingError):
        services.change_booking(booking, taken, by=world.cast["student"])
    booking.refresh_from_db()
    assert (booking.slot_id, booking.status) == (booking.slot_id, "requested")
    assert Booking.objects.get(slot=taken).student == world.other_class


def test_cancel_window(world, room):
    soon = make_slot(world.cast["counsellor"], room, hours_from_now=1)  # policy: until 2 hours before
    booking = services.book(world.in_scope, soon, by=world.cast["student"])
    assert not services.may_student_change(booking)
    with pytest.raises(CounsellingError) as caught:
        services.cancel_booking(booking, by=world.cast["student"])
    assert str(caught.value) == "Bookings can be changed or cancelled only until 2 hours before they begin."
    later = make_slot(world.cast["counsellor"], room, hours_from_now=30)
    with pytest.raises(CounsellingError):
        services.change_booking(booking, later, by=world.cast["student"])
    # The counsellor may still cancel; the student is told.
    services.cancel_booking(booking, by=world.cast["counsellor"])
    booking.refresh_from_db()
    assert (booking.status, booking.cancelled_by) == ("cancelled", world.cast["counsellor"])
    assert Notification.objects.filter(recipient=world.cast["student"]).count() == 1


def test_confirm_and_no_show_follow_the_states(world, room, other_counsellor):
    slot = make_slot(world.cast["counsellor"], room, hours_from_now=3)
    booking = services.book(world.in_scope, slot, by=world.cast["student"])
    with pytest.raises(CounsellingError) as caught:
        services.confirm_booking(booking, by=other_counsellor)
    assert str(caught.value) == "Only the counsellor of this time or a supervisor can do this."
    services.confirm_booking(booking, by=world.cast["supervisor"])
    with pytest.raises(CounsellingError):
        services.confirm_booking(booking, by=world.cast["counsellor"])
    with pytest.raises(CounsellingError) as caught:
        services.mark_no_show(booking, by=world.cast["counsellor"])
    assert str(caught.value) == "A no-show can be recorded only once the time has begun."
    later = timezone.now() + dt.timedelta(hours=4)
    done = services.mark_no_show(booking, by=world.cast["counsellor"], now=later)
    assert (done.status, done.no_show_at) == ("no_show", later)
    assert AuditEntry.objects.filter(what="counselling.booking_no_show", tier=3, student=world.in_scope).count() == 1
    # A no-show keeps the slot and closes the booking: the student may book again.
    assert not Booking.objects.filter(student=world.in_scope, status__in=Booking.OPEN).exists()


def test_reminders_go_once_to_student_and_counsellor(world, room):
    soon = make_slot(world.cast["counsellor"], room, hours_from_now=20)
    far = make_slot(world.cast["counsellor"], room, hours_from_now=50)
    near = services.book(world.in_scope, soon, by=world.cast["student"])
    services.confirm_booking(near, by=world.cast["counsellor"])
    distant = services.book(world.other_class, far, by=world.other_class.user)
    services.confirm_booking(distant, by=world.cast["counsellor"])
    Notification.objects.all().delete()
    assert services.send_reminders() == 1
    assert services.send_reminders() == 0
    notes = Notification.objects.order_by("recipient_id")
    assert {n.recipient for n in notes} == {world.cast["student"], world.cast["counsellor"]}
    assert all("张三" not in n.title and "个体咨询室1" in n.title for n in notes)
    near.refresh_from_db()
    assert near.reminded_at is not None
    # The task runs the same function.

    assert counselling_reminders.call() == 0


def test_the_reminder_command(world, room):
    booking = services.book(world.in_scope, make_slot(world.cast["counsellor"], room, hours_from_now=5),
                            by=world.cast["student"])  # fmt: skip
    services.confirm_booking(booking, by=world.cast["counsellor"])
    out = StringIO()
    call_command("send_counselling_reminders", stdout=out)
    call_command("send_counselling_reminders", stdout=out)
    assert out.getvalue() == "1 booking(s) reminded\n0 booking(s) reminded\n"


# The moves Booking.Status declares --------------------------------------------------------------------------

BOOKING_SERVICES = {
    Booking.Status.REQUESTED: lambda booking, w, room: services.change_booking(
        booking, make_slot(w.cast["counsellor"], room, hours_from_now=96), by=w.cast["student"]
    ),
    Booking.Status.CONFIRMED: lambda booking, w, room: services.confirm_booking(booking, by=w.cast["counsellor"]),
    Booking.Status.ATTENDED: lambda booking, w, room: services.record_session(
        w.in_scope, by=w.cast["counsellor"], booking=booking, kind="individual", risk_level="low", next_step="continue"
    ),
    Booking.Status.NO_SHOW: lambda booking, w, room: services.mark_no_show(booking, by=w.cast["counsellor"]),
    Booking.Status.CANCELLED: lambda booking, w, room: services.cancel_booking(booking, by=w.cast["counsellor"]),
}
# A session or a no-show is recorded once the time has begun; the rest is done before.
HAS_BEGUN = {Booking.Status.ATTENDED, Booking.Status.NO_SHOW}


def test_a_booking_is_requested_first_and_every_state_has_its_service():
    assert unreachable(Booking.MOVES) == set()  # a moved booking is requested again
    assert set(BOOKING_SERVICES) == set(Booking.Status.values)
    assert Booking.MOVES.final() == {Booking.Status.ATTENDED, Booking.Status.NO_SHOW, Booking.Status.CANCELLED}


@pytest.mark.parametrize(("current", "target"), moves_to(Booking.MOVES, BOOKING_SERVICES))
def test_booking_services_move_as_the_table_says(world, room, current, target):
    slot = make_slot(world.cast["counsellor"], room, hours_from_now=-1 if target in HAS_BEGUN else 48)
    booking = slot.bookings.create(student=world.in_scope)
    walk_move(
        Booking.MOVES, booking, current, target, lambda booking: BOOKING_SERVICES[target](booking, world, room),
        error=CounsellingError,
    )  # fmt: skip
