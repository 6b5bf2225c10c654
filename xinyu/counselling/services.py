"""Counselling's write paths: one function per transition, each checking its guard, saving, writing its
audit entry and queueing its notifications in one transaction. Views, the admin, the demo seed and the
reminder task all call these.

Notification titles never name the student.
"""

import datetime as dt
import itertools

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from xinyu.accounts.models import User
from xinyu.audit.models import AuditEntry
from xinyu.concerns.errors import ConcernError
from xinyu.concerns.services.reports import submit_report
from xinyu.counselling import scope
from xinyu.counselling.models import Addendum, Booking, Intake, Room, Session, Slot
from xinyu.notify.services import notify
from xinyu.org.access_log import Event, record
from xinyu.org.scope import Tier
from xinyu.policy.errors import DomainError
from xinyu.policy.loader import policy_in_force

MAX_SLOTS_PER_RUN = 200
MAX_WEEKS = 26


class CounsellingError(DomainError):
    """A request that breaks a counselling rule; the message says what, for the person who asked."""


def _rules():
    return policy_in_force(timezone.localdate()).care


def _post(user, student) -> str:
    if student is not None and getattr(student, "user_id", None) == user.pk:
        return "self"
    _tier, grant = scope.tier_for(user, student)
    return grant.post if grant else ""


def _audit_booking(by, student, action, what: str, detail: dict) -> None:
    """A booking is T3: it tells that the student attends counselling. Logged with the actor's post."""
    record(by, Event(action, what, student=student, tier=Tier.T3, post=_post(by, student), detail=detail))


def _audit_record(by, student, action, what: str, detail: dict) -> None:
    """A session's record (notes, intake, addenda) is T4, written by the treating counsellor."""
    record(by, Event(action, what, student=student, tier=Tier.T4, post="treating_counsellor", detail=detail))


def _when(value: dt.datetime) -> str:
    local = timezone.localtime(value)
    return local.strftime("%Y-%m-%d %H:%M")


def _span(starts_at, ends_at) -> str:
    return f"{_when(starts_at)}–{timezone.localtime(ends_at):%H:%M}"


# ---------------------------------------------------------------- availability


def planned_times(first_day: dt.date, start: dt.time, end: dt.time, *, slot_minutes: int, break_minutes: int,
                  weeks: int) -> list[tuple[dt.datetime, dt.datetime]]:  # fmt: skip
    """The (start, end) of every slot in a run: from `start` to `end` on `first_day` and the same weekday
    of the following weeks, `slot_minutes` long with `break_minutes` between them."""
    if slot_minutes < 10 or slot_minutes > 240:
        raise CounsellingError(_("A slot must last between 10 and 240 minutes."))
    if break_minutes < 0 or break_minutes > 120:
        raise CounsellingError(_("The break between slots must be between 0 and 120 minutes."))
    if not 1 <= weeks <= MAX_WEEKS:
        raise CounsellingError(_("The number of weeks must be between 1 and %(max)d.") % {"max": MAX_WEEKS})
    if end <= start:
        raise CounsellingError(_("The end time must be later than the start time."))
    zone = timezone.get_current_timezone()
    times = []
    for week in range(weeks):
        day = first_day + dt.timedelta(weeks=week)
        cursor = dt.datetime.combine(day, start, tzinfo=zone)
        stop = dt.datetime.combine(day, end, tzinfo=zone)
        while cursor + dt.timedelta(minutes=slot_minutes) <= stop:
            times.append((cursor, cursor + dt.timedelta(minutes=slot_minutes)))
            cursor += dt.timedelta(minutes=slot_minutes + break_minutes)
    if not times:
        raise CounsellingError(_("No slot of that length fits between the start and the end time."))
    if len(times) > MAX_SLOTS_PER_RUN:
        raise CounsellingError(_("At most %(max)d slots can be published at once.") % {"max": MAX_SLOTS_PER_RUN})
    return times


def _clash(counsellor, room: Room, starts_at, ends_at) -> str | None:
    overlapping = Slot.objects.filter(withdrawn=False, starts_at__lt=ends_at, ends_at__gt=starts_at)
    other = overlapping.filter(room=room).select_related("counsellor").first()
    if other is not None:
        return _("%(span)s overlaps the time %(room)s is already given to %(person)s (%(other)s).") % {
            "span": _span(starts_at, ends_at),
            "room": room.name,
            "person": other.counsellor.full_name,
            "other": _span(other.starts_at, other.ends_at),
        }
    other = overlapping.filter(counsellor=counsellor).select_related("room").first()
    if other is not None:
        return _("%(span)s overlaps a time %(person)s already has in %(room)s (%(other)s).") % {
            "span": _span(starts_at, ends_at),
            "person": counsellor.full_name,
            "room": other.room.name,
            "other": _span(other.starts_at, other.ends_at),
        }
    return None


