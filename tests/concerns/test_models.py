"""The crisis level's order (the Level enum) and its urgency (the policy the case was opened under)."""

import pytest

from tests.factories import UserFactory
from xinyu.concerns.models import CrisisCase

Level = CrisisCase.Level

pytestmark = pytest.mark.django_db


def test_levels_rank_in_the_order_they_are_declared():
    assert [level.rank for level in Level] == [0, 1, 2, 3]
    assert [level.value for level in sorted(Level, key=lambda level: level.rank)] == ["A", "B", "C", "D"]


@pytest.mark.parametrize("level", Level.values)
def test_above_and_below_split_the_other_levels(level):
    assert set(Level.above(level)) | set(Level.below(level)) == set(Level.values) - {level}
    assert all(Level(other).rank > Level(level).rank for other in Level.above(level))
    assert all(Level(other).rank < Level(level).rank for other in Level.below(level))


def test_the_ends_have_nothing_beyond_them():
    assert Level.above("D") == () and Level.below("A") == ()
    assert Level.above("A") == ("B", "C", "D") and Level.below("D") == ("A", "B", "C")


@pytest.mark.parametrize(("level", "urgent", "higher", "lower"), [
    ("A", False, True, False), ("B", False, True, True), ("C", True, True, True), ("D", True, False, True),
])  # fmt: skip
def test_a_case_knows_whether_it_is_urgent_and_where_it_can_go(world, level, urgent, higher, lower):
    case = CrisisCase(student=world.in_scope, level=level, opened_by=UserFactory(), policy_key="quzhou-2021@1")
    assert (case.is_urgent, case.has_higher_level, case.has_lower_level) == (urgent, higher, lower)
