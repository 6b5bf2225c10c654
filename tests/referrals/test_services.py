"""Referral, leave and the return gate: the services' rules, status changes, follow-ups and audit."""

import datetime as dt
import itertools

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from tests.conftest import SINCE
from tests.factories import UserFactory
from tests.helpers import moves_to, unreachable, walk_move
from tests.referrals.conftest import DIAGNOSIS, FITNESS, MEDICATION, STATEMENT, do_item
from xinyu.audit.models import AuditEntry
from xinyu.care.models import Interview, RegistryEntry
from xinyu.org.models import Post, Student
from xinyu.org.services import appoint
from xinyu.referrals import services
from xinyu.referrals.models import Leave, Referral, ReturnAssessment
from xinyu.referrals.services import ReferralError, follow_up_dates

ITEMS = ("fitness", "assessment", "parents", "sign_off")


def _status(student):
    return Student.objects.get(pk=student.pk).status


# --- referral ---


def test_a_referral_goes_planned_went_outcome(world):
    cast = world.cast
    referral = services.create_referral(
        world.in_scope, by=cast["mental_health_advisor"], destination="衢州市人民医院",
        planned_at=timezone.now(), urgency="routine", reason="头痛心慌",
        escorts=[cast["advisor"], cast["head_teacher"]], family_escorts="父亲",
    )  # fmt: skip
    assert referral.status == Referral.Status.PLANNED
    assert referral.green_channel is True  # on the policy's list
    assert set(referral.escorts.all()) == {cast["advisor"], cast["head_teacher"]}
    services.mark_went(referral, by=cast["mental_health_advisor"])
    referral.refresh_from_db()
    assert referral.status == Referral.Status.WENT and referral.went_at
    with pytest.raises(ReferralError):
        services.mark_went(referral, by=cast["mental_health_advisor"])
    services.record_outcome(
        referral, by=cast["college_leader"], outcome="no_treatment", outcome_note="无需治疗", follow_up_plan="观察"
    )
    referral.refresh_from_db()
    assert referral.status == Referral.Status.OUTCOME and referral.outcome_recorded_by == cast["college_leader"]
    whats = list(AuditEntry.objects.filter(student=world.in_scope).values_list("what", flat=True).order_by("id"))
    assert whats == ["referrals.referral", "referrals.referral.went", "referrals.referral.outcome"]
    with pytest.raises(ReferralError, match="already recorded"):
        services.record_outcome(referral, by=cast["counsellor"], outcome="other", outcome_note="x", follow_up_plan="y")


def test_another_service_is_not_green_channel(world):
    referral = services.create_referral(
        world.in_scope, by=world.cast["counsellor"], destination="某心理咨询机构", planned_at=timezone.now(),
        urgency="routine", reason="r",
    )  # fmt: skip
    assert referral.green_channel is False


@pytest.mark.parametrize("who", ["advisor", "head_teacher", "student_affairs", "outsider", "leading_group_member"])
def test_only_t3_staff_over_the_student_create_referrals(world, who):
    with pytest.raises(ReferralError, match="working group"):
        services.create_referral(
            world.in_scope, by=world.cast[who], destination="x", planned_at=timezone.now(), urgency="routine",
            reason="r",
        )  # fmt: skip
    assert not Referral.objects.exists()


def test_escorts_must_be_responsible_for_the_student(world):
    stranger = world.cast["outsider"]
    with pytest.raises(ReferralError, match=stranger.full_name):
        services.create_referral(
            world.in_scope, by=world.cast["mental_health_advisor"], destination="x", planned_at=timezone.now(),
            urgency="routine", reason="r", escorts=[stranger],
        )  # fmt: skip


def test_missing_fields_are_named(world):
    with pytest.raises(ReferralError) as error:
        services.create_referral(
            world.in_scope, by=world.cast["counsellor"], destination=" ", planned_at=timezone.now(),
            urgency="routine", reason="",
        )  # fmt: skip
    assert "where" in str(error.value) and "reason for the referral" in str(error.value)


