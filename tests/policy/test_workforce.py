from decimal import Decimal

import pytest

from xinyu.org.models import Post
from xinyu.policy.loader import policy_in_force
from xinyu.policy.workforce import (
    DEFAULT_TRAINING_MINIMUM_HOURS,
    WorkforceRulesError,
    parse_workforce,
)


def test_the_defaults_name_real_posts():
    assert set(DEFAULT_TRAINING_MINIMUM_HOURS) <= set(Post.values)


def test_the_policy_file_sets_minimums_and_conversion():
    rules = policy_in_force().workforce
    assert rules.training_minimum_hours["centre_counsellor"] == 40
    assert rules.minimum_hours([Post.HEAD_TEACHER, Post.ADVISOR]) == 16
    assert rules.minimum_hours([Post.DORM_LEADER]) is None
    assert rules.class_hours("counselling", 90) == Decimal("1.5")
    assert rules.class_hours("course", 90) == Decimal("2.0")  # two 45-minute class periods
    assert rules.class_hours("activity", 120) == Decimal("1.0")
    assert rules.class_hours("supervision_received", 120) == Decimal("0.0")


@pytest.mark.parametrize(
    ("raw", "where"),
    [
        ({"training_minimum_hours": {"advisor": -1}}, "training_minimum_hours.advisor"),
        ({"class_period_minutes": 90}, "class_period_minutes"),
        ({"interview_minutes": 0}, "interview_minutes"),
        ({"class_hours_per_hour": {"gardening": 1}}, "class_hours_per_hour.gardening"),
        ({"class_hours_per_hour": {"course": "many"}}, "class_hours_per_hour.course"),
    ],
)
def test_bad_values_are_refused_saying_where(raw, where):
    with pytest.raises(WorkforceRulesError, match=where):
        parse_workforce(raw)
