"""Concern reports (预警上报): anyone reports, the student's chain acknowledges and triages."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xinyu.audit.models import AuditEntry
from xinyu.audit.services import Event, record
from xinyu.concerns.errors import ConcernError
from xinyu.concerns.models import ConcernReport
from xinyu.concerns.policy import policy_in_force
from xinyu.concerns.services import acks
from xinyu.org.models import Student
from xinyu.org.responsibility import holders_of


def find_student_for_report(school, student_number: str, name: str) -> Student:
    """A peer named by 学号 and name: both must match, so the form cannot be used to browse the roster."""
    student = Student.objects.filter(school=school, student_number=student_number.strip(), name=name.strip()).first()
    if student is None:
        raise ConcernError(_("No student has this student number and name. Please check both and try again."))
    return student


def receivers_for(policy, student, *, urgent: bool) -> list:
    roles = policy.urgent_report_receivers if urgent else policy.report_receivers
    people = []
    for role in roles:
        people += holders_of(role, student)
    return list(dict.fromkeys(people))


@transaction.atomic
def submit_report(reporter, student, *, category, urgency, description, observed_at=None, place="", is_drill=False):
    if not description.strip():
        raise ConcernError(_("Please say briefly what you noticed."))
    policy = policy_in_force(timezone.localdate())
    report = ConcernReport.objects.create(
        student=student,
        reporter=reporter,
        category=category,
        urgency=urgency,
        description=description.strip(),
        observed_at=observed_at,
        place=place.strip(),
        is_drill=is_drill,
    )
    urgent = urgency == ConcernReport.Urgency.URGENT
    title = _("Urgent concern report: please take it now") if urgent else _("New concern report to take")
    if is_drill:
        title = _("[Drill] %(title)s") % {"title": title}
    acks.request_ack(
        policy,
        people=receivers_for(policy, student, urgent=urgent),
        deadline=policy.urgent_report_ack if urgent else policy.report_ack,
        report=report,
        title=title,
        link=f"/concerns/reports/{report.pk}/",
        urgent=urgent,
    )
    record(reporter, Event(AuditEntry.Action.CREATE, "concern.report", student=student, detail={"report": report.pk}))
    return report


@transaction.atomic
def acknowledge_report(report: ConcernReport, *, by) -> ConcernReport:
    report = ConcernReport.objects.select_for_update().get(pk=report.pk)
    if report.status == ConcernReport.Status.NEW:
        report.status = ConcernReport.Status.ACKNOWLEDGED
        report.acknowledged_by, report.acknowledged_at = by, timezone.now()
        report.save(update_fields=["status", "acknowledged_by", "acknowledged_at"])
        acks.acknowledge(report.ack, by=by)
        record(by, Event(AuditEntry.Action.UPDATE, "concern.report.acknowledge", student=report.student))
    return report


@transaction.atomic
def triage_report(report: ConcernReport, *, by, crisis_level: str | None, note: str, reason: str = ""):
    """No crisis (with a note), or a crisis at a level: opens the case. Returns the case or None."""
    from xinyu.concerns.services.cases import open_case

    report = acknowledge_report(report, by=by)
    if report.status not in (ConcernReport.Status.ACKNOWLEDGED,):
        raise ConcernError(_("This report has already been handled."))
    report.triaged_by, report.triaged_at, report.triage_note = by, timezone.now(), note.strip()
    case = None
    if crisis_level:
        case = open_case(
            report.student, crisis_level, by=by, reason=reason or note, report=report, is_drill=report.is_drill
        )
        report.status, report.case = ConcernReport.Status.CRISIS, case
    else:
        if not note.strip():
            raise ConcernError(_("Please note why this is not a crisis."))
        report.status = ConcernReport.Status.NO_CRISIS
    report.save(update_fields=["status", "triaged_by", "triaged_at", "triage_note", "case"])
    record(by, Event(AuditEntry.Action.UPDATE, "concern.report.triage", student=report.student,
                     detail={"crisis_level": crisis_level or ""}))  # fmt: skip
    return case
