"""The demo seed for the registry: what it makes, deterministic by seed."""

import pytest
from django.db import transaction

from tests.factories import student_with_account
from xinyu.care.demo import seed_care
from xinyu.care.models import CarePlan, RegistryEntry


class Rollback(Exception):
    pass


@pytest.fixture
def school(world):
    for n in range(8):
        group = (world.a1, world.a2, world.b1)[n % 3]
        student_with_account(name=f"学生{n}", student_number=f"20259000{n:02d}", class_group=group, school=world.school)
    return world.school


def test_seed_makes_active_proposed_lapsed_removed_and_a_check_in(world, school):
    result = seed_care(school, 3)
    assert len(result.active) == 8  # every student left over, up to thirty
    assert all(entry.status == "active" and entry.plan.college_person for entry in result.active)
    assert {entry.student.class_group.college_id for entry in result.active} == {world.college_a.pk, world.college_b.pk}
    assert result.proposed.status == "proposed"
    assert result.lapsed.status == "lapsed"
    assert result.removed.status == "removed"
    assert list(result.removed.events.values_list("kind", flat=True)) == [
        "proposed",
        "confirmed",
        "reviewed",
        "removal_requested",
        "removed",
    ]
    assert (result.check_in.dorm_leader, result.check_in.student) == (world.cast["dorm_leader"], world.in_scope)
    assert CarePlan.objects.filter(ended_at__isnull=True).count() == 9  # the active ones and the lapsed one
    assert RegistryEntry.objects.exclude(status="removed").count() == 10


def test_seed_is_deterministic(world, school):
    picks = []
    for _ in range(2):
        with pytest.raises(Rollback), transaction.atomic():
            result = seed_care(school, 5)
            picks.append(
                (
                    [e.student_id for e in result.active],
                    result.proposed.student_id,
                    result.lapsed.student_id,
                    result.removed.student_id,
                    [e.risk_level for e in result.active],
                )
            )
            raise Rollback
    assert picks[0] == picks[1]