def test_diagnosis_and_medication_are_recorded_only_by_the_centre(world):
    cast = world.cast
    referral = services.create_referral(
        world.in_scope, by=cast["mental_health_advisor"], destination="x", planned_at=timezone.now(),
        urgency="routine", reason="r",
    )  # fmt: skip
    with pytest.raises(ReferralError, match="psychology centre"):
        services.record_outcome(
            referral, by=cast["mental_health_advisor"], outcome="outpatient", outcome_note="n", follow_up_plan="p",
            diagnosis_summary="诊断",
        )  # fmt: skip
    referral.refresh_from_db()
    assert referral.status == Referral.Status.PLANNED and referral.diagnosis_summary == ""


def test_t4_text_is_stored_encrypted(referral):
    assert referral.clinical_recorded_by.username == "T10005"
    with connection.cursor() as cursor:
        cursor.execute("SELECT diagnosis_summary, medication FROM referrals_referral WHERE id = %s", [referral.pk])
        diagnosis, medication = cursor.fetchone()
    assert DIAGNOSIS not in diagnosis and MEDICATION not in medication and diagnosis and medication
    fresh = Referral.objects.get(pk=referral.pk)
    assert (fresh.diagnosis_summary, fresh.medication) == (DIAGNOSIS, MEDICATION)
    entry = AuditEntry.objects.get(what="referrals.referral.clinical")
    assert entry.tier == 4 and entry.actor_username == "T10005"


def test_clinical_correction_only_by_a_reader(world, referral):
    cast = world.cast
    other_counsellor_rules = services.record_clinical
    # The supervisor reads and may correct; the college's advisor may not write T4 at all.
    other_counsellor_rules(referral, by=cast["supervisor"], diagnosis_summary="更正诊断", medication="")
    assert Referral.objects.get(pk=referral.pk).diagnosis_summary == "更正诊断"
    with pytest.raises(ReferralError):
        services.record_clinical(referral, by=cast["mental_health_advisor"], diagnosis_summary="x", medication="")
    # Now the supervisor recorded it: the counsellor (no longer the recorder) may not overwrite it.
    with pytest.raises(ReferralError, match="recorded them"):
        services.record_clinical(referral, by=cast["counsellor"], diagnosis_summary="x", medication="")


def test_recommending_the_registry_proposes_an_entry_once(world):

    by = world.cast["counsellor"]
    referral = services.create_referral(
        world.in_scope, by=by, destination="x", planned_at=timezone.now(), urgency="routine", reason="r",
        recommend_registry=True,
    )  # fmt: skip
    entry = RegistryEntry.objects.get(student=world.in_scope)
    assert entry.source == "referral" and entry.proposed_by == by
    assert entry.events.count() == 1
    services.record_outcome(referral, by=by, outcome="outpatient", outcome_note="n", follow_up_plan="p")
    assert entry.events.count() == 1  # proposed once, not again at the outcome
    assert AuditEntry.objects.filter(what="care.registry.propose", student=world.in_scope).count() == 1


def test_recommending_at_the_outcome_proposes_then(world):

    by = world.cast["mental_health_advisor"]
    referral = services.create_referral(
        world.in_scope, by=by, destination="x", planned_at=timezone.now(), urgency="routine", reason="r"
    )
    assert not RegistryEntry.objects.exists()
    services.record_outcome(referral, by=by, outcome="outpatient", outcome_note="门诊诊断抑郁", follow_up_plan="p",
                            recommend_registry=True)  # fmt: skip
    entry = RegistryEntry.objects.get(student=world.in_scope)
    assert entry.reason == "门诊诊断抑郁"
    assert Referral.objects.get(pk=referral.pk).registry_proposed_at is not None


# --- leave ---


def test_a_leave_sets_the_student_on_leave_with_audit(world, leave):
    assert _status(world.in_scope) == Student.Status.ON_LEAVE
    entry = AuditEntry.objects.get(what="org.student.status")
    assert entry.detail == {"before": "enrolled", "after": "on_leave"} and entry.student_id == world.in_scope.pk
    assert AuditEntry.objects.get(what="referrals.leave").tier == 4  # a statement summary was written
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement_summary FROM referrals_leave WHERE id = %s", [leave.pk])
        assert STATEMENT not in cursor.fetchone()[0]


