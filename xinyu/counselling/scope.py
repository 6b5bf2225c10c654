"""Who may see and do what in counselling: availability, bookings, sessions, and the T4 notes.

- That a student attends counselling at all (their bookings, their sessions' dates, kinds and
  counsellors) is known to the centre (posts with a school-wide T3 grant or above: full- and part-time
  counsellors, supervisors) and to the student. College staff, 学工部 and 领导小组 see nothing of it,
  whatever their tier on the student.
- A session's record (structured fields, notes, addenda, intake, the exception) is T4: the treating
  counsellor (the session's counsellor, while they still hold a centre post) and the centre's
  supervisors over the student.
- Counsellors publish their own availability; the counsellor of a slot confirms its bookings, marks
  no-shows and records its session. Supervisors may confirm and mark no-shows for any slot of their
  school; the session record is always written by the treating counsellor themself.
- Workload: supervisors see every staff member's hours; anyone else on staff sees their own.
"""

from django.db.models import Q, QuerySet
from django.http import Http404

from xinyu.counselling.models import Booking, Room, Session, Slot
from xinyu.org.models import Post, ScopeKind, Student
from xinyu.org.scope import *  # noqa: F403 - this app's scope: the tiers and grants, and its own records
from xinyu.org.scope import base
from xinyu.org.scope.base import CENTRE_POSTS, Tier, current_appointments, grants_for, posts_of, students_for

__all__ = [
    *base.__all__,
    "COUNSELLING_POSTS",
    "bookings_for_staff",
    "counselling_schools",
    "counselling_students_for",
    "get_booking_for_staff",
    "get_own_booking",
    "get_session_record_for_user",
    "is_counselling_supervisor",
    "is_counsellor",
    "may_handle_booking",
    "may_manage_rooms",
    "may_read_session_record",
    "may_write_session",
    "rooms_for",
    "session_records_for",
    "sessions_for",
    "slots_for_student",
]

COUNSELLING_POSTS = CENTRE_POSTS
SUPERVISOR_POSTS = frozenset({Post.CENTRE_SUPERVISOR})


def counselling_schools(user) -> set[int]:
    """The schools whose centre the user works in."""
    return {
        appointment.school_id
        for appointment in current_appointments(user)
        if appointment.post in COUNSELLING_POSTS and appointment.scope_kind == ScopeKind.SCHOOL
    }


def is_counsellor(user) -> bool:
    """Publishes availability, takes bookings, records sessions: every centre post."""
    return bool(posts_of(user) & COUNSELLING_POSTS)


def is_counselling_supervisor(user) -> bool:
    """The centre's supervisors: read every session record of their school, act for any counsellor."""
    return bool(posts_of(user) & SUPERVISOR_POSTS)


def _is_supervisor_over(user, student) -> bool:
    return any(
        grant.post in SUPERVISOR_POSTS and grant.tier >= Tier.T4 and grant.covers(student) for grant in grants_for(user)
    )


def counselling_students_for(user) -> QuerySet:
    """Students whose counselling the user may know of: those of the centre's schools, at T3."""
    schools = counselling_schools(user)
    if not schools:
        return students_for(user, Tier.T3).none()
    return students_for(user, Tier.T3).filter(school_id__in=schools)


def get_counselling_student_for_user(user, student_id) -> Student:
    """A student a counsellor may record a session for; 404 for any other (or none)."""
    try:
        return counselling_students_for(user).select_related("class_group").get(pk=student_id)
    except (Student.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def rooms_for(user) -> QuerySet:

    return Room.objects.filter(school_id__in=counselling_schools(user))


def slots_for_student(student) -> QuerySet:
    """Slots a student may see and book: their school's, in rooms in use, not withdrawn."""

    return Slot.objects.filter(room__school_id=student.school_id, room__active=True, withdrawn=False)


def get_open_slot_for_student(student, pk) -> Slot:
    """An open time the student may book; 404 for any other (or none)."""
    try:
        return slots_for_student(student).select_related("room", "counsellor").get(pk=pk)
    except (Slot.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def get_own_slot_for_user(user, pk) -> Slot:
    """A counsellor's own time, not withdrawn yet; 404 for any other (or none)."""
    try:
        return Slot.objects.get(pk=pk, counsellor=user, withdrawn=False)
    except (Slot.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def bookings_for_staff(user) -> QuerySet:

    if not is_counsellor(user):
        return Booking.objects.none()
    return Booking.objects.filter(
        slot__room__school_id__in=counselling_schools(user), student__in=counselling_students_for(user)
    )


def get_booking_for_staff(user, pk):

    try:
        return bookings_for_staff(user).select_related("slot__room", "slot__counsellor", "student").get(pk=pk)
    except (Booking.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def get_own_booking(user, pk):
    """A student's own booking; anyone else's is 404."""

    try:
        return Booking.objects.select_related("slot__room", "slot__counsellor", "student").get(
            pk=pk, student__user_id=user.pk
        )
    except (Booking.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def may_handle_booking(user, booking) -> bool:
    """Confirm or decline a booking, mark a no-show: the slot's counsellor, or a supervisor. (Recording the
    session is the slot's counsellor's alone: `xinyu.counselling.services.record_session`.)"""
    if booking.slot.counsellor_id == user.pk and is_counsellor(user):
        return True
    return _is_supervisor_over(user, booking.student)


def get_booking_to_handle_for_user(user, pk):
    """A booking `user` may confirm, decline or mark a no-show (`may_handle_booking`); otherwise 404."""
    booking = get_booking_for_staff(user, pk)
    if not may_handle_booking(user, booking):
        raise Http404
    return booking


def get_booking_to_record_for_user(user, pk):
    """A booking whose session `user` may record: the slot's counsellor only; otherwise 404."""
    booking = get_booking_for_staff(user, pk)
    if booking.slot.counsellor_id != user.pk:
        raise Http404
    return booking


def sessions_for(user) -> QuerySet:
    """Sessions the user may know happened (T3 for the centre): date, kind, counsellor."""

    if not is_counsellor(user):
        return Session.objects.none()
    return Session.objects.filter(student__in=counselling_students_for(user))


def session_records_for(user) -> QuerySet:
    """Sessions whose record (notes, intake, structured fields) the user may read: T4."""

    if not is_counsellor(user):
        return Session.objects.none()
    condition = Q(counsellor_id=user.pk)
    if is_counselling_supervisor(user):
        condition |= Q(student__in=students_for(user, Tier.T4))
    return Session.objects.filter(condition, student__in=counselling_students_for(user))


def get_session_record_for_user(user, pk):

    try:
        return session_records_for(user).select_related("student__class_group", "counsellor", "booking").get(pk=pk)
    except (Session.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def may_read_session_record(user, session) -> bool:
    if not is_counsellor(user):
        return False
    return session.counsellor_id == user.pk or _is_supervisor_over(user, session.student)


def may_write_session(user, session) -> bool:
    """Notes, intake and addenda are written by the treating counsellor only."""
    return session.counsellor_id == user.pk and is_counsellor(user)


def get_session_to_write_for_user(user, pk):
    """A session whose record `user` may write (`may_write_session`); otherwise 404, as for a missing one."""
    session = get_session_record_for_user(user, pk)
    if not may_write_session(user, session):
        raise Http404
    return session


def may_manage_rooms(user) -> bool:
    """Adding and changing the centre's rooms: its supervisors."""
    return bool(posts_of(user) & SUPERVISOR_POSTS) and bool(counselling_schools(user))
