"""Referral, leave and return gate pages: every view × the cast in scope and out, T4 text only for T4
readers (after step-up), and the access log."""

import datetime as dt

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from tests.conftest import SINCE
from tests.factories import UserFactory
from tests.referrals.conftest import DIAGNOSIS, FITNESS, MEDICATION, STATEMENT, do_item
from xinyu.accounts.stepup import step_up_url
from xinyu.audit.models import AuditEntry
from xinyu.care.models import Interview
from xinyu.concerns.services.interviews import record_interview
from xinyu.org.models import Post, Student
from xinyu.org.services import appoint
from xinyu.referrals import services
from xinyu.referrals.models import Leave, Referral

# Who holds T3 over `in_scope` (the college working group of college A, the centre), and who does not.
T3_OVER_IN_SCOPE = ["mental_health_advisor", "college_leader", "counsellor", "supervisor"]
NOT_T3 = ["advisor", "head_teacher", "student_affairs", "leading_group_member", "outsider", "student", "dorm_leader",
          "wellbeing_rep"]  # fmt: skip
# Who may not reach the referral pages at all (no T3 anywhere).
NO_PAGES = ["advisor", "head_teacher", "student_affairs", "leading_group_member", "student", "dorm_leader",
            "wellbeing_rep"]  # fmt: skip


def test_hospitals_page_for_staff_only(world, client_for):
    url = reverse("referrals:hospitals")
    for who in ("advisor", "counsellor", "leading_group_member", "outsider"):
        response = client_for(world.cast[who]).get(url)
        assert response.status_code == 200, who
        assert "衢州市第三医院（衢州市精神卫生中心）" in response.content.decode()
    for who in ("student", "dorm_leader"):
        assert client_for(world.cast[who]).get(url).status_code == 404


def test_index_lists_only_students_in_scope(world, client_for, referral, leave):
    url = reverse("referrals:index")
    for who in T3_OVER_IN_SCOPE:
        page = client_for(world.cast[who]).get(url).content.decode()
        assert "张三" in page and f'data-id="{referral.pk}"' in page, who
    page = client_for(world.cast["outsider"]).get(url)
    assert page.status_code == 200 and "张三" not in page.content.decode()
    for who in NO_PAGES:
        assert client_for(world.cast[who]).get(url).status_code == 404, who
    assert AuditEntry.objects.filter(what="referrals.index", student=world.in_scope, tier=3).exists()


def test_index_search_finds_only_my_students(world, client_for):
    url = reverse("referrals:index")
    page = client_for(world.cast["mental_health_advisor"]).get(url, {"q": "2025000003"}).content.decode()
    assert "王五" not in page
    page = client_for(world.cast["mental_health_advisor"]).get(url, {"q": "张"}).content.decode()
    assert reverse("referrals:referral_new", args=[world.in_scope.pk]) in page
    assert reverse("referrals:leave_new", args=[world.in_scope.pk]) in page


@pytest.mark.parametrize("name", ["referrals:referral_new", "referrals:leave_new"])
def test_new_pages_in_scope_and_out(world, client_for, name):
    url = reverse(name, args=[world.in_scope.pk])
    for who in T3_OVER_IN_SCOPE:
        assert client_for(world.cast[who]).get(url).status_code == 200, who
    for who in NOT_T3:
        assert client_for(world.cast[who]).get(url).status_code == 404, who
    assert (
        client_for(world.cast["mental_health_advisor"]).get(reverse(name, args=[world.other_college.pk])).status_code
        == 404
    )
    assert client_for(world.cast["outsider"]).get(reverse(name, args=[world.other_college.pk])).status_code == 200
    assert client_for(world.cast["counsellor"]).get(reverse(name, args=[999999])).status_code == 404


