"""The crisis workflow through its services: report → acknowledge → triage → case → level → steps → close."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from tests.concerns.conftest import NIGHT_TIME, OFFICE_TIME
from tests.helpers import freeze_time
from xinyu.care.models import FamilyContact, Interview, ReviewSupport
from xinyu.concerns import scope as concern_scope
from xinyu.concerns.errors import ConcernError
from xinyu.concerns.models import CaseEvent, ConcernReport, CrisisCase
from xinyu.concerns.services import cases, reports
from xinyu.notify.models import Notification
from xinyu.org import scope

pytestmark = pytest.mark.django_db


def report(world, urgency="urgent"):
    return reports.submit_report(
        world.cast["dorm_leader"], world.in_scope, category="self_harm", urgency=urgency,
        description="说了不想活了", place="1号楼101",
    )  # fmt: skip


def inbox(user):
    return set(Notification.objects.filter(recipient=user).values_list("title", flat=True))


@freeze_time(OFFICE_TIME)
def test_an_urgent_report_reaches_the_chain_and_the_centre(crisis_world):
    w = crisis_world
    r = report(w)
    assert {p.username for p in [rc.person for rc in r.ack.recipients.all()]} == {
        "T10002", "T10003", "T10005", "T10008"
    }  # advisor, mental-health advisor, centre counsellor and supervisor  # fmt: skip
    assert r.ack.due_at == OFFICE_TIME + dt.timedelta(minutes=15)
    assert inbox(w.cast["advisor"])
    assert not inbox(w.cast["head_teacher"]) and not inbox(w.cast["outsider"])


@freeze_time(OFFICE_TIME)
def test_a_normal_report_is_due_in_four_office_hours_and_skips_the_centre(crisis_world):
    r = report(crisis_world, urgency="normal")
    assert r.ack.due_at == OFFICE_TIME.replace(hour=16, minute=30)  # 10:00–11:30 and 14:00–16:30
    assert {rc.person.username for rc in r.ack.recipients.all()} == {"T10002", "T10003"}


@freeze_time(OFFICE_TIME)
def test_peer_reports_need_number_and_name(crisis_world):
    w = crisis_world
    assert reports.find_student_for_report(w.school, "2025000001", "张三") == w.in_scope
    with pytest.raises(ConcernError):
        reports.find_student_for_report(w.school, "2025000001", "李四")


@freeze_time(OFFICE_TIME)
def test_triage_opens_a_level_b_case_organised_by_the_college_leader(crisis_world):
    w = crisis_world
    r = report(w)
    case = reports.triage_report(r, by=w.cast["advisor"], crisis_level="B", note="情绪很不稳定")
    r.refresh_from_db()
    assert (r.status, r.case, r.acknowledged_by) == (ConcernReport.Status.CRISIS, case, w.cast["advisor"])
    assert case.organiser == w.cast["college_leader"]
    assert case.policy_key == "quzhou-2021@1"
    # Ordered by deadline: 2 h watch, 4 office hours, 24 h (family, report), 3 working days (referral).
    assert [s.code for s in case.steps.all()] == [
        "watch",
        "risk_assessment",
        "family_told",
        "written_report",
        "referral",
    ]
    assert case.steps.get(code="risk_assessment").assignee == w.cast["counsellor"]
    # The reporter sees their report, never the case; the head teacher of the class has it at T2.
    assert not concern_scope.cases_for(w.cast["dorm_leader"]).exists()
    assert list(concern_scope.cases_for(w.cast["head_teacher"])) == [case]


@freeze_time(NIGHT_TIME)
def test_raised_to_c_out_of_hours_the_duty_leader_organises(crisis_world):
    w = crisis_world
    case = cases.open_case(w.in_scope, "B", by=w.cast["advisor"], reason="倾向明显")
    cases.raise_level(case, by=w.cast["advisor"], to_level="C", reason="已有自伤行为")
    case.refresh_from_db()
    assert (case.level, case.organiser) == ("C", w.cast["duty_leader"])
    assert inbox(w.cast["duty_leader"])
    assert case.steps.filter(level="B", superseded_at__isnull=False).count() == 5
    assert case.steps.get(code="on_site_protection", superseded_at__isnull=True).due_at == NIGHT_TIME + dt.timedelta(
        minutes=15
    )
    # The duty leader holds no post over the student, yet sees them while the case is open.
    assert scope.tier_for(w.cast["duty_leader"], w.in_scope)[0] == scope.Tier.T2
    assert list(case.events.values_list("kind", flat=True))[:3] == ["opened", "organiser_set", "level_raised"]


@freeze_time(OFFICE_TIME)
def test_raised_to_c_in_office_hours_the_school_leader_organises(crisis_world):
    w = crisis_world
    case = cases.open_case(w.in_scope, "C", by=w.cast["advisor"], reason="自伤")
    assert case.organiser == w.cast["school_leader"]


@freeze_time(OFFICE_TIME)
def test_one_open_crisis_per_student(crisis_world):
    w = crisis_world
    cases.open_case(w.in_scope, "A", by=w.cast["advisor"], reason="适应问题")
    with pytest.raises(ConcernError):
        cases.open_case(w.in_scope, "B", by=w.cast["advisor"], reason="again")
    with pytest.raises(IntegrityError), transaction.atomic():
        CrisisCase.objects.create(student=w.in_scope, level="B", opened_by=w.cast["advisor"], policy_key="x")
    drill = cases.open_case(w.in_scope, "D", by=w.cast["counsellor"], reason="演练", is_drill=True)
    assert drill.is_drill


@freeze_time(OFFICE_TIME)
def test_lowering_needs_the_centres_assessment_and_a_reason(crisis_world):
    w = crisis_world
    case = cases.open_case(w.in_scope, "B", by=w.cast["advisor"], reason="倾向")
    with pytest.raises(ConcernError, match="assessment"):
        cases.lower_level(case, by=w.cast["college_leader"], to_level="A", reason="稳定")
    with pytest.raises(ConcernError):
        cases.record_centre_assessment(case, by=w.cast["advisor"], summary="我觉得好了")
    cases.record_centre_assessment(case, by=w.cast["counsellor"], summary="风险降低")
    with pytest.raises(ConcernError, match="reason"):
        cases.lower_level(case, by=w.cast["college_leader"], to_level="A", reason=" ")
    cases.lower_level(case, by=w.cast["college_leader"], to_level="A", reason="连续稳定")
    case.refresh_from_db()
    assert (case.level, case.organiser) == ("A", w.cast["mental_health_advisor"])


@freeze_time(OFFICE_TIME)
def test_steps_need_their_evidence(crisis_world):
    w = crisis_world
    case = cases.open_case(w.in_scope, "B", by=w.cast["advisor"], reason="倾向")
    watch = case.steps.get(code="watch")
    with pytest.raises(ConcernError, match="at least two"):
        cases.complete_step(watch, by=w.cast["college_leader"], evidence={"watchers": "王老师", "watch_from": "20:00"})
    cases.complete_step(
        watch, by=w.cast["college_leader"], evidence={"watchers": "王老师、李同学", "watch_from": "20:00"}
    )
    watch.refresh_from_db()
    assert watch.completed_at and watch.ack.acknowledged_at
    with pytest.raises(ConcernError):
        cases.complete_step(watch, by=w.cast["college_leader"], evidence={})


@freeze_time(OFFICE_TIME)
def test_closing_needs_the_post_crisis_records_and_the_organisers_sign_off(crisis_world):
    w = crisis_world
    case = cases.open_case(w.in_scope, "A", by=w.cast["advisor"], reason="适应")
    organiser = w.cast["mental_health_advisor"]
    with pytest.raises(ConcernError) as failure:
        cases.close_case(case, by=organiser, filing_note="已备案")
    assert "family contact" in str(failure.value) and "follow-up" in str(failure.value)
    for step in case.steps.all():
        evidence = {
            "note": "已谈话",
            "family_who": "张母",
            "family_relation": "母亲",
            "family_when": "2026-11-25 09:30",
            "family_how": "phone",
            "family_outcome": "已知情",
        }
        cases.complete_step(step, by=organiser, evidence=evidence)
    FamilyContact.objects.create(student=w.in_scope, case=case, contacted_at=OFFICE_TIME, contacted_by=organiser,
                                 contact_name="母亲", relation="母亲", method="phone", outcome="已知情")  # fmt: skip
    Interview.objects.create(student=w.in_scope, case=case, source="crisis_case", due_on=dt.date(2026, 12, 2),
                             assignee=organiser, scheduled_by=organiser)  # fmt: skip
    ReviewSupport.objects.create(
        student=w.in_scope, case=case, recorded_by=organiser, assessment="稳定", support="每周谈话"
    )
    with pytest.raises(ConcernError, match="centre"):
        cases.close_case(case, by=organiser, filing_note="已备案")
    cases.record_centre_assessment(case, by=w.cast["counsellor"], summary="可结案")
    with pytest.raises(ConcernError, match="organiser"):
        cases.close_case(case, by=w.cast["advisor"], filing_note="已备案")
    cases.close_case(case, by=organiser, filing_note="资料已备案")
    case.refresh_from_db()
    assert case.status == "closed"
    assert case.events.last().kind == CaseEvent.Kind.CLOSED
