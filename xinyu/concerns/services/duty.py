"""The duty roster (值班): who is the duty leader (值班校领导) when, kept by 学工部.

Out of office hours the duty leader on the roster organises C and D crises (第十二条(三)); see
`duty_leader_for`. Shifts never overlap, so "who is on duty" has one answer.
"""

import datetime as dt

from django.db import connection, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from xinyu.audit.models import AuditEntry
from xinyu.concerns.errors import ConcernError
from xinyu.concerns.models import DutyShift
from xinyu.org.access_log import Event, record
from xinyu.policy import calendar
from xinyu.policy.loader import Policy

# An arbitrary constant naming the advisory lock that serialises roster writers on PostgreSQL (two
# people adding overlapping shifts at the same moment); SQLite's IMMEDIATE transactions already do.
ROSTER_LOCK_ID = 7_340_301
LONGEST_SHIFT = dt.timedelta(days=7)


def on_duty(at: dt.datetime | None = None) -> DutyShift | None:
    """The shift covering `at` (now by default), whatever the office hours."""
    moment = at or timezone.now()
    return DutyShift.objects.filter(starts_at__lte=moment, ends_at__gt=moment).select_related("person").first()


def shifts_between(start: dt.datetime, end: dt.datetime):
    """Shifts overlapping [start, end), in order."""
    return DutyShift.objects.filter(starts_at__lt=end, ends_at__gt=start).select_related("person").order_by("starts_at")


def _lock_roster() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ROSTER_LOCK_ID])


def _when(moment: dt.datetime) -> str:
    return formats.date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")


@transaction.atomic
def add_shift(*, person, starts_at: dt.datetime, ends_at: dt.datetime, phone: str = "", by) -> DutyShift:
    """Put `person` on duty from `starts_at` until `ends_at`. Overlapping shifts are refused."""
    if person is None or not person.is_active or person.is_student:
        raise ConcernError(_("The duty leader must be an active staff member."))
    if ends_at <= starts_at:
        raise ConcernError(_("The shift must end after it starts."))
    if ends_at - starts_at > LONGEST_SHIFT:
        raise ConcernError(_("A shift can last at most seven days; add longer duty as several shifts."))
    if ends_at <= timezone.now():
        raise ConcernError(_("The shift has already ended; the roster is for present and future duty."))
    phone = (phone or "").strip() or person.phone
    if len(phone) > DutyShift._meta.get_field("phone").max_length:
        raise ConcernError(_("The duty phone number is too long."))
    _lock_roster()
    clash = shifts_between(starts_at, ends_at).first()
    if clash is not None:
        raise ConcernError(
            _("This shift overlaps the shift of %(person)s from %(start)s to %(end)s; only one duty leader is on "
              "duty at a time.") % {"person": clash.person.full_name, "start": _when(clash.starts_at),
                                    "end": _when(clash.ends_at)}
        )  # fmt: skip
    shift = DutyShift.objects.create(person=person, starts_at=starts_at, ends_at=ends_at, phone=phone)
    record(by, Event(AuditEntry.Action.CREATE, "duty.shift", detail=_shift_detail(shift)))
    return shift


@transaction.atomic
def remove_shift(shift: DutyShift, *, by) -> None:
    """Remove a shift that has not ended; ended shifts stay as the record of who was on duty."""
    _lock_roster()
    shift = DutyShift.objects.select_related("person").get(pk=shift.pk)
    if shift.ends_at <= timezone.now():
        raise ConcernError(_("This shift has ended and stays on the roster as a record."))
    detail = _shift_detail(shift)
    shift.delete()
    record(by, Event(AuditEntry.Action.DELETE, "duty.shift", detail=detail))


def _shift_detail(shift: DutyShift) -> dict:
    return {
        "shift": shift.pk,
        "person": shift.person.username,
        "from": shift.starts_at.isoformat(),
        "until": shift.ends_at.isoformat(),
    }


def duty_leader_for(policy: Policy, at: dt.datetime):
    """Out of office hours the duty leader on the roster stands in for the school leader in charge."""
    if calendar.is_office_time(policy, at):
        return None
    shift = DutyShift.objects.filter(starts_at__lte=at, ends_at__gt=at).select_related("person").first()
    return shift.person if shift else None