def test_referral_detail_in_scope_and_out(world, client_for, referral):
    url = reverse("referrals:referral_detail", args=[referral.pk])
    for who in T3_OVER_IN_SCOPE:
        response = client_for(world.cast[who]).get(url)
        assert response.status_code == 200, who
        page = response.content.decode()
        assert "持续失眠两个月" in page and "每周谈心一次" in page
        # T4 text never on the T3 page, whoever reads it.
        assert DIAGNOSIS not in page and MEDICATION not in page
    for who in NOT_T3:
        response = client_for(world.cast[who]).get(url)
        assert response.status_code == 404, who
        assert "持续失眠两个月" not in response.content.decode()
    entry = AuditEntry.objects.filter(what="referrals.referral", action="view").latest("id")
    assert entry.tier == 3 and entry.student_id == world.in_scope.pk


def test_referral_clinical_only_for_the_recorder_and_supervisors(world, client_for, referral):
    url = reverse("referrals:referral_clinical", args=[referral.pk])
    for who in ("counsellor", "supervisor"):  # the counsellor recorded it
        response = client_for(world.cast[who]).get(url)
        assert response.status_code == 200, who
        page = response.content.decode()
        assert DIAGNOSIS in page and MEDICATION in page
    for who in ("mental_health_advisor", "college_leader", *NOT_T3):
        response = client_for(world.cast[who]).get(url)
        assert response.status_code == 404, who
        assert DIAGNOSIS not in response.content.decode()
    entries = AuditEntry.objects.filter(what="referrals.referral.clinical", action="view")
    assert {(e.actor_username, e.tier) for e in entries} == {("T10005", 4), ("T10008", 4)}


def test_another_counsellor_does_not_read_the_diagnosis(world, client_for, referral):

    other = UserFactory(username="T19999", full_name="另一咨询师")
    appoint(other, Post.CENTRE_COUNSELLOR, world.school, starts_on=SINCE)
    client = client_for(other)
    assert DIAGNOSIS not in client.get(reverse("referrals:referral_detail", args=[referral.pk])).content.decode()
    assert client.get(reverse("referrals:referral_clinical", args=[referral.pk])).status_code == 404
    assert client.post(reverse("referrals:referral_clinical", args=[referral.pk]),
                       {"diagnosis_summary": "覆盖"}).status_code == 404  # fmt: skip
    assert Referral.objects.get(pk=referral.pk).diagnosis_summary == DIAGNOSIS


@override_settings(XINYU_ENFORCE_TWO_FACTOR=True)
@pytest.mark.parametrize("name", ["referrals:referral_clinical", "referrals:leave_confidential"])
def test_t4_pages_need_step_up(world, client_for, referral, leave, name):
    pk = referral.pk if name == "referrals:referral_clinical" else leave.pk
    url = reverse(name, args=[pk])
    response = client_for(world.cast["supervisor"]).get(url)
    assert response.status_code == 302 and response["Location"] == step_up_url(url)
    assert response["Location"].startswith(reverse("accounts:step_up"))
    assert not AuditEntry.objects.filter(what__endswith="confidential", action="view").exists()
    assert not AuditEntry.objects.filter(what="referrals.referral.clinical", action="view").exists()


def test_referral_flow_through_the_pages(world, client_for):
    client = client_for(world.cast["mental_health_advisor"])
    url = reverse("referrals:referral_new", args=[world.in_scope.pk])
    response = client.post(url, {
        "hospital": "衢州市人民医院", "other_service": "", "planned_at": "2026-01-05T09:00", "urgency": "urgent",
        "reason": "情绪低落", "escorts": [str(world.cast["advisor"].pk)], "family_escorts": "母亲",
    })  # fmt: skip
    referral = Referral.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "referrals:referral_detail", args=[referral.pk]
    )
    assert referral.green_channel and list(referral.escorts.all()) == [world.cast["advisor"]]
    detail = reverse("referrals:referral_detail", args=[referral.pk])
    assert client.post(detail, {"action": "went"}).status_code == 302
    # The advisor's outcome form has no T4 fields; T4 posted anyway is ignored, not stored.
    page = client.get(detail).content.decode()
    assert 'name="diagnosis_summary"' not in page
    client.post(detail, {"action": "outcome", "outcome": "outpatient", "outcome_note": "门诊",
                         "follow_up_plan": "每周", "diagnosis_summary": "偷偷写的诊断"})  # fmt: skip
    referral.refresh_from_db()
    assert referral.status == Referral.Status.OUTCOME and referral.diagnosis_summary == ""
    # The counsellor adds the confidential part afterwards and becomes its recorder.
    counsellor = client_for(world.cast["counsellor"])
    assert 'data-testid="open-confidential"' in counsellor.get(detail).content.decode()
    clinical = reverse("referrals:referral_clinical", args=[referral.pk])
    assert counsellor.post(clinical, {"diagnosis_summary": DIAGNOSIS, "medication": MEDICATION}).status_code == 302
    referral.refresh_from_db()
    assert referral.clinical_recorded_by == world.cast["counsellor"]
    assert DIAGNOSIS in counsellor.get(clinical).content.decode()


