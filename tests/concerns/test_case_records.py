"""The care records a crisis leaves behind (第十二条(四)), through xinyu.concerns.services.case_records: family
contact, review and support (a case's follow-ups: test_interviews.py). Each is one transaction with its audit
entry and, on a case, its event."""

import datetime as dt

import pytest

from tests.concerns.conftest import OFFICE_TIME
from xinyu.audit.models import AuditEntry
from xinyu.care.models import FamilyContact, Interview, ReviewSupport
from xinyu.concerns.errors import ConcernError
from xinyu.concerns.models import CaseEvent
from xinyu.concerns.services import case_records as care
from xinyu.concerns.services import cases, interviews
from xinyu.policy.errors import DomainError

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("office_time")]


@pytest.fixture
def case(crisis_world):
    return cases.open_case(crisis_world.in_scope, "B", by=crisis_world.cast["advisor"], reason="倾向明显")


def family_contact(w, case, by, **changes):
    values = {"contact_name": "张母", "relation": "母亲", "contacted_at": OFFICE_TIME - dt.timedelta(minutes=30),
              "method": "phone", "outcome": "已知情，今晚到校"} | changes  # fmt: skip
    return care.record_family_contact(w.in_scope, by=by, case=case, **values)


def last_audit():
    return AuditEntry.objects.order_by("-id").first()


def test_a_family_contact_on_a_case_writes_its_event_and_audit_entry(crisis_world, case):
    w = crisis_world
    contact = family_contact(w, case, w.cast["college_leader"])
    assert (contact.student, contact.case, contact.contacted_by, contact.method) == (
        w.in_scope, case, w.cast["college_leader"], "phone",
    )  # fmt: skip
    event = case.events.last()
    assert (event.kind, event.by, event.reason, event.detail) == (
        CaseEvent.Kind.FAMILY_CONTACT, w.cast["college_leader"], "已知情，今晚到校", {"family_contact": contact.pk},
    )  # fmt: skip
    entry = last_audit()
    assert (entry.what, entry.action, entry.tier, entry.student_number, entry.actor_username) == (
        "care.family_contact", "create", 3, w.in_scope.student_number, "T10004",
    )  # fmt: skip


def test_a_family_contact_says_what_is_missing(crisis_world, case):
    w = crisis_world
    with pytest.raises(ConcernError) as failure:
        family_contact(w, case, w.cast["college_leader"], contact_name=" ", outcome="")
    assert "who was contacted" in str(failure.value) and "outcome" in str(failure.value)
    with pytest.raises(ConcernError, match="how the family"):
        family_contact(w, case, w.cast["college_leader"], method="carrier pigeon")
    with pytest.raises(ConcernError, match="future"):
        family_contact(w, case, w.cast["college_leader"], contacted_at=OFFICE_TIME + dt.timedelta(hours=1))
    assert not FamilyContact.objects.exists()
    assert not case.events.filter(kind=CaseEvent.Kind.FAMILY_CONTACT).exists()


@pytest.mark.parametrize("who", ["outsider", "leading_group_member", "dorm_leader", "duty_leader"])
def test_people_not_on_the_case_cannot_write_its_records(crisis_world, case, who):
    w = crisis_world
    audit_before = AuditEntry.objects.count()
    with pytest.raises(ConcernError):
        family_contact(w, case, w.cast[who])
    with pytest.raises(ConcernError):
        care.record_review_support(w.in_scope, by=w.cast[who], case=case, assessment="x", support="y")
    with pytest.raises(ConcernError):
        interviews.schedule_follow_up(case, by=w.cast[who], due_on=dt.date(2026, 12, 2), assignee=w.cast["advisor"])
    assert not (FamilyContact.objects.exists() or ReviewSupport.objects.exists() or Interview.objects.exists())
    assert AuditEntry.objects.count() == audit_before


def test_records_outside_a_case_are_for_the_working_group_and_the_centre(crisis_world):
    w = crisis_world
    contact = care.record_family_contact(
        w.in_scope, by=w.cast["mental_health_advisor"], contact_name="张父", relation="父亲",
        contacted_at=OFFICE_TIME, method="in_person", outcome="家访",
    )  # fmt: skip
    assert contact.case is None
    review = care.record_review_support(w.in_scope, by=w.cast["counsellor"], assessment="平稳", support="两周一谈")
    assert review.case is None
    # T2 (the head teacher) and outsiders cannot.
    for who in ("head_teacher", "outsider"):
        with pytest.raises(ConcernError):
            care.record_review_support(w.in_scope, by=w.cast[who], assessment="x", support="y")
    assert {(r.what, r.student_number) for r in AuditEntry.objects.filter(what__startswith="care.")} == {
        ("care.family_contact", w.in_scope.student_number),
        ("care.review_support", w.in_scope.student_number),
    }


def test_a_record_failing_midway_leaves_nothing(crisis_world, case, monkeypatch):
    """The record, its case event and its audit entry commit together or not at all."""
    w = crisis_world

    def broken(*args, **kwargs):
        raise RuntimeError("audit store down")

    monkeypatch.setattr(care, "_audit", broken)
    events = case.events.count()
    with pytest.raises(RuntimeError):
        care.record_review_support(
            w.in_scope, by=w.cast["college_leader"], case=case, assessment="稳定", support="谈话"
        )
    assert not ReviewSupport.objects.exists()
    assert case.events.count() == events


def test_care_errors_are_domain_errors_for_the_views(crisis_world, case):
    with pytest.raises(DomainError):
        care.record_review_support(crisis_world.in_scope, by=crisis_world.cast["outsider"], case=case,
                                   assessment="x", support="y")  # fmt: skip
