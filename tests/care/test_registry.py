"""The registry's services: propose (idempotent), confirm, review, lapse, removal with the centre's sign-off."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import timezone

from tests.care.conftest import confirm, plan_input, propose
from xinyu.audit.models import AuditEntry
from xinyu.care.models import CarePlan, CheckInAssignment, RegistryEntry, RegistryEvent, ReviewSupport
from xinyu.care.registry import (
    RegistryError,
    confirm_entry,
    decide_removal,
    lapse_overdue_entries,
    request_removal,
    review_entry,
)
from xinyu.notify.models import Notification

Status = RegistryEntry.Status


def kinds(entry):
    return list(entry.events.values_list("kind", flat=True))


def test_propose_creates_a_proposed_entry_with_history_and_audit(world, proposed):
    assert proposed.status == Status.PROPOSED
    assert proposed.source == "centre"
    assert proposed.next_review_on is None
    event = proposed.events.get()
    assert (event.kind, event.by, event.reason) == ("proposed", world.cast["counsellor"], "家庭变故后情绪低落")
    audit = AuditEntry.objects.get(what="care.registry.propose")
    assert (audit.action, audit.tier, audit.student_id) == ("create", 3, world.in_scope.pk)
    # The college's mental-health advisor is told, without the student's name.
    note = Notification.objects.get(recipient=world.cast["mental_health_advisor"])
    assert world.in_scope.name not in note.title


def test_propose_is_idempotent_for_a_live_entry(world, proposed):
    again = propose(world, source="concern_report", proposed_by=world.cast["advisor"], reason="寝室反映失眠")
    assert again.pk == proposed.pk
    assert RegistryEntry.objects.count() == 1
    assert kinds(proposed) == ["proposed", "proposed"]
    assert proposed.events.last().detail["again"] is True
    confirm(world, proposed)
    third = propose(world, source="referral", reason="转介后建议")
    assert third.pk == proposed.pk
    third.refresh_from_db()
    assert third.status == Status.ACTIVE


@pytest.mark.parametrize(
    "changes,message",
    [
        ({"reason": "  "}, "Please give the reason for the proposal."),
        ({"source": "rumour"}, "Unknown source of the proposal."),
        ({"categories": ["astrology"]}, "Unknown category: astrology."),
        ({"risk_level": "extreme"}, "Please choose the risk level (high, medium or low)."),
    ],
)
def test_bad_proposals_say_what_is_wrong(world, changes, message):
    with pytest.raises(RegistryError) as caught:
        propose(world, **changes)
    assert str(caught.value) == message
    assert RegistryEntry.objects.count() == 0


def test_one_live_entry_per_student_is_a_database_constraint(world, proposed):
    with pytest.raises(IntegrityError), transaction.atomic():
        RegistryEntry.objects.create(student=world.in_scope, source="centre", reason="x")
    RegistryEntry.objects.filter(pk=proposed.pk).update(status=Status.REMOVED)
    RegistryEntry.objects.create(student=world.in_scope, source="centre", reason="x")  # removed ones don't count


def test_history_is_append_only(world, proposed):
    event = proposed.events.get()
    event.reason = "changed"
    with pytest.raises(ValueError):
        event.save()
    with pytest.raises(ValueError):
        event.delete()


def test_confirm_sets_categories_risk_review_date_and_creates_the_plan(world, proposed):
    entry = confirm(world, proposed)
    assert entry.status == Status.ACTIVE
    assert entry.categories == ["family_change"]
    assert entry.risk_level == "medium"
    assert entry.next_review_on == timezone.localdate() + dt.timedelta(days=30)
    plan = CarePlan.objects.get(entry=entry)
    assert plan.college_person == world.cast["mental_health_advisor"]
    assert (plan.student_contact_every_days, plan.family_contact_every_days, plan.review_every_days) == (14, 30, 30)
    assignment = CheckInAssignment.objects.get(plan=plan)
    assert (assignment.dorm_leader, assignment.student, assignment.every_days) == (
        world.cast["dorm_leader"],
        world.in_scope,
        7,
    )
    assert kinds(entry) == ["proposed", "confirmed"]
    assert AuditEntry.objects.filter(what="care.registry.confirm", student=world.in_scope).exists()


@pytest.mark.parametrize("who", ["advisor", "head_teacher", "college_leader", "outsider", "leading_group_member"])
def test_only_the_mental_health_advisor_or_centre_confirms(world, proposed, who):
    with pytest.raises(RegistryError):
        confirm_as(world, proposed, world.cast[who])
    assert RegistryEntry.objects.get().status == Status.PROPOSED


def confirm_as(world, entry, user, **extra):

    return confirm_entry(entry, by=user, categories=["other"], risk_level="low", plan=plan_input(world, **extra))


def test_the_centre_may_confirm(world, proposed):
    assert confirm_as(world, proposed, world.cast["supervisor"]).status == Status.ACTIVE


@pytest.mark.parametrize(
    "extra,categories,risk,message",
    [
        ({}, [], "low", "Please choose at least one category."),
        ({}, ["other"], "", "Please choose the risk level (high, medium or low)."),
        ({"college_person": None}, ["other"], "low", "Please name the responsible person at the college level."),
        (
            {"class_person": "outsider"},
            ["other"],
            "low",
            "Each responsible person must hold a post over the student (Responsible: class).",
        ),
        (
            {"dorm_leader": "wellbeing_rep"},
            ["other"],
            "low",
            "The dorm check-in goes to the dorm leader of the student's room.",
        ),
        (
            {"review_every_days": 0},
            ["other"],
            "low",
            "review every (days): please give a number of days from 1 to 366.",
        ),
    ],
)
def test_confirm_checks_its_input(world, proposed, extra, categories, risk, message):

    extra = {key: world.cast[value] if isinstance(value, str) else value for key, value in extra.items()}
    with pytest.raises(RegistryError) as caught:
        confirm_entry(
            proposed,
            by=world.cast["mental_health_advisor"],
            categories=categories,
            risk_level=risk,
            plan=plan_input(world, **extra),
        )
    assert str(caught.value) == message
    assert RegistryEntry.objects.get().status == Status.PROPOSED
    assert not CarePlan.objects.exists()


def test_a_confirmed_entry_cannot_be_confirmed_again(world, active):
    with pytest.raises(RegistryError) as caught:
        confirm(world, active)
    assert str(caught.value) == "Only a proposed entry can be confirmed."


def test_review_renews_and_may_change_risk_and_categories(world, active):
    entry = review_entry(
        active,
        by=world.cast["mental_health_advisor"],
        assessment="情绪好转",
        support="继续谈心",
        risk_level="low",
        categories=["family_change", "academic_difficulty"],
    )
    assert entry.next_review_on == timezone.localdate() + dt.timedelta(days=30)
    assert (entry.risk_level, entry.categories) == ("low", ["family_change", "academic_difficulty"])
    review = ReviewSupport.objects.get(registry_entry=entry)
    assert (review.assessment, review.support, review.student) == ("情绪好转", "继续谈心", world.in_scope)
    event = entry.events.get(kind="reviewed")
    assert event.detail["risk_level"] == ["medium", "low"]
    assert AuditEntry.objects.filter(what="care.registry.review").count() == 1


def test_review_needs_assessment_and_a_future_date(world, active):
    with pytest.raises(RegistryError) as caught:
        review_entry(active, by=world.cast["mental_health_advisor"], assessment="", support="继续")
    assert str(caught.value) == "Please fill in: assessment."
    with pytest.raises(RegistryError) as caught:
        review_entry(
            active,
            by=world.cast["mental_health_advisor"],
            assessment="好",
            support="继续",
            next_review_on=timezone.localdate(),
        )
    assert str(caught.value) == "The next review must be after today."


def test_a_proposal_cannot_be_reviewed(world, proposed):
    with pytest.raises(RegistryError):
        review_entry(proposed, by=world.cast["mental_health_advisor"], assessment="a", support="b")


def test_lapse_after_the_grace_period_is_idempotent_and_review_renews(world, active):
    today = timezone.localdate()
    RegistryEntry.objects.filter(pk=active.pk).update(next_review_on=today - dt.timedelta(days=14))
    assert lapse_overdue_entries(today) == []  # exactly 14 days overdue: not yet
    RegistryEntry.objects.filter(pk=active.pk).update(next_review_on=today - dt.timedelta(days=15))
    assert lapse_overdue_entries(today) == [active.pk]
    assert lapse_overdue_entries(today) == []
    active.refresh_from_db()
    assert active.status == Status.LAPSED
    assert kinds(active).count("lapsed") == 1
    assert AuditEntry.objects.filter(what="care.registry.lapse", actor__isnull=True).count() == 1
    entry = review_entry(active, by=world.cast["supervisor"], assessment="恢复随访", support="继续")
    assert entry.status == Status.ACTIVE


def test_removal_needs_the_colleges_request_and_the_centres_sign_off(world, active):
    with pytest.raises(RegistryError) as caught:
        request_removal(active, by=world.cast["advisor"], reason="稳定")
    assert str(caught.value) == "Only the student's college working group can request removal."
    with pytest.raises(RegistryError) as caught:
        request_removal(active, by=world.cast["mental_health_advisor"], reason=" ")
    assert str(caught.value) == "Please give the reason for removal."
    with pytest.raises(RegistryError) as caught:
        decide_removal(active, by=world.cast["supervisor"], assessment="好", approve=True)
    assert str(caught.value) == "No removal has been requested for this entry."

    entry = request_removal(active, by=world.cast["mental_health_advisor"], reason="连续三个月稳定")
    assert entry.status == Status.REMOVAL_REQUESTED
    assert Notification.objects.filter(recipient=world.cast["counsellor"], link=f"/care/entries/{entry.pk}/").exists()
    # The college cannot sign its own request off.
    for who in ("mental_health_advisor", "college_leader"):
        with pytest.raises(RegistryError) as caught:
            decide_removal(entry, by=world.cast[who], assessment="好", approve=True)
        assert str(caught.value) == "Only the psychology centre can sign off a removal."
    with pytest.raises(RegistryError) as caught:
        decide_removal(entry, by=world.cast["counsellor"], assessment="", approve=True)
    assert str(caught.value) == "Please write the centre's assessment."

    entry = decide_removal(entry, by=world.cast["counsellor"], assessment="评估稳定，同意解除", approve=True)
    assert entry.status == Status.REMOVED
    assert entry.removed_by == world.cast["counsellor"]
    assert kinds(entry) == ["proposed", "confirmed", "removal_requested", "removed"]
    plan = CarePlan.objects.get(entry=entry)
    assert plan.ended_at is not None
    assert not CheckInAssignment.objects.filter(ended_at__isnull=True).exists()
    # A new proposal after removal starts a new entry; the old history stays.
    fresh = propose(world, reason="再次出现情绪问题")
    assert fresh.pk != entry.pk
    assert RegistryEvent.objects.filter(entry=entry).count() == 4


def test_the_centre_may_decline_a_removal(world, active):
    request_removal(active, by=world.cast["college_leader"], reason="稳定")
    entry = decide_removal(active, by=world.cast["supervisor"], assessment="仍需关注", approve=False)
    assert entry.status == Status.ACTIVE
    assert kinds(entry)[-1] == "removal_declined"
    assert CheckInAssignment.objects.filter(ended_at__isnull=True).count() == 1


def test_the_daily_command_lapses_and_escalates(world, active):

    RegistryEntry.objects.filter(pk=active.pk).update(next_review_on=timezone.localdate() - dt.timedelta(days=30))
    out = StringIO()
    call_command("care_daily", stdout=out)
    assert "'lapsed': 1" in out.getvalue()
    active.refresh_from_db()
    assert active.status == Status.LAPSED
    call_command("care_daily", stdout=out)
    assert kinds(active).count("lapsed") == 1


# The moves RegistryEntry.Status declares: what each service does from each status, against the table.


def _lapse(entry, world):
    RegistryEntry.objects.filter(pk=entry.pk).update(next_review_on=timezone.localdate() - dt.timedelta(days=30))
    lapse_overdue_entries(timezone.localdate())


# service -> (how to call it, {status it works from: status it leaves}); from any other status it refuses.
REGISTRY_SERVICES = {
    "confirm": (lambda entry, world: confirm(world, entry), {Status.PROPOSED: Status.ACTIVE}),
    "review": (
        lambda entry, world: review_entry(
            entry, by=world.cast["mental_health_advisor"], assessment="情况稳定", support="继续谈心"
        ),
        {
            Status.ACTIVE: Status.ACTIVE,
            Status.LAPSED: Status.ACTIVE,
            Status.REMOVAL_REQUESTED: Status.REMOVAL_REQUESTED,
        },
    ),
    "lapse": (_lapse, {Status.ACTIVE: Status.LAPSED}),
    "request_removal": (
        lambda entry, world: request_removal(entry, by=world.cast["mental_health_advisor"], reason="连续三个月稳定"),
        {Status.ACTIVE: Status.REMOVAL_REQUESTED, Status.LAPSED: Status.REMOVAL_REQUESTED},
    ),
    "approve_removal": (
        lambda entry, world: decide_removal(entry, by=world.cast["counsellor"], assessment="同意解除", approve=True),
        {Status.REMOVAL_REQUESTED: Status.REMOVED},
    ),
    "decline_removal": (
        lambda entry, world: decide_removal(entry, by=world.cast["counsellor"], assessment="仍需关注", approve=False),
        {Status.REMOVAL_REQUESTED: Status.ACTIVE},
    ),
}


def test_the_table_holds_exactly_the_moves_the_services_make():
    made = {
        (current, after)
        for _call, works in REGISTRY_SERVICES.values()
        for current, after in works.items()
        if after != current
    }
    declared = {pair for pair in RegistryEntry.MOVES.pairs() if RegistryEntry.MOVES.allows(*pair)}
    assert made == declared
    assert RegistryEntry.MOVES.final() == {Status.REMOVED}


@pytest.mark.parametrize("current", Status.values)
@pytest.mark.parametrize("service", REGISTRY_SERVICES)
def test_each_service_works_only_from_its_statuses(world, proposed, request, service, current):
    call, works = REGISTRY_SERVICES[service]
    entry = proposed if service == "confirm" else request.getfixturevalue("active")
    RegistryEntry.objects.filter(pk=entry.pk).update(status=current)
    entry.refresh_from_db()
    if current in works:
        call(entry, world)
        entry.refresh_from_db()
        assert entry.status == works[current]
    elif service == "lapse":
        call(entry, world)  # the daily pass leaves every other status alone
        entry.refresh_from_db()
        assert entry.status == current
    else:
        with pytest.raises(RegistryError):
            call(entry, world)