def test_referral_form_errors(world, client_for):
    client = client_for(world.cast["counsellor"])
    url = reverse("referrals:referral_new", args=[world.in_scope.pk])
    response = client.post(url, {"hospital": "", "other_service": "", "planned_at": "2026-01-05T09:00",
                                 "urgency": "routine", "reason": "r"})  # fmt: skip
    assert response.status_code == 400 and 'data-testid="form-errors"' in response.content.decode()
    # An escort outside the choices offered is refused by the form.
    response = client.post(url, {"other_service": "某机构", "planned_at": "2026-01-05T09:00", "urgency": "routine",
                                 "reason": "r", "escorts": [str(world.cast["outsider"].pk)]})  # fmt: skip
    assert response.status_code == 400 and not Referral.objects.exists()


def test_outcome_post_out_of_scope_is_404(world, client_for, referral):
    detail = reverse("referrals:referral_detail", args=[referral.pk])
    for who in ("outsider", "advisor", "student_affairs"):
        assert client_for(world.cast[who]).post(detail, {"action": "went"}).status_code == 404


def test_leave_flow_through_the_pages(world, client_for):
    client = client_for(world.cast["counsellor"])
    today = timezone.localdate()
    response = client.post(reverse("referrals:leave_new", args=[world.in_scope.pk]), {
        "applied_on": today.isoformat(), "reason_summary": "住院治疗", "starts_on": today.isoformat(),
        "expected_return_on": (today + dt.timedelta(days=90)).isoformat(), "statement_received_on": today.isoformat(),
        "statement_hospital": "衢州市第三医院", "statement_summary": STATEMENT,
    })  # fmt: skip
    leave = Leave.objects.get()
    assert response.status_code == 302
    assert Student.objects.get(pk=world.in_scope.pk).status == Student.Status.ON_LEAVE
    url = reverse("referrals:leave_detail", args=[leave.pk])
    # The counsellor's page: statement, assessment and parents forms, no sign-off form.
    page = client.get(url).content.decode()
    assert 'data-testid="gate-form-assessment"' in page and 'data-testid="gate-form-sign_off"' not in page
    assert STATEMENT not in page
    # The mental-health advisor: sign-off and parents, no assessment; posting one is refused.
    mha = client_for(world.cast["mental_health_advisor"])
    page = mha.get(url).content.decode()
    assert 'data-testid="gate-form-sign_off"' in page and 'data-testid="gate-form-assessment"' not in page
    assert 'name="fitness-summary"' not in page  # T4 text written by the centre only
    mha.post(url, {"item": "assessment", "assessment-result": "fit", "assessment-note": "n"})
    assert not leave.assessments.exists()
    client.post(url, {"item": "assessment", "assessment-result": "not_yet", "assessment-note": "未稳定"})
    client.post(url, {"item": "fitness", "fitness-dated": today.isoformat(), "fitness-hospital": "衢州市第三医院",
                      "fitness-summary": FITNESS})  # fmt: skip
    response = mha.post(url, {"item": "parents", "parents-agreed_on": today.isoformat(), "parents-name_1": "张父",
                              "parents-relation_1": "父亲", "parents-phone_1": "abc"})  # fmt: skip
    assert response.status_code == 400 and 'data-testid="form-errors"' in response.content.decode()
    mha.post(url, {"item": "parents", "parents-agreed_on": today.isoformat(), "parents-name_1": "张父",
                   "parents-relation_1": "父亲", "parents-phone_1": "13900000001"})  # fmt: skip
    mha.post(url, {"item": "sign_off", "sign_off-note": "同意"})
    leave.refresh_from_db()
    assert leave.is_open  # blocked by "not yet fit"
    page = mha.get(url).content.decode()
    assert 'data-blocked="yes"' in page and "13900000001" in page
    client.post(url, {"item": "assessment", "assessment-result": "fit", "assessment-note": "已稳定"})
    leave.refresh_from_db()
    assert leave.status == Leave.Status.RETURNED
    assert Student.objects.get(pk=world.in_scope.pk).status == Student.Status.ENROLLED
    page = mha.get(url).content.decode()
    assert page.count('data-testid="follow-up"') == 9 and 'data-testid="gate-form-' not in page
    # Each follow-up is an interview, recorded through its page; the list marks the ones held.
    first = Interview.objects.filter(student=world.in_scope).order_by("due_on").first()
    assert first.get_absolute_url() in page
    held = page.count("✓")  # the gate's items are ticked too
    record_interview(first, by=first.assignee, conducted_at=timezone.now(), method="phone", outcome="watch",
                     notes="复学后状态平稳")  # fmt: skip
    assert mha.get(url).content.decode().count("✓") == held + 1


