"""The crisis case page and its actions, through the views: who sees the case, who may act on it, what each
action refuses and why, the records, the timeline, drills.

The world (tests/conftest.py, tests/concerns/conftest.py): a level B case about 张三 (in_scope), reported by
the dorm leader and opened by the advisor in office hours. Its organiser is the college leader in charge;
the centre's counsellor owns the risk assessment.
"""

import datetime as dt

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from tests.concerns.conftest import OFFICE_TIME
from xinyu.accounts.models import User
from xinyu.audit.models import AuditEntry
from xinyu.care.models import FamilyContact, Interview, ReviewSupport
from xinyu.concerns import queries
from xinyu.concerns import scope as concern_scope
from xinyu.concerns.demo import seed_open_cases
from xinyu.concerns.models import CaseEvent, CaseStep, ConcernReport, CrisisCase, DutyShift
from xinyu.concerns.services import cases, reports
from xinyu.concerns.services.case_records import record_family_contact, record_review_support
from xinyu.concerns.services.interviews import schedule_follow_up
from xinyu.notify.models import Notification
from xinyu.org.demo import build_demo_college, demo_accounts

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("office_time")]

CAST = [
    "dorm_leader", "wellbeing_rep", "head_teacher", "advisor", "mental_health_advisor", "college_leader",
    "counsellor", "leading_group_member", "outsider", "student", "supervisor", "student_affairs",
    "school_leader", "duty_leader", "security",
]  # fmt: skip
# Who opens the level B case about 张三, written out from DESIGN.md §4: the chain at T2 and above, and the
# people on the case. Not the reporter (the dorm leader), not students, not the leading group member, not the
# other college's mental-health advisor, and not the school leaders before the case reaches them.
SEES_CASE = {
    "head_teacher", "advisor", "mental_health_advisor", "college_leader", "counsellor", "supervisor",
    "student_affairs",
}  # fmt: skip
# Who reads the case's own records (T3): the college's working group, the centre, and the people on the case
# (the advisor opened it, 学工部 collaborates at B). The head teacher holds T2 only.
READS_RECORDS = SEES_CASE - {"head_teacher"}
REASON = "说了不想活了"


@pytest.fixture
def case(crisis_world):
    w = crisis_world
    report = reports.submit_report(
        w.cast["dorm_leader"], w.in_scope, category="self_harm", urgency="urgent", description=REASON, place="1号楼101"
    )
    return cases.open_case(w.in_scope, "B", by=w.cast["advisor"], reason=REASON, report=report)


def url(name, case, *args):
    return reverse(name, args=[case.pk, *args])


def body(response) -> str:
    return response.content.decode()


def step(case, code) -> CaseStep:
    return case.steps.get(code=code, superseded_at__isnull=True)


def leak_markers(w):
    return [w.in_scope.name, w.in_scope.student_number, REASON, w.in_scope.guardians.get().phone]


# --- Who sees, who acts -------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", CAST)
def test_case_page_for_each_cast_member(crisis_world, client_for, case, who):
    w = crisis_world
    before = AuditEntry.objects.count()
    response = client_for(w.cast[who]).get(url("concerns:case_detail", case))
    if who not in SEES_CASE:
        assert response.status_code == 404
        for marker in leak_markers(w):
            assert marker not in body(response)
        assert AuditEntry.objects.count() == before
        return
    assert response.status_code == 200
    page = body(response)
    assert w.in_scope.name in page and 'data-testid="case-level"' in page
    assert page.count('data-testid="step"') == 5
    # Everyone who sees the case may work on it; the forms are there.
    assert 'data-testid="case-actions"' in page
    assert ('data-testid="records-hidden"' in page) == (who not in READS_RECORDS)
    entry = AuditEntry.objects.order_by("id")[before]
    assert (entry.actor_username, entry.student_number, entry.action, entry.what, entry.detail["case"]) == (
        w.cast[who].username, w.in_scope.student_number, "view", "crisis.case", case.pk,
    )  # fmt: skip
    assert entry.tier == (3 if who in READS_RECORDS else 2)


