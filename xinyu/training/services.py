"""The writes of the training records, each with its access-log entry in the same transaction, and the
reminders before a certificate expires."""

import datetime as dt

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from xinyu.accounts.models import User
from xinyu.audit.models import AuditEntry
from xinyu.notify.services import notify
from xinyu.org.access_log import Event, record
from xinyu.org.models import Appointment, Post
from xinyu.org.scope import Tier, school_id_of
from xinyu.policy.errors import DomainError
from xinyu.training import workload
from xinyu.training.models import Attendance, Certificate, Provider, TrainingEvent

REMINDER_DAYS = (90, 30)


class TrainingError(DomainError):
    pass


def _log(by, action, what, detail, address):
    record(by, Event(action, what, detail=detail), address=address)


@transaction.atomic
def save_event(form, *, school_id: int, by, address=None) -> TrainingEvent:
    event = form.save(commit=False)
    created = event.pk is None
    event.school_id = school_id
    if created:
        event.recorded_by = by
    event.save()
    _log(
        by, AuditEntry.Action.CREATE if created else AuditEntry.Action.UPDATE, "training.event",
        {"topic": event.topic, "starts_on": event.starts_on.isoformat(), "hours": str(event.hours)}, address,
    )  # fmt: skip
    return event


@transaction.atomic
def add_attendances(event: TrainingEvent, people, *, hours=None, by, address=None) -> tuple[int, int]:
    """Record `people` as having attended `event` (confirmed, `hours` or the event's hours each). Those already
    recorded are left as they are. Returns (added, already there)."""
    credited = hours or event.hours
    existing = set(Attendance.objects.filter(event=event).values_list("person_id", flat=True))
    new = [person for person in people if person.pk not in existing]
    now = timezone.now()
    Attendance.objects.bulk_create(
        Attendance(event=event, person=person, hours=credited, status=Attendance.Status.CONFIRMED, decided_by=by,
                   decided_at=now)
        for person in new
    )  # fmt: skip
    _log(
        by, AuditEntry.Action.CREATE, "training.attendance",
        {"event": event.pk, "topic": event.topic, "people": sorted(person.username for person in new)}, address,
    )  # fmt: skip
    return len(new), len(people) - len(new)


@transaction.atomic
def remove_attendance(attendance: Attendance, *, by, address=None) -> None:
    _log(
        by, AuditEntry.Action.DELETE, "training.attendance",
        {"event": attendance.event_id, "person": attendance.person.username}, address,
    )  # fmt: skip
    attendance.delete()


def _store_certificate(attendance, upload, content_type, by) -> None:
    upload.seek(0)
    Certificate.objects.update_or_create(
        attendance=attendance,
        defaults={"file_name": (upload.name or "certificate")[:255], "content_type": content_type,
                  "size": upload.size, "content": upload.read(), "uploaded_by": by},
    )  # fmt: skip


@transaction.atomic
def save_certificate(attendance: Attendance, form, *, by, address=None) -> None:
    attendance.certificate_number = form.cleaned_data["certificate_number"]
    attendance.save(update_fields=["certificate_number"])
    upload = form.cleaned_data.get("file")
    if upload:
        _store_certificate(attendance, upload, form.content_type, by)
    _log(
        by, AuditEntry.Action.UPDATE, "training.certificate",
        {"event": attendance.event_id, "person": attendance.person.username, "file": bool(upload)}, address,
    )  # fmt: skip


def _school_of(person) -> int | None:
    for appointment in (
        Appointment.objects.current()
        .filter(person=person)
        .select_related("department", "college", "class_group__college", "dorm_room")
    ):
        if school := school_id_of(appointment):
            return school
    return None


