"""Deadlines on two clocks: round-the-clock minutes, and office minutes (office hours on working days,
Chinese public holidays off and adjusted working days on, as the policy lists them)."""

import datetime as dt

from django.utils import timezone

from xinyu.policy.loader import Deadline, Policy


def is_working_day(policy: Policy, day: dt.date) -> bool:
    if day in policy.working_days:
        return True
    if day in policy.holidays:
        return False
    return day.isoweekday() in policy.weekdays


def is_office_time(policy: Policy, moment: dt.datetime) -> bool:
    local = timezone.localtime(moment)
    if not is_working_day(policy, local.date()):
        return False
    return any(start <= local.time() < end for start, end in policy.office_periods)


def add_office_minutes(policy: Policy, start: dt.datetime, minutes: int) -> dt.datetime:
    """The moment `minutes` of office time after `start` (counting starts at the next office period)."""
    tz = timezone.get_current_timezone()
    local = timezone.localtime(start)
    remaining = dt.timedelta(minutes=minutes)
    day = local.date()
    for _ in range(3660):  # ten years of days: a policy with no office time at all fails loudly below
        if is_working_day(policy, day):
            for begin, end in policy.office_periods:
                period_start = dt.datetime.combine(day, begin, tzinfo=tz)
                period_end = dt.datetime.combine(day, end, tzinfo=tz)
                if period_end <= local:
                    continue
                counted_from = max(period_start, local)
                available = period_end - counted_from
                if remaining <= available:
                    return counted_from + remaining
                remaining -= available
        day += dt.timedelta(days=1)
    raise ValueError("the policy has no office time")


def due_at(policy: Policy, start: dt.datetime, deadline: Deadline) -> dt.datetime:
    if deadline.clock == "office":
        return add_office_minutes(policy, start, deadline.minutes)
    return start + dt.timedelta(minutes=deadline.minutes)


def calendar_covers_until(policy: Policy) -> dt.date | None:
    """The last day the policy's holiday calendar speaks for: 31 December of the latest year it lists a
    holiday or an adjusted working day in (None for a policy without a calendar)."""
    days = policy.holidays | policy.working_days
    return dt.date(max(days).year, 12, 31) if days else None


def calendar_runs_out(policy: Policy, today: dt.date, *, within_days: int = 60) -> dt.date | None:
    """The last covered day when the calendar does not reach `within_days` past `today`; otherwise None.
    Past it, office-hour deadlines would count next year's public holidays as working time."""
    covered = calendar_covers_until(policy)
    if covered is not None and covered < today + dt.timedelta(days=within_days):
        return covered
    return None
