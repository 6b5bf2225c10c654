"""Workload for 课时保障 (第十三条): counselling hours (sessions) and interview hours (约谈 held, whatever
raised them: a screening, a report, a crisis case's follow-up, a return; the same work) per staff member
per month. Counts and hours only: no student is named.

An interview record has no duration; each counts INTERVIEW_DEFAULT_MINUTES (a module setting until the
policy file has one).
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Sum
from django.utils import timezone

from xinyu.accounts.models import User
from xinyu.care.models import Interview
from xinyu.counselling.models import Session
from xinyu.roster import export

INTERVIEW_DEFAULT_MINUTES = 30

EXPORT_HEADERS = [
    "月份",
    "工号",
    "姓名",
    "咨询次数",
    "咨询时长（小时）",
    "约谈次数",
    "约谈时长（小时）",
    "合计（小时）",
]
EXPORT_WIDTHS = [10, 12, 12, 10, 16, 10, 16, 12]


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


def month_bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    zone = timezone.get_current_timezone()
    first = month.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return dt.datetime.combine(first, dt.time(), tzinfo=zone), dt.datetime.combine(following, dt.time(), tzinfo=zone)


def parse_month(text: str | None) -> dt.date:
    """'2026-11' → 1 Nov 2026; anything else → this month."""
    try:
        year, month = (int(part) for part in (text or "").split("-"))
        return dt.date(year, month, 1)
    except (ValueError, TypeError):
        return timezone.localdate().replace(day=1)


def workload(month: dt.date, *, only_user=None) -> list[WorkloadRow]:
    """One row per staff member with sessions or interviews in the month (or just `only_user`), by name."""

    start, end = month_bounds(month)
    sessions = Session.objects.filter(held_at__gte=start, held_at__lt=end)
    interviews = Interview.objects.filter(conducted_at__gte=start, conducted_at__lt=end, conducted_by__isnull=False)
    if only_user is not None:
        sessions = sessions.filter(counsellor=only_user)
        interviews = interviews.filter(conducted_by=only_user)
    rows: dict[int, WorkloadRow] = {}
    session_totals = sessions.values("counsellor").annotate(n=Count("pk"), minutes=Sum("duration_minutes"))
    interview_totals = interviews.values("conducted_by").annotate(n=Count("pk"))
    people = {}
    for row in session_totals:
        people.setdefault(row["counsellor"], {})["sessions"] = (row["n"], row["minutes"] or 0)
    for row in interview_totals:
        people.setdefault(row["conducted_by"], {})["interviews"] = row["n"]
    if only_user is not None:
        people.setdefault(only_user.pk, {})
    users = {user.pk: user for user in User.objects.filter(pk__in=people)}
    for user_id, totals in people.items():
        user = users[user_id]
        n_sessions, minutes = totals.get("sessions", (0, 0))
        n_interviews = totals.get("interviews", 0)
        rows[user_id] = WorkloadRow(
            user_id, user.username, user.full_name, n_sessions, minutes, n_interviews,
            n_interviews * INTERVIEW_DEFAULT_MINUTES,
        )  # fmt: skip
    return sorted(rows.values(), key=lambda row: (row.name, row.username))


def export_rows(month: dt.date, rows: list[WorkloadRow]):
    label = month.strftime("%Y-%m")
    for row in rows:
        yield [
            label, row.username, row.name, row.sessions, row.session_hours, row.interviews, row.interview_hours,
            row.total_hours,
        ]  # fmt: skip


def to_xlsx(month: dt.date, rows: list[WorkloadRow]) -> tuple[bytes, int]:
    """Formula-safe: every cell goes through xinyu.roster.export, which neutralises = + - @."""
    return export.to_xlsx("工作量", EXPORT_HEADERS, export_rows(month, rows), EXPORT_WIDTHS)
