"""One notification to many people costs a fixed number of queries, and each person is told exactly what
`may_be_told` allows them, one by one (the withheld words for those without the tier)."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from xinyu.accounts.models import User
from xinyu.notify.models import Notification
from xinyu.notify.services import _create, dedupe_key, notify
from xinyu.org import scope
from xinyu.org.models import Student
from xinyu.org.scope import Tier
from xinyu.privacy.models import BreakGlassGrant

pytestmark = pytest.mark.django_db


def fresh(users) -> list[User]:
    """The users as a new request loads them: nothing cached on the objects."""
    by_pk = User.objects.in_bulk([user.pk for user in users])
    return [by_pk[user.pk] for user in users]


def test_may_each_be_told_answers_as_may_be_told_does_for_each_person(world):
    now = timezone.now()
    BreakGlassGrant.objects.create(
        person=world.cast["outsider"], student=world.in_scope, reason="夜间联系不上，室友报告有危险", granted_at=now,
        expires_at=now + dt.timedelta(minutes=30), review_due_on=timezone.localdate(),
    )  # fmt: skip
    people = list(world.cast.values())
    reloaded = Student.objects.get(pk=world.in_scope.pk)  # its class group not loaded with it: looked up
    for student in (world.in_scope, reloaded, world.other_class, world.other_college):
        for tier in Tier:
            one_by_one = [scope.may_be_told(person, [(student, tier)])[0] for person in fresh(people)]
            assert scope.may_each_be_told(fresh(people), student, tier) == one_by_one, (student, tier)
    # Not vacuous: some are told at T3 and some are not; the break-glass grant counts.
    told = dict(zip(world.cast, scope.may_each_be_told(fresh(people), world.in_scope, Tier.T3), strict=True))
    assert told["outsider"] and told["counsellor"] and not told["advisor"] and not told["dorm_leader"]


def test_notifying_many_people_costs_as_many_queries_as_notifying_two(world, settings):
    settings.NOTIFY_EMAIL = False
    holders = [person for person in world.cast.values() if scope.tier_for(person, world.in_scope)[0] >= Tier.T2]
    assert len(holders) > 4

    def queries(recipients, key) -> int:
        with CaptureQueriesContext(connection) as captured:
            notify(fresh(recipients), student=world.in_scope, tier=Tier.T2, key=key, title="请签收")
        return len(captured.captured_queries)

    assert queries(holders[:2], "two") == queries(holders, "holders")
    people = list(world.cast.values())
    notify(fresh(people), student=world.in_scope, tier=Tier.T2, key="all", title="请签收")
    items = {n.recipient_id: n for n in Notification.objects.filter(dedupe_key__startswith="all:")}
    assert set(items) == {person.pk for person in people}
    for person in people:  # each is told as may_be_told says: the details, or the withheld words without link
        may = scope.may_be_told(fresh([person])[0], [(world.in_scope, Tier.T2)])[0]
        assert (items[person.pk].title == "请签收") is may and items[person.pk].tier == (2 if may else 0)


def test_an_item_inserted_meanwhile_by_someone_else_is_skipped_not_doubled(world):
    advisor, counsellor = world.cast["advisor"], world.cast["counsellor"]
    Notification.objects.create(recipient=advisor, dedupe_key=dedupe_key("k", advisor), title="先到")
    fresh_items = [
        Notification(recipient=p, dedupe_key=dedupe_key("k", p), title="后到") for p in (advisor, counsellor)
    ]
    created = _create(fresh_items)
    assert [n.recipient_id for n in created] == [counsellor.pk]
    assert sorted(Notification.objects.values_list("title", flat=True)) == ["先到", "后到"]
