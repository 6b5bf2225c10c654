"""How far the policy's holiday calendar reaches, and when it runs out."""

import datetime as dt

from django.utils import timezone

from xinyu.policy import checks
from xinyu.policy.calendar import calendar_covers_until, calendar_runs_out
from xinyu.policy.checks import calendar_warning
from xinyu.policy.loader import policy_in_force


def test_the_shipped_calendar_covers_2026_and_runs_out_within_sixty_days_of_december():
    policy = policy_in_force(dt.date(2026, 12, 3))
    assert calendar_covers_until(policy) == dt.date(2026, 12, 31)
    assert calendar_runs_out(policy, dt.date(2026, 10, 1)) is None
    assert calendar_runs_out(policy, dt.date(2026, 11, 15)) == dt.date(2026, 12, 31)


def test_the_system_check_warns_in_chinese_with_a_hint_when_the_calendar_runs_out():
    warning = calendar_warning(dt.date(2026, 11, 15))
    assert warning is not None
    assert warning.id == "xinyu.W001"
    assert warning.level == 30  # a Warning: `check --fail-level WARNING` stops on it
    assert "2026-12-31" in warning.msg and "节假日" in warning.msg
    assert "2027 年部分节假日安排" in warning.hint and "policy/quzhou-2021.toml" in warning.hint
    assert calendar_warning(dt.date(2026, 10, 1)) is None


def test_the_registered_check_uses_today(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda: dt.date(2026, 6, 1))
    assert checks.check_calendar() == []
    monkeypatch.setattr(timezone, "localdate", lambda: dt.date(2026, 12, 7))
    assert [warning.id for warning in checks.check_calendar()] == ["xinyu.W001"]
