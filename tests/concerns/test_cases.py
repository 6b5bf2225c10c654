"""Crisis cases' moves: every level to every other through raise and lower, urgency from the policy, and
closing an open case only."""

import pytest

from tests.concerns.conftest import OFFICE_TIME
from tests.helpers import freeze_time
from xinyu.concerns.errors import ConcernError
from xinyu.concerns.models import CrisisCase
from xinyu.concerns.services import cases
from xinyu.notify.models import Notification
from xinyu.policy.loader import policy_in_force

pytestmark = pytest.mark.django_db

Level = CrisisCase.Level
PAIRS = [(current, target) for current in Level.values for target in Level.values]


@freeze_time(OFFICE_TIME)
@pytest.mark.parametrize(("current", "target"), PAIRS)
def test_raising_goes_to_any_higher_level_only(crisis_world, current, target):
    w = crisis_world
    case = cases.open_case(w.in_scope, current, by=w.cast["advisor"], reason="倾向")
    if target in Level.above(current):
        cases.raise_level(case, by=w.cast["advisor"], to_level=target, reason="加重")
    else:
        with pytest.raises(ConcernError, match="higher"):
            cases.raise_level(case, by=w.cast["advisor"], to_level=target, reason="加重")
    case.refresh_from_db()
    assert case.level == (target if target in Level.above(current) else current)


@freeze_time(OFFICE_TIME)
@pytest.mark.parametrize(("current", "target"), PAIRS)
def test_lowering_goes_to_any_lower_level_only(crisis_world, current, target):
    w = crisis_world
    case = cases.open_case(w.in_scope, current, by=w.cast["advisor"], reason="倾向")
    cases.record_centre_assessment(case, by=w.cast["counsellor"], summary="风险降低")
    if target in Level.below(current):
        cases.lower_level(case, by=w.cast["advisor"], to_level=target, reason="稳定")
    else:
        with pytest.raises(ConcernError, match="lower"):
            cases.lower_level(case, by=w.cast["advisor"], to_level=target, reason="稳定")
    case.refresh_from_db()
    assert case.level == (target if target in Level.below(current) else current)


@freeze_time(OFFICE_TIME)
@pytest.mark.parametrize("level", Level.values)
def test_a_levels_notices_are_urgent_as_the_policy_says(crisis_world, level):
    w = crisis_world
    case = cases.open_case(w.in_scope, level, by=w.cast["advisor"], reason="倾向")
    urgent = level in policy_in_force(OFFICE_TIME.date()).urgent_levels
    told = Notification.objects.filter(link=f"/concerns/cases/{case.pk}/")
    assert told.exists()
    assert set(told.values_list("urgent", flat=True)) == {urgent}
    assert case.is_urgent is urgent


def test_a_case_is_open_until_closed_once():
    assert CrisisCase.MOVES.allowed(CrisisCase.Status.OPEN) == {CrisisCase.Status.CLOSED}
    assert CrisisCase.MOVES.final() == {CrisisCase.Status.CLOSED}


@freeze_time(OFFICE_TIME)
@pytest.mark.parametrize("current", CrisisCase.Status.values)
def test_closing_moves_a_case_as_the_table_says(crisis_world, current):
    w = crisis_world
    case = cases.open_case(w.in_scope, "A", by=w.cast["advisor"], reason="适应问题")
    CrisisCase.objects.filter(pk=case.pk).update(status=current)
    case.refresh_from_db()
    allowed = CrisisCase.MOVES.allows(current, CrisisCase.Status.CLOSED)
    # An open case is refused for its missing records, a closed one for being closed.
    with pytest.raises(ConcernError) as caught:
        cases.close_case(case, by=case.organiser, filing_note="归档")
    assert ("closed" in str(caught.value)) is not allowed