def test_a_student_on_leave_cannot_go_on_leave_again(world, leave):
    today = timezone.localdate()
    with pytest.raises(ReferralError, match="enrolled"):
        services.start_leave(world.in_scope, by=world.cast["counsellor"], applied_on=today, reason_summary="r",
                             starts_on=today, expected_return_on=today + dt.timedelta(days=1))  # fmt: skip


def test_leave_dates_and_fields_are_checked(world):
    today = timezone.localdate()
    by = world.cast["mental_health_advisor"]
    with pytest.raises(ReferralError, match="expected return"):
        services.start_leave(world.in_scope, by=by, applied_on=today, reason_summary="r", starts_on=today,
                             expected_return_on=None)  # fmt: skip
    with pytest.raises(ReferralError, match="after the start"):
        services.start_leave(world.in_scope, by=by, applied_on=today, reason_summary="r", starts_on=today,
                             expected_return_on=today)  # fmt: skip
    with pytest.raises(ReferralError, match="psychology centre"):
        services.start_leave(world.in_scope, by=by, applied_on=today, reason_summary="r", starts_on=today,
                             expected_return_on=today + dt.timedelta(days=9), statement_received_on=today,
                             statement_hospital="h", statement_summary="机密")  # fmt: skip
    with pytest.raises(ReferralError, match="working group"):
        services.start_leave(world.in_scope, by=world.cast["advisor"], applied_on=today, reason_summary="r",
                             starts_on=today, expected_return_on=today + dt.timedelta(days=9))  # fmt: skip
    assert _status(world.in_scope) == Student.Status.ENROLLED and not Leave.objects.exists()


# --- the return gate ---


@pytest.mark.parametrize("order", list(itertools.permutations(ITEMS)))
def test_the_gate_completes_in_any_order(world, leave, order):
    for n, code in enumerate(order):
        assert Leave.objects.get(pk=leave.pk).status == Leave.Status.ON_LEAVE, f"returned before {code}"
        assert _status(world.in_scope) == Student.Status.ON_LEAVE
        do_item(code, leave, world.cast)
        leave.refresh_from_db()
        assert [item.code for item in services.missing_items(leave)] == [c for c in ITEMS if c not in order[: n + 1]]
    assert leave.status == Leave.Status.RETURNED and leave.returned_on == timezone.localdate()
    assert _status(world.in_scope) == Student.Status.ENROLLED
    assert Interview.objects.filter(student=world.in_scope, source=Interview.Source.RETURN_FROM_LEAVE).count() == 4 + 5


def test_not_yet_fit_blocks_until_a_new_assessment(world, leave):
    cast = world.cast
    do_item("assessment", leave, cast, result=ReturnAssessment.Result.NOT_YET)
    for code in ("fitness", "parents", "sign_off"):
        do_item(code, leave, cast)
    leave.refresh_from_db()
    assert leave.is_open and _status(world.in_scope) == Student.Status.ON_LEAVE
    [item] = services.missing_items(leave)
    assert item.code == "assessment" and item.blocked
    with pytest.raises(ReferralError) as error:
        services.return_student(leave, by=cast["counsellor"])
    assert "the centre's return assessment" in str(error.value) and "not yet fit" in str(error.value)
    do_item("assessment", leave, cast)
    leave.refresh_from_db()
    assert leave.status == Leave.Status.RETURNED and _status(world.in_scope) == Student.Status.ENROLLED


def test_a_fit_assessment_superseded_by_not_yet_fit_blocks(world, leave):
    do_item("assessment", leave, world.cast)
    do_item("assessment", leave, world.cast, result=ReturnAssessment.Result.NOT_YET)
    assert [item.code for item in services.missing_items(leave) if item.blocked] == ["assessment"]


def test_returning_early_names_every_missing_item(world, leave):
    do_item("parents", leave, world.cast)
    with pytest.raises(ReferralError) as error:
        services.return_student(leave, by=world.cast["counsellor"])
    message = str(error.value)
    for label in ("hospital statement of fitness", "the centre's return assessment", "college sign-off"):
        assert label in message
    assert "parents' agreement" not in message