@transaction.atomic
def publish_slots(counsellor, room: Room, times, *, by, now=None) -> list[Slot]:
    """Publish a run of slots, all or nothing. A slot overlapping another of the same room or of the same
    counsellor, in the past, or in a room of another school is refused with the first clash named."""

    now = now or timezone.now()
    if not scope.is_counsellor(counsellor):
        raise CounsellingError(_("Only the psychology centre's counsellors can publish available times."))
    if by.pk != counsellor.pk and not scope.is_counselling_supervisor(by):
        raise CounsellingError(_("You can publish only your own available times."))
    if room.school_id not in scope.counselling_schools(counsellor) or not room.active:
        raise CounsellingError(_("Please choose a room of your centre that is in use."))
    # Lock the room and the counsellor so that two runs published at once cannot both pass the check.
    Room.objects.select_for_update(of=("self",)).filter(pk=room.pk).first()
    User.objects.select_for_update(of=("self",)).filter(pk=counsellor.pk).first()
    times = sorted(times)
    for (starts_a, ends_a), (starts_b, _ends_b) in itertools.pairwise(times):
        if starts_b < ends_a:
            raise CounsellingError(_("The slots of the run overlap each other (%(span)s).") % {
                "span": _span(starts_a, ends_a)})  # fmt: skip
    slots = []
    for starts_at, ends_at in times:
        if starts_at < now:
            raise CounsellingError(_("%(span)s is in the past.") % {"span": _span(starts_at, ends_at)})
        problem = _clash(counsellor, room, starts_at, ends_at)
        if problem:
            raise CounsellingError(problem)
        slots.append(Slot.objects.create(counsellor=counsellor, room=room, starts_at=starts_at, ends_at=ends_at))
    record(
        by,
        Event(
            AuditEntry.Action.CREATE,
            "counselling.slots",
            detail={"counsellor": counsellor.pk, "room": room.pk, "count": len(slots)},
        ),
    )
    return slots


@transaction.atomic
def withdraw_slot(slot: Slot, *, by) -> Slot:
    """Take back an available time nobody has booked."""
    slot = Slot.objects.select_for_update(of=("self",)).get(pk=slot.pk)
    if slot.counsellor_id != by.pk and not scope.is_counselling_supervisor(by):
        raise CounsellingError(_("You can withdraw only your own available times."))
    if slot.bookings.filter(status__in=Booking.HOLDS_SLOT).exists():
        raise CounsellingError(_("This time is booked: cancel the booking first."))
    slot.withdrawn = True
    slot.save(update_fields=["withdrawn"])
    record(by, Event(AuditEntry.Action.DELETE, "counselling.slot", detail={"slot": slot.pk}))
    return slot


# ---------------------------------------------------------------- bookings


def _check_bookable(student, slot: Slot, now) -> None:
    if slot.withdrawn or not slot.room.active or slot.room.school_id != student.school_id:
        raise CounsellingError(_("This time is no longer available. Please choose another one."))
    if slot.starts_at <= now:
        raise CounsellingError(_("This time has already begun. Please choose another one."))


def _take(student, slot, reason, now) -> Booking:
    """Create the booking; the slot's constraint lets exactly one of two racing students have it."""
    slot = Slot.objects.select_for_update(of=("self",)).select_related("room", "counsellor").get(pk=slot.pk)
    _check_bookable(student, slot, now)
    if slot.bookings.filter(status__in=Booking.HOLDS_SLOT).exists():
        raise CounsellingError(_("Someone has just booked this time. Please choose another one."))
    try:
        with transaction.atomic():
            return Booking.objects.create(slot=slot, student=student, reason=reason)
    except IntegrityError:
        if Booking.objects.filter(student=student, status__in=Booking.OPEN).exists():
            raise CounsellingError(_("You already have an open booking. Change or cancel it first.")) from None
        raise CounsellingError(_("Someone has just booked this time. Please choose another one.")) from None


def _notify_counsellor_of_request(booking: Booking) -> None:
    notify(
        [booking.slot.counsellor],
        student=booking.student,
        tier=Tier.T3,  # that the student asked for counselling
        key=f"counselling.booking.{booking.pk}.requested.{booking.slot_id}",
        title=_("A counselling booking is waiting for your confirmation"),
        link=reverse("counselling:schedule"),
    )


