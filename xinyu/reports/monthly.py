"""The monthly report's one write path (第十一条): the college's mental-health advisor drafts the narrative,
submits it; the working group head approves and sends it to 学工部, which freezes its figures; the head
may send a draft back, 学工部 may return a sent report for changes; a correction is a new version with a
reason. Each step is one transaction with its access-log entry and the notifications it causes.

Deadline: the policy's `monthly_report_due_working_day`-th working day of the following month.
"""

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from xinyu.audit.models import AuditEntry
from xinyu.notify.services import notify
from xinyu.org.access_log import Event, record
from xinyu.org.models import Appointment, College
from xinyu.org.scope import Tier
from xinyu.policy.calendar import is_working_day
from xinyu.policy.errors import DomainError
from xinyu.policy.loader import policy_in_force
from xinyu.reports import scope
from xinyu.reports.figures import month_start, monthly_figures, next_month
from xinyu.reports.models import MonthlyReport

Status = MonthlyReport.Status
NARRATIVE = ("activities", "problems", "concerns", "next_focus")


class ReportError(DomainError):
    """A report step that cannot be taken as asked; the message says why, in the user's language."""


def due_on(month: dt.date) -> dt.date:
    """The report on `month` is due on the policy's N-th working day of the following month."""
    first = next_month(month)
    policy = policy_in_force(first)
    wanted = policy.care.monthly_report_due_working_day
    day, counted = first, 0
    while True:
        if is_working_day(policy, day):
            counted += 1
            if counted == wanted:
                return day
        day += dt.timedelta(days=1)


def month_label(month: dt.date) -> str:
    return _("%(year)s-%(month)02d") % {"year": month.year, "month": month.month}


def current_report(college, month: dt.date) -> MonthlyReport | None:
    """The version in force for the college and month (none superseded), if any."""
    return (
        MonthlyReport.objects.filter(college=college, month=month_start(month))
        .exclude(status=Status.SUPERSEDED)
        .first()
    )


def _audit(by, report, what: str, action=AuditEntry.Action.UPDATE, **detail) -> None:
    record(by, Event(action, f"reports.monthly.{what}", tier=Tier.T0,
                     detail={"report": report.pk, "college": report.college.code,
                             "month": f"{report.month:%Y-%m}", "version": report.version, **detail}))  # fmt: skip


def _people(college, posts) -> list:
    """Who holds `posts` for the college: its own posts in it, 学工部 in its school."""
    day = timezone.localdate()
    condition = Q(post__in=posts - scope.RETURNERS, college=college) | Q(
        post__in=posts & scope.RETURNERS, department__school_id=college.school_id
    )
    appointments = Appointment.objects.current(on=day).filter(condition).select_related("person")
    return list(dict.fromkeys(a.person for a in appointments.order_by("post", "id")))


def _tell(report, people, key: str, title: str) -> None:
    notify(people, student=None, tier=Tier.T0, key=f"reports.monthly{report.pk}:{key}", title=title,
           link=report.get_absolute_url())  # fmt: skip


def _lock(report) -> MonthlyReport:
    return MonthlyReport.objects.select_for_update().select_related("college__school").get(pk=report.pk)


def _move(report, target, *, message: str = "") -> None:
    MonthlyReport.MOVES.check(report.status, target, error=ReportError, message=message)
    report.status = target


@transaction.atomic
def start_report(college, month: dt.date, *, by) -> MonthlyReport:
    """The draft for the college and month (the one in force if it exists)."""
    if not scope.may_draft(by, college):
        raise ReportError(_("Only the college's mental-health advisor or 学工办 director drafts its monthly report."))
    month = month_start(month)
    if month > timezone.localdate():
        raise ReportError(_("A month that has not begun cannot be reported on."))
    existing = current_report(college, month)
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            report = MonthlyReport.objects.create(college=college, month=month, due_on=due_on(month), drafted_by=by)
    except IntegrityError:  # started at the same moment by someone else
        return current_report(college, month)
    _audit(by, report, "start", AuditEntry.Action.CREATE)
    return report


@transaction.atomic
def save_narrative(report, *, by, **text) -> MonthlyReport:
    """The office's words: activities held, problems found, students of concern (without names), next
    month's focus. Only while the report is a draft."""
    report = _lock(report)
    if not scope.may_draft(by, report.college):
        raise ReportError(_("Only the college's mental-health advisor or 学工办 director drafts its monthly report."))
    if not report.is_editable:
        raise ReportError(_("This report is no longer a draft; start a new version to change it."))
    for name in NARRATIVE:
        if name in text:
            setattr(report, name, (text[name] or "").strip())
    report.save(update_fields=list(NARRATIVE))
    _audit(by, report, "narrative")
    return report


@transaction.atomic
def submit_report(report, *, by) -> MonthlyReport:
    """For the working group head's approval; every part of the narrative must be written ("无" will do)."""
    report = _lock(report)
    if not scope.may_draft(by, report.college):
        raise ReportError(_("Only the college's mental-health advisor or 学工办 director drafts its monthly report."))
    labels = {
        "activities": _("activities held"), "problems": _("problems found"),
        "concerns": _("students of concern"), "next_focus": _("next month's focus"),
    }  # fmt: skip
    missing = [str(labels[name]) for name in NARRATIVE if not getattr(report, name).strip()]
    if missing:
        raise ReportError(
            _("Please write: %(parts)s (“无” if there is nothing to say).") % {"parts": "、".join(missing)}
        )
    _move(report, Status.AWAITING_APPROVAL)
    report.submitted_at = timezone.now()
    report.save(update_fields=["status", "submitted_at"])
    _audit(by, report, "submit")
    _tell(report, _people(report.college, scope.APPROVERS), f"v{report.version}:submitted",
          _("A college monthly report is waiting for your approval"))  # fmt: skip
    return report