def test_follow_up_schedule_dates(world, leave):
    for code in ITEMS:
        do_item(code, leave, world.cast)
    today = timezone.localdate()
    follow_ups = list(Interview.objects.filter(student=world.in_scope).order_by("due_on"))
    assert [f.due_on for f in follow_ups] == follow_up_dates(today, 4, 5)
    assert [f.due_on for f in follow_ups[:4]] == [today + dt.timedelta(weeks=n) for n in range(1, 5)]
    assert {f.assignee for f in follow_ups} == {world.cast["mental_health_advisor"]}
    assert AuditEntry.objects.filter(what="care.interview", student=world.in_scope, tier=3).count() == 9
    assert AuditEntry.objects.filter(what="referrals.leave.returned").count() == 1
    statuses = [e.detail["after"] for e in AuditEntry.objects.filter(what="org.student.status").order_by("id")]
    assert statuses == ["on_leave", "enrolled"]


def test_follow_up_dates_weekly_then_monthly():
    assert follow_up_dates(dt.date(2026, 1, 3), 4, 3) == [
        dt.date(2026, 1, 10), dt.date(2026, 1, 17), dt.date(2026, 1, 24), dt.date(2026, 1, 31),
        dt.date(2026, 2, 28), dt.date(2026, 3, 31), dt.date(2026, 4, 30),
    ]  # fmt: skip
    assert follow_up_dates(dt.date(2026, 11, 1), 1, 2) == [dt.date(2026, 11, 8), dt.date(2026, 12, 8),
                                                          dt.date(2027, 1, 8)]  # fmt: skip


@pytest.mark.parametrize("who", ["counsellor", "supervisor", "advisor", "outsider"])
def test_only_the_college_leader_or_mental_health_advisor_signs_off(world, leave, who):
    with pytest.raises(ReferralError, match="leader in charge or mental-health advisor"):
        services.sign_off_return(leave, by=world.cast[who])
    assert Leave.objects.get(pk=leave.pk).signed_off_at is None


def test_mental_health_advisor_signs_off_once(world, leave):
    services.sign_off_return(leave, by=world.cast["mental_health_advisor"])
    with pytest.raises(ReferralError, match="already signed off"):
        services.sign_off_return(leave, by=world.cast["college_leader"])


@pytest.mark.parametrize("who", ["mental_health_advisor", "college_leader", "advisor"])
def test_only_the_centre_assesses(world, leave, who):
    with pytest.raises(ReferralError, match="centre staff"):
        services.record_return_assessment(leave, by=world.cast[who], result="fit", note="n")
    assert not leave.assessments.exists()


def test_emergency_contacts_are_checked(world, leave):
    by, today = world.cast["mental_health_advisor"], timezone.localdate()
    with pytest.raises(ReferralError, match="at least one emergency contact"):
        services.record_parents_agreement(leave, by=by, agreed_on=today, contacts=[("", "", "")])
    with pytest.raises(ReferralError, match="Emergency contact 2: please fill in relation"):
        contacts = [("a", "父亲", "13900000001"), ("b", "", "13900000002")]
        services.record_parents_agreement(leave, by=by, agreed_on=today, contacts=contacts)
    with pytest.raises(ReferralError, match="not a phone number"):
        services.record_parents_agreement(leave, by=by, agreed_on=today, contacts=[("a", "父亲", "call me")])
    with pytest.raises(ReferralError, match="parents agreed on"):
        services.record_parents_agreement(leave, by=by, agreed_on=None, contacts=[("a", "父亲", "13900000001")])
    services.record_parents_agreement(leave, by=by, agreed_on=today, contacts=[("a", "父亲", "139 0000 0001")])
    services.record_parents_agreement(leave, by=by, agreed_on=today, contacts=[("b", "母亲", "13900000002")])
    assert [(c.name, c.phone) for c in leave.contacts.all()] == [("b", "13900000002")]


