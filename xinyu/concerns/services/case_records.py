"""The records a crisis leaves behind (第十二条(四)): family contact, review and support, kept in
care's tables for the care work that follows. Each write is one transaction with its audit entry and, when
the record belongs to a crisis case, the case's event (through xinyu.concerns.services.cases, which locks
cases and writes their history). A case's follow-ups are interviews: xinyu.concerns.services.interviews."""

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from xinyu.audit.models import AuditEntry
from xinyu.care.models import FamilyContact, ReviewSupport
from xinyu.concerns import scope
from xinyu.concerns.errors import ConcernError
from xinyu.concerns.models import CaseEvent, CrisisCase
from xinyu.concerns.services import cases
from xinyu.concerns.services.family_contacts import new_family_contact
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
