"""The records a crisis leaves behind (第十二条(四)): family contact, follow-up, review and support, kept in
care's tables for the care work that follows. Each write is one transaction with its audit entry and, when
the record belongs to a crisis case, the case's event (through xinyu.concerns.services.cases, which locks
cases and writes their history)."""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xinyu.audit.models import AuditEntry
from xinyu.care.models import FamilyContact, FollowUp, ReviewSupport
from xinyu.concerns import scope
from xinyu.concerns.errors import ConcernError
from xinyu.concerns.models import CaseEvent, CrisisCase
from xinyu.concerns.services import cases
from xinyu.concerns.services.family_contacts import new_family_contact
from xinyu.notify.services import notify
from xinyu.org.access_log import Event, record


def _open_case(case: CrisisCase, by) -> CrisisCase:
    return cases.lock_for_record(case, by)


def _check_student(student, by) -> None:
    """Records outside a case are T3 (family contact, review): the college working group and the centre."""
    if scope.tier_for(by, student)[0] < scope.Tier.T3:
        raise ConcernError(_("Only the college's working group and the psychology centre can record this."))


def _required(**values) -> dict:
    missing = [str(label) for label, value in values.values() if not str(value or "").strip()]
    if missing:
        raise ConcernError(_("Please fill in: %(fields)s.") % {"fields": "、".join(missing)})
    return {name: str(value).strip() for name, (_label, value) in values.items()}


def _event(case, kind, by, *, reason: str = "", **detail) -> None:
    cases.log_event(case, kind, by=by, reason=reason, **detail)


def _audit(by, student, what: str, **detail) -> None:
    record(by, Event(AuditEntry.Action.CREATE, what, student=student, tier=scope.Tier.T3, detail=detail))


@transaction.atomic
def record_family_contact(
    student, *, by, case=None, contact_name: str, relation: str, contacted_at: dt.datetime | None, method: str,
    outcome: str,
) -> FamilyContact:  # fmt: skip
    """家校联系: who in the family was contacted, when, how, and what came of it."""
    if case is not None:
        case = _open_case(case, by)
        student = case.student
    else:
        _check_student(student, by)
    contact = new_family_contact(
        student, by=by, case=case, contact_name=contact_name, relation=relation, contacted_at=contacted_at,
        method=method, outcome=outcome,
    )  # fmt: skip
    if case is not None:
        _event(case, CaseEvent.Kind.FAMILY_CONTACT, by, reason=contact.outcome, family_contact=contact.pk)
    _audit(by, student, "care.family_contact", family_contact=contact.pk, case=case.pk if case else None)
    return contact


def follow_up_assignees(case: CrisisCase) -> list:
    """Who may be given a case's follow-up: the people working on the case, organiser first."""
    people = [case.organiser] if case.organiser else []
    people += [m.person for m in case.members.select_related("person").order_by("added_at", "id")]
    return [person for person in dict.fromkeys(people) if person.is_active]


@transaction.atomic
def schedule_follow_up(case: CrisisCase, *, by, due_on: dt.date | None, assignee) -> FollowUp:
    """跟踪回访, due on a day, by one of the case's people; "my work" reminds them when it is due."""
    case = _open_case(case, by)
    if due_on is None:
        raise ConcernError(_("Please fill in: %(fields)s.") % {"fields": _("due on")})
    if due_on < timezone.localdate():
        raise ConcernError(_("A follow-up cannot be due in the past."))
    if assignee is None or assignee not in follow_up_assignees(case):
        raise ConcernError(_("A follow-up goes to someone working on the case."))
    follow_up = FollowUp.objects.create(
        student=case.student, case=case, due_on=due_on, assignee=assignee, scheduled_by=by
    )
    _event(case, CaseEvent.Kind.FOLLOW_UP, by, follow_up=follow_up.pk, due_on=due_on.isoformat(),
           assignee=assignee.username)  # fmt: skip
    _audit(by, case.student, "care.follow_up", follow_up=follow_up.pk, case=case.pk)
    if assignee != by:
        notify([assignee], key=f"follow_up{follow_up.pk}:scheduled", student=case.student, tier=scope.Tier.T2,
               title=_("A follow-up is due on %(day)s") % {"day": due_on.isoformat()},
               link=case.get_absolute_url(), drill=case.is_drill)  # fmt: skip
    return follow_up


@transaction.atomic
def schedule_own_follow_up(student, *, by, due_on: dt.date) -> FollowUp:
    """A follow-up outside any case that `by` takes on themselves (e.g. a talk after a concern report that
    was no crisis); "my work" reminds them when it is due."""
    if due_on < timezone.localdate():
        raise ConcernError(_("A follow-up cannot be due in the past."))
    follow_up = FollowUp.objects.create(student=student, due_on=due_on, assignee=by, scheduled_by=by)
    _audit(by, student, "care.follow_up", follow_up=follow_up.pk)
    return follow_up


@transaction.atomic
def complete_follow_up(follow_up: FollowUp, *, by, outcome: str) -> FollowUp:
    """Done, with what came of it: by its assignee, or anyone working on the open case."""
    follow_up = (
        FollowUp.objects.select_for_update(of=("self",))
        .select_related("case__student__class_group")
        .get(pk=follow_up.pk)
    )
    case = follow_up.case
    if not scope.may_complete_follow_up(by, follow_up):
        raise ConcernError(_("Only the person the follow-up was given to can record it."))
    if follow_up.done_at:
        raise ConcernError(_("This follow-up is already recorded as done."))
    text = _required(outcome=(_("outcome"), outcome))
    follow_up.done_at, follow_up.outcome = timezone.now(), text["outcome"]
    follow_up.save(update_fields=["done_at", "outcome"])
    if case is not None:
        # Also after the case is closed: follow-ups run on, and the case's history shows them.
        _event(case, CaseEvent.Kind.NOTE, by, reason=text["outcome"], follow_up_done=follow_up.pk)
    _audit(by, follow_up.student, "care.follow_up.done", follow_up=follow_up.pk)
    return follow_up


@transaction.atomic
def record_review_support(student, *, by, case=None, assessment: str, support: str) -> ReviewSupport:
    """评估帮扶: how the student is doing, and the support agreed."""
    if case is not None:
        case = _open_case(case, by)
        student = case.student
    else:
        _check_student(student, by)
    text = _required(assessment=(_("assessment"), assessment), support=(_("support agreed"), support))
    review = ReviewSupport.objects.create(student=student, case=case, recorded_by=by, **text)
    if case is not None:
        _event(case, CaseEvent.Kind.REVIEW_SUPPORT, by, reason=text["assessment"], review_support=review.pk)
    _audit(by, student, "care.review_support", review_support=review.pk, case=case.pk if case else None)
    return review
