"""The monthly reports in "my work" (xinyu.core.work): last month's report to write or to approve, and, for
学工部, the colleges whose report is late; and the symposium's decisions until done. About no student:
every item is T0."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from xinyu.common.work import WorkItem, WorkSection
from xinyu.org.models import College
from xinyu.org.scope import Tier
from xinyu.policy.calendar import calendar_runs_out
from xinyu.policy.loader import policy_in_force
from xinyu.reports import scope
from xinyu.reports.models import Decision, MonthlyReport
from xinyu.reports.monthly import current_report, due_on, month_label
from xinyu.reports.overview import previous_month

Status = MonthlyReport.Status


def _item(college, month, title: str, today: dt.date) -> WorkItem:
    due = due_on(month)
    return WorkItem(
        kind="monthly_report", title=title, tier=Tier.T0, student=None, due=due, overdue=today > due,
        url=MonthlyReport(college=college, month=month).get_absolute_url(), detail=college.name,
    )  # fmt: skip


def decision_work(user, now: dt.datetime) -> WorkSection | None:
    """The symposium's decisions given to `user` and not done yet."""
    decisions = list(Decision.objects.filter(owner_id=user.pk, done_at__isnull=True).order_by("due_on", "pk"))
    if not decisions:
        return None
    today = timezone.localdate(now)
    items = [
        WorkItem(kind="decision", title=decision.text[:80], tier=Tier.T0, student=None, due=decision.due_on,
                 overdue=decision.due_on < today, url=decision.get_absolute_url(), id=decision.pk)
        for decision in decisions
    ]  # fmt: skip
    return WorkSection("decisions", _("Decisions of the symposium"), items)


def monthly_report_work(user, now: dt.datetime) -> WorkSection | None:
    drafting, approving = scope.colleges_to_draft_for(user), scope.colleges_to_approve_for(user)
    overseeing = scope.schools_to_oversee_for(user) if scope.is_student_affairs(user) else set()
    if not (drafting.exists() or approving.exists() or overseeing):
        return None
    today = timezone.localdate(now)
    month = previous_month(today)
    label = {"month": month_label(month)}
    items = []
    for college in drafting.order_by("code"):
        report = current_report(college, month)
        if report is None or report.status in (Status.DRAFT, Status.RETURNED):
            items.append(_item(college, month, _("Write the monthly report for %(month)s") % label, today))
    for college in approving.order_by("code"):
        report = current_report(college, month)
        if report is not None and report.status == Status.AWAITING_APPROVAL:
            items.append(_item(college, month, _("Approve the monthly report for %(month)s") % label, today))
    if overseeing and today > due_on(month):
        for college in College.objects.filter(school_id__in=overseeing).order_by("code"):
            report = current_report(college, month)
            if report is None or report.status != Status.SENT:
                items.append(_item(college, month, _("The monthly report for %(month)s is late") % label, today))
    return WorkSection("monthly-reports", _("Monthly reports"), items)


def calendar_work(user, now: dt.datetime) -> WorkSection | None:
    """学工部 is asked to add next year's public holidays to the policy file when its calendar runs out within
    60 days: the calendar lists whole years, so that is from early November on, and so every December until
    next year is added (the State Council publishes its arrangement each November or December). The item
    names the year and opens the policy page, which says how."""
    if not scope.is_student_affairs(user):
        return None
    today = timezone.localdate(now)
    covered = calendar_runs_out(policy_in_force(today), today)
    if covered is None:
        return None
    item = WorkItem(
        kind="policy_calendar", tier=Tier.T0, student=None, due=covered, overdue=today > covered,
        title=_("Add the public holidays of %(year)s to the policy file (its calendar ends on %(day)s)")
        % {"year": covered.year + 1, "day": covered.isoformat()},
        detail=_("Office-hour deadlines would otherwise count them as working time."),
        url=reverse("compliance:policy"),
    )  # fmt: skip
    return WorkSection("policy-calendar", _("The policy file"), [item])
