"""Case roles (DESIGN.md §4): the organiser and the named collaborators of a crisis case read that case's own
records (step evidence, family contacts, review and support, the centre's assessment) while it is open and
for 30 days after it closes (the policy's care.case_records_days_after_close), logged at T3 under their
role; never the student's scores, interviews, plans or counselling. Step owners, people escalated to and
学工部 without a role on the case see it at T2: level, steps, timeline, not the records.

The cases (tests/concerns/conftest.py world): a level C case about 张三 opened in office hours by the
college's mental-health advisor, organised by the school leader in charge (no post over students) with
后勤保卫处 (no post over students), 学工部 and the college leader as collaborators; and a level A case
about 李四, organised by the mental-health advisor, where 学工部 has no role, the leading-group member owns a
step and the school leader was escalated to.
"""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import translation

from tests.concerns.conftest import OFFICE_TIME
from tests.helpers import freeze_time, last_entry_id
from tests.screening.test_triage import gad7, make_campaign, submit
from xinyu.audit.models import AuditEntry
from xinyu.care.models import Interview
from xinyu.concerns import scope as concern_scope
from xinyu.concerns.models import CaseMember, CrisisCase
from xinyu.concerns.services import cases
from xinyu.concerns.services.case_records import record_family_contact, record_review_support
from xinyu.org import scope
from xinyu.policy.loader import policy_in_force
from xinyu.privacy.access_log import accesses_for_student, post_label
from xinyu.screening.triage import triage_submission

pytestmark = pytest.mark.django_db

FAMILY_OUTCOME = "FAMILY-OUTCOME-母亲已到校"
REVIEW = "REVIEW-ASSESSMENT-情绪平稳"
CENTRE = "CENTRE-ASSESSMENT-风险下降"
EVIDENCE = "STEP-EVIDENCE-已报告学工部"
RECORDS = (FAMILY_OUTCOME, REVIEW, CENTRE, EVIDENCE)
# The student's own records outside the case (T3): never read by a case role.
SCREENING_REASON = "GAD-7: moderate (moderate)"
CLOSED_ON = dt.datetime(2026, 11, 27, 16, 0, tzinfo=OFFICE_TIME.tzinfo)


def case_url(case) -> str:
    return reverse("concerns:case_detail", args=[case.pk])


def complete_all_steps(case, by):
    evidence = {
        "note": EVIDENCE, "family_who": "张母", "family_relation": "母亲", "family_when": "2026-11-25 09:30",
        "family_how": "phone", "family_outcome": "已知情",
        "watchers": "王老师、李同学", "watch_from": "2026-11-25 10:30", "hospital": "衢州市第三医院",
        "hospital_when": "2026-11-25 14:00",
    }  # fmt: skip
    for step in case.steps.filter(superseded_at__isnull=True, completed_at__isnull=True):
        cases.complete_step(step, by=by, evidence=evidence)


@pytest.fixture
def level_c(crisis_world):
    """The level C case about 张三 with every kind of case record, and a screening interview of 张三's own."""

    w = crisis_world
    with freeze_time(OFFICE_TIME):
        participation, results = submit(make_campaign(w), w.in_scope, {"GAD-7": gad7(12)})
        w.interview = triage_submission(participation, results).interview
        case = cases.open_case(w.in_scope, "C", by=w.cast["mental_health_advisor"], reason="已有自伤行为")
        organiser = w.cast["school_leader"]
        assert case.organiser == organiser
        complete_all_steps(case, organiser)
        record_family_contact(
            w.in_scope, by=organiser, case=case, contact_name="张母", relation="母亲", contacted_at=OFFICE_TIME,
            method="phone", outcome=FAMILY_OUTCOME,
        )  # fmt: skip
        record_review_support(w.in_scope, by=organiser, case=case, assessment=REVIEW, support="每周谈话")
        Interview.objects.create(student=w.in_scope, case=case, source="crisis_case", due_on=OFFICE_TIME.date(),
                                 assignee=organiser, scheduled_by=organiser)  # fmt: skip
        cases.record_centre_assessment(case, by=w.cast["counsellor"], summary=CENTRE)
    return case


def close(case, by):
    with freeze_time(CLOSED_ON):
        cases.close_case(case, by=by, filing_note="资料已备案")
    case.refresh_from_db()
    assert case.closed_at == CLOSED_ON


def read(client_for, user, case):
    before_id = last_entry_id()
    response = client_for(user).get(case_url(case))
    page = response.content.decode()
    entries = list(AuditEntry.objects.filter(id__gt=before_id).values("tier", "post", "reason", "actor_username"))
    return response.status_code, page, entries


