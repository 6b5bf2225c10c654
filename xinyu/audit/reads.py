"""Reads in the access log: every page that shows a student's data records one of the reads named here, so
the log's pages can say in words what was read. The values are the log's `what` and never change (old
entries keep them); a new page adds its read here."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from xinyu.audit.models import AuditEntry
from xinyu.audit.services import Event


class Read(models.TextChoices):
    STUDENT_DETAIL = "student.detail", _("Student's record (roster, contacts, guardians)")
    STUDENT_ADMIN = "student.admin", _("Student's record in the back office")
    STUDENT_FILE = "studentfile.file", _("Student's mental-health file")
    FILE_ACCESS_LOG = "studentfile.access_log", _("Who opened a student's file")
    REFERRALS_INDEX = "referrals.index", _("List of referrals and leaves")
    REFERRAL = "referrals.referral", _("Referral")
    REFERRAL_CLINICAL = "referrals.referral.clinical", _("Referral: diagnosis and medication")
    LEAVE = "referrals.leave", _("Leave of absence")
    LEAVE_CONFIDENTIAL = "referrals.leave.confidential", _("Leave of absence: hospital statements")
    OWN_SCREENING_SUMMARY = "screening.own_summary", _("Own screening summary")
    SCREENING_RESULTS = "screening.results", _("Student's screening results")
    SCREENING_RESPONSE_FHIR = "screening.response_fhir", _("Student's screening answers (FHIR download)")
    INTERVIEW = "care.interview", _("Interview record")
    INTERVIEW_LIST = "care.interview_list", _("List of interviews")
    # Before interviews and follow-ups were one (old entries keep their names).
    SCREENING_INTERVIEW = "screening.interview", _("Interview record")
    SCREENING_INTERVIEW_LIST = "screening.interview_list", _("List of interview tasks")
    SESSION_LIST = "counselling.session_list", _("List of counselling sessions")
    SESSION_FORM = "counselling.session_form", _("Counselling session form")
    SESSION_NOTES = "counselling.session_notes", _("Counselling session notes")
    INTAKE = "counselling.intake", _("Counselling intake form")
    EXCEPTION_FORM = "counselling.exception_form", _("Confidentiality exception form")
    COUNSELLING_SCHEDULE = "counselling.schedule", _("Counselling schedule and bookings")
    COUNSELLING_WORKLOAD = "counselling.workload", _("Counselling workload")
    WORKLOAD_STATEMENT = "workforce.statement", _("Workload statement")
    REGISTRY_ENTRY = "care.registry.entry", _("Key-concern registry entry and care plan")
    REGISTRY_LIST = "care.registry.list", _("Key-concern registry list")
    REGISTRY_REVIEW_LIST = "care.registry.review_list", _("Monthly key-concern review list")
    CHECK_IN_LIST = "care.check_in.list", _("Dorm check-in list")
    BREAK_GLASS = "privacy.break_glass", _("Emergency access")
    BREAK_GLASS_LIST = "privacy.break_glass.list", _("List of emergency accesses")
    BREAK_GLASS_LOOKUP_FAILED = "privacy.break_glass.lookup_failed", _("Emergency access: no student found")
    PEER_LOOKUP_FAILED = "concern.report.peer_lookup_failed", _("Concern report: no student found")
    MY_WORK = "concern.my_work", _("My work")
    CONCERN_REPORT = "concern.report", _("Concern report")
    CRISIS_BOARD = "crisis.board", _("Crisis board")
    CRISIS_CASE = "crisis.case", _("Crisis case")
    NETWORK = "org.network", _("The 校院班寝 network and who holds its posts")
    MONTHLY_REPORTS = "reports.monthly.list", _("College monthly reports")
    MONTHLY_REPORT = "reports.monthly", _("College monthly report")
    MONTHLY_GRID = "reports.monthly.grid", _("Monthly reports of every college")
    MONTH_SUMMARY = "reports.monthly.summary", _("The school's month")
    ANNUAL = "reports.annual", _("The leading group's year: summary, symposium, decisions")
    DECISION = "reports.decision", _("A decision of the symposium")
    RESEARCH = "reports.research", _("Research studies and their extracts")
    STATUS_REPORT = "reports.status", _("The students' mental-health status report")
    COMPLIANCE_BOARD = "compliance.board", _("Compliance board")
    COMPLIANCE_QUALIFICATIONS = "compliance.qualifications", _("Teachers' qualifications")
    COMPLIANCE_STATION_DOCUMENT = "compliance.station_document", _("Counselling station document")
    SUPERVISION_LIST = "workforce.supervision.list", _("Supervision requests and queue")
    SUPERVISION_REQUEST = "workforce.supervision.request", _("Supervision of a case: question and guidance")
    SUPERVISION_SESSION = "workforce.supervision.session", _("Supervision session")
    SUPERVISION_FORM = "workforce.supervision.form", _("Supervision request form")
    CONFERENCE = "workforce.conference", _("Case conference")
    CONFERENCE_CASE = "workforce.conference.case", _("Case conference: a case and its notes")
    CONFERENCE_TASK = "workforce.conference.task", _("Task from a case conference")
    ACTIVITY_ATTENDANCE = "education.attendance", _("Attendance list of an activity")
    ACTIVITY_PHOTO = "education.photo", _("Photo of an activity")


def read_event(what: Read, *, student=None, tier: int = 0, post: str = "", detail=None, reason: str = "") -> Event:
    """The access-log event of one read. A name outside `Read` is refused (ValueError)."""
    return Event(
        AuditEntry.Action.VIEW, Read(what).value, student=student, tier=tier, post=post, detail=detail, reason=reason
    )


def is_read(event: Event) -> bool:
    return event.action == AuditEntry.Action.VIEW and event.what in Read.values


# What the changes, exports and prints are about, by the start of their `what` (`care.registry.confirm` is
# about a registry entry, `reports.monthly.send_back` about a monthly report): the log's pages name the
# record, its Action column says what was done to it. The longest listed start wins; reads come first.
AREAS = {
    "accounts.step_up": _("Identity confirmed again (step-up)"),
    "api": _("API service token"),
    "api.concern_report": _("Concern report through the API"),
    "api.roster_sync": _("Roster sync through the API"),
    "care": _("Care and follow-up"),
    "care.check_in": _("Dorm check-in"),
    "care.family_contact": _("Family contact"),
    "care.plan": _("Care plan"),
    "care.registry": _("Key-concern registry entry and care plan"),
    "care.review_support": _("Review and support"),
    "compliance": _("Compliance board"),
    "concern": _("Concern report"),
    "counselling": _("Counselling"),
    "courses": _("Mental-health courses"),
    "crisis": _("Crisis case"),
    "duty": _("Duty roster"),
    "education": _("Education and activities"),
    "org.appointment": _("Appointment to a post"),
    "org.student": _("Student's record (roster, contacts, guardians)"),
    "privacy": _("Privacy"),
    "privacy.consent": _("Consent"),
    "privacy.retention": _("Archiving and destruction of records"),
    "referrals": _("Referral and leave"),
    "reports": _("Reports on the work"),
    "reports.research": _("Research studies and their extracts"),
    "screening": _("Screening"),
    "screening.results_export": _("Screening results (export)"),
    "staff": _("Staff roster"),
    "student": _("Student's record (roster, contacts, guardians)"),
    "studentfile": _("Student's mental-health file"),
    "training": _("Training and qualifications"),
    "workforce": _("Supervision and case conferences"),
}


def what_label(what: str) -> str:
    """The words for a log entry's `what`: the read's label, or the label of the longest listed start of it
    (a read's or an area's), or the stored value itself for a name nothing here covers."""
    parts = what.split(".")
    for end in range(len(parts), 0, -1):
        start = ".".join(parts[:end])
        if start in Read.values:
            return str(Read(start).label)
        if start in AREAS:
            return str(AREAS[start])
    return what
