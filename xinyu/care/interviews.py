"""约谈 tasks, whatever raised them: how much an interview's existence reveals, who is given one, and
creating one with its notification. Recording what came of it is xinyu.concerns.services.interviews (an
outcome may raise a concern report, note a crisis case or propose the registry)."""

import datetime as dt

from django.utils.translation import gettext as _

from xinyu.audit.models import AuditEntry
from xinyu.care.models import Interview
from xinyu.notify.services import notify
from xinyu.org import scope
from xinyu.org.access_log import Event, record
from xinyu.org.responsibility import holders_of
from xinyu.org.scope import Tier

Source, Kind = Interview.Source, Interview.Kind

# What an interview's existence tells about its student (DESIGN.md §4, "What a T2 holder may learn"): that
# a screening called for a talk, or that the student is back from a leave of absence, is T3; a talk after a
# report or a crisis case's follow-up is what the people working with the student are asked to do (T2).
TIERS = {
    Source.SCREENING: Tier.T3,
    Source.CONCERN_REPORT: Tier.T2,
    Source.CRISIS_CASE: Tier.T2,
    Source.RETURN_FROM_LEAVE: Tier.T3,
}


def tier_of(interview_or_source) -> Tier:
    source = getattr(interview_or_source, "source", interview_or_source)
    return TIERS[Source(source)]


def assignee_for(kind: str, student, *, tier: Tier = Tier.T3):
    """The centre for an evaluation, the college's mental-health advisor for an interview (falling back
    up the chain when nobody holds the post, and then to the centre). Only someone holding `tier` over
    the student is ever given the task, so a fallback to 学工部 or a school leader is passed over for a
    screening's. None when nobody is found."""
    roles = ("centre",) if kind == Kind.CENTRE_EVALUATION else ("mental_health_advisor", "centre")
    for role in roles:
        for person in holders_of(role, student):
            if scope.tier_for(person, student)[0] >= tier:
                return person
    return None


def _title(interview: Interview) -> str:
    if interview.kind == Kind.CENTRE_EVALUATION:
        if interview.source == Source.SCREENING:
            return _("A screening result for the centre to evaluate")
        return _("A student referred to the centre for evaluation")
    if interview.source == Source.SCREENING:
        return _("A screening interview to hold")
    return _("An interview is due on %(day)s") % {"day": interview.due_on.isoformat()}


def create_interview(
    student, *, source: str, due_on: dt.date, assignee, kind: str = Kind.INTERVIEW, reason: str = "",
    scheduled_by=None, case=None, follows=None, notify_assignee: bool = True, drill: bool = False,
) -> Interview:  # fmt: skip
    """A new interview task. Its assignee is notified (at the tier its source reveals) unless they
    scheduled it themselves or the caller tells them otherwise."""
    interview = Interview.objects.create(
        student=student, source=source, kind=kind, reason=reason[:200], due_on=due_on, assignee=assignee,
        scheduled_by=scheduled_by if getattr(scheduled_by, "pk", None) else None, case=case, follows=follows,
    )  # fmt: skip
    if notify_assignee and assignee != scheduled_by:
        notify(
            [assignee],
            student=student,
            tier=tier_of(source),
            key=f"interview.{source}:{interview.pk}",
            title=_title(interview),
            link=interview.get_absolute_url(),
            body=_("Due by %(day)s.") % {"day": due_on.isoformat()},
            drill=drill,
        )
    return interview


def schedule_interview(student, *, by, source: str, due_on: dt.date, assignee=None, reason: str = "",
                       notify_assignee: bool = True, drill: bool = False) -> Interview:  # fmt: skip
    """An interview someone schedules (by default for themselves), with its access-log entry. A crisis
    case's follow-up goes through xinyu.concerns.services.interviews (the case's history notes it)."""
    interview = create_interview(
        student, source=source, due_on=due_on, assignee=assignee or by, scheduled_by=by, reason=reason,
        notify_assignee=notify_assignee, drill=drill,
    )  # fmt: skip
    record(by, Event(AuditEntry.Action.CREATE, "care.interview", student=student, tier=tier_of(source),
                     detail={"interview": interview.pk, "source": source, "due_on": due_on.isoformat()}))  # fmt: skip
    return interview
