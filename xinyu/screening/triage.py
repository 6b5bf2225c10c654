"""Routing a submitted screening to people (DESIGN.md §5).

Called by the submission service inside its transaction, with the Result rows just written:
- a red flag (the policy's [screening] red_flags: PHQ-9 item 9, UPI item 25, SCL-90 item 15) raises an
  URGENT concern report at once, so the student's chain (advisor, mental-health advisor, centre) must
  acknowledge it within the urgent deadline;
- a severity the policy sends to the centre (severe; UPI 第一类) makes a centre evaluation task for the
  psychology centre;
- a mild or moderate result (UPI 第二类), or a flag the policy wants read by a person (UPI item 64), makes
  an interview task (约谈) for the college's mental-health advisor.

One task per student per campaign, the highest needed, however many instruments flagged. Every flag is
reviewed by a person; nothing is decided by score alone: these are tasks and reports, never conclusions.
"""

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from xinyu.accounts.system import SYSTEM_USERNAME, system_account  # noqa: F401 (re-exported)
from xinyu.care.interviews import assignee_for, create_interview
from xinyu.care.models import Interview
from xinyu.concerns.models import ConcernReport
from xinyu.concerns.services.reports import submit_report
from xinyu.org.scope import Tier
from xinyu.policy.loader import ScreeningRules, policy_in_force
from xinyu.screening.labels import flag_label, outcome_label, severity_label
from xinyu.screening.models import InterviewLink

logger = logging.getLogger(__name__)

SEVERITY_ORDER = ("none", "mild", "moderate", "moderately_severe", "severe")


@dataclass(frozen=True)
class Triage:
    """What a submission led to: the urgent report (if a red flag) and the task (if one was needed)."""

    report: ConcernReport | None
    interview: Interview | None


def _flag_codes(result) -> list[tuple[str, object]]:
    """(code, item) of each flag stored on a Result row (dicts as Result.to_dict writes them, or codes)."""
    flags = []
    for flag in result.flags or []:
        if isinstance(flag, dict):
            flags.append((flag.get("code", ""), flag.get("item")))
        else:
            flags.append((str(flag), None))
    return flags


def red_flags(results, rules: ScreeningRules) -> list[tuple[object, str, object]]:
    """(result, flag code, item) for each red flag the policy names."""
    found = []
    for result in results:
        code = result.instrument.code
        for flag, item in _flag_codes(result):
            if (code, flag) in rules.red_flags:
                found.append((result, flag, item))
    return found


def _rank(severity: str) -> int:
    return SEVERITY_ORDER.index(severity) if severity in SEVERITY_ORDER else 0


def needed_task(results, rules: ScreeningRules) -> tuple[str, object] | None:
    """(Interview.Kind, the result that calls for it) for the highest task needed, or None."""
    centre = [result for result in results if result.severity in rules.centre_evaluation_severities]
    if centre:
        return Interview.Kind.CENTRE_EVALUATION, max(centre, key=lambda result: _rank(result.severity))
    interview = [result for result in results if result.severity in rules.interview_severities]
    if interview:
        return Interview.Kind.INTERVIEW, max(interview, key=lambda result: _rank(result.severity))
    for result in results:
        code = result.instrument.code
        if any((code, flag) in rules.review_flags for flag, _item in _flag_codes(result)):
            return Interview.Kind.INTERVIEW, result
    return None


def _describe_red_flags(campaign, flagged) -> str:
    lines = [_("Screening “%(campaign)s” raised a red flag:") % {"campaign": campaign.title}]
    for result, flag, item in flagged:
        words = flag_label(result, flag)
        if words == flag and item is not None:  # a flag its definition does not name: its item, at least
            words = _("item %(item)s") % {"item": item}
        lines.append(_("%(instrument)s: %(flag)s") % {"instrument": result.instrument.name, "flag": words})
    lines.append(_("Raised automatically from the student's answers; please talk with the student in person."))
    return "\n".join(lines)


def red_flag_description() -> str:
    """What everyone who reads the report sees (T2): what to do, never that a screening was positive."""
    return _(
        "An urgent concern about this student: please talk with them in person today and keep in touch "
        "with the college's mental-health advisor."
    )


def task_reason(result) -> str:
    """The task's reason in words: the instrument, what its result came to and how severe that is."""
    values = {
        "instrument": result.instrument.name,
        "outcome": outcome_label(result) or severity_label(result.severity),
        "severity": severity_label(result.severity),
    }
    return (_("%(instrument)s: %(outcome)s (%(severity)s)") % values)[:200]


def create_task(
    student, *, kind: str, reason: str, rules: ScreeningRules, campaign=None, result=None
) -> Interview | None:
    """An interview or centre evaluation task, due within the policy's days, linked to the screening that
    called for it; its assignee (someone holding T3 over the student) is notified."""
    assignee = assignee_for(kind, student, tier=Tier.T3)
    if assignee is None:
        logger.error("screening triage: nobody holds T3 over student %s; no %s task", student.pk, kind)
        return None
    days = (
        rules.centre_evaluation_within_days if kind == Interview.Kind.CENTRE_EVALUATION else rules.interview_within_days
    )
    interview = create_interview(
        student, source=Interview.Source.SCREENING, kind=kind, reason=reason, assignee=assignee,
        due_on=timezone.localdate() + dt.timedelta(days=days),
    )  # fmt: skip
    InterviewLink.objects.create(interview=interview, campaign=campaign, result=result)
    return interview


@transaction.atomic(savepoint=False)  # inside the submission's transaction: all or nothing with it
def triage_submission(participation, results) -> Triage:
    """Route one submitted participation's results to people; see the module's docstring. The report's and
    the task's words are stored, so they are written in the school's language (settings.LANGUAGE_CODE)
    whatever language the submission came in, or none, as in a background task."""
    with translation.override(settings.LANGUAGE_CODE):
        return _triage(participation, results)


def _triage(participation, results) -> Triage:
    results = list(results)
    student = participation.student
    campaign = participation.campaign
    rules = policy_in_force(timezone.localdate()).screening

    report = None
    flagged = red_flags(results, rules)
    if flagged:
        report = submit_report(
            system_account(),
            student,
            category=ConcernReport.Category.SELF_HARM,
            urgency=ConcernReport.Urgency.URGENT,
            description=red_flag_description(),
            restricted_detail=_describe_red_flags(campaign, flagged),
        )

    interview = None
    task = needed_task(results, rules)
    if task is not None and not InterviewLink.objects.filter(interview__student=student, campaign=campaign).exists():
        kind, result = task
        interview = create_task(
            student, kind=kind, reason=task_reason(result), rules=rules, campaign=campaign, result=result
        )
    return Triage(report=report, interview=interview)
