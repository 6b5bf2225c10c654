"""The "my work" inbox: every staff member's list of things to do, with deadlines and overdue marks."""

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Prefetch, Q
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from xinyu.care.interviews import tier_of
from xinyu.care.models import Interview
from xinyu.common.access import staff_only
from xinyu.concerns import scope as concern_scope
from xinyu.concerns.models import AckRecipient, ConcernReport
from xinyu.concerns.views.reports import case_url
from xinyu.core.interview_rows import interview_entry, interview_rows
from xinyu.core.listing import Entry, listing
from xinyu.core.work import extra_sections
from xinyu.org import scope
from xinyu.org.access_log import Read, record_reads
from xinyu.org.scope import Tier

# Interviews scheduled ahead (a case's follow-up, after a report or a return) show up this many days before
# they are due; those a screening raised show at once (they are due within days).
INTERVIEW_LOOKAHEAD = dt.timedelta(days=7)

# The student each built-in list's row is about, and the tier of what the row reveals about them (DESIGN.md
# §4, "What a T2 holder may learn"): a report to take and a crisis step say that the student needs
# attention and what I am asked to do (T2); an interview as much as its source reveals (a screening's T3).
LIST_STUDENT_TIER = {
    "reports_waiting": lambda report: (report.student, Tier.T2),
    "reports_taken": lambda report: (report.student, Tier.T2),
    "steps": lambda step: (step.case.student, Tier.T2),
    "interviews": lambda interview: (interview.student, tier_of(interview)),
}


@dataclass
class Work:
    reports_waiting: list = field(default_factory=list)
    reports_taken: list = field(default_factory=list)
    steps: list = field(default_factory=list)
    interviews: list = field(default_factory=list)  # interviews (约谈) assigned to me, whatever raised them
    sections: list = field(default_factory=list)  # from other apps (xinyu.core.work)
    withheld: int = 0  # items of the lists above about students I do not hold their tier over

    @property
    def withheld_total(self) -> int:
        return self.withheld + sum(section.withheld for section in self.sections)


def _shown(user, lists: dict[str, list]) -> tuple[dict[str, list], int]:
    """Each list with only the rows `user` may be told about (scope.may_be_told), and how many were held back."""
    pairs = [LIST_STUDENT_TIER[name](row) for name, rows in lists.items() for row in rows]
    answers = iter(scope.may_be_told(user, pairs))
    kept = {name: [row for row in rows if next(answers)] for name, rows in lists.items()}
    return kept, sum(len(rows) for rows in lists.values()) - sum(len(rows) for rows in kept.values())


