"""Care plans: progress notes, overdue computation, "my work", escalation once, dorm check-ins, timeline."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.care.conftest import confirm, plan_input
from xinyu.audit.models import AuditEntry
from xinyu.care import plans
from xinyu.care.models import CarePlan, CheckIn, CheckInAssignment, ProgressNote
from xinyu.care.registry import RegistryError, decide_removal, request_removal
from xinyu.care.sources import registry_timeline, registry_work
from xinyu.concerns.errors import ConcernError
from xinyu.concerns.models import ConcernReport
from xinyu.concerns.services.case_records import record_family_contact
from xinyu.concerns.services.checkins import record_check_in
from xinyu.notify.models import Notification
from xinyu.org.scope import Tier


def age_plan(plan, days):
    CarePlan.objects.filter(pk=plan.pk).update(started_at=timezone.now() - dt.timedelta(days=days))


def overdue_kinds(now=None):
    return sorted(item.kind for item in plans.overdue_items(plans.live_plans(), now or timezone.now()))


def test_a_new_plan_has_nothing_overdue(world, active):
    assert overdue_kinds() == []


def test_overdue_contacts_are_computed_from_the_last_note_and_family_contact(world, active):
    plan = active.plan
    age_plan(plan, 40)
    assert overdue_kinds() == ["family_contact", "student_contact"]
    items = {item.kind: item for item in plans.overdue_items(plans.live_plans(), timezone.now())}
    assert items["student_contact"].person == world.cast["advisor"]
    assert items["family_contact"].person == world.cast["mental_health_advisor"]
    assert items["student_contact"].due == timezone.localdate() - dt.timedelta(days=40 - 14)
    plans.add_progress_note(plan, by=world.cast["advisor"], kind="student_contact", text="谈心，状态平稳")
    assert overdue_kinds() == ["family_contact"]
    record_family_contact(
        world.in_scope,
        by=world.cast["mental_health_advisor"],
        contact_name="张母",
        relation="母亲",
        contacted_at=timezone.now() - dt.timedelta(days=2),
        method="phone",
        outcome="家长配合",
    )
    assert overdue_kinds() == []
    # A progress note that is not a talk does not count as one.
    age_plan(plan, 40)
    ProgressNote.objects.update(happened_at=timezone.now() - dt.timedelta(days=20))
    plans.add_progress_note(plan, by=world.cast["mental_health_advisor"], kind="note", text="研判会讨论")
    assert overdue_kinds() == ["student_contact"]


def test_review_due_is_overdue_work(world, active):
    type(active).objects.filter(pk=active.pk).update(next_review_on=timezone.localdate() - dt.timedelta(days=1))
    assert overdue_kinds() == ["review"]


def test_progress_notes_need_t3_but_the_class_person_may_record_a_talk(world, active):
    plan = active.plan
    with pytest.raises(RegistryError) as caught:
        plans.add_progress_note(plan, by=world.cast["advisor"], kind="note", text="x")
    assert str(caught.value) == "Only the people responsible for this plan can record this."
    for who in ("head_teacher", "outsider", "dorm_leader"):
        with pytest.raises(RegistryError):
            plans.add_progress_note(plan, by=world.cast[who], kind="student_contact", text="x")
    note = plans.add_progress_note(plan, by=world.cast["advisor"], kind="student_contact", text="谈心")
    entry = AuditEntry.objects.get(what="care.plan.note")
    assert (entry.tier, entry.detail["note"]) == (3, note.pk)
    with pytest.raises(RegistryError) as caught:
        plans.add_progress_note(plan, by=world.cast["advisor"], kind="student_contact", text=" ")
    assert str(caught.value) == "Please write the note."


def test_my_work_lists_overdue_work_for_the_named_people_only(world, active):
    age_plan(active.plan, 40)
    now = timezone.now()
    advisor_items = registry_work(world.cast["advisor"], now).items
    assert [(item.kind, item.overdue) for item in advisor_items] == [("care_student_contact", True)]
    assert advisor_items[0].student == world.in_scope
    mha = {item.kind for item in registry_work(world.cast["mental_health_advisor"], now).items}
    assert mha == {"care_family_contact"}
    assert registry_work(world.cast["head_teacher"], now) is None
    assert registry_work(world.cast["dorm_leader"], now) is None
    assert registry_work(world.cast["outsider"], now).items == []  # a mental-health advisor elsewhere


def test_my_work_lists_proposals_and_removals_waiting(world, proposed):
    now = timezone.now()
    assert [item.kind for item in registry_work(world.cast["mental_health_advisor"], now).items] == [
        "registry_proposed"
    ]
    assert registry_work(world.cast["outsider"], now).items == []

    confirm(world, proposed)
    request_removal(proposed, by=world.cast["mental_health_advisor"], reason="稳定")
    assert "registry_removal_requested" in {item.kind for item in registry_work(world.cast["counsellor"], now).items}
    assert "registry_removal_requested" not in {
        item.kind for item in registry_work(world.cast["mental_health_advisor"], now).items
    }


def test_escalation_tells_the_college_leader_once_without_the_name(world, active):
    age_plan(active.plan, 14 + plans.ESCALATE_AFTER_OVERDUE_DAYS - 1)
    assert plans.escalate_overdue() == 0  # student contact overdue by 6 days: not yet
    age_plan(active.plan, 14 + plans.ESCALATE_AFTER_OVERDUE_DAYS)
    assert plans.escalate_overdue() == 1
    assert plans.escalate_overdue() == 0
    note = Notification.objects.get(recipient=world.cast["college_leader"])
    assert world.in_scope.name not in note.title
    assert note.link == f"/care/entries/{active.pk}/"
    assert AuditEntry.objects.filter(what="care.plan.escalate").count() == 1


def test_update_plan_moves_the_dorm_check_in(world, active):
    plans.update_plan(
        active, by=world.cast["mental_health_advisor"], data=plan_input(world, dorm_leader=None, goals="新目标")
    )
    active.plan.refresh_from_db()
    assert active.plan.goals == "新目标"
    assert not CheckInAssignment.objects.filter(ended_at__isnull=True).exists()
    plans.update_plan(active, by=world.cast["supervisor"], data=plan_input(world))
    assert CheckInAssignment.objects.filter(ended_at__isnull=True).count() == 1
    with pytest.raises(RegistryError):
        plans.update_plan(active, by=world.cast["advisor"], data=plan_input(world))
    assert active.events.filter(kind="plan_changed").count() == 2


def test_dorm_check_in_all_right_and_something_wrong(world, active):
    leader = world.cast["dorm_leader"]
    assignment = CheckInAssignment.objects.get()
    ok = record_check_in(assignment, by=leader, status="ok")
    assert (ok.status, ok.report) == ("ok", None)
    with pytest.raises(ConcernError) as caught:
        record_check_in(assignment, by=leader, status="wrong", note="")
    assert str(caught.value) == "Please write briefly what is wrong."
    wrong = record_check_in(assignment, by=leader, status="wrong", note="昨晚没回寝室")
    report = ConcernReport.objects.get()
    assert wrong.report == report
    assert (report.student, report.reporter, report.description) == (world.in_scope, leader, "昨晚没回寝室")
    assert AuditEntry.objects.filter(what="care.check_in").count() == 2
    for who in ("wellbeing_rep", "student", "advisor"):
        with pytest.raises(ConcernError) as caught:
            record_check_in(assignment, by=world.cast[who], status="ok")
        assert str(caught.value) == "You were not asked to check in on this person."


def test_ending_the_entry_ends_the_check_in(world, active):

    request_removal(active, by=world.cast["mental_health_advisor"], reason="稳定")
    decide_removal(active, by=world.cast["supervisor"], assessment="同意", approve=True)
    with pytest.raises(ConcernError):
        record_check_in(CheckInAssignment.objects.get(), by=world.cast["dorm_leader"], status="ok")
    assert CheckIn.objects.count() == 0


def test_timeline_shows_each_tier_its_part(world, active):
    plans.add_progress_note(active.plan, by=world.cast["advisor"], kind="student_contact", text="谈心内容")
    record_check_in(CheckInAssignment.objects.get(), by=world.cast["dorm_leader"], status="ok")
    t2 = registry_timeline(world.in_scope, world.cast["advisor"], Tier.T2)
    assert [entry.kind for entry in t2] == ["registry_entry"]
    assert all("家庭变故" not in f"{entry.title}{entry.summary}" for entry in t2)
    t3 = {entry.kind for entry in registry_timeline(world.in_scope, world.cast["mental_health_advisor"], Tier.T3)}
    assert t3 == {"registry_entry", "registry_confirmed", "care_plan_note", "dorm_check_in"}
    assert registry_timeline(world.in_scope, world.cast["outsider"], Tier.T1) == []
