"""What must always hold for no alert to be lost or left without an owner, checked against the database.

- every open case has an organiser;
- no unacknowledged item waits for its next reminder or escalation more than a minute (the clock runs);
- every active step of an open case has someone responsible for it;
- every report waiting to be taken was sent to someone.

`python manage.py check_crisis_invariants` prints the problems and exits non-zero; the clock runs
`run_check` every five minutes, which logs them and tells 学工部 in Xinyu. Messages name records by number
only, never a student, because logs and outside channels must not carry student details.
"""

import datetime as dt
import logging
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from xinyu.concerns.models import Acknowledgement, AckRecipient, CaseStep, ConcernReport, CrisisCase
from xinyu.notify.services import notify
from xinyu.org.models import Student
from xinyu.org.responsibility import holders_of
from xinyu.org.scope import Tier

logger = logging.getLogger(__name__)
GRACE = dt.timedelta(seconds=60)  # a due item must be handled within a minute (DESIGN.md §7)

CASE_WITHOUT_ORGANISER = "case_without_organiser"
ACK_NOT_ESCALATED = "ack_not_escalated"
STEP_WITHOUT_ASSIGNEE = "step_without_assignee"
REPORT_WITHOUT_RECIPIENT = "report_without_recipient"


@dataclass(frozen=True)
class Problem:
    kind: str
    object_id: int
    student_id: int
    message: str
    link: str
    since: str  # what makes this occurrence distinct (so that it is reported once a day, not every check)
    is_drill: bool = False

    def __str__(self) -> str:
        return _("[Drill] %(title)s") % {"title": self.message} if self.is_drill else self.message


def _cases_without_organiser(today: str) -> list[Problem]:
    cases = CrisisCase.objects.filter(status=CrisisCase.Status.OPEN, organiser__isnull=True).order_by("pk")
    return [
        Problem(
            CASE_WITHOUT_ORGANISER,
            case.pk,
            case.student_id,
            _("Open crisis case #%(case)s (level %(level)s) has no organiser.")
            % {"case": case.pk, "level": case.level},
            case.get_absolute_url(),
            today,
            case.is_drill,
        )
        for case in cases
    ]


def _acks_not_escalated(now: dt.datetime) -> list[Problem]:
    late = (
        Acknowledgement.objects.filter(
            next_action_at__lt=now - GRACE, acknowledged_at__isnull=True, cancelled_at__isnull=True
        )
        .select_related("report", "step__case")
        .order_by("next_action_at", "pk")
    )
    problems = []
    for ack in late:
        when = timezone.localtime(ack.next_action_at)
        minutes = int((now - ack.next_action_at).total_seconds() // 60)
        values = {"ack": ack.pk, "when": f"{when:%Y-%m-%d %H:%M}", "minutes": minutes}
        if ack.report_id:
            values["report"] = ack.report_id
            message = _(
                "Concern report #%(report)s: its reminder or escalation was due at %(when)s, %(minutes)s minutes "
                "ago, and has not happened (acknowledgement #%(ack)s). Is the clock running?"
            )
            student_id, link, drill = (
                ack.report.student_id,
                ack.report.get_absolute_url(),
                ack.report.is_drill,
            )
        else:
            case = ack.step.case
            values.update(case=case.pk, step=ack.step.code)
            message = _(
                "Crisis case #%(case)s, step %(step)s: its reminder or escalation was due at %(when)s, %(minutes)s "
                "minutes ago, and has not happened (acknowledgement #%(ack)s). Is the clock running?"
            )
            student_id, link, drill = case.student_id, case.get_absolute_url(), case.is_drill
        problems.append(
            Problem(
                ACK_NOT_ESCALATED, ack.pk, student_id, message % values, link, ack.next_action_at.isoformat(), drill
            )
        )
    return problems


def _steps_without_assignee(today: str) -> list[Problem]:
    steps = (
        CaseStep.objects.filter(
            case__status=CrisisCase.Status.OPEN,
            assignee__isnull=True,
            completed_at__isnull=True,
            superseded_at__isnull=True,
        )
        .select_related("case")
        .order_by("case_id", "pk")
    )
    return [
        Problem(
            STEP_WITHOUT_ASSIGNEE,
            step.pk,
            step.case.student_id,
            _("Open crisis case #%(case)s: step %(step)s has nobody responsible for it.")
            % {"case": step.case_id, "step": step.code},
            reverse("concerns:case_detail", args=[step.case_id]),
            today,
            step.case.is_drill,
        )
        for step in steps
    ]


def _reports_without_recipient(today: str) -> list[Problem]:
    asked = AckRecipient.objects.filter(ack__report_id=OuterRef("pk"))
    reports = ConcernReport.objects.filter(status=ConcernReport.Status.NEW).filter(~Exists(asked)).order_by("pk")
    return [
        Problem(
            REPORT_WITHOUT_RECIPIENT,
            report.pk,
            report.student_id,
            _("Concern report #%(report)s was sent to nobody: nobody has been asked to take it.")
            % {"report": report.pk},
            report.get_absolute_url(),
            today,
            report.is_drill,
        )
        for report in reports
    ]


def check(now: dt.datetime | None = None) -> list[Problem]:
    """Every broken invariant at `now`, as problems (empty when all hold)."""
    now = now or timezone.now()
    today = timezone.localdate(now).isoformat()
    return [
        *_cases_without_organiser(today),
        *_acks_not_escalated(now),
        *_steps_without_assignee(today),
        *_reports_without_recipient(today),
    ]


def tell_student_affairs(problems: list[Problem]) -> int:
    """An urgent inbox item per problem for 学工部 over the student's school (the school leader when the
    school has no 学工部 staff), once per problem and occurrence. Returns how many items were made."""
    students = Student.objects.select_related("class_group").in_bulk({p.student_id for p in problems})
    made = 0
    with transaction.atomic():
        for problem in problems:
            student = students.get(problem.student_id)
            people = holders_of("student_affairs", student) if student else []
            if not people:
                logger.error("nobody to tell about broken crisis invariant: %s", problem)
                continue
            made += len(
                notify(
                    people,
                    student=student,
                    tier=Tier.T2,  # a crisis case or report about the student is stuck
                    key=f"invariant:{problem.kind}:{problem.object_id}:{problem.since}",
                    title=_("Crisis alert check failed: please look now"),
                    body=str(problem),
                    link=problem.link,
                    urgent=True,
                    drill=problem.is_drill,
                )
            )
    return made


def run_check(now: dt.datetime | None = None) -> list[Problem]:
    """The clock's periodic check: log every problem and tell 学工部."""
    problems = check(now)
    for problem in problems:
        logger.error("crisis invariant broken (%s #%s): %s", problem.kind, problem.object_id, problem)
    if problems:
        tell_student_affairs(problems)
    return problems