def test_the_collaborators_and_roles_of_the_level_c_case(crisis_world, level_c):
    w = crisis_world
    roles = {
        who: concern_scope.case_roles(w.cast[who], level_c) for who in ("school_leader", "security", "student_affairs")
    }
    assert roles["school_leader"] >= {"organiser"}
    assert roles["security"] >= {"collaborator"}
    assert roles["student_affairs"] >= {"collaborator"}
    # Neither holds a post over students: without their role they would see nothing of 张三.
    assert scope.grants_for(w.cast["school_leader"]) == [] and scope.grants_for(w.cast["security"]) == []


@pytest.mark.parametrize(
    "who,role,post,reason",
    [
        ("school_leader", "organiser", "case_organiser", "以组织者身份查阅该危机个案的记录"),
        ("security", "collaborator", "case_collaborator", "以协同人员身份查阅该危机个案的记录"),
    ],
)
def test_organiser_and_collaborator_read_the_records_while_open_and_30_days_after(
    crisis_world, level_c, client_for, who, role, post, reason
):
    w = crisis_world
    user = w.cast[who]
    with freeze_time(OFFICE_TIME + dt.timedelta(hours=2)):
        status, page, entries = read(client_for, user, level_c)
    assert status == 200
    assert [text for text in RECORDS if text not in page] == []
    assert 'data-testid="records-by-role"' in page
    # Logged at T3, under the case role, with a reason naming it (in the deployment's language).
    assert entries == [{"tier": 3, "post": post, "reason": reason, "actor_username": user.username}]
    assert concern_scope.case_access(user, level_c) == concern_scope.CaseAccess(True, scope.Tier.T3, post, role)

    close(level_c, w.cast["school_leader"])
    with freeze_time(CLOSED_ON + dt.timedelta(days=29)):
        status, page, entries = read(client_for, user, level_c)
        assert status == 200
        assert [text for text in RECORDS if text not in page] == []
        assert "2026-12-27" in page  # until when the role reads them
        assert [(entry["tier"], entry["post"]) for entry in entries] == [(3, post)]
        assert level_c in concern_scope.cases_for(user)
    with freeze_time(CLOSED_ON + dt.timedelta(days=31)):
        status, page, entries = read(client_for, user, level_c)
        assert status == 404
        assert [text for text in (*RECORDS, w.in_scope.name) if text in page] == []
        assert entries == []
        assert level_c not in concern_scope.cases_for(user)
        assert not concern_scope.may_read_case_records(user, level_c)


def test_the_window_is_the_policys(crisis_world):
    """30 days is the policy file's care.case_records_days_after_close, not a constant in the code."""

    assert policy_in_force(OFFICE_TIME.date()).care.case_records_days_after_close == 30
    assert concern_scope.case_records_window() == dt.timedelta(days=30)


def test_a_case_role_reads_that_case_only_not_the_students_other_records(crisis_world, level_c, client_for):
    """The organiser (no post over students) reads the case's records, never the student's screening results,
    interviews, plans or counselling: the file shows them at T2, the results and interview pages are 404."""
    w = crisis_world
    leader = client_for(w.cast["school_leader"])
    with freeze_time(OFFICE_TIME + dt.timedelta(hours=2)):
        assert leader.get(reverse("screening:student_results", args=[w.in_scope.pk])).status_code == 404
        interview = leader.get(reverse("core:interview_detail", args=[w.interview.pk]))
        assert interview.status_code == 404
        response = leader.get(reverse("studentfile:file", args=[w.in_scope.pk]))
        assert response.status_code == 200
        body = response.content.decode()
        assert {int(entry.tier) for entry in response.context["file"].entries} == {2}
        assert [text for text in (*RECORDS, SCREENING_REASON) if text in body] == []


