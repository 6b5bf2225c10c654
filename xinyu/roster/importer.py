"""Roster import: read and check a file, plan it (a preview that writes nothing), apply it in one
transaction. The web views, the `import_roster` command and the background task all call these.

All or nothing: any problem in any row and nothing is written. Re-importing the same file writes
nothing at all; a changed row updates that student only, with one audit entry naming the fields.
"""

import functools
import gc
from collections.abc import Callable
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from xinyu.accounts.models import User
from xinyu.audit.models import AuditEntry
from xinyu.grants import posts as grant_services
from xinyu.org import scope
from xinyu.org.access_log import Event, record_many
from xinyu.org.models import ClassGroup, College, DormRoom, Guardian, Student
from xinyu.org.scope import Tier, acting_post
from xinyu.roster.parsing import parse_file
from xinyu.roster.planning import Plan, find_school, load_places, load_users, plan_students
from xinyu.roster.planning_people import plan_appointments, plan_staff
from xinyu.roster.problems import Problem
from xinyu.roster.validation import Checked, check

BATCH = 1000
# Reported phases, in order: the first two count rows; planning and writing are shown as indeterminate.
READING, CHECKING, PLANNING, WRITING = "reading", "checking", "planning", "writing"
# A changed "fields" name → the Student columns it writes.
STUDENT_COLUMNS = {
    "id_number": ["id_number_ciphertext", "id_number_digest", "id_number_masked"],
    "guardians": [],
}

Report = Callable[..., None]  # report(phase, rows done, total=None): the total once it is known


def collector_paused(function):
    """Run with Python's cyclic garbage collector paused.

    A 50,000-row import holds a million small objects (cells, records, model instances); the collector
    would walk all of them again and again while more are made, which measured 2-3 times slower.
    Reference counting still frees everything the import lets go of; the collector resumes after.
    """

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            return function(*args, **kwargs)
        finally:
            if was_enabled:
                gc.enable()

    return wrapper


class ImportRejected(Exception):
    """The plan has problems; nothing was written."""

    def __init__(self, plan: Plan):
        super().__init__(f"{len(plan.problems)} problems")
        self.plan = plan


@collector_paused
def read_roster(path: Path, name: str, *, report: Report | None = None) -> Checked:
    """Parse and check a file that `safety.check_file` accepted. Reads no records; `report` is told
    the progress."""
    report = report or (lambda phase, done, total=None: None)
    report(READING, 0)
    parsed = parse_file(path, name, progress=lambda done: report(READING, done))
    report(CHECKING, 0, parsed.total_rows)
    return check(parsed, progress=lambda done: report(CHECKING, done))


@collector_paused
def plan_import(checked: Checked, *, create_missing: bool = False, corrections=frozenset(), actor=None) -> Plan:
    """What the import would do, and every problem. Reads the database; writes nothing. Identity
    conflicts are listed in `plan.conflicts`; `refuse_unconfirmed` turns those not confirmed into problems."""
    plan = Plan(
        problems=list(checked.problems), ignored_columns=checked.ignored_columns, corrections=frozenset(corrections)
    )
    first = next(iter((*checked.students[:1], *checked.staff[:1], *checked.appointments[:1])), None)
    find_school(plan, first.sheet.title if first else "")
    if plan.school is None:
        return plan
    load_places(plan)
    load_users(
        plan,
        [r.student_number for r in checked.students]
        + [r.username for r in checked.staff]
        + [r.username for r in checked.appointments],
    )
    plan_students(plan, checked, create_missing=create_missing)
    plan_staff(plan, checked)
    plan_appointments(plan, checked, actor)
    order = {title: index for index, title in enumerate(dict.fromkeys(p.sheet for p in plan.problems))}
    plan.problems.sort(key=lambda p: (order[p.sheet], p.row or 0))
    return plan


def refuse_unconfirmed(plan: Plan, actor) -> None:
    """Every identity conflict not confirmed as a correction, or confirmed by someone who may not, becomes
    a problem of its row: the import then writes nothing."""
    allowed = scope.may_correct_student_identity(actor) if actor is not None else False
    for conflict in plan.conflicts:
        confirmed = conflict["student_number"] in plan.corrections
        if confirmed and allowed:
            continue
        on_file, in_file = conflict["on_file"], conflict["in_file"]
        reason = (
            _(
                "This student number belongs to %(on_file)s on file, but the row describes %(in_file)s. A roster "
                "row never changes who a student is: correct the row, or have 学工部 staff confirm it as the "
                "correction of a typing error."
            )
            if not confirmed
            else _("Only 学工部 staff may confirm the correction of a student's identity.")
        ) % {"on_file": describe_identity(on_file), "in_file": describe_identity(in_file)}
        plan.problems.append(
            Problem(conflict["sheet"], conflict["row"], conflict["column"], conflict["student_number"],
                    "identity_conflict", reason)
        )  # fmt: skip


