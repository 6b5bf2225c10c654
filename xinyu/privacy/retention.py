"""Retention: the files of students who left are archived, then destroyed, on the policy's schedule.

- The leaving date: a `StudentDeparture` record when one exists, otherwise the latest access-log entry
  that changed the student's `status` (roster import or back office: "student.import" / "student.admin"
  with "status" among the fields)
  while the status is a leaving one (graduated / withdrawn / dismissed). Without either the student is
  counted as "no leaving date" and left alone.
- Archive (`retention_archive_after_years` after leaving): a `StudentRetention` row; xinyu.org.scope hides
  the student from everyone but the centre's supervisors.
- Destroy (`retention_destroy_after_years`): every kind of record about the student is deleted (or
  anonymised where the record must stay), then the student row and their account are anonymised. The
  access log keeps its entries (it copies the student number it needs).

What is destroyed: the kinds listed in xinyu.privacy.retention_sources and, so that no app's student data
is forgotten, every other model with a foreign key to Student except those in KEPT. Deleting a row first
deletes the rows that depend on it (PROTECT or CASCADE, recursively), so a registry entry goes with its
plan, progress notes and events. A kind is named by its model's `app_label.modelname`; listing a kind
there overrides the default, e.g. to anonymise instead of deleting.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models, transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy

from xinyu.audit.models import AuditEntry
from xinyu.org.access_log import Event, record_many
from xinyu.org.models import Student
from xinyu.policy.loader import policy_in_force
from xinyu.privacy.models import RetentionRun, StudentDeparture, StudentRetention
from xinyu.privacy.retention_sources import STUDENT_DATA, StudentData

LEFT_STATUSES = (Student.Status.GRADUATED, Student.Status.WITHDRAWN, Student.Status.DISMISSED)
STATUS_CHANGES = ("student.import", "student.admin")  # access-log entries that may change a student's status
DESTROYED_NAME = "（已销毁）"
BATCH = 500
# Kept when a file is destroyed: the access log (append-only, copies what it needs), the record of staff's
# emergency accesses (their conduct; the reason is encrypted) and the retention records themselves.
LISTED = frozenset(data.kind for data in STUDENT_DATA)
KEPT = frozenset(
    {"audit.auditentry", "privacy.breakglassgrant", "privacy.studentdeparture", "privacy.studentretention"}
)


def _default_kinds() -> list[StudentData]:
    """Every other model with a foreign key to Student: deleted with what depends on it."""
    kinds = []
    for model in apps.get_models():
        label = model._meta.label_lower
        if label in KEPT or label in LISTED:
            continue
        for fk in model._meta.concrete_fields:
            if fk.is_relation and fk.related_model is Student:
                kinds.append(StudentData(label, f"{fk.name}_id", order=50))
                break
    return kinds


def registered() -> list[StudentData]:
    return sorted([*STUDENT_DATA, *_default_kinds()], key=lambda data: (data.order, data.kind))


def delete_tree(queryset: QuerySet, depth: int = 0) -> None:
    """Delete the rows and, first, every row that depends on them (PROTECT, RESTRICT or CASCADE), so that
    no PROTECT stops the deletion. SET_NULL / SET_DEFAULT / DO_NOTHING dependants are left to Django."""
    if depth > 20:
        raise RuntimeError(f"retention: dependency chain too deep at {queryset.model._meta.label}")
    for relation in queryset.model._meta.related_objects:
        if relation.many_to_many or not relation.field.concrete:
            continue
        if relation.on_delete not in (models.PROTECT, models.RESTRICT, models.CASCADE):
            continue
        child = relation.related_model
        if child._meta.label_lower in KEPT:
            continue
        delete_tree(child._base_manager.filter(**{f"{relation.field.name}__in": queryset.values("pk")}), depth + 1)
    queryset.delete()


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def departure_dates(students: QuerySet) -> dict[int, dt.date]:
    """The leaving date of each student who left, where it is known."""
    ids = list(students.values_list("pk", flat=True))
    dates: dict[int, dt.date] = {}
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        for entry in (
            AuditEntry.objects.filter(student_id__in=chunk, what__in=STATUS_CHANGES)
            .order_by("id")
            .values("student_id", "at", "detail")
        ):
            if "status" in (entry["detail"] or {}).get("fields", []):
                dates[entry["student_id"]] = timezone.localdate(entry["at"])
        dates.update(StudentDeparture.objects.filter(student_id__in=chunk).values_list("student_id", "left_on"))
    return dates


@dataclass
class Plan:
    today: dt.date
    to_archive: list[tuple[int, dt.date]] = field(default_factory=list)
    to_destroy: list[int] = field(default_factory=list)
    no_departure_date: int = 0
    records: dict[str, int] = field(default_factory=dict)


def plan(today: dt.date | None = None) -> Plan:
    rules = policy_in_force().care
    today = today or timezone.localdate()
    result = Plan(today)
    left = Student.objects.filter(status__in=LEFT_STATUSES)
    dates = departure_dates(left)
    retained = {
        row["student_id"]: row for row in StudentRetention.objects.values("student_id", "destroyed_at", "left_on")
    }
    for student_id in left.values_list("pk", flat=True).order_by("pk"):
        state = retained.get(student_id)
        if state and state["destroyed_at"]:
            continue
        left_on = state["left_on"] if state else dates.get(student_id)
        if left_on is None:
            result.no_departure_date += 1
            continue
        if _add_years(left_on, rules.retention_destroy_after_years) <= today:
            result.to_destroy.append(student_id)
            if not state:
                result.to_archive.append((student_id, left_on))
        elif not state and _add_years(left_on, rules.retention_archive_after_years) <= today:
            result.to_archive.append((student_id, left_on))
    for data in registered():
        total = 0
        for start in range(0, len(result.to_destroy), BATCH):
            total += data.queryset(result.to_destroy[start : start + BATCH]).count()
        result.records[data.kind] = total
    return result


def _anonymise_students(ids: list[int]) -> None:

    User = get_user_model()
    students = list(Student.objects.filter(pk__in=ids))
    user_ids = [student.user_id for student in students if student.user_id]
    for student in students:
        student.name = DESTROYED_NAME
        student.student_number = f"X{student.pk}"
        student.set_id_number("")
        student.date_of_birth = None
        student.phone = ""
        student.dorm_room = None
        student.user = None
    Student.objects.bulk_update(
        students,
        [
            "name",
            "student_number",
            "id_number_ciphertext",
            "id_number_digest",
            "id_number_masked",
            "date_of_birth",
            "phone",
            "dorm_room",
            "user",
        ],
        batch_size=BATCH,
    )
    users = list(User.objects.filter(pk__in=user_ids))
    for user in users:
        user.username = f"destroyed-{user.pk}"
        user.full_name = ""
        user.first_name = user.last_name = user.email = user.phone = ""
        user.is_active = False
        user.set_unusable_password()
    User.objects.bulk_update(
        users, ["username", "full_name", "first_name", "last_name", "email", "phone", "is_active", "password"]
    )


def apply_retention(*, dry_run: bool = False, today: dt.date | None = None, actor=None) -> RetentionRun:
    """Archive and destroy what the policy says, all in one transaction; a dry run changes no student data
    and records only the run (marked as a dry run) with what it would do."""
    with transaction.atomic():
        result = plan(today)
        policy = policy_in_force()
        now = timezone.now()
        run = RetentionRun.objects.create(
            ran_at=now,
            dry_run=dry_run,
            archived=len(result.to_archive),
            destroyed=len(result.to_destroy),
            no_departure_date=result.no_departure_date,
            records=result.records,
            policy_key=getattr(policy, "key", "") or "",
        )
        summary = {
            "run": run.pk,
            "dry_run": dry_run,
            "archived": run.archived,
            "destroyed": run.destroyed,
            "no_departure_date": run.no_departure_date,
            "records": result.records,
        }
        events = [Event(AuditEntry.Action.DELETE if run.destroyed else AuditEntry.Action.UPDATE, "privacy.retention",
                        detail=summary)]  # fmt: skip
        if not dry_run:
            StudentRetention.objects.bulk_create(
                [
                    StudentRetention(student_id=pk, left_on=left_on, archived_at=now, archived_by_run=run)
                    for pk, left_on in result.to_archive
                ],
                batch_size=BATCH,
            )
            students = {s.pk: s for s in Student.objects.filter(pk__in=[pk for pk, _day in result.to_archive])}
            events += [
                Event(
                    AuditEntry.Action.UPDATE, "privacy.retention.archive", student=students[pk], detail={"run": run.pk}
                )
                for pk, _day in result.to_archive
            ]
            if result.to_destroy:
                destroyed = {s.pk: s for s in Student.objects.filter(pk__in=result.to_destroy)}
                events += [
                    Event(
                        AuditEntry.Action.DELETE,
                        "privacy.retention.destroy",
                        student=destroyed[pk],
                        detail={"run": run.pk},
                    )
                    for pk in result.to_destroy
                ]
        # Entries name each student before the row is anonymised (the entry keeps the student number).
        record_many(actor, events)
        if not dry_run:
            for start in range(0, len(result.to_destroy), BATCH):
                chunk = result.to_destroy[start : start + BATCH]
                for data in registered():
                    queryset = data.queryset(chunk)
                    if data.anonymise is not None:
                        data.anonymise(queryset)
                    else:
                        delete_tree(queryset)
                _anonymise_students(chunk)
            StudentRetention.objects.filter(student_id__in=result.to_destroy).update(
                destroyed_at=now, destroyed_by_run=run
            )
    return run


@dataclass
class YearForecast:
    """What retention would do in one calendar year, if nothing changes: files archived and destroyed, and
    the records destroyed with them by kind (counts only, no student)."""

    year: int
    archive: int = 0
    destroy: int = 0
    records: dict[str, int] = field(default_factory=dict)


@dataclass
class Forecast:
    today: dt.date
    years: list[YearForecast]
    no_departure_date: int
    archive_after_years: int
    destroy_after_years: int


def forecast(today: dt.date | None = None, *, schools=None) -> Forecast:
    """A dry run by year: for every student who left (of `schools`, when given) and whose file is not
    destroyed yet, the year the file is archived (if it is not yet) and the year it is destroyed, under the
    policy in force; what is due already falls in this year. Changes nothing and records nothing."""
    rules = policy_in_force().care
    today = today or timezone.localdate()
    left = Student.objects.filter(status__in=LEFT_STATUSES)
    if schools is not None:
        left = left.filter(school_id__in=schools)
    dates = departure_dates(left)
    retained = {
        row["student_id"]: row for row in StudentRetention.objects.values("student_id", "destroyed_at", "left_on")
    }
    years: dict[int, YearForecast] = {}
    destroyed: dict[int, list[int]] = {}
    no_date = 0
    for student_id in left.values_list("pk", flat=True).order_by("pk"):
        state = retained.get(student_id)
        if state and state["destroyed_at"]:
            continue
        left_on = state["left_on"] if state else dates.get(student_id)
        if left_on is None:
            no_date += 1
            continue
        if not state:
            year = max(_add_years(left_on, rules.retention_archive_after_years), today).year
            years.setdefault(year, YearForecast(year)).archive += 1
        year = max(_add_years(left_on, rules.retention_destroy_after_years), today).year
        years.setdefault(year, YearForecast(year)).destroy += 1
        destroyed.setdefault(year, []).append(student_id)
    kinds = registered()
    for year, ids in destroyed.items():
        for data in kinds:
            total = sum(data.queryset(ids[start : start + BATCH]).count() for start in range(0, len(ids), BATCH))
            if total:
                years[year].records[data.kind] = total
    return Forecast(
        today=today,
        years=[years[year] for year in sorted(years)],
        no_departure_date=no_date,
        archive_after_years=rules.retention_archive_after_years,
        destroy_after_years=rules.retention_destroy_after_years,
    )


# Words for kinds whose model has no Chinese name of its own.
KIND_LABELS = {
    "screening.result": gettext_lazy("Screening results"),
    "screening.response": gettext_lazy("Screening answers"),
    "care.checkinassignment": gettext_lazy("Check-in assignments"),
    "education.attendance": gettext_lazy("Attendance at activities"),
}


def kind_label(kind: str) -> str:
    """A kind of record in words: its model's plural name ("care.interview" → 约谈); a model named in
    English only reads "other records" rather than showing a code."""
    if kind in KIND_LABELS:
        return str(KIND_LABELS[kind])
    try:
        label = str(apps.get_model(kind)._meta.verbose_name_plural)
    except LookupError:
        label = ""
    if not label or (label.isascii() and not (translation.get_language() or "").startswith("en")):
        return str(gettext_lazy("Other records"))
    return label