@transaction.atomic
def book(student, slot: Slot, *, reason: str = "", by, now=None) -> Booking:
    now = now or timezone.now()
    reason = (reason or "").strip()
    if len(reason) > Booking._meta.get_field("reason").max_length:
        raise CounsellingError(_("Please keep what you would like to talk about to 200 characters."))
    if Booking.objects.filter(student=student, status__in=Booking.OPEN).exists():
        raise CounsellingError(_("You already have an open booking. Change or cancel it first."))
    booking = _take(student, slot, reason, now)
    _notify_counsellor_of_request(booking)
    _audit_booking(
        by, student, AuditEntry.Action.CREATE, "counselling.booking", {"booking": booking.pk, "slot": slot.pk}
    )
    return booking


def cancel_deadline(booking: Booking) -> dt.datetime:
    return booking.slot.starts_at - dt.timedelta(hours=_rules().counselling_cancel_before_hours)


def may_student_change(booking: Booking, now=None) -> bool:
    now = now or timezone.now()
    return booking.is_open and now < cancel_deadline(booking)


def _lock(booking: Booking) -> Booking:
    return (
        Booking.objects.select_for_update(of=("self",))
        .select_related("slot__room", "slot__counsellor", "student")
        .get(pk=booking.pk)
    )


def _is_the_student(by, booking) -> bool:
    return booking.student.user_id == by.pk


@transaction.atomic
def change_booking(booking: Booking, new_slot: Slot, *, by, now=None) -> Booking:
    """Move a student's open booking to another slot in one step: the old time is freed only if the new
    one is had. The moved booking waits for the new counsellor's confirmation."""
    now = now or timezone.now()
    booking = _lock(booking)
    _check_move(booking, Booking.Status.REQUESTED)
    if now >= cancel_deadline(booking):
        raise CounsellingError(
            _("Bookings can be changed or cancelled only until %(hours)d hours before they begin.")
            % {"hours": _rules().counselling_cancel_before_hours}
        )
    if new_slot.pk == booking.slot_id:
        raise CounsellingError(_("Please choose a different time."))
    old_slot = booking.slot
    new_slot = Slot.objects.select_for_update(of=("self",)).select_related("room", "counsellor").get(pk=new_slot.pk)
    _check_bookable(booking.student, new_slot, now)
    if new_slot.bookings.filter(status__in=Booking.HOLDS_SLOT).exists():
        raise CounsellingError(_("Someone has just booked this time. Please choose another one."))
    booking.slot = new_slot
    booking.status = Booking.Status.REQUESTED
    booking.confirmed_at = None
    booking.reminded_at = None
    try:
        with transaction.atomic():
            booking.save(update_fields=["slot", "status", "confirmed_at", "reminded_at"])
    except IntegrityError:
        raise CounsellingError(_("Someone has just booked this time. Please choose another one.")) from None
    _notify_counsellor_of_request(booking)
    if old_slot.counsellor_id != new_slot.counsellor_id:
        notify(
            [old_slot.counsellor],
            student=booking.student,
            tier=Tier.T3,
            key=f"counselling.booking.{booking.pk}.moved.{old_slot.pk}",
            title=_("A counselling booking with you was moved to another time"),
            link=reverse("counselling:schedule"),
        )
    _audit_booking(
        by,
        booking.student,
        AuditEntry.Action.UPDATE,
        "counselling.booking",
        {"booking": booking.pk, "from": old_slot.pk, "to": new_slot.pk},
    )
    return booking


@transaction.atomic
def cancel_booking(booking: Booking, *, by, now=None) -> Booking:
    """The student cancels until `counselling_cancel_before_hours` before; the counsellor at any time."""
    now = now or timezone.now()
    booking = _lock(booking)
    _check_move(booking, Booking.Status.CANCELLED)
    by_student = _is_the_student(by, booking)
    if by_student and now >= cancel_deadline(booking):
        raise CounsellingError(
            _("Bookings can be changed or cancelled only until %(hours)d hours before they begin.")
            % {"hours": _rules().counselling_cancel_before_hours}
        )
    if not by_student and not scope.may_handle_booking(by, booking):
        raise CounsellingError(_("Only the counsellor of this time can cancel the booking."))
    booking.status = Booking.Status.CANCELLED
    booking.cancelled_at = now
    booking.cancelled_by = by
    booking.save(update_fields=["status", "cancelled_at", "cancelled_by"])
    if by_student:
        notify(
            [booking.slot.counsellor],
            student=booking.student,
            tier=Tier.T3,
            key=f"counselling.booking.{booking.pk}.cancelled",
            title=_("A counselling booking with you was cancelled"),
            link=reverse("counselling:schedule"),
        )
    else:
        notify(
            [booking.student.user],
            student=booking.student,
            tier=Tier.T3,
            key=f"counselling.booking.{booking.pk}.cancelled",
            title=_("Your counselling appointment was cancelled by the centre"),
            link=reverse("counselling:my_bookings"),
        )
    _audit_booking(by, booking.student, AuditEntry.Action.UPDATE, "counselling.booking_cancel", {"booking": booking.pk})
    return booking


