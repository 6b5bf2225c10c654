"""约谈 records, whatever raised the interview (xinyu.care.models.Interview): the one write path for
scheduling a crisis case's follow-up (跟踪回访) and for recording any interview.

The person recording says when, how (in person, phone), a structured outcome and notes. Three outcomes
start something else in the same transaction: "concern_report" raises a concern report by the interviewer
(through submit_report, so the student's chain must take it), "refer_centre" gives the psychology centre
an evaluation task, and "recommend_registry" proposes the key-concern registry. An interview of a crisis
case adds a note to the case's history (also after the case is closed: follow-ups run on).
"""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xinyu.audit.models import AuditEntry
from xinyu.care.interviews import assignee_for, create_interview, tier_of
from xinyu.care.models import Interview, RegistryEntry
from xinyu.care.registry import propose_entry
from xinyu.concerns import scope
from xinyu.concerns.errors import ConcernError
from xinyu.concerns.models import CaseEvent, ConcernReport, CrisisCase
from xinyu.concerns.services import cases
from xinyu.concerns.services.reports import submit_report
from xinyu.org.access_log import Event, record
from xinyu.policy.loader import policy_in_force

Source, Outcome = Interview.Source, Interview.Outcome

# A phone's clock running a little ahead must not make "now" the future.
CLOCK_SLACK = dt.timedelta(minutes=10)

# Where a registry proposal after an interview comes from, by what raised the interview.
REGISTRY_SOURCES = {
    Source.SCREENING: RegistryEntry.Source.CENSUS_INTERVIEW,
    Source.CONCERN_REPORT: RegistryEntry.Source.CONCERN_REPORT,
    Source.CRISIS_CASE: RegistryEntry.Source.CRISIS,
    Source.RETURN_FROM_LEAVE: RegistryEntry.Source.REFERRAL,
}


class InterviewError(ConcernError):
    """An interview that cannot be scheduled or recorded as asked; the message says why."""


def follow_up_assignees(case: CrisisCase) -> list:
    """Who may be given a case's follow-up: the people working on the case, organiser first."""
    people = [case.organiser] if case.organiser else []
    people += [m.person for m in case.members.select_related("person").order_by("added_at", "id")]
    return [person for person in dict.fromkeys(people) if person.is_active]


@transaction.atomic
def schedule_follow_up(case: CrisisCase, *, by, due_on: dt.date | None, assignee) -> Interview:
    """跟踪回访 of a crisis case, due on a day, by one of the case's people; "my work" reminds them."""
    case = cases.lock_for_record(case, by)
    if due_on is None:
        raise InterviewError(_("Please fill in: %(fields)s.") % {"fields": _("due on")})
    if due_on < timezone.localdate():
        raise InterviewError(_("A follow-up cannot be due in the past."))
    if assignee is None or assignee not in follow_up_assignees(case):
        raise InterviewError(_("A follow-up goes to someone working on the case."))
    interview = create_interview(
        case.student, source=Source.CRISIS_CASE, due_on=due_on, assignee=assignee, scheduled_by=by, case=case,
        reason=_("Follow-up of the crisis case"), drill=case.is_drill,
    )  # fmt: skip
    cases.log_event(case, CaseEvent.Kind.FOLLOW_UP, by=by, interview=interview.pk, due_on=due_on.isoformat(),
                    assignee=assignee.username)  # fmt: skip
    record(by, Event(AuditEntry.Action.CREATE, "care.interview", student=case.student, tier=scope.Tier.T2,
                     detail={"interview": interview.pk, "case": case.pk}))  # fmt: skip
    return interview


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
    if outcome not in Outcome.values:
        raise InterviewError(_("Please choose the outcome of the interview."))
    if outcome == Outcome.CONCERN_REPORT and not notes:
        raise InterviewError(_("Please write what you noticed: it becomes the concern report."))
    if interview.case_id and not notes:
        raise InterviewError(_("Please write what came of the follow-up: it goes into the case's history."))


def _refer_to_centre(interview: Interview, by) -> Interview | None:
    rules = policy_in_force(timezone.localdate()).screening
    tier = tier_of(interview)
    assignee = assignee_for(Interview.Kind.CENTRE_EVALUATION, interview.student, tier=tier)
    if assignee is None:
        return None
    return create_interview(
        interview.student, source=interview.source, kind=Interview.Kind.CENTRE_EVALUATION, assignee=assignee,
        reason=_("Referred after an interview"), scheduled_by=by, case=interview.case, follows=interview,
        due_on=timezone.localdate() + dt.timedelta(days=rules.centre_evaluation_within_days),
        drill=bool(interview.case and interview.case.is_drill),
    )  # fmt: skip


def _follow_on(interview: Interview, by, *, urgent: bool) -> dict:
    """What the outcome starts, as the audit entry's detail."""
    notes = interview.notes
    if interview.outcome == Outcome.CONCERN_REPORT:
        report = submit_report(
            by,
            interview.student,
            category=ConcernReport.Category.OTHER,
            urgency=ConcernReport.Urgency.URGENT if urgent else ConcernReport.Urgency.NORMAL,
            description=notes,
            observed_at=interview.conducted_at,
        )
        return {"report": report.pk}
    if interview.outcome == Outcome.REFER_CENTRE:
        referral = _refer_to_centre(interview, by)
        return {"referral": referral.pk if referral else None}
    if interview.outcome == Outcome.RECOMMEND_REGISTRY:
        entry = propose_entry(
            interview.student, source=REGISTRY_SOURCES[Source(interview.source)], proposed_by=by,
            reason=notes or _("Recommended after an interview"), source_object=interview,
        )  # fmt: skip
        return {"registry_entry": entry.pk}
    return {}


@transaction.atomic
def record_interview(interview: Interview, *, by, conducted_at, method: str, outcome: str, notes: str = "",
                     urgent: bool = False, address: str | None = None) -> Interview:  # fmt: skip
    """Record an interview and start what its outcome asks for (see the module's docstring). Raises
    InterviewError."""
    interview = (
        Interview.objects.select_for_update(of=("self",))
        .select_related("student__class_group", "case")
        .get(pk=interview.pk)
    )
    notes = (notes or "").strip()
    _check(interview, by, conducted_at, method, outcome, notes)
    interview.conducted_at, interview.conducted_by = conducted_at, by
    interview.method, interview.outcome, interview.notes = method, outcome, notes
    interview.save(update_fields=["conducted_at", "conducted_by", "method", "outcome", "notes"])
    detail = {"interview": interview.pk, "outcome": outcome, **_follow_on(interview, by, urgent=urgent)}
    if interview.case_id:
        cases.log_event(interview.case, CaseEvent.Kind.NOTE, by=by, reason=notes, interview_done=interview.pk)
    record(
        by,
        Event(AuditEntry.Action.UPDATE, "care.interview", student=interview.student, tier=scope.Tier.T3,
              post="assignee", detail=detail),
        address=address,
    )  # fmt: skip
    return interview
