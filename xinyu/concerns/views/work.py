"""The "my work" inbox: every staff member's list of things to do, with deadlines and overdue marks."""

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count, Prefetch, Q
from django.shortcuts import render
from django.utils import timezone

from xinyu.audit.models import AuditEntry
from xinyu.audit.services import Event, client_address, record_many
from xinyu.concerns.models import AckRecipient
from xinyu.concerns.views.reports import case_url
from xinyu.core.access import staff_only
from xinyu.core.work import extra_sections
from xinyu.org import scope
from xinyu.org.scope import Tier

# Follow-ups show up this many days before they are due.
FOLLOW_UP_LOOKAHEAD = dt.timedelta(days=7)


@dataclass
class Work:
    reports_waiting: list = field(default_factory=list)
    reports_taken: list = field(default_factory=list)
    steps: list = field(default_factory=list)
    follow_ups: list = field(default_factory=list)
    interviews: list = field(default_factory=list)  # screening interviews assigned to me (T3)
    interviews_due: list = field(default_factory=list)  # due for my students at T2: only that one is due
    sections: list = field(default_factory=list)  # from other apps (xinyu.core.work)

    @property
    def students(self) -> list:
        """Each student the page names once, for the access log."""
        rows = [
            *(report.student for report in self.reports_waiting),
            *(report.student for report in self.reports_taken),
            *(step.case.student for step in self.steps),
            *(follow_up.student for follow_up in self.follow_ups),
            *(interview.student for interview in self.interviews),
            *(interview.student for interview in self.interviews_due),
            *(item.student for section in self.sections for item in section.items if item.student is not None),
        ]
        return list({student.pk: student for student in rows}.values())

    @property
    def is_empty(self) -> bool:
        return not (
            self.reports_waiting or self.reports_taken or self.steps or self.follow_ups or self.interviews
            or self.interviews_due or any(section.items for section in self.sections)
        )  # fmt: skip


def work_for(user, now: dt.datetime | None = None) -> Work:
    """What `user` has to do: reports to take and to triage, crisis steps, follow-ups; each with its
    deadline and an overdue mark. A fixed number of queries, however many items."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    waiting = list(
        scope.reports_waiting_for(user).select_related("student__class_group", "ack").order_by("ack__due_at", "pk")
    )
    for report in waiting:
        report.due_at = report.ack.due_at
        report.overdue = report.ack.due_at < now
    taken = list(scope.reports_taken_by(user).select_related("student__class_group").order_by("acknowledged_at", "pk"))
    steps = list(
        scope.steps_for(user)
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
    follow_ups = list(
        scope.follow_ups_for(user)
        .filter(due_on__lte=today + FOLLOW_UP_LOOKAHEAD)
        .select_related("student__class_group", "case")
        .order_by("due_on", "pk")
    )
    for follow_up in follow_ups:
        follow_up.overdue = follow_up.due_on < today
        follow_up.due_today = follow_up.due_on == today
        follow_up.url = case_url(follow_up.case_id) if follow_up.case_id else ""
    interviews = list(scope.interview_tasks_for(user).select_related("student__class_group").order_by("due_on", "pk"))
    interviews_due = list(
        scope.interviews_due_seen_by(user)
        .exclude(assignee_id=user.pk)
        .filter(due_on__lte=today + FOLLOW_UP_LOOKAHEAD)
        .select_related("student__class_group")
        .order_by("due_on", "pk")
    )
    for interview in [*interviews, *interviews_due]:
        interview.overdue = interview.due_on < today
    return Work(waiting, taken, steps, follow_ups, interviews, interviews_due, extra_sections(user, now))


def work_counts(user) -> dict:
    """The home page's summary: how many things wait, and how many of them are overdue."""
    if not getattr(user, "is_authenticated", False) or user.is_student:
        return {}
    now = timezone.now()
    today = timezone.localdate(now)
    waiting = scope.reports_waiting_for(user).aggregate(n=Count("pk"), late=Count("pk", filter=Q(ack__due_at__lt=now)))
    steps = scope.steps_for(user).aggregate(n=Count("pk"), late=Count("pk", filter=Q(due_at__lt=now)))
    follow_ups = (
        scope.follow_ups_for(user)
        .filter(due_on__lte=today)
        .aggregate(n=Count("pk"), late=Count("pk", filter=Q(due_on__lt=today)))
    )
    sections = extra_sections(user, now)
    counts = {
        "reports": waiting["n"] + scope.reports_taken_by(user).count(),
        "steps": steps["n"],
        "follow_ups": follow_ups["n"],
        "other": sum(len(section.items) for section in sections),
        "overdue": waiting["late"] + steps["late"] + follow_ups["late"] + sum(s.overdue_count for s in sections),
    }
    counts["total"] = counts["reports"] + counts["steps"] + counts["follow_ups"] + counts["other"]
    return counts


@staff_only
def my_work(request):
    work = work_for(request.user)
    context = {"work": work, "today": timezone.localdate()}
    # The page names students with the tasks about them (T2): the read and its audit entries commit together.
    with transaction.atomic():
        record_many(
            request.user,
            [
                Event(AuditEntry.Action.VIEW, "concern.my_work", student=student, tier=Tier.T2, post="assigned")
                for student in work.students
            ],
            address=client_address(request),
        )
        return render(request, "concerns/my_work.html", context)
