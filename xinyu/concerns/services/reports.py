"""Concern reports (预警上报): anyone reports, the student's chain acknowledges and triages."""

import datetime as dt
import unicodedata

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xinyu.audit.models import AuditEntry
from xinyu.care.interviews import schedule_interview
from xinyu.care.models import Interview
from xinyu.concerns import scope
from xinyu.concerns.errors import ConcernError
from xinyu.concerns.models import ConcernReport, CrisisCase
from xinyu.concerns.services import acks
from xinyu.concerns.services.cases import open_case
from xinyu.org.access_log import Event, Read, record, record_read
from xinyu.org.models import School, Student
from xinyu.org.responsibility import holders_of
from xinyu.policy.loader import policy_in_force

# Naming a peer by 学号 and name must not become a way to browse the roster: after this many look-ups
# that matched nobody within the window, a reporter's look-ups are refused until the window has passed.
PEER_LOOKUP_LIMIT = 10
PEER_LOOKUP_WINDOW = dt.timedelta(hours=1)
PEER_LOOKUP_FAILED = Read.PEER_LOOKUP_FAILED
# A report may say the thing was seen a little "in the future" when the phone's clock runs ahead.
CLOCK_SLACK = dt.timedelta(minutes=10)


def normalise_typed(text: str) -> str:
    """学号 and names as typed on a phone: full-width digits and spaces become plain ones."""
    return " ".join(unicodedata.normalize("NFKC", text or "").split())


def reporter_school(user) -> School | None:
    """The school a reporter belongs to, for naming a peer: their own student record's, or their posts'."""
    own = scope.own_student(user)
    if own is not None:
        return own.school
    for appointment in scope.current_appointments(user):
        scope_object = appointment.scope
        school = scope_object if isinstance(scope_object, School) else getattr(scope_object, "school", None)
        if school is None and appointment.class_group_id:
            school = appointment.class_group.college.school
        if school is not None:
            return school
    schools = list(School.objects.all()[:2])
    return schools[0] if len(schools) == 1 else None


def failed_peer_lookups(reporter, *, now: dt.datetime | None = None) -> int:
    """How many of the reporter's peer look-ups matched nobody within the window (from the access log)."""
    since = (now or timezone.now()) - PEER_LOOKUP_WINDOW
    return AuditEntry.objects.filter(actor_username=reporter.username, what=PEER_LOOKUP_FAILED, at__gte=since).count()


def find_student_for_report(school, student_number: str, name: str, *, reporter=None, address=None) -> Student:
    """A peer named by 学号 and name: both must match, so the form cannot be used to browse the roster.

    With a `reporter`, look-ups that match nobody are written to the access log (committed even though
    the caller's request fails) and, past PEER_LOOKUP_LIMIT within the window, every look-up is refused.
    """
    number, name = normalise_typed(student_number), normalise_typed(name)
    if not number or not name:
        raise ConcernError(_("Please enter both the student number and the name."))
    if reporter is not None and failed_peer_lookups(reporter) >= PEER_LOOKUP_LIMIT:
        raise ConcernError(
            _(
                "Too many student numbers and names did not match. Please try again in an hour, or tell your "
                "advisor or head teacher directly."
            )
        )
    student = None
    if school is not None:
        student = Student.objects.filter(school=school, student_number=number, name=name).first()
    if student is None:
        if reporter is not None:
            record_read(reporter, PEER_LOOKUP_FAILED, detail={"student_number": number[:32]}, address=address)
        raise ConcernError(_("No student has this student number and name. Please check both and try again."))
    return student


def receivers_for(policy, student, *, urgent: bool) -> list:
    roles = policy.urgent_report_receivers if urgent else policy.report_receivers
    people = []
    for role in roles:
        people += holders_of(role, student)
    return list(dict.fromkeys(people))


def receiver_roles(*, urgent: bool) -> tuple[str, ...]:
    """The roles (not the people) a report goes to, as the policy in force says: for the thank-you page."""
    policy = policy_in_force(timezone.localdate())
    return policy.urgent_report_receivers if urgent else policy.report_receivers


def reporter_status(report: ConcernReport) -> str:
    """What the reporter may know: "waiting" until someone has taken the report, then "taken" — never
    the outcome."""
    return "waiting" if report.status == ConcernReport.Status.NEW else "taken"


