"""How far the policy's holiday calendar reaches, and when it runs out."""

import datetime as dt

from xinyu.policy.calendar import calendar_covers_until, calendar_runs_out
from xinyu.policy.loader import policy_in_force


def test_the_shipped_calendar_covers_2026_and_runs_out_within_sixty_days_of_december():
    policy = policy_in_force(dt.date(2026, 12, 3))
    assert calendar_covers_until(policy) == dt.date(2026, 12, 31)
    assert calendar_runs_out(policy, dt.date(2026, 10, 1)) is None
    assert calendar_runs_out(policy, dt.date(2026, 11, 15)) == dt.date(2026, 12, 31)