@pytest.mark.parametrize("who", CAST)
def test_missing_case_is_404_like_not_yours(crisis_world, client_for, who):
    response = client_for(crisis_world.cast[who]).get(reverse("concerns:case_detail", args=[999999]))
    assert response.status_code == 404


def test_scope_capabilities_on_the_case(crisis_world, case):
    w = crisis_world
    assert {who for who in CAST if concern_scope.may_act_on_case(w.cast[who], case)} == SEES_CASE
    assert {who for who in CAST if concern_scope.may_read_case_records(w.cast[who], case)} == READS_RECORDS
    risk = step(case, "risk_assessment")
    # The step's owner and the organiser take a step; the rest of the chain does not.
    assert {who for who in CAST if concern_scope.may_take_case_step(w.cast[who], risk)} == {
        "counsellor",
        "college_leader",
    }


ACTIONS = [
    ("concerns:case_raise", {"to_level": "C", "reason": "已有自伤行为"}),
    ("concerns:case_lower", {"to_level": "A", "reason": "稳定"}),
    ("concerns:case_assessment", {"summary": "风险降低"}),
    ("concerns:case_family_contact", {"contact_name": "张母", "relation": "母亲", "contacted_at": "2026-11-25T09:30",
                             "method": "phone", "outcome": "已知情"}),
    ("concerns:case_review_support", {"assessment": "稳定", "support": "每周谈话"}),
    ("concerns:case_close", {"filing_note": "已备案"}),
]  # fmt: skip


@pytest.mark.parametrize("who", sorted(set(CAST) - SEES_CASE))
@pytest.mark.parametrize("name,data", ACTIONS)
def test_actions_are_404_for_everyone_outside(crisis_world, client_for, case, who, name, data):
    events = case.events.count()
    response = client_for(crisis_world.cast[who]).post(url(name, case), data)
    assert response.status_code == 404
    for marker in leak_markers(crisis_world):
        assert marker not in body(response)
    assert case.events.count() == events


@pytest.mark.parametrize("who", sorted(set(CAST) - SEES_CASE))
def test_step_and_follow_up_actions_are_404_for_everyone_outside(crisis_world, client_for, case, who):
    w = crisis_world
    follow_up = schedule_follow_up(case, by=w.cast["college_leader"], due_on=dt.date(2026, 12, 2),
                                   assignee=w.cast["college_leader"])  # fmt: skip
    risk = step(case, "risk_assessment")
    client = client_for(w.cast[who])
    assert client.post(url("concerns:case_step_acknowledge", case, risk.pk)).status_code == 404
    assert client.post(url("concerns:case_step_complete", case, risk.pk), {"note": "x"}).status_code == 404
    assert client.post(url("concerns:case_follow_up", case), {"due_on": "2026-12-09"}).status_code == 404
    record = {"conducted_at": "2026-11-25T09:00", "method": "phone", "outcome": "watch", "notes": "x"}
    assert client.post(url("core:interview_detail", follow_up), record).status_code == 404
    follow_up.refresh_from_db()
    assert follow_up.conducted_at is None
    risk.refresh_from_db()
    assert risk.ack.acknowledged_at is None and risk.completed_at is None


def test_actions_need_a_post(crisis_world, client_for, case):
    response = client_for(crisis_world.cast["college_leader"]).get(url("concerns:case_raise", case))
    assert response.status_code == 405