@pytest.fixture
def level_a(crisis_world):
    """A level A case about 李四: 学工部 has no role on it; the leading-group member owns a step (as when a
    step's role falls back to someone outside the chain); the school leader was escalated to."""
    w = crisis_world
    with freeze_time(OFFICE_TIME):
        case = cases.open_case(w.other_class, "A", by=w.cast["mental_health_advisor"], reason="适应困难")
        step = case.steps.get(code="first_talk")
        step.assignee = w.cast["leading_group_member"]
        step.save(update_fields=["assignee"])
        CaseMember.objects.create(case=case, person=w.cast["leading_group_member"], role=CaseMember.Role.STEP)
        CaseMember.objects.create(case=case, person=w.cast["school_leader"], role=CaseMember.Role.ESCALATED)
        record_family_contact(
            w.other_class, by=w.cast["mental_health_advisor"], case=case, contact_name="李母", relation="母亲",
            contacted_at=OFFICE_TIME, method="phone", outcome=FAMILY_OUTCOME,
        )  # fmt: skip
        record_review_support(w.other_class, by=w.cast["mental_health_advisor"], case=case, assessment=REVIEW,
                              support="每周谈话")  # fmt: skip
        cases.record_centre_assessment(case, by=w.cast["counsellor"], summary=CENTRE)
    assert not (concern_scope.case_roles(w.cast["student_affairs"], case))
    return case


@pytest.mark.parametrize(
    "who,post",
    [
        ("leading_group_member", "case_step_owner"),
        ("school_leader", "case_escalated"),
        ("student_affairs", "student_affairs_staff"),
    ],
)
def test_step_owner_escalated_and_student_affairs_without_a_role_see_the_case_at_t2(
    crisis_world, level_a, client_for, who, post
):
    w = crisis_world
    with freeze_time(OFFICE_TIME + dt.timedelta(hours=1)):
        status, page, entries = read(client_for, w.cast[who], level_a)
    assert status == 200
    assert w.other_class.name in page and 'data-testid="case-level"' in page
    assert page.count('data-testid="step"') == 3  # the steps, without their evidence
    assert 'data-testid="records-hidden"' in page
    assert [text for text in (FAMILY_OUTCOME, REVIEW, CENTRE) if text in page] == []
    assert [(entry["tier"], entry["post"], entry["reason"]) for entry in entries] == [(2, post, "")]
    assert not concern_scope.may_read_case_records(w.cast[who], level_a)


def test_the_step_owner_acts_on_their_step_and_still_reads_no_records(crisis_world, level_a, client_for):
    w = crisis_world
    owner = w.cast["leading_group_member"]
    step = level_a.steps.get(code="first_talk")
    assert concern_scope.may_take_case_step(owner, step)
    with freeze_time(OFFICE_TIME + dt.timedelta(hours=1)):
        response = client_for(owner).post(
            reverse("concerns:case_step_complete", args=[level_a.pk, step.pk]), {"note": "已谈话"}
        )
    assert response.status_code == 302
    step.refresh_from_db()
    assert step.completed_by == owner
    assert not concern_scope.may_read_case_records(owner, level_a)


def test_after_closing_step_owners_and_people_escalated_to_no_longer_see_the_case(crisis_world, level_a):
    w = crisis_world
    CrisisCase.objects.filter(pk=level_a.pk).update(status=CrisisCase.Status.CLOSED, closed_at=CLOSED_ON)
    with freeze_time(CLOSED_ON + dt.timedelta(days=1)):
        for who in ("leading_group_member", "school_leader"):
            assert level_a not in concern_scope.cases_for(w.cast[who]), who
        # The organiser (by post as well as by role) and 学工部 (T2 by post) still do.
        assert level_a in concern_scope.cases_for(w.cast["mental_health_advisor"])
        assert level_a in concern_scope.cases_for(w.cast["student_affairs"])


def test_the_student_sees_the_case_roles_named_in_chinese(crisis_world, level_c, level_a, client_for):
    w = crisis_world
    with freeze_time(OFFICE_TIME + dt.timedelta(hours=2)):
        client_for(w.cast["school_leader"]).get(case_url(level_c))
        client_for(w.cast["security"]).get(case_url(level_c))
        client_for(w.cast["leading_group_member"]).get(case_url(level_a))
        client_for(w.cast["school_leader"]).get(case_url(level_a))
    with translation.override("zh-hans"):
        assert post_label("case_organiser") == "危机个案组织者"
        assert post_label("case_collaborator") == "危机个案协同人员"
        assert post_label("case_step_owner") == "危机处置步骤负责人"
        assert post_label("case_escalated") == "危机个案逐级上报对象"
        in_scope = {(access.name, access.post) for access in accesses_for_student(w.in_scope)}
        other_class = {(access.name, access.post) for access in accesses_for_student(w.other_class)}
    assert {("严分管校领导", "危机个案组织者"), ("杨保卫", "危机个案协同人员")} <= in_scope
    assert {("陈组员", "危机处置步骤负责人"), ("严分管校领导", "危机个案逐级上报对象")} <= other_class