def _handle(booking: Booking, by, new_status) -> Booking:
    booking = _lock(booking)
    if not scope.may_handle_booking(by, booking):
        raise CounsellingError(_("Only the counsellor of this time or a supervisor can do this."))
    Booking.MOVES.check(
        booking.status,
        new_status,
        error=CounsellingError,
        message=_("A booking that is “%(status)s” cannot be changed that way.")
        % {"status": booking.get_status_display()},
    )
    return booking


def _check_move(booking: Booking, new_status) -> None:
    Booking.MOVES.check(
        booking.status, new_status, error=CounsellingError, message=_("This booking is no longer open.")
    )


@transaction.atomic
def confirm_booking(booking: Booking, *, by, now=None) -> Booking:
    now = now or timezone.now()
    booking = _handle(booking, by, Booking.Status.CONFIRMED)
    booking.status = Booking.Status.CONFIRMED
    booking.confirmed_at = now
    booking.save(update_fields=["status", "confirmed_at"])
    notify(
        [booking.student.user],
        student=booking.student,  # the student themselves
        tier=Tier.T3,
        key=f"counselling.booking.{booking.pk}.confirmed.{booking.slot_id}",
        title=_("Your counselling appointment is confirmed"),
        link=reverse("counselling:my_bookings"),
    )
    _audit_booking(
        by, booking.student, AuditEntry.Action.UPDATE, "counselling.booking_confirm", {"booking": booking.pk}
    )
    return booking


@transaction.atomic
def mark_no_show(booking: Booking, *, by, now=None) -> Booking:
    now = now or timezone.now()
    booking = _handle(booking, by, Booking.Status.NO_SHOW)
    if booking.slot.starts_at > now:
        raise CounsellingError(_("A no-show can be recorded only once the time has begun."))
    booking.status = Booking.Status.NO_SHOW
    booking.no_show_at = now
    booking.save(update_fields=["status", "no_show_at"])
    _audit_booking(
        by, booking.student, AuditEntry.Action.UPDATE, "counselling.booking_no_show", {"booking": booking.pk}
    )
    return booking


def send_reminders(now=None) -> int:
    """Remind student and counsellor of each confirmed booking starting within `counselling_reminder_hours`.
    Idempotent: a booking is reminded once (its `reminded_at`, and the notification's key)."""
    now = now or timezone.now()
    horizon = now + dt.timedelta(hours=_rules().counselling_reminder_hours)
    sent = 0
    ids = list(
        Booking.objects.filter(
            status=Booking.Status.CONFIRMED, reminded_at__isnull=True, slot__starts_at__gt=now,
            slot__starts_at__lte=horizon,
        ).values_list("pk", flat=True)
    )  # fmt: skip
    for pk in ids:
        with transaction.atomic():
            booking = (
                Booking.objects.select_for_update(of=("self",))
                .select_related("slot__room", "slot__counsellor", "student__user")
                .filter(pk=pk, status=Booking.Status.CONFIRMED, reminded_at__isnull=True)
                .first()
            )
            if booking is None:
                continue
            when = _when(booking.slot.starts_at)
            notify(
                [booking.student.user],
                student=booking.student,
                tier=Tier.T3,
                key=f"counselling.booking.{booking.pk}.reminder.{booking.slot_id}",
                title=_("Reminder: your counselling appointment at %(when)s in %(room)s")
                % {"when": when, "room": booking.slot.room.name},
                link=reverse("counselling:my_bookings"),
            )
            notify(
                [booking.slot.counsellor],
                student=booking.student,
                tier=Tier.T3,
                key=f"counselling.booking.{booking.pk}.reminder.{booking.slot_id}",
                title=_("Reminder: a counselling appointment at %(when)s in %(room)s")
                % {"when": when, "room": booking.slot.room.name},
                link=reverse("counselling:schedule"),
            )
            booking.reminded_at = now
            booking.save(update_fields=["reminded_at"])
            sent += 1
    return sent