def describe_identity(identity: dict) -> str:
    """姓名, 性别, 出生日期 and the masked ID number, as one line."""
    parts = [identity["name"], identity["gender"], identity["date_of_birth"], identity["id_number"]]
    return " ".join(part for part in parts if part)


@collector_paused
def apply_import(
    checked: Checked,
    *,
    actor,
    create_missing: bool = False,
    corrections=frozenset(),
    job_id: int | None = None,
    address=None,
) -> Plan:
    """Plan and write in one transaction, with the audit entries; raise ImportRejected on any problem
    (an identity conflict not confirmed by someone who may is one)."""
    with transaction.atomic():
        plan = plan_import(checked, create_missing=create_missing, corrections=corrections, actor=actor)
        refuse_unconfirmed(plan, actor)
        if plan.problems:
            raise ImportRejected(plan)
        if plan.has_changes:
            _write(plan)
            record_many(actor, _events(plan, job_id, acting_post(actor)), address=address)
            _write_posts(plan, actor, job_id, address)
    return plan


@collector_paused
def import_file(
    path: Path,
    name: str,
    *,
    actor=None,
    create_missing: bool = False,
    dry_run: bool = False,
    corrections=frozenset(),
    job_id: int | None = None,
    address: str | None = None,
    report: Report | None = None,
) -> Plan:
    """Read, check and plan a file, and unless `dry_run` apply it. The plan's problems say whether it
    was written: with any problem, nothing was. A dry run lists identity conflicts without refusing them
    (the preview asks for their confirmation)."""
    checked = read_roster(path, name, report=report)
    if report:
        report(PLANNING if dry_run else WRITING, checked.total_rows, checked.total_rows)
    if dry_run:
        return plan_import(checked, create_missing=create_missing, corrections=corrections, actor=actor)
    try:
        return apply_import(
            checked,
            actor=actor,
            create_missing=create_missing,
            corrections=corrections,
            job_id=job_id,
            address=address,
        )
    except ImportRejected as rejected:
        return rejected.plan


def _write(plan: Plan) -> None:
    College.objects.bulk_create(plan.new_colleges, batch_size=BATCH)
    ClassGroup.objects.bulk_create(plan.new_class_groups, batch_size=BATCH)
    DormRoom.objects.bulk_create(plan.new_dorm_rooms, batch_size=BATCH)
    User.objects.bulk_create(plan.new_users, batch_size=BATCH)
    if plan.changed_users:
        fields = set().union(*(changed for _user, changed in plan.changed_users.values()))
        User.objects.bulk_update([user for user, _changed in plan.changed_users.values()], sorted(fields), BATCH)
    for student, id_number in plan.id_numbers:
        student.set_id_number(id_number)
    Student.objects.bulk_create([c.obj for c in plan.students if c.created], batch_size=BATCH)
    changed = [c for c in plan.students if not c.created]
    if changed:
        columns = {column for c in changed for name in c.fields for column in STUDENT_COLUMNS.get(name, [name])}
        Student.objects.bulk_update([c.obj for c in changed], sorted(columns), BATCH)
    Guardian.objects.bulk_create(plan.new_guardians, batch_size=BATCH)
    if plan.changed_guardians:
        Guardian.objects.bulk_update(plan.changed_guardians, ["relation", "phone"], BATCH)


def _write_posts(plan: Plan, actor, job_id: int | None, address) -> None:
    """Posts through the network's services, row by row: each grant and end is checked again, logged, and
    told to the people concerned, as on the network pages (a roster has tens of posts, not thousands)."""
    for change in plan.appointments:
        if change.created:
            grant_services.save_grant(change.obj, by=actor, address=address, job=job_id)
        else:
            grant_services.end_post(
                change.obj, by=actor, on=change.obj.ends_on, reason=_("Roster import"), address=address, job=job_id
            )


def _action(created: bool) -> str:
    return AuditEntry.Action.IMPORT if created else AuditEntry.Action.UPDATE


def _events(plan: Plan, job_id: int | None, post: str) -> list[Event]:
    """One entry per student, staff member and correction; `post` is the importer's (one for the file)."""
    students = {c.obj.student_number: c.obj for c in plan.students if not c.created}
    events = [
        Event(
            _action(c.created),
            "student.import",
            student=c.obj,
            tier=Tier.T1,
            post=post,
            detail={"fields": c.fields, "job": job_id},
        )
        for c in plan.students
    ]
    events += [
        Event(
            AuditEntry.Action.UPDATE,
            "student.identity_correction",
            student=students[conflict["student_number"]],
            tier=Tier.T1,
            post=post,
            detail={
                "row": conflict["row"],
                "before": conflict["on_file"],
                "after": conflict["in_file"],
                "job": job_id,
            },
            reason=_("Roster import: confirmed as the correction of a typing error"),
        )
        for conflict in plan.conflicts
        if conflict["student_number"] in students
    ]
    events += [
        Event(
            _action(c.created),
            "staff.import",
            post=post,
            detail={"username": c.obj.username, "fields": c.fields, "job": job_id},
        )
        for c in plan.staff
    ]
    return events
