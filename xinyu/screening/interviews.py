"""Interview records (约谈记录, T3): the one write path for recording an interview or centre evaluation.

The assignee records when, how (in person, phone), a structured outcome and notes. Two outcomes start
something else in the same transaction: "concern_report" raises a concern report by the interviewer
(through submit_report, so the student's chain must take it), and "refer_centre" creates a centre
evaluation task for the psychology centre.
"""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xinyu.audit.models import AuditEntry
from xinyu.care.registry import propose_entry
from xinyu.concerns.models import ConcernReport
from xinyu.concerns.services.reports import submit_report
from xinyu.org.access_log import Event, record
from xinyu.org.scope import Tier
from xinyu.policy.errors import DomainError
from xinyu.policy.loader import policy_in_force
from xinyu.screening import scope
from xinyu.screening.models import Interview
from xinyu.screening.triage import create_task

# A phone's clock running a little ahead must not make "now" the future.
CLOCK_SLACK = dt.timedelta(minutes=10)


class InterviewError(DomainError):
    """A record that cannot be saved; the message says why, for the person recording."""


def _check(interview: Interview, by, conducted_at, method, outcome, notes) -> None:
    if not scope.may_record_interview(by, interview):
        if interview.conducted_at is not None:
            raise InterviewError(_("This interview has already been recorded."))
        raise InterviewError(_("Only the person it is assigned to can record this interview."))
    if conducted_at is None:
        raise InterviewError(_("Please say when the interview took place."))
    if conducted_at > timezone.now() + CLOCK_SLACK:
        raise InterviewError(_("The interview cannot have taken place in the future."))
    if method not in Interview.Method.values:
        raise InterviewError(_("Please choose how the interview took place."))
    if outcome not in Interview.Outcome.values:
        raise InterviewError(_("Please choose the outcome of the interview."))
    if outcome == Interview.Outcome.CONCERN_REPORT and not notes.strip():
        raise InterviewError(_("Please write what you noticed: it becomes the concern report."))


@transaction.atomic
def record_interview(interview: Interview, *, by, conducted_at, method: str, outcome: str, notes: str = "",
                     urgent: bool = False, address: str | None = None) -> Interview:  # fmt: skip
    """Record an interview; with outcome "concern_report" a report is raised by `by`, with "refer_centre"
    a centre evaluation task is created. Raises InterviewError."""
    interview = Interview.objects.select_for_update().get(pk=interview.pk)
    notes = notes or ""
    _check(interview, by, conducted_at, method, outcome, notes)
    interview.conducted_at = conducted_at
    interview.conducted_by = by
    interview.method = method
    interview.outcome = outcome
    interview.notes = notes.strip()
    interview.save(update_fields=["conducted_at", "conducted_by", "method", "outcome", "notes"])
    detail = {"interview": interview.pk, "outcome": outcome}
    if outcome == Interview.Outcome.CONCERN_REPORT:
        report = submit_report(
            by,
            interview.student,
            category=ConcernReport.Category.OTHER,
            urgency=ConcernReport.Urgency.URGENT if urgent else ConcernReport.Urgency.NORMAL,
            description=notes,
            observed_at=conducted_at,
        )
        detail["report"] = report.pk
    elif outcome == Interview.Outcome.REFER_CENTRE:
        rules = policy_in_force(timezone.localdate()).screening
        referral = create_task(
            interview.student,
            kind=Interview.Kind.CENTRE_EVALUATION,
            reason=_("Referred after an interview"),
            rules=rules,
            campaign=interview.campaign,
            result=interview.result,
        )
        detail["referral"] = referral.pk if referral else None
    elif outcome == Interview.Outcome.RECOMMEND_REGISTRY:
        reason = notes.strip() or _("Recommended after an interview")
        entry = propose_entry(
            interview.student, source="census_interview", proposed_by=by, reason=reason, source_object=interview
        )
        detail["registry_entry"] = entry.pk
    record(
        by,
        Event(AuditEntry.Action.UPDATE, "screening.interview", student=interview.student, tier=Tier.T3,
              post="assignee", detail=detail),
        address=address,
    )  # fmt: skip
    return interview