def test_signed_out_people_are_sent_to_sign_in(client, case):
    response = client.get(url("concerns:case_detail", case))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_a_reporter_cannot_see_the_case_and_a_dorm_leader_nothing_of_why(crisis_world, client_for, case):
    w = crisis_world
    dorm_leader = w.cast["dorm_leader"]
    assert ConcernReport.objects.get(student=w.in_scope).reporter == dorm_leader
    client = client_for(dorm_leader)
    for response in (
        client.get(url("concerns:case_detail", case)),
        client.post(url("concerns:case_raise", case), {"to_level": "C", "reason": "x"}),
        client.post(url("concerns:case_step_acknowledge", case, step(case, "watch").pk)),
    ):
        assert response.status_code == 404
        page = body(response)
        for marker in [*leak_markers(w), "B级", case.steps.first().title]:
            assert marker not in page
    assert not concern_scope.cases_for(dorm_leader).exists()
    # A staff member who reported (the leading group member) gains nothing by reporting either.
    reports.submit_report(w.cast["leading_group_member"], w.in_scope, category="other", urgency="normal",
                          description="看到他在哭")  # fmt: skip
    assert client_for(w.cast["leading_group_member"]).get(url("concerns:case_detail", case)).status_code == 404
    # Nothing the dorm leader was sent points at the case or says why.
    for notification in Notification.objects.filter(recipient=dorm_leader):
        assert f"/concerns/cases/{case.pk}/" not in notification.link
        assert REASON not in notification.title + notification.body


# --- Steps --------------------------------------------------------------------------------------------------


def test_the_steps_owner_acknowledges_and_the_page_shows_who_took_it(crisis_world, client_for, case):
    w = crisis_world
    risk = step(case, "risk_assessment")
    counsellor = client_for(w.cast["counsellor"])
    page = body(counsellor.get(url("concerns:case_detail", case)))
    assert page.count('data-testid="acknowledge"') == 1  # only their own step
    response = counsellor.post(url("concerns:case_step_acknowledge", case, risk.pk))
    assert response.status_code == 302 and response["Location"] == url("concerns:case_detail", case)
    risk.refresh_from_db()
    assert (risk.ack.acknowledged_by, risk.completed_at) == (w.cast["counsellor"], None)
    assert case.events.filter(kind=CaseEvent.Kind.STEP_ACKNOWLEDGED).count() == 1
    # A second click changes nothing.
    counsellor.post(url("concerns:case_step_acknowledge", case, risk.pk))
    assert case.events.filter(kind=CaseEvent.Kind.STEP_ACKNOWLEDGED).count() == 1
    # The head teacher sees the step, may act on the case, but does not take the centre's step.
    head_teacher = client_for(w.cast["head_teacher"])
    assert 'data-testid="acknowledge"' not in body(head_teacher.get(url("concerns:case_detail", case)))
    assert head_teacher.post(url("concerns:case_step_acknowledge", case, step(case, "watch").pk)).status_code == 404


def test_completing_a_step_asks_exactly_its_evidence(crisis_world, client_for, case):
    w = crisis_world
    organiser = client_for(w.cast["college_leader"])
    watch = step(case, "watch")
    page = body(organiser.get(url("concerns:case_detail", case)))
    assert f'id="step{watch.pk}_watchers"' in page and f'id="step{watch.pk}_watch_from"' in page
    assert f'id="step{watch.pk}_hospital"' not in page
    referral = step(case, "referral")
    assert f'id="step{referral.pk}_hospital"' in page and f'id="step{referral.pk}_hospital_when"' in page

    response = organiser.post(
        url("concerns:case_step_complete", case, watch.pk), {"watchers": "王老师", "watch_from": ""}
    )
    assert response.status_code == 400
    errors = response.content.decode()
    assert 'data-testid="field-error" data-field="watchers"' in errors
    assert 'data-testid="field-error" data-field="watch_from"' in errors
    watch.refresh_from_db()
    assert watch.completed_at is None

    response = organiser.post(
        url("concerns:case_step_complete", case, watch.pk),
        {"watchers": "王老师、李同学", "watch_from": "2026-11-25T10:30"},
    )
    assert response.status_code == 302
    watch.refresh_from_db()
    assert watch.evidence == {"watchers": "王老师、李同学", "watch_from": "2026-11-25 10:30"}
    assert watch.ack.acknowledged_by == w.cast["college_leader"]
    # Readers of the records see the evidence; the head teacher (T2) sees that it is done, not what it says.
    assert "王老师、李同学" in body(organiser.get(url("concerns:case_detail", case)))
    head_page = body(client_for(w.cast["head_teacher"]).get(url("concerns:case_detail", case)))
    assert 'data-code="watch" data-state="done"' in head_page and "王老师、李同学" not in head_page
    # Done is done.
    again = organiser.post(url("concerns:case_step_complete", case, watch.pk), {"watchers": "甲、乙", "watch_from": ""})
    assert again.status_code == 400 and 'data-testid="case-error"' in body(again)
    watch.refresh_from_db()
    assert watch.evidence["watchers"] == "王老师、李同学"