# ---------------------------------------------------------------- sessions


def lock_at(session: Session) -> dt.datetime:
    return session.held_at + dt.timedelta(days=_rules().counselling_note_lock_days)


def is_locked(session: Session, now=None) -> bool:
    return (now or timezone.now()) >= lock_at(session)


def _check_session_fields(*, kind, held_at, duration_minutes, risk_level, next_step, now) -> None:
    if kind not in Session.Kind.values:
        raise CounsellingError(_("Please choose the kind of session."))
    if held_at is None:
        raise CounsellingError(_("Please say when the session took place."))
    if held_at > now + dt.timedelta(minutes=5):
        raise CounsellingError(_("The session cannot be in the future."))
    if not duration_minutes or not 5 <= duration_minutes <= 480:
        raise CounsellingError(_("The duration must be between 5 and 480 minutes."))
    if risk_level not in Session.Risk.values:
        raise CounsellingError(_("Please choose the risk level you assessed."))
    if next_step not in Session.NextStep.values:
        raise CounsellingError(_("Please choose the next step."))


@transaction.atomic
def record_session(student, *, by, booking: Booking | None = None, kind=Session.Kind.INDIVIDUAL, held_at=None,
                   duration_minutes=None, risk_level=Session.Risk.NONE, next_step=Session.NextStep.CONTINUE,
                   notes: str = "", now=None) -> Session:  # fmt: skip
    """Record a session, from a booking (which becomes attended) or without one (a walk-in, a crisis)."""
    now = now or timezone.now()
    if not scope.is_counsellor(by) or not scope.counselling_students_for(by).filter(pk=student.pk).exists():
        raise CounsellingError(_("Only the psychology centre's counsellors can record a session."))
    if booking is not None:
        booking = _lock(booking)
        if booking.student_id != student.pk:
            raise CounsellingError(_("This booking is for another student."))
        if booking.slot.counsellor_id != by.pk:
            raise CounsellingError(_("Only the counsellor of this time can record its session."))
        _check_move(booking, Booking.Status.ATTENDED)
        held_at = held_at or booking.slot.starts_at
        duration_minutes = duration_minutes or booking.slot.minutes
    held_at = held_at or now
    duration_minutes = duration_minutes or 50
    _check_session_fields(
        kind=kind, held_at=held_at, duration_minutes=duration_minutes, risk_level=risk_level, next_step=next_step,
        now=now,
    )  # fmt: skip
    number = Session.objects.filter(student=student).count() + 1
    session = Session.objects.create(
        student=student, counsellor=by, booking=booking, kind=kind, held_at=held_at,
        duration_minutes=duration_minutes, session_number=number, risk_level=risk_level, next_step=next_step,
        notes=(notes or "").strip(),
    )  # fmt: skip
    if booking is not None:
        booking.status = Booking.Status.ATTENDED
        booking.save(update_fields=["status"])
    _audit_record(
        by,
        student,
        AuditEntry.Action.CREATE,
        "counselling.session",
        {"session": session.pk, "booking": booking.pk if booking else None},
    )
    return session


@transaction.atomic
def update_session(session: Session, *, by, kind, held_at, duration_minutes, risk_level, next_step, notes,
                   now=None) -> Session:  # fmt: skip
    """Edit a session's record until its notes lock; after that only addenda."""
    now = now or timezone.now()
    session = Session.objects.select_for_update(of=("self",)).get(pk=session.pk)
    if not scope.may_write_session(by, session):
        raise CounsellingError(_("Only the treating counsellor can change this record."))
    if is_locked(session, now):
        raise CounsellingError(
            _("The notes were locked %(days)d days after the session; add an addendum instead.")
            % {"days": _rules().counselling_note_lock_days}
        )
    _check_session_fields(
        kind=kind, held_at=held_at, duration_minutes=duration_minutes, risk_level=risk_level, next_step=next_step,
        now=now,
    )  # fmt: skip
    if held_at != session.held_at and is_locked(Session(held_at=held_at), now):
        raise CounsellingError(_("The date cannot be moved so far back that the notes would be locked."))
    session.kind, session.held_at, session.duration_minutes = kind, held_at, duration_minutes
    session.risk_level, session.next_step, session.notes = risk_level, next_step, (notes or "").strip()
    session.save()
    _audit_record(by, session.student, AuditEntry.Action.UPDATE, "counselling.session", {"session": session.pk})
    return session