def test_fitness_statement_summary_is_t4_and_encrypted(world, leave):
    do_item("fitness", leave, world.cast)
    with connection.cursor() as cursor:
        cursor.execute("SELECT fitness_summary FROM referrals_leave WHERE id = %s", [leave.pk])
        assert FITNESS not in cursor.fetchone()[0]
    assert AuditEntry.objects.get(what="referrals.gate.fitness").tier == 4
    with pytest.raises(ReferralError, match="future"):
        services.record_fitness_statement(leave, by=world.cast["counsellor"],
                                          dated=timezone.localdate() + dt.timedelta(days=1), hospital="h")  # fmt: skip


def test_nothing_is_recorded_on_a_returned_leave(world, leave):
    for code in ITEMS:
        do_item(code, leave, world.cast)
    with pytest.raises(ReferralError, match="already returned"):
        do_item("assessment", leave, world.cast)


def test_gate_audit_entries(world, leave):
    for code in ITEMS:
        do_item(code, leave, world.cast)
    whats = set(AuditEntry.objects.filter(student=world.in_scope).values_list("what", flat=True))
    assert {"referrals.gate.fitness", "referrals.gate.assessment", "referrals.gate.parents",
            "referrals.gate.sign_off", "referrals.leave.returned"} <= whats  # fmt: skip


def test_a_statement_arriving_later_is_recorded(world):
    today = timezone.localdate()
    leave = services.start_leave(
        world.in_scope, by=world.cast["mental_health_advisor"], applied_on=today, reason_summary="r",
        starts_on=today, expected_return_on=today + dt.timedelta(days=30),
    )  # fmt: skip
    with pytest.raises(ReferralError, match="psychology centre"):
        services.record_leave_statement(leave, by=world.cast["mental_health_advisor"], received_on=today,
                                        hospital="h", summary="机密")  # fmt: skip
    services.record_leave_statement(leave, by=world.cast["mental_health_advisor"], received_on=today, hospital="h")
    services.record_leave_statement(leave, by=world.cast["counsellor"], received_on=today, hospital="h",
                                    summary=STATEMENT)  # fmt: skip
    leave.refresh_from_db()
    assert leave.statement_hospital == "h" and leave.statement_summary == STATEMENT
    assert leave.statement_recorded_by == world.cast["counsellor"]
    assert [e.tier for e in AuditEntry.objects.filter(what="referrals.leave.statement").order_by("id")] == [3, 4]


def test_correcting_the_fitness_statement_keeps_the_summary_and_its_reader(world, client_for, leave):

    do_item("fitness", leave, world.cast)  # the counsellor writes the confidential summary
    mha = world.cast["mental_health_advisor"]
    services.record_fitness_statement(leave, by=mha, dated=timezone.localdate(), hospital="衢州市人民医院")
    leave.refresh_from_db()
    assert leave.fitness_hospital == "衢州市人民医院" and leave.fitness_summary == FITNESS
    assert leave.fitness_summary_by == world.cast["counsellor"] and leave.fitness_recorded_by == mha
    url = reverse("referrals:leave_confidential", args=[leave.pk])
    assert client_for(mha).get(url).status_code == 404
    assert FITNESS in client_for(world.cast["counsellor"]).get(url).content.decode()


def test_t4_summary_is_replaced_only_by_a_reader(world, leave):

    do_item("fitness", leave, world.cast)
    other = UserFactory(username="T19998", full_name="另一咨询师")
    appoint(other, Post.CENTRE_COUNSELLOR, world.school, starts_on=SINCE)
    with pytest.raises(ReferralError, match="recorded them"):
        services.record_fitness_statement(leave, by=other, dated=timezone.localdate(), hospital="h", summary="覆盖")
    with pytest.raises(ReferralError, match="recorded them"):
        services.record_leave_statement(leave, by=other, received_on=timezone.localdate(), hospital="h",
                                        summary="覆盖")  # fmt: skip
    leave.refresh_from_db()
    assert leave.fitness_summary == FITNESS and leave.statement_summary == STATEMENT
    services.record_fitness_statement(leave, by=world.cast["supervisor"], dated=timezone.localdate(), hospital="h",
                                      summary="主任更正")  # fmt: skip
    leave.refresh_from_db()
    assert leave.fitness_summary == "主任更正" and leave.fitness_summary_by == world.cast["supervisor"]


