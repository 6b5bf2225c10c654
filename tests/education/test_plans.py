"""The work plan's services, its summary for the year, and its items in "my work"."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.education.conftest import activity
from tests.helpers import walk_move
from xinyu.education import plans
from xinyu.education.models import Activity, Level, Plan, PlanItem
from xinyu.education.plans import PlanError, plan_summary
from xinyu.education.sources import plan_work

pytestmark = pytest.mark.django_db


def test_start_plan_is_for_drafters_and_gives_one_plan_a_year(world):
    cast, year = world.cast, 2027
    plan = plans.start_plan(by=cast["student_affairs"], school_id=world.school.pk, college_id=None, year=year)
    again = plans.start_plan(by=cast["student_affairs"], school_id=world.school.pk, college_id=None, year=year)
    assert again == plan and Plan.objects.filter(year=year).count() == 1
    college = plans.start_plan(
        by=cast["mental_health_advisor"], school_id=world.school.pk, college_id=world.college_a.pk, year=year
    )
    assert (college.college, college.status) == (world.college_a, Plan.Status.DRAFT)
    for who, college_id in (
        ("supervisor", None),
        ("head_teacher", world.college_a.pk),
        ("outsider", world.college_a.pk),
        ("mental_health_advisor", None),
    ):
        with pytest.raises(PlanError):
            plans.start_plan(by=cast[who], school_id=world.school.pk, college_id=college_id, year=year)


def test_add_item_checks_owner_date_level_and_measure(world, records):
    plan, by = records["college_plan"], world.cast["college_leader"]
    good = {
        "title": "班会",
        "article": "第九条（一）",
        "owner": world.cast["head_teacher"],
        "due_on": dt.date(plan.year, 11, 30),
        "level": Level.CLASS,
        "measure": "class_meetings",
    }
    item = plans.add_item(plan, by=by, **good)
    assert (item.title, item.owner, item.measure) == ("班会", world.cast["head_teacher"], "class_meetings")
    for change in (
        {"title": " "},
        {"owner": world.cast["outsider"]},
        {"owner": world.cast["wellbeing_rep"]},
        {"due_on": dt.date(plan.year - 1, 1, 1)},
        {"level": "dorm"},
        {"measure": "nonsense"},
    ):
        with pytest.raises(PlanError):
            plans.add_item(plan, by=by, **(good | change))
    with pytest.raises(PlanError):
        plans.add_item(plan, by=world.cast["head_teacher"], **good)


@pytest.mark.parametrize(("current", "target"), list(Plan.MOVES.pairs()))
def test_plan_status_moves_follow_the_table(world, records, current, target):
    plan = records["school_plan"]
    walk_move(
        Plan.MOVES,
        plan,
        current,
        target,
        lambda record: plans.set_status(record, target, by=world.cast["student_affairs"]),
        error=PlanError,
    )


def test_an_empty_plan_is_not_published(world):
    plan = Plan.objects.create(school=world.school, year=2027)
    with pytest.raises(PlanError):
        plans.set_status(plan, Plan.Status.PUBLISHED, by=world.cast["student_affairs"])


def test_items_of_a_published_plan_are_not_removed(world, records):
    item = records["school_plan"].items.get()
    with pytest.raises(PlanError):
        plans.remove_item(item, by=world.cast["student_affairs"])
    Plan.objects.filter(pk=item.plan_id).update(status=Plan.Status.DRAFT)
    item.refresh_from_db()
    plans.remove_item(item, by=world.cast["student_affairs"])
    assert not PlanItem.objects.filter(pk=item.pk).exists()


def test_complete_item_by_owner_or_drafter_once(world, records):
    item = records["college_plan"].items.get()
    with pytest.raises(PlanError):
        plans.complete_item(item, by=world.cast["advisor"])
    plans.complete_item(item, by=world.cast["college_leader"])  # a drafter of the college plan
    with pytest.raises(PlanError):
        plans.complete_item(item, by=world.cast["mental_health_advisor"])


def test_plan_summary_counts_published_items_done_and_late(world, records):
    today = timezone.localdate()
    summary = plan_summary(world.school, today.year)
    # Only the school's plan is published; its measured item is not complete (1 of 3 classes) nor late.
    assert (summary["total"], summary["done"], summary["overdue"]) == (1, 0, 0)
    [row] = summary["items"]
    assert (row["progress"].total, row["progress"].unit) == (3, "classes")
    Plan.objects.filter(pk=records["college_plan"].pk).update(status=Plan.Status.PUBLISHED)
    summary = plan_summary(world.school, today.year)
    assert (summary["total"], summary["done"], summary["overdue"]) == (2, 0, 1)
    for group in (world.a2, world.b1):
        activity(
            world,
            kind=Activity.Kind.CLASS_MEETING,
            level=Level.CLASS,
            title="班会",
            held_on=today,
            organiser=world.cast["head_teacher"],
            college=group.college,
            class_group=group,
        )
    activity(
        world,
        kind=Activity.Kind.CLASS_MEETING,
        level=Level.CLASS,
        title="班会",
        held_on=today,
        organiser=world.cast["head_teacher"],
        college=world.college_a,
        class_group=world.a1,
    )
    summary = plan_summary(world.school, today.year)
    assert (summary["done"], summary["overdue"]) == (1, 1)
    assert plan_summary(world.school, today.year - 1)["total"] == 0


def test_plan_items_due_or_late_are_in_the_owners_and_student_affairs_work(world, records):
    now = timezone.now()
    Plan.objects.filter(pk=records["college_plan"].pk).update(status=Plan.Status.PUBLISHED)
    mine = plan_work(world.cast["mental_health_advisor"], now)
    assert [(item.title, item.overdue, item.tier, item.student) for item in mine.items] == [
        ("学院心理健康讲座", True, 0, None)
    ]
    overseen = plan_work(world.cast["student_affairs"], now)
    assert [item.title for item in overseen.items] == ["学院心理健康讲座", "每班每学期至少一次心理主题班会"]
    assert plan_work(world.cast["head_teacher"], now) is None
    assert plan_work(world.cast["outsider"], now) is None
    # Done items leave the list; items due later than two weeks are not in it yet.
    plans.complete_item(records["college_plan"].items.get(), by=world.cast["mental_health_advisor"])
    PlanItem.objects.filter(plan=records["school_plan"]).update(due_on=timezone.localdate() + dt.timedelta(days=30))
    assert plan_work(world.cast["student_affairs"], now).items == []
    assert plan_work(world.cast["mental_health_advisor"], now).items == []