@transaction.atomic
def add_addendum(session: Session, *, by, text: str) -> Addendum:
    text = (text or "").strip()
    if not scope.may_write_session(by, session):
        raise CounsellingError(_("Only the treating counsellor can add to these notes."))
    if not text:
        raise CounsellingError(_("Please write the addendum."))
    addendum = Addendum.objects.create(session=session, text=text, author=by)
    _audit_record(
        by,
        session.student,
        AuditEntry.Action.CREATE,
        "counselling.addendum",
        {"session": session.pk, "addendum": addendum.pk},
    )
    return addendum


INTAKE_FIELDS = (
    "presenting_concern",
    "history",
    "suicidal_thoughts",
    "self_harm",
    "harm_to_others",
    "under_treatment",
    "risk_notes",
    "consent_to_counselling",
    "confidentiality_limits_explained",
)


@transaction.atomic
def save_intake(session: Session, *, by, now=None, **values) -> Intake:
    """The intake form of a student's first session, written by the treating counsellor while the
    session's notes are open. Counselling starts only with consent and the limits of confidentiality
    explained."""
    now = now or timezone.now()
    if not scope.may_write_session(by, session):
        raise CounsellingError(_("Only the treating counsellor can fill in the intake form."))
    if is_locked(session, now):
        raise CounsellingError(_("The session's record is locked; add an addendum instead."))
    first = Session.objects.filter(student_id=session.student_id).order_by("held_at", "pk").first()
    if first is None or first.pk != session.pk:
        raise CounsellingError(_("The intake form belongs to the student's first session."))
    unknown = set(values) - set(INTAKE_FIELDS)
    if unknown:
        raise TypeError(f"unknown intake fields: {sorted(unknown)}")
    if not (values.get("presenting_concern") or "").strip():
        raise CounsellingError(_("Please write the presenting concern."))
    if not values.get("consent_to_counselling") or not values.get("confidentiality_limits_explained"):
        raise CounsellingError(
            _("Counselling needs the student's consent, and the limits of confidentiality explained to them.")
        )
    if (values.get("suicidal_thoughts") or values.get("self_harm") or values.get("harm_to_others")) and not (
        values.get("risk_notes") or ""
    ).strip():
        raise CounsellingError(_("A risk was screened positive: please write what you learned about it."))
    intake = Intake.objects.filter(session=session).first()
    created = intake is None
    if created:
        intake = Intake(session=session, created_by=by)
    for name in INTAKE_FIELDS:
        value = values.get(name, "" if name in ("presenting_concern", "history", "risk_notes") else False)
        setattr(intake, name, value.strip() if isinstance(value, str) else bool(value))
    intake.save()
    _audit_record(
        by,
        session.student,
        AuditEntry.Action.CREATE if created else AuditEntry.Action.UPDATE,
        "counselling.intake",
        {"session": session.pk},
    )
    return intake


@transaction.atomic
def use_confidentiality_exception(session: Session, *, by, category: str, urgency: str, description: str,
                                  reason: str, now=None):  # fmt: skip
    """Raise a concern report from a session when there is a risk of harm, and record on the session that
    the confidentiality exception was used: when, by whom, why."""

    now = now or timezone.now()
    session = Session.objects.select_for_update(of=("self",)).select_related("student").get(pk=session.pk)
    if not scope.may_read_session_record(by, session):
        raise CounsellingError(_("Only the treating counsellor or a supervisor can use the exception."))
    if not (reason or "").strip():
        raise CounsellingError(_("Please say why confidentiality must be broken (the risk of harm)."))
    if session.exception_used:
        raise CounsellingError(_("A concern report was already raised from this session."))
    try:
        report = submit_report(by, session.student, category=category, urgency=urgency, description=description)
    except ConcernError as error:
        raise CounsellingError(str(error)) from None
    session.exception_at = now
    session.exception_by = by
    session.exception_reason = reason.strip()
    session.exception_report = report
    session.save(update_fields=["exception_at", "exception_by", "exception_reason", "exception_report"])
    record(
        by,
        Event(
            AuditEntry.Action.UPDATE,
            "counselling.confidentiality_exception",
            student=session.student,
            tier=Tier.T4,
            post=_post(by, session.student) or "treating_counsellor",
            # The reason itself is T4 text: it stays encrypted on the session, not in the log.
            detail={"session": session.pk, "report": report.pk},
        ),
    )
    return report