def test_leave_detail_in_scope_and_out(world, client_for, leave):
    url = reverse("referrals:leave_detail", args=[leave.pk])
    for who in T3_OVER_IN_SCOPE:
        response = client_for(world.cast[who]).get(url)
        assert response.status_code == 200, who
        assert "住院治疗" in response.content.decode() and STATEMENT not in response.content.decode()
    for who in NOT_T3:
        response = client_for(world.cast[who]).get(url)
        assert response.status_code == 404, who
        assert "住院治疗" not in response.content.decode()
        assert client_for(world.cast[who]).post(url, {"item": "sign_off"}).status_code == 404
    assert AuditEntry.objects.filter(what="referrals.leave", action="view", tier=3).exists()


def test_leave_confidential_only_for_the_recorder_and_supervisors(world, client_for, leave):
    url = reverse("referrals:leave_confidential", args=[leave.pk])
    for who in ("counsellor", "supervisor"):
        response = client_for(world.cast[who]).get(url)
        assert response.status_code == 200 and STATEMENT in response.content.decode(), who
    for who in ("mental_health_advisor", "college_leader", *NOT_T3):
        assert client_for(world.cast[who]).get(url).status_code == 404, who
    assert AuditEntry.objects.filter(what="referrals.leave.confidential", action="view", tier=4).count() == 2


def test_gate_post_by_someone_without_that_part_changes_nothing(world, client_for, leave):
    url = reverse("referrals:leave_detail", args=[leave.pk])
    response = client_for(world.cast["counsellor"]).post(url, {"item": "sign_off", "sign_off-note": "x"})
    assert response.status_code == 302
    assert Leave.objects.get(pk=leave.pk).signed_off_at is None
    do_item("sign_off", leave, world.cast)


def test_statement_form_when_the_leave_has_none(world, client_for):
    today = timezone.localdate()

    leave = services.start_leave(
        world.in_scope, by=world.cast["mental_health_advisor"], applied_on=today, reason_summary="r",
        starts_on=today, expected_return_on=today + dt.timedelta(days=30),
    )  # fmt: skip
    url = reverse("referrals:leave_detail", args=[leave.pk])
    client = client_for(world.cast["counsellor"])
    assert 'data-testid="gate-form-statement"' in client.get(url).content.decode()
    response = client.post(url, {"item": "statement", "statement-received_on": today.isoformat(),
                                 "statement-hospital": "衢州市第三医院", "statement-summary": STATEMENT})  # fmt: skip
    assert response.status_code == 302
    leave.refresh_from_db()
    assert leave.statement_summary == STATEMENT
    assert 'data-testid="gate-form-statement"' not in client.get(url).content.decode()
    assert client_for(world.cast["outsider"]).post(url, {"item": "statement"}).status_code == 404