def test_an_outcome_does_not_overwrite_someone_elses_diagnosis(world):
    referral = services.create_referral(
        world.in_scope, by=world.cast["counsellor"], destination="x", planned_at=timezone.now(), urgency="routine",
        reason="r",
    )  # fmt: skip
    services.record_clinical(referral, by=world.cast["counsellor"], diagnosis_summary=DIAGNOSIS, medication="")
    other = UserFactory(username="T19997", full_name="另一咨询师")
    appoint(other, Post.CENTRE_COUNSELLOR, world.school, starts_on=SINCE)
    with pytest.raises(ReferralError, match="recorded them"):
        services.record_outcome(referral, by=other, outcome="outpatient", outcome_note="n", follow_up_plan="p",
                                diagnosis_summary="覆盖")  # fmt: skip
    services.record_outcome(referral, by=other, outcome="outpatient", outcome_note="n", follow_up_plan="p")
    assert Referral.objects.get(pk=referral.pk).diagnosis_summary == DIAGNOSIS


# --- the moves the statuses declare ---


def _planned(world):
    return services.create_referral(
        world.in_scope, by=world.cast["mental_health_advisor"], destination="衢州市人民医院",
        planned_at=timezone.now() - dt.timedelta(hours=1), urgency="routine", reason="头痛心慌",
        escorts=[world.cast["advisor"]],
    )  # fmt: skip


REFERRAL_SERVICES = {
    Referral.Status.WENT: lambda referral, cast: services.mark_went(referral, by=cast["mental_health_advisor"]),
    Referral.Status.OUTCOME: lambda referral, cast: services.record_outcome(
        referral, by=cast["counsellor"], outcome="outpatient", outcome_note="门诊就诊", follow_up_plan="每周谈心"
    ),
}


def test_a_referral_is_planned_first_and_comes_back_to_nothing():
    assert unreachable(Referral.MOVES) == {Referral.Status.PLANNED}
    assert Referral.MOVES.final() == {Referral.Status.OUTCOME}


@pytest.mark.parametrize(("current", "target"), moves_to(Referral.MOVES, REFERRAL_SERVICES))
def test_referral_services_move_as_the_table_says(world, current, target):
    walk_move(
        Referral.MOVES, _planned(world), current, target,
        lambda referral: REFERRAL_SERVICES[target](referral, world.cast), error=ReferralError,
    )  # fmt: skip


@pytest.mark.parametrize("current", Leave.Status.values)
def test_the_return_gate_moves_a_leave_as_the_table_says(world, leave, current):
    assert unreachable(Leave.MOVES) == {Leave.Status.ON_LEAVE}

    def complete_the_gate(leave):
        for code in ITEMS:
            do_item(code, leave, world.cast)

    walk_move(Leave.MOVES, leave, current, Leave.Status.RETURNED, complete_the_gate, error=ReferralError)


@pytest.mark.parametrize("current", Student.Status.values)
def test_a_leave_moves_the_student_as_the_table_says(world, current):
    today = timezone.localdate()

    def go_on_leave(student):
        services.start_leave(
            student, by=world.cast["counsellor"], applied_on=today, reason_summary="住院治疗", starts_on=today,
            expected_return_on=today + dt.timedelta(days=30),
        )  # fmt: skip

    walk_move(Student.MOVES, world.in_scope, current, Student.Status.ON_LEAVE, go_on_leave, error=ReferralError)


def test_a_student_the_roster_took_off_the_roll_during_the_leave_is_not_enrolled_again(world, leave):
    for code in ITEMS[:-1]:
        do_item(code, leave, world.cast)
    Student.objects.filter(pk=world.in_scope.pk).update(status=Student.Status.WITHDRAWN)  # as the roster would
    with pytest.raises(ReferralError, match="Only a student on leave can return; this student is now Withdrawn"):
        do_item(ITEMS[-1], leave, world.cast)
    leave.refresh_from_db()
    assert leave.status == Leave.Status.ON_LEAVE and leave.signed_off_at is None
    assert Student.objects.get(pk=world.in_scope.pk).status == Student.Status.WITHDRAWN
    assert not Interview.objects.filter(student=world.in_scope).exists()