def work_for(user, now: dt.datetime | None = None) -> Work:
    """What `user` has to do: reports to take and to triage, crisis steps, interviews (follow-ups included)
    and the other apps' sections; each with its deadline and an overdue mark, and each shown only to
    someone who holds the tier of what it reveals over its student. A fixed number of queries."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    waiting = list(
        concern_scope.reports_waiting_for(user)
        .select_related("student__class_group", "ack")
        .order_by("ack__due_at", "pk")
    )
    for report in waiting:
        report.due_at = report.ack.due_at
        report.overdue = report.ack.due_at < now
    taken = list(
        concern_scope.reports_taken_by(user).select_related("student__class_group").order_by("acknowledged_at", "pk")
    )
    steps = list(
        concern_scope.steps_for(user)
        .select_related("case__student__class_group", "assignee", "ack")
        .prefetch_related(Prefetch("ack__recipients", AckRecipient.objects.filter(person_id=user.pk), "mine"))
        .order_by("due_at", "pk")
    )
    for step in steps:
        ack = getattr(step, "ack", None)
        step.overdue = step.due_at < now
        step.waiting_ack = bool(ack and ack.acknowledged_at is None and ack.cancelled_at is None)
        step.ack_overdue = step.waiting_ack and ack.due_at < now
        # Asked at a later stage than the first: the step came up the chain to me.
        step.escalated_to_me = bool(ack) and any(recipient.stage > 0 for recipient in ack.mine)
        step.url = case_url(step.case_id)
    interviews = interview_rows(
        concern_scope.interview_tasks_for(user)
        .exclude(~Q(source=Interview.Source.SCREENING) & Q(due_on__gt=today + INTERVIEW_LOOKAHEAD))
        .order_by("due_on", "pk")
    )
    lists, withheld = _shown(
        user,
        {"reports_waiting": waiting, "reports_taken": taken, "steps": steps, "interviews": interviews},
    )  # fmt: skip
    return Work(**lists, sections=extra_sections(user, now), withheld=withheld)


def entries_of(work: Work) -> list[Entry]:
    """Every row of `work` as one kind of entry, for the one list the page shows."""
    drill = (_("Drill"), "text-bg-warning")
    report_kind, step_kind, interview_kind = _("Concern report"), _("Crisis step"), _("Interview")
    entries = []
    for report in work.reports_waiting:
        urgent = report.urgency == ConcernReport.Urgency.URGENT
        entries.append(Entry(
            kind="report", kind_label=report_kind, title=report.student.name, student=report.student,
            tier=LIST_STUDENT_TIER["reports_waiting"](report)[1],
            detail=report.get_category_display() + (f" · {report.get_urgency_display()}" if urgent else ""),
            due=report.due_at, due_label=_("Take by"), overdue=report.overdue, urgent=urgent,
            url=reverse("concerns:report_detail", args=[report.pk]), id=report.pk,
            badges=[drill] if report.is_drill else [],
        ))  # fmt: skip
    for report in work.reports_taken:
        entries.append(Entry(
            kind="report", kind_label=report_kind, row_kind="report-to-triage", title=report.student.name,
            student=report.student, tier=LIST_STUDENT_TIER["reports_taken"](report)[1],
            detail=report.get_category_display(),
            url=reverse("concerns:report_detail", args=[report.pk]), id=report.pk,
            badges=[*([drill] if report.is_drill else []), (_("Taken: to triage"), "text-bg-info")],
        ))  # fmt: skip
    for step in work.steps:
        detail = f"{step.case.student.name} · {step.case.get_level_display()}"
        if step.escalated_to_me:
            detail += " · " + _("escalated to you")
        badges = [drill] if step.case.is_drill else []
        if step.waiting_ack:
            badges.append((_("Not yet acknowledged"), "text-bg-secondary"))
        entries.append(Entry(
            kind="step", kind_label=step_kind, title=step.title, student=step.case.student,
            tier=LIST_STUDENT_TIER["steps"](step)[1], detail=detail,
            due=step.due_at, due_label=_("Due"), overdue=step.overdue or step.ack_overdue,
            urgent=step.escalated_to_me or step.case.is_urgent, url=step.url, id=step.pk, badges=badges,
        ))  # fmt: skip
    for interview in work.interviews:
        entries.append(interview_entry(interview, kind="interview", kind_label=interview_kind))
    for section in work.sections:
        for item in section.items:
            entries.append(Entry(
                kind=section.key, kind_label=str(section.title), row_kind=item.kind, title=item.title,
                student=item.student, tier=item.tier, detail=item.detail, due=item.due, due_label=_("Due"),
                overdue=item.overdue, url=item.url, id=item.id,
            ))  # fmt: skip
    return entries


def work_counts(user) -> dict:
    """The home page's summary: how many things wait, and how many of them are overdue. Counted from the
    same lists as the page, so an item the viewer may not be told about is not counted either."""
    if not getattr(user, "is_authenticated", False) or user.is_student:
        return {}
    now = timezone.now()
    today = timezone.localdate(now)
    work = work_for(user, now)
    interviews = [interview for interview in work.interviews if interview.due_on <= today]
    counts = {
        "reports": len(work.reports_waiting) + len(work.reports_taken),
        "steps": len(work.steps),
        "interviews": len(interviews),
        "other": sum(len(section.items) for section in work.sections),
        "overdue": sum(report.overdue for report in work.reports_waiting)
        + sum(step.due_at < now for step in work.steps)
        + sum(interview.overdue for interview in interviews)
        + sum(section.overdue_count for section in work.sections),
    }
    counts["total"] = counts["reports"] + counts["steps"] + counts["interviews"] + counts["other"]
    return counts


@staff_only
def my_work(request):
    work = work_for(request.user)
    shown = listing(entries_of(work), request.GET)
    context = {"work": work, "listing": shown}
    # The page names the students of the rows on it, each at the highest tier it shows about them: the read
    # and its audit entries commit together.
    with transaction.atomic():
        record_reads(request, shown.reads(Read.MY_WORK, post="assigned"))
        return render(request, "core/my_work.html", context)