def test_htmx_actions_answer_the_refreshed_case(crisis_world, client_for, case):
    client = client_for(crisis_world.cast["counsellor"])
    risk = step(case, "risk_assessment")
    response = client.post(
        url("concerns:case_step_complete", case, risk.pk), {"note": "已完成评估"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    fragment = body(response)
    assert fragment.lstrip().startswith('<div id="case"') and "<html" not in fragment
    assert 'data-testid="case-done"' in fragment
    assert 'data-code="risk_assessment" data-state="done"' in fragment
    # Errors come back in the fragment too, with 200 so that htmx swaps them in.
    response = client.post(
        url("concerns:case_raise", case), {"to_level": "C", "reason": ""}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert 'data-testid="field-error" data-field="reason"' in body(response)
    # Each render of the case is a read, in the access log.
    assert AuditEntry.objects.filter(what="crisis.case", actor_username="T10005").count() == 2


# --- Level ---------------------------------------------------------------------------------------------------


def test_raising_the_level_through_the_page(crisis_world, client_for, case):
    w = crisis_world
    client = client_for(w.cast["head_teacher"])  # anyone responsible may raise
    response = client.post(url("concerns:case_raise", case), {"to_level": "B", "reason": "again"})
    assert response.status_code == 400 and 'data-field="to_level"' in body(response)  # B is not a choice
    response = client.post(url("concerns:case_raise", case), {"to_level": "C", "reason": ""})
    assert response.status_code == 400 and 'data-field="reason"' in body(response)
    response = client.post(url("concerns:case_raise", case), {"to_level": "C", "reason": "已有自伤行为"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.level, case.organiser) == ("C", w.cast["school_leader"])  # office hours: the school leader
    page = body(client.get(url("concerns:case_detail", case)))
    assert page.count('data-testid="superseded-step"') == 5
    assert page.count('data-testid="step"') == 7
    assert "已有自伤行为" in page  # why the level changed is shown to the chain
    # At C the school leader organises: they now see and work on the case.
    assert client_for(w.cast["school_leader"]).get(url("concerns:case_detail", case)).status_code == 200
    assert concern_scope.may_act_on_case(w.cast["school_leader"], case)


def test_lowering_needs_the_centres_assessment_and_a_reason(crisis_world, client_for, case):
    w = crisis_world
    organiser = client_for(w.cast["college_leader"])
    page = body(organiser.get(url("concerns:case_detail", case)))
    assert 'data-testid="lower-form-missing"' in page  # the button says what is missing
    response = organiser.post(url("concerns:case_lower", case), {"to_level": "A", "reason": "稳定"})
    assert response.status_code == 400 and 'data-testid="form-error"' in body(response)
    # Only the centre records its assessment; the form is not offered to others, and the service refuses.
    assert 'data-testid="assessment-form"' not in page
    response = organiser.post(url("concerns:case_assessment", case), {"summary": "我觉得好了"})
    assert response.status_code == 400 and 'data-testid="form-error"' in body(response)
    counsellor = client_for(w.cast["counsellor"])
    assert 'data-testid="assessment-form"' in body(counsellor.get(url("concerns:case_detail", case)))
    assert counsellor.post(url("concerns:case_assessment", case), {"summary": "风险降低"}).status_code == 302
    assert 'data-testid="lower-form-missing"' not in body(organiser.get(url("concerns:case_detail", case)))
    response = organiser.post(url("concerns:case_lower", case), {"to_level": "A", "reason": "连续四周稳定"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.level, case.organiser) == ("A", w.cast["mental_health_advisor"])


# --- Records and closing -----------------------------------------------------------------------------------


def test_family_contact_follow_up_and_review_through_the_page(crisis_world, client_for, case):
    w = crisis_world
    client = client_for(w.cast["college_leader"])
    contact = {"contact_name": "张母", "relation": "母亲", "contacted_at": "2026-11-25T09:30", "method": "phone",
               "outcome": "已知情，今晚到校"}  # fmt: skip
    response = client.post(url("concerns:case_family_contact", case), contact | {"contact_name": "", "outcome": ""})
    assert response.status_code == 400
    assert {"contact_name", "outcome"} == {
        field for field in ("contact_name", "relation", "outcome") if f'data-field="{field}"' in body(response)
    }
    response = client.post(url("concerns:case_family_contact", case), contact | {"contacted_at": "2026-11-26T09:30"})
    assert response.status_code == 400 and 'data-testid="form-error"' in body(response)  # in the future
    response = client.post(url("concerns:case_family_contact", case), contact)
    assert response.status_code == 302
    contact = FamilyContact.objects.get()
    assert (contact.case, contact.student, contact.contacted_by) == (case, w.in_scope, w.cast["college_leader"])

    # A follow-up goes to someone on the case, and not into the past.
    response = client.post(
        url("concerns:case_follow_up", case), {"due_on": "2026-12-02", "assignee": w.cast["outsider"].pk}
    )
    assert response.status_code == 400 and 'data-field="assignee"' in body(response)
    response = client.post(
        url("concerns:case_follow_up", case), {"due_on": "2026-11-01", "assignee": w.cast["advisor"].pk}
    )
    assert response.status_code == 400 and 'data-testid="form-error"' in body(response)
    response = client.post(
        url("concerns:case_follow_up", case), {"due_on": "2026-12-02", "assignee": w.cast["advisor"].pk}
    )
    assert response.status_code == 302
    follow_up = Interview.objects.get()
    assert (follow_up.assignee, follow_up.due_on, follow_up.case) == (w.cast["advisor"], dt.date(2026, 12, 2), case)
    assert Notification.objects.filter(recipient=w.cast["advisor"], link=follow_up.get_absolute_url()).exists()

    response = client.post(url("concerns:case_review_support", case), {"assessment": "情绪平稳", "support": ""})
    assert response.status_code == 400 and 'data-field="support"' in body(response)
    assert (
        client.post(
            url("concerns:case_review_support", case), {"assessment": "情绪平稳", "support": "每周谈话"}
        ).status_code
        == 302
    )
    assert ReviewSupport.objects.get().case == case

    # The follow-up's assignee records it through the one interview form the case page links to.
    advisor = client_for(w.cast["advisor"])
    page = body(advisor.get(url("concerns:case_detail", case)))
    assert 'data-testid="follow-up-record"' in page and follow_up.get_absolute_url() in page
    record = {"conducted_at": "2026-11-25T09:00", "method": "in_person", "outcome": "watch", "notes": "谈话顺利"}
    assert advisor.post(follow_up.get_absolute_url(), record).status_code == 302
    follow_up.refresh_from_db()
    assert (follow_up.notes, follow_up.outcome, follow_up.conducted_by) == ("谈话顺利", "watch", w.cast["advisor"])

    # T3 content for the records' readers; the head teacher sees that they exist.
    assert "已知情，今晚到校" in body(client.get(url("concerns:case_detail", case)))
    head_page = body(client_for(w.cast["head_teacher"]).get(url("concerns:case_detail", case)))
    assert 'data-testid="records-hidden"' in head_page
    for text in ("已知情，今晚到校", "每周谈话", "谈话顺利"):
        assert text not in head_page
    kinds = list(case.events.values_list("kind", flat=True))
    assert kinds[-4:] == ["family_contact", "follow_up", "review_support", "note"]


def complete_all_steps(case, by):
    evidence = {"note": "已完成", "family_who": "张母", "family_relation": "母亲", "family_when": "2026-11-25 09:30",
                "family_how": "phone", "family_outcome": "已知情",
                "watchers": "王老师、李同学", "watch_from": "2026-11-25 10:00", "hospital": "衢州市第三医院",
                "hospital_when": "2026-11-25 11:00"}  # fmt: skip
    for open_step in case.steps.filter(superseded_at__isnull=True, completed_at__isnull=True):
        cases.complete_step(open_step, by=by, evidence=evidence)


def test_closing_lists_what_is_missing_and_only_the_organiser_signs_off(crisis_world, client_for, case):
    w = crisis_world
    organiser = w.cast["college_leader"]
    client = client_for(organiser)
    page = body(client.get(url("concerns:case_detail", case)))
    assert page.count("<li>", page.index('data-testid="closing-gaps"')) >= 5
    response = client.post(url("concerns:case_close", case), {"filing_note": "已备案"})
    assert response.status_code == 400 and 'data-testid="form-error"' in body(response)

    complete_all_steps(case, organiser)
    record_family_contact(w.in_scope, by=organiser, case=case, contact_name="张母", relation="母亲",
                          contacted_at=OFFICE_TIME, method="phone", outcome="已知情")  # fmt: skip
    schedule_follow_up(case, by=organiser, due_on=dt.date(2026, 12, 2), assignee=organiser)
    record_review_support(w.in_scope, by=organiser, case=case, assessment="稳定", support="每周谈话")
    cases.record_centre_assessment(case, by=w.cast["counsellor"], summary="可结案")
    assert 'data-testid="closing-gaps"' not in body(client.get(url("concerns:case_detail", case)))

    # Someone else on the case is told that only the organiser signs off; the form is not offered to them.
    advisor = client_for(w.cast["advisor"])
    assert 'data-testid="close-form"' not in body(advisor.get(url("concerns:case_detail", case)))
    response = advisor.post(url("concerns:case_close", case), {"filing_note": "已备案"})
    assert response.status_code == 400 and 'data-testid="form-error"' in body(response)
    response = client.post(url("concerns:case_close", case), {"filing_note": ""})
    assert response.status_code == 400 and 'data-field="filing_note"' in body(response)
    assert client.post(url("concerns:case_close", case), {"filing_note": "资料已备案于学工部"}).status_code == 302
    case.refresh_from_db()
    assert (case.status, case.closed_by) == (CrisisCase.Status.CLOSED, organiser)

    # Closed: no more actions on the page, and the services refuse with a clear error.
    page = body(client.get(url("concerns:case_detail", case)))
    assert 'data-testid="case-actions"' not in page and 'data-testid="acknowledge"' not in page
    response = client.post(url("concerns:case_raise", case), {"to_level": "C", "reason": "again"})
    assert response.status_code == 400 and 'data-testid="form-error"' in body(response)
    # The people who worked on it still see it; the follow-up's assignee still records it.
    assert client_for(w.cast["counsellor"]).get(url("concerns:case_detail", case)).status_code == 200


def test_the_timeline_is_append_only(crisis_world, client_for, case):
    w = crisis_world
    before = list(case.events.values_list("pk", "kind", "by_name", "reason", "at"))
    client = client_for(w.cast["college_leader"])
    client.post(url("concerns:case_raise", case), {"to_level": "C", "reason": "已有自伤行为"})
    after = list(case.events.values_list("pk", "kind", "by_name", "reason", "at"))
    assert after[: len(before)] == before and len(after) > len(before)
    assert [row[1] for row in after[len(before) :]][:2] == ["level_raised", "organiser_set"]
    page = body(client.get(url("concerns:case_detail", case)))
    assert page.count('data-testid="event"') == len(after)
    event = case.events.first()
    event.reason = "rewritten"
    with pytest.raises(ValueError, match="append-only"):
        event.save()


# --- Drills ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", CAST)
def test_only_the_centre_starts_drills(crisis_world, client_for, who):
    response = client_for(crisis_world.cast[who]).get(reverse("concerns:case_new_drill"))
    assert response.status_code == (200 if who in {"counsellor", "supervisor"} else 404)


def test_a_drill_runs_the_whole_flow_labelled_and_is_never_counted(crisis_world, client_for, case):
    w = crisis_world
    client = client_for(w.cast["supervisor"])
    response = client.post(reverse("concerns:case_new_drill"), {"student_number": "2025999999", "level": "C"})
    assert response.status_code == 400 and 'data-field="student_number"' in body(response)
    # The student already has a real open case: a drill may still run beside it.
    drill_form = {"student_number": w.in_scope.student_number, "level": "C", "reason": "学期演练"}
    response = client.post(reverse("concerns:case_new_drill"), drill_form)
    drill = CrisisCase.objects.get(is_drill=True)
    assert response.status_code == 302 and response["Location"] == url("concerns:case_detail", drill)
    assert (drill.level, drill.organiser, drill.student) == ("C", w.cast["school_leader"], w.in_scope)
    page = body(client.get(url("concerns:case_detail", drill)))
    assert 'data-testid="drill-label"' in page and 'data-drill="true"' in page
    assert 'data-testid="drill-label"' not in body(client.get(url("concerns:case_detail", case)))
    # Everyone it reached was told it is a drill.
    told = Notification.objects.filter(link=url("concerns:case_detail", drill))
    marked = gettext("[Drill] %(title)s") % {"title": ""}
    assert told.exists() and all(n.drill and n.title.startswith(marked) for n in told)
    assert set(queries.real_cases()) == {case}
    assert set(queries.drill_cases()) == {drill}
    assert set(queries.real_cases(concern_scope.cases_for(w.cast["head_teacher"]))) == {case}


# --- The demo college's crisis work -------------------------------------------------------------------------


def seeded_demo(seed):
    college = build_demo_college(students=300, seed=7, class_size=25)
    return seed_open_cases(college.school, seed)


def test_the_demo_college_has_open_cases_a_drill_and_reports_waiting(client_for):
    seed = 7
    with transaction.atomic():
        demo = seeded_demo(seed)
        picked = [c.student.student_number for c in demo.cases] + [
            r.student.student_number for r in demo.waiting_reports
        ]
        transaction.set_rollback(True)
    demo = seeded_demo(seed)
    assert [c.student.student_number for c in demo.cases] + [
        r.student.student_number for r in demo.waiting_reports
    ] == picked
    assert {(c.level, c.is_drill, c.status) for c in demo.cases} == {
        ("A", False, "open"), ("B", False, "open"), ("C", False, "open"), ("B", True, "open"),
    }  # fmt: skip
    accounts = {account.key: account for account in demo_accounts()}
    own = {accounts[key].username for key in ("dorm_leader", "student", "wellbeing_rep")}
    assert not own & set(picked)
    assert len(set(picked)) == len(picked) == 6
    assert all(c.organiser is not None for c in demo.cases)
    assert {r.status for r in demo.waiting_reports} == {"new"}
    advisor = User.objects.get(username=accounts["advisor"].username)
    head_teacher = User.objects.get(username=accounts["head_teacher"].username)
    for report in demo.waiting_reports:
        assert advisor in {recipient.person for recipient in report.ack.recipients.all()}
    # The demo class's head teacher and advisor find the level B case; the drill says it is one.
    b_case = next(c for c in demo.cases if c.level == "B" and not c.is_drill)
    assert client_for(head_teacher).get(url("concerns:case_detail", b_case)).status_code == 200
    # The level A case's family contact is the evidence of its step that asks for it.
    a_case = next(c for c in demo.cases if c.level == "A")
    family_step = a_case.steps.get(code="family_contact", superseded_at__isnull=True)
    assert family_step.evidence == {"family_contact": a_case.family_contacts.get().pk}
    drill = next(c for c in demo.cases if c.is_drill)
    supervisor = User.objects.get(username=accounts["centre_supervisor"].username)
    assert 'data-testid="drill-label"' in body(client_for(supervisor).get(url("concerns:case_detail", drill)))
    assert DutyShift.objects.filter(ends_at__gt=timezone.now()).count() >= 7
