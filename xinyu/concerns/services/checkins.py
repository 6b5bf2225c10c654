"""The dorm leader's check-ins on a dorm-mate they were asked to look after (xinyu.care.checkins keeps the
assignments): "all right", or "something is wrong" with a note, which is a concern report by the dorm leader
in the same transaction."""

from django.db import transaction
from django.utils.translation import gettext as _

from xinyu.audit.models import AuditEntry
from xinyu.care import scope as care_scope
from xinyu.care.models import CheckIn
from xinyu.concerns.errors import ConcernError
from xinyu.concerns.models import ConcernReport
from xinyu.concerns.services.reports import submit_report
from xinyu.org.access_log import Event, record
from xinyu.org.scope import Tier


@transaction.atomic
def record_check_in(assignment, *, by, status: str, note: str = "") -> CheckIn:
    """The dorm leader's answer; "something is wrong" raises a concern report by the dorm leader."""
    assignment = (
        care_scope.check_in_assignments_for(by).select_related("student__class_group").filter(pk=assignment.pk).first()
    )
    if assignment is None:
        raise ConcernError(_("You were not asked to check in on this person."))
    if status not in CheckIn.Status.values:
        raise ConcernError(_("Please choose “all right” or “something is wrong”."))
    note = (note or "").strip()
    report = None
    if status == CheckIn.Status.WRONG:
        if not note:
            raise ConcernError(_("Please write briefly what is wrong."))
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
