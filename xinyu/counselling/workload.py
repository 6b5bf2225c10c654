"""Counselling and interview hours (课时保障, 第十三条) per staff member: sessions held, and interviews (约谈)
held whatever raised them (a screening, a report, a crisis case's follow-up, a return; the same work).
Counts and minutes only: no student is named. The workload statement (`xinyu.workforce.statement`) and
the compliance board's yearly hours read these.

An interview record has no duration; each counts the policy's `workforce.interview_minutes`.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Sum
from django.utils import timezone

from xinyu.care.models import Interview
from xinyu.counselling.models import Session
from xinyu.policy.loader import policy_in_force


@dataclass
class WorkloadRow:
    user_id: int
    username: str
    name: str
    sessions: int = 0
    session_minutes: int = 0
    interviews: int = 0
    interview_minutes: int = 0

    @property
    def session_hours(self) -> float:
        return round(self.session_minutes / 60, 1)

    @property
    def interview_hours(self) -> float:
        return round(self.interview_minutes / 60, 1)

    @property
    def total_hours(self) -> float:
        return round((self.session_minutes + self.interview_minutes) / 60, 1)


def moments(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """Midnight in Asia/Shanghai at the start of `start` and of `end` (exclusive)."""
    zone = timezone.get_current_timezone()
    return dt.datetime.combine(start, dt.time(), tzinfo=zone), dt.datetime.combine(end, dt.time(), tzinfo=zone)


def session_totals(start: dt.date, end: dt.date) -> dict[int, tuple[int, int]]:
    """Counsellor id → (sessions, minutes) of counselling held in [start, end)."""
    since, until = moments(start, end)
    rows = (
        Session.objects.filter(held_at__gte=since, held_at__lt=until)
        .values("counsellor")
        .annotate(n=Count("pk"), minutes=Sum("duration_minutes"))
    )
    return {row["counsellor"]: (row["n"], row["minutes"] or 0) for row in rows}


def interview_totals(start: dt.date, end: dt.date) -> dict[int, tuple[int, int]]:
    """Staff id → (interviews, minutes) held in [start, end), each counting the policy's interview length."""
    since, until = moments(start, end)
    minutes = policy_in_force(start).workforce.interview_minutes
    rows = (
        Interview.objects.filter(conducted_at__gte=since, conducted_at__lt=until, conducted_by__isnull=False)
        .values("conducted_by")
        .annotate(n=Count("pk"))
    )
    return {row["conducted_by"]: (row["n"], row["n"] * minutes) for row in rows}