@transaction.atomic
def submit_report(reporter, student, *, category, urgency, description, observed_at=None, place="", is_drill=False,
                  restricted_detail: str = ""):  # fmt: skip
    """A report; `restricted_detail` (why Xinyu itself raised it, T3) is read only by those holding T3."""
    if category not in ConcernReport.Category.values:
        raise ConcernError(_("Please choose what kind of concern this is."))
    if urgency not in ConcernReport.Urgency.values:
        raise ConcernError(_("Please choose how urgent it is."))
    if not description.strip():
        raise ConcernError(_("Please say briefly what you noticed."))
    if observed_at is not None and observed_at > timezone.now() + CLOCK_SLACK:
        raise ConcernError(_("The time it happened cannot be in the future."))
    if len(place.strip()) > ConcernReport._meta.get_field("place").max_length:
        raise ConcernError(_("Please describe the place in at most 200 characters."))
    policy = policy_in_force(timezone.localdate())
    report = ConcernReport.objects.create(
        student=student,
        reporter=reporter,
        category=category,
        urgency=urgency,
        description=description.strip(),
        restricted_detail=restricted_detail.strip(),
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
        link=report.get_absolute_url(),
        urgent=urgent,
    )
    record(reporter, Event(AuditEntry.Action.CREATE, "concern.report", student=student, detail={"report": report.pk}))
    return report


def _check_handler(report: ConcernReport, by) -> None:
    if not scope.may_handle_report(by, report):
        raise ConcernError(_("Only the people this report was sent to, or the college's working group and the "
                             "psychology centre, can take and triage it."))  # fmt: skip


@transaction.atomic
def acknowledge_report(report: ConcernReport, *, by) -> ConcernReport:
    """Take the report (a second click, or a second person, changes nothing)."""
    report = ConcernReport.objects.select_for_update().select_related("student__class_group").get(pk=report.pk)
    _check_handler(report, by)
    if ConcernReport.MOVES.allows(report.status, ConcernReport.Status.ACKNOWLEDGED):
        report.status = ConcernReport.Status.ACKNOWLEDGED
        report.acknowledged_by, report.acknowledged_at = by, timezone.now()
        report.save(update_fields=["status", "acknowledged_by", "acknowledged_at"])
        acks.acknowledge(report.ack, by=by)
        record(by, Event(AuditEntry.Action.UPDATE, "concern.report.acknowledge", student=report.student,
                         detail={"report": report.pk}))  # fmt: skip
    return report


@transaction.atomic
def triage_report(
    report: ConcernReport,
    *,
    by,
    crisis_level: str | None,
    note: str,
    reason: str = "",
    interview_on: dt.date | None = None,
):
    """No crisis (with a note, and optionally an interview (约谈) scheduled as a follow-up), or a crisis at
    a level: opens the case. Returns the case or None."""

    report = acknowledge_report(report, by=by)
    ConcernReport.MOVES.check(
        report.status,
        ConcernReport.Status.CRISIS if crisis_level else ConcernReport.Status.NO_CRISIS,
        error=ConcernError,
        message=_("This report has already been handled."),
    )
    note, reason = note.strip(), reason.strip()
    report.triaged_by, report.triaged_at, report.triage_note = by, timezone.now(), note
    case = None
    if crisis_level:
        if crisis_level not in CrisisCase.Level.values:
            raise ConcernError(_("Unknown crisis level."))
        if not (reason or note):
            raise ConcernError(_("Please give the reason for the crisis level."))
        if interview_on is not None:
            raise ConcernError(_("An interview is scheduled only for a report that is not a crisis."))
        case = open_case(
            report.student, crisis_level, by=by, reason=reason or note, report=report, is_drill=report.is_drill
        )
        report.status, report.case = ConcernReport.Status.CRISIS, case
    else:
        if not note:
            raise ConcernError(_("Please note why this is not a crisis."))
        if interview_on is not None:
            if interview_on < timezone.localdate():
                raise ConcernError(_("The interview date cannot be in the past."))
            schedule_interview(
                report.student, by=by, source=Interview.Source.CONCERN_REPORT, due_on=interview_on,
                reason=_("After a concern report that was no crisis"), drill=report.is_drill,
            )  # fmt: skip
        report.status = ConcernReport.Status.NO_CRISIS
    report.save(update_fields=["status", "triaged_by", "triaged_at", "triage_note", "case"])
    detail = {"report": report.pk, "crisis_level": crisis_level or ""}
    if interview_on is not None:
        detail["interview_on"] = interview_on.isoformat()
    record(by, Event(AuditEntry.Action.UPDATE, "concern.report.triage", student=report.student, detail=detail))
    return case