@transaction.atomic
def send_back(report, *, by, note: str) -> MonthlyReport:
    """The head sends the draft back to the office with a note."""
    report = _lock(report)
    if not scope.may_approve(by, report.college):
        raise ReportError(_("Only the college's working group head approves its monthly report."))
    if not (note or "").strip():
        raise ReportError(_("Please say what should change."))
    _move(report, Status.DRAFT)
    report.head_note = note.strip()
    report.save(update_fields=["status", "head_note"])
    _audit(by, report, "send_back")
    _tell(report, [report.drafted_by], f"v{report.version}:sent_back:{timezone.now():%Y%m%d%H%M%S}",
          _("Your college monthly report was sent back for changes"))  # fmt: skip
    return report


@transaction.atomic
def approve_and_send(report, *, by) -> MonthlyReport:
    """The head approves: the figures are frozen and the report goes to 学工部."""
    report = _lock(report)
    if not scope.may_approve(by, report.college):
        raise ReportError(_("Only the college's working group head approves its monthly report."))
    _move(report, Status.SENT, message=_("Only a report waiting for approval can be sent."))
    report.figures = monthly_figures(report.college, report.month)
    report.sent_by, report.sent_at = by, timezone.now()
    report.save(update_fields=["status", "figures", "sent_by", "sent_at"])
    _audit(by, report, "send", late=report.was_late)
    _tell(report, _people(report.college, scope.RETURNERS), f"v{report.version}:sent",
          _("A college monthly report has arrived"))  # fmt: skip
    return report


@transaction.atomic
def return_for_changes(report, *, by, note: str) -> MonthlyReport:
    """学工部 returns a sent report; the college answers with a new version."""
    report = _lock(report)
    if not scope.may_return(by, report.college):
        raise ReportError(_("Only 学工部 returns a college's monthly report."))
    if not (note or "").strip():
        raise ReportError(_("Please say what should change."))
    _move(report, Status.RETURNED, message=_("Only a sent report can be returned."))
    report.returned_by, report.returned_at, report.return_note = by, timezone.now(), note.strip()
    report.save(update_fields=["status", "returned_by", "returned_at", "return_note"])
    _audit(by, report, "return")
    _tell(report, _people(report.college, scope.DRAFTERS | scope.APPROVERS), f"v{report.version}:returned",
          _("A college monthly report was returned for changes"))  # fmt: skip
    return report


@transaction.atomic
def new_version(report, *, by, reason: str) -> MonthlyReport:
    """A correction after sending (or the answer to a return): a new draft carrying the narrative over,
    with the reason; the earlier version stays as it was sent."""
    report = _lock(report)
    if not scope.may_draft(by, report.college):
        raise ReportError(_("Only the college's mental-health advisor or 学工办 director drafts its monthly report."))
    if not (reason or "").strip():
        raise ReportError(_("Please give the reason for the new version."))
    _move(report, Status.SUPERSEDED, message=_("Only a sent or returned report gets a new version."))
    report.save(update_fields=["status"])
    fresh = MonthlyReport.objects.create(
        college=report.college, month=report.month, version=report.version + 1, reason=reason.strip(),
        due_on=report.due_on, drafted_by=by, **{name: getattr(report, name) for name in NARRATIVE},
    )  # fmt: skip
    _audit(by, fresh, "new_version", AuditEntry.Action.CREATE, previous=report.pk)
    return fresh


# --- Reminders and escalation (the clock, daily) ----------------------------------------------------------


def remind_and_escalate(today: dt.date | None = None) -> dict:
    """For last month's reports: two working days before the due date the office is reminded; from the day
    after it, the working group head and 学工部 are told it is late. Idempotent (one notification per
    report, kind and day at most)."""
    today = today or timezone.localdate()
    month = month_start(month_start(today) - dt.timedelta(days=1))
    due = due_on(month)
    counts = {"reminded": 0, "late": 0}
    for college in College.objects.select_related("school"):
        report = current_report(college, month)
        if report is not None and report.status in (Status.SENT,):
            continue
        key = f"reports.monthly:{college.pk}:{month:%Y-%m}"
        if due - dt.timedelta(days=2) <= today <= due:
            title = _("The college monthly report for %(month)s is due on %(day)s")
            title %= {"month": month_label(month), "day": due}
            told = notify(_people(college, scope.DRAFTERS), student=None, tier=Tier.T0, key=f"{key}:remind",
                          link=_url(college, month), title=title)  # fmt: skip
            counts["reminded"] += len(told)
        elif today > due:
            people = _people(college, scope.DRAFTERS | scope.APPROVERS | scope.RETURNERS)
            title = _("A college monthly report for %(month)s is late") % {"month": month_label(month)}
            told = notify(people, student=None, tier=Tier.T0, key=f"{key}:late", link=_url(college, month), title=title)
            counts["late"] += len(told)
    return counts


def _url(college, month) -> str:
    return MonthlyReport(college=college, month=month_start(month)).get_absolute_url()
