"""Dorm check-ins (第八条): a care plan may ask the student's dorm leader to look after them. The dorm
leader sees the name only, answers "all right" or "something is wrong" with a note; "something is wrong"
becomes a concern report in the same transaction."""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xinyu.audit.models import AuditEntry
from xinyu.audit.services import Event, record
from xinyu.care.models import CheckIn, CheckInAssignment
from xinyu.care.registry import RegistryError, care_rules
from xinyu.concerns.models import ConcernReport
from xinyu.concerns.services.reports import submit_report
from xinyu.org import scope
from xinyu.org.scope import Tier


def assign(plan, dorm_leader, *, by) -> CheckInAssignment:
    """Ask `dorm_leader` to look after the plan's student (caller's transaction)."""
    student = plan.entry.student
    if dorm_leader not in scope.dorm_leaders_for(student):
        raise RegistryError(_("The dorm check-in goes to the dorm leader of the student's room."))
    assignment = CheckInAssignment.objects.create(
        plan=plan,
        student=student,
        dorm_leader=dorm_leader,
        assigned_by=by,
        every_days=care_rules().dorm_check_in_every_days,
    )
    from xinyu.notify.services import notify

    notify(
        [dorm_leader],
        student=student,
        tier=Tier.T0,  # names nobody and says nothing of why; the check-ins page shows the name alone
        key=f"care.checkin{assignment.pk}:assigned",
        title=_("You were asked to check in on a dorm-mate"),
        link="/care/check-ins/",
    )
    return assignment


def end_assignment(assignment) -> None:
    assignment.ended_at = timezone.now()
    assignment.save(update_fields=["ended_at"])


def is_due(assignment, last_at: dt.datetime | None, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    since = last_at or assignment.started_at
    if last_at is None:
        return True
    return (timezone.localtime(now).date() - timezone.localtime(since).date()).days >= assignment.every_days


@transaction.atomic
def record_check_in(assignment, *, by, status: str, note: str = "") -> CheckIn:
    """The dorm leader's answer; "something is wrong" raises a concern report by the dorm leader."""
    assignment = (
        scope.check_in_assignments_for(by).select_related("student__class_group").filter(pk=assignment.pk).first()
    )
    if assignment is None:
        raise RegistryError(_("You were not asked to check in on this person."))
    if status not in CheckIn.Status.values:
        raise RegistryError(_("Please choose “all right” or “something is wrong”."))
    note = (note or "").strip()
    report = None
    if status == CheckIn.Status.WRONG:
        if not note:
            raise RegistryError(_("Please write briefly what is wrong."))
        report = submit_report(
            by,
            assignment.student,
            category=ConcernReport.Category.OTHER,
            urgency=ConcernReport.Urgency.NORMAL,
            description=note,
        )
    check_in = CheckIn.objects.create(assignment=assignment, status=status, note=note, report=report)
    record(
        by,
        Event(
            AuditEntry.Action.CREATE,
            "care.check_in",
            student=assignment.student,
            tier=Tier.T2,
            post="dorm_leader",
            detail={"check_in": check_in.pk, "status": status},
        ),
    )
    return check_in