@transaction.atomic
def report_training(form, *, person, address=None) -> Attendance:
    """A staff member reports an external training they attended; it waits for 学工部 to confirm."""
    school_id = _school_of(person)
    if school_id is None:
        raise TrainingError(_("You hold no post in the network, so there is nobody to confirm your training."))
    data = form.cleaned_data
    event = TrainingEvent.objects.create(
        school_id=school_id, topic=data["topic"], provider=Provider.EXTERNAL, kind=data["kind"],
        starts_on=data["starts_on"], ends_on=data["ends_on"], hours=data["hours"], organiser=data["organiser"],
        trainer_name=data["organiser"], place=data["place"], reported=True, recorded_by=person,
    )  # fmt: skip
    attendance = Attendance.objects.create(
        event=event, person=person, hours=data["hours"], certificate_number=data["certificate_number"],
        status=Attendance.Status.PENDING,
    )  # fmt: skip
    if data.get("file"):
        _store_certificate(attendance, data["file"], form.content_type, person)
    detail = {"topic": event.topic, "hours": str(event.hours)}
    _log(person, AuditEntry.Action.CREATE, "training.report", detail, address)
    confirmers = User.objects.filter(
        pk__in=Appointment.objects.current()
        .filter(post=Post.STUDENT_AFFAIRS_STAFF, department__school_id=school_id)
        .values("person_id")
    )
    notify(
        list(confirmers), student=None, tier=Tier.T0, key=f"training.report{attendance.pk}",
        title=_("%(name)s reported an external training to confirm") % {"name": person.full_name},
        link=reverse("training:pending"),
    )  # fmt: skip
    return attendance


@transaction.atomic
def decide_report(attendance: Attendance, *, confirm: bool, reason: str = "", by, address=None) -> Attendance:
    attendance = (
        Attendance.objects.select_for_update(of=("self",)).select_related("event", "person").get(pk=attendance.pk)
    )
    target = Attendance.Status.CONFIRMED if confirm else Attendance.Status.DECLINED
    Attendance.MOVES.check(attendance.status, target, error=TrainingError)
    if attendance.person_id == by.pk:
        raise TrainingError(_("Your own training is confirmed by a colleague."))
    attendance.status, attendance.reason = target, reason
    attendance.decided_by, attendance.decided_at = by, timezone.now()
    attendance.save(update_fields=["status", "reason", "decided_by", "decided_at"])
    _log(
        by, AuditEntry.Action.UPDATE, "training.report",
        {"person": attendance.person.username, "topic": attendance.event.topic, "status": target}, address,
    )  # fmt: skip
    title = (
        _("Your training “%(topic)s” is confirmed")
        if confirm
        else _("Your training “%(topic)s” is not confirmed: %(reason)s")
    ) % {"topic": attendance.event.topic, "reason": reason}
    notify(
        [attendance.person], student=None, tier=Tier.T0, key=f"training.report{attendance.pk}:{target}",
        title=title, link=reverse("training:mine"),
    )  # fmt: skip
    return attendance


def send_qualification_reminders(today: dt.date | None = None) -> int:
    """Tell a teacher and 学工部 once when their certificate expires within 90 days and once within 30.
    Idempotent: one notification per qualification, expiry date, threshold and person."""
    today = today or timezone.localdate()
    sent = 0
    student_affairs = list(
        User.objects.filter(
            pk__in=Appointment.objects.current(today).filter(post=Post.STUDENT_AFFAIRS_STAFF).values("person_id")
        )
    )
    for qualification in workload.expiring_qualifications(today, max(REMINDER_DAYS)):
        expires = qualification.certificate_expires_on
        if expires < today:
            continue  # expired: the work list says so every day; the reminders were before
        days = min(d for d in REMINDER_DAYS if expires <= today + dt.timedelta(days=d))
        words = {"certificate": qualification.certificate or _("certificate"), "day": expires.isoformat()}
        with transaction.atomic():
            key = f"training.qualification{qualification.pk}:{expires.isoformat()}:{days}"
            sent += len(
                notify([qualification.person], student=None, tier=Tier.T0, key=key,
                       title=_("Your %(certificate)s expires on %(day)s: renew it in time") % words,
                       link=reverse("training:mine"))
            )  # fmt: skip
            sent += len(
                notify(student_affairs, student=None, tier=Tier.T0, key=key,
                       title=_("%(name)s's %(certificate)s expires on %(day)s")
                       % {**words, "name": qualification.person.full_name},
                       link=reverse("training:overview"))
            )  # fmt: skip
    return sent
