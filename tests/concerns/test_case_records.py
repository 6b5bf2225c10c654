"""The care records a crisis leaves behind (第十二条(四)), through xinyu.concerns.services.case_records: family contact,
follow-up, review and support. Each is one transaction with its audit entry and, on a case, its event."""

import datetime as dt

import pytest

from tests.concerns.conftest import OFFICE_TIME
from xinyu.audit.models import AuditEntry
from xinyu.care.models import FamilyContact, FollowUp, ReviewSupport
from xinyu.concerns.errors import ConcernError
from xinyu.concerns.models import CaseEvent
from xinyu.concerns.services import case_records as care
from xinyu.concerns.services import cases
from xinyu.notify.models import Notification
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
    return AuditEntry.objects.order_by("-seq").first()


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
        care.schedule_follow_up(case, by=w.cast[who], due_on=dt.date(2026, 12, 2), assignee=w.cast["advisor"])
    assert not (FamilyContact.objects.exists() or ReviewSupport.objects.exists() or FollowUp.objects.exists())
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


def test_a_follow_up_goes_to_someone_on_the_case_and_reminds_them(crisis_world, case):
    w = crisis_world
    organiser = w.cast["college_leader"]
    assert set(care.follow_up_assignees(case)) == {
        organiser, w.cast["advisor"], w.cast["student_affairs"], w.cast["mental_health_advisor"], w.cast["counsellor"],
    }  # fmt: skip
    with pytest.raises(ConcernError, match="someone working on the case"):
        care.schedule_follow_up(case, by=organiser, due_on=dt.date(2026, 12, 2), assignee=w.cast["head_teacher"])
    with pytest.raises(ConcernError, match="past"):
        care.schedule_follow_up(case, by=organiser, due_on=dt.date(2026, 11, 24), assignee=w.cast["advisor"])
    with pytest.raises(ConcernError):
        care.schedule_follow_up(case, by=organiser, due_on=None, assignee=w.cast["advisor"])
    follow_up = care.schedule_follow_up(case, by=organiser, due_on=dt.date(2026, 12, 2), assignee=w.cast["advisor"])
    assert (follow_up.student, follow_up.scheduled_by, follow_up.done_at) == (w.in_scope, organiser, None)
    event = case.events.last()
    assert (event.kind, event.detail) == (
        CaseEvent.Kind.FOLLOW_UP, {"follow_up": follow_up.pk, "due_on": "2026-12-02", "assignee": "T10002"},
    )  # fmt: skip
    reminder = Notification.objects.get(recipient=w.cast["advisor"], dedupe_key__startswith=f"follow_up{follow_up.pk}")
    assert reminder.link == f"/concerns/cases/{case.pk}/"
    assert w.in_scope.name not in reminder.title  # nothing about the student leaves in the title
    # Scheduling one for yourself sends you nothing.
    mine = care.schedule_follow_up(case, by=organiser, due_on=dt.date(2026, 12, 9), assignee=organiser)
    assert not Notification.objects.filter(dedupe_key__startswith=f"follow_up{mine.pk}").exists()


def test_completing_a_follow_up(crisis_world, case):
    w = crisis_world
    organiser = w.cast["college_leader"]
    follow_up = care.schedule_follow_up(case, by=organiser, due_on=dt.date(2026, 12, 2), assignee=w.cast["advisor"])
    with pytest.raises(ConcernError, match="outcome"):
        care.complete_follow_up(follow_up, by=w.cast["advisor"], outcome=" ")
    with pytest.raises(ConcernError):
        care.complete_follow_up(follow_up, by=w.cast["outsider"], outcome="谈了")
    care.complete_follow_up(follow_up, by=w.cast["advisor"], outcome="谈话顺利")
    follow_up.refresh_from_db()
    assert (follow_up.outcome, follow_up.done_at) == ("谈话顺利", OFFICE_TIME)
    with pytest.raises(ConcernError, match="already"):
        care.complete_follow_up(follow_up, by=w.cast["advisor"], outcome="again")
    event = case.events.last()
    assert (event.kind, event.by, event.detail) == (
        CaseEvent.Kind.NOTE,
        w.cast["advisor"],
        {"follow_up_done": follow_up.pk},
    )


def test_follow_ups_run_on_after_the_case_is_closed(crisis_world):
    w = crisis_world
    case = cases.open_case(w.in_scope, "A", by=w.cast["advisor"], reason="适应问题")
    organiser = w.cast["mental_health_advisor"]
    for open_step in case.steps.all():
        cases.complete_step(open_step, by=organiser, evidence={
            "note": "已谈话", "family_who": "张母", "family_relation": "母亲", "family_when": "2026-11-25 09:30",
            "family_how": "phone", "family_outcome": "已知情",
        })  # fmt: skip
    family_contact(w, case, organiser)
    later = care.schedule_follow_up(case, by=organiser, due_on=dt.date(2026, 12, 9), assignee=w.cast["advisor"])
    care.record_review_support(w.in_scope, by=organiser, case=case, assessment="稳定", support="每周谈话")
    cases.record_centre_assessment(case, by=w.cast["counsellor"], summary="可结案")
    cases.close_case(case, by=organiser, filing_note="已备案")
    # Closed: no new records on it, but the scheduled follow-up is still done by its assignee.
    with pytest.raises(ConcernError, match="closed"):
        family_contact(w, case, organiser)
    with pytest.raises(ConcernError):
        care.complete_follow_up(later, by=organiser, outcome="我来记")  # not theirs, and the case is closed
    care.complete_follow_up(later, by=w.cast["advisor"], outcome="情况稳定")
    assert case.events.last().detail == {"follow_up_done": later.pk}


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
