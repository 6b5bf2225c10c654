"""One workload statement (第十三条 对心理约谈和心理咨询工作量给予课时保障; 第十五条 兼职教师按学校有关规定计算工作量):
per staff member and period, the hours of each kind of mental-health work and their 课时 by the policy's
conversion. Each app says how much of its work each person did (`SOURCES`); this module only adds them
up. Counts and hours only: no student is named.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from xinyu.accounts.models import User
from xinyu.counselling import workload as counselling
from xinyu.courses.workload import teaching_minutes
from xinyu.education.workload import organised_activities
from xinyu.policy.loader import policy_in_force
from xinyu.policy.workforce import WORK_KINDS
from xinyu.roster import export
from xinyu.training.workload import training_minutes
from xinyu.workforce.supervision import supervision_minutes

KIND_LABELS = {
    "counselling": _("Counselling"),
    "interview": _("Interviews"),
    "supervision_given": _("Supervision given"),
    "supervision_received": _("Supervision received"),
    "training_given": _("Training given"),
    "course": _("Course teaching"),
    "activity": _("Activities organised"),
}
assert set(KIND_LABELS) == set(WORK_KINDS)

# A source: (start, end) → {user id: (count or None, minutes)}; dates, end exclusive.
Totals = dict[int, tuple[int | None, int]]


def _minutes_only(totals: dict[int, int]) -> Totals:
    return {user_id: (None, minutes) for user_id, minutes in totals.items()}


SOURCES: dict[str, Callable[[dt.date, dt.date], Totals]] = {
    "counselling": counselling.session_totals,
    "interview": counselling.interview_totals,
    "supervision_given": lambda start, end: _minutes_only(supervision_minutes(start, end)[0]),
    "supervision_received": lambda start, end: _minutes_only(supervision_minutes(start, end)[1]),
    "training_given": lambda start, end: _minutes_only(training_minutes(start, end)[1]),
    "course": lambda start, end: _minutes_only(teaching_minutes(start, end)),
    "activity": organised_activities,
}


@dataclass
class Line:
    kind: str
    count: int | None
    minutes: int
    class_hours: Decimal

    @property
    def label(self):
        return KIND_LABELS[self.kind]

    @property
    def hours(self) -> Decimal:
        return hours(self.minutes)


@dataclass
class StatementRow:
    user_id: int
    username: str
    name: str
    lines: dict[str, Line] = field(default_factory=dict)

    def line(self, kind: str) -> Line | None:
        return self.lines.get(kind)

    @property
    def cells(self) -> list[Line | None]:
        return [self.lines.get(kind) for kind in WORK_KINDS]

    @property
    def total_hours(self) -> Decimal:
        return hours(sum(line.minutes for line in self.lines.values()))

    @property
    def total_class_hours(self) -> Decimal:
        return sum((line.class_hours for line in self.lines.values()), Decimal("0.0"))


def hours(minutes: int) -> Decimal:
    return (Decimal(minutes) / 60).quantize(Decimal("0.1"))


def statement(start: dt.date, end: dt.date, *, only_user=None) -> list[StatementRow]:
    """One row per staff member with any of this work in [start, end) (or just `only_user`, even with
    none), by name."""
    rules = policy_in_force(start).workforce
    people: dict[int, dict[str, tuple[int | None, int]]] = {}
    for kind in WORK_KINDS:
        for user_id, (count, minutes) in SOURCES[kind](start, end).items():
            if only_user is not None and user_id != only_user.pk:
                continue
            if count or minutes:
                people.setdefault(user_id, {})[kind] = (count, minutes)
    if only_user is not None:
        people.setdefault(only_user.pk, {})
    users = User.objects.filter(pk__in=people).only("pk", "username", "full_name")
    rows = []
    for user in users:
        row = StatementRow(user.pk, user.username, user.full_name)
        for kind, (count, minutes) in people[user.pk].items():
            row.lines[kind] = Line(kind, count, minutes, rules.class_hours(kind, minutes))
        rows.append(row)
    return sorted(rows, key=lambda row: (row.name, row.username))


def totals(rows: list[StatementRow]) -> StatementRow:
    """The column sums, as a row."""
    total = StatementRow(0, "", str(_("Total")))
    for kind in WORK_KINDS:
        lines = [row.lines[kind] for row in rows if kind in row.lines]
        if lines:
            counts = [line.count for line in lines if line.count is not None]
            minutes = sum(line.minutes for line in lines)
            total.lines[kind] = Line(
                kind, sum(counts) if counts else None, minutes, sum((line.class_hours for line in lines), Decimal(0))
            )
    return total


def export_headers() -> list[str]:
    headers = ["工号", "姓名"]
    for kind in WORK_KINDS:
        label = str(KIND_LABELS[kind])
        headers += [f"{label}（小时）", f"{label}（课时）"]
    return [*headers, "合计（小时）", "合计（课时）"]


def export_rows(rows: list[StatementRow]):
    for row in rows:
        cells: list = [row.username, row.name]
        for line in row.cells:
            cells += [float(line.hours), float(line.class_hours)] if line else [0, 0]
        yield [*cells, float(row.total_hours), float(row.total_class_hours)]


def to_xlsx(title: str, rows: list[StatementRow]) -> tuple[bytes, int]:
    """Formula-safe: every cell goes through xinyu.roster.export, which neutralises = + - @."""
    headers = export_headers()
    widths = [12, 12] + [14] * (len(headers) - 2)
    return export.to_xlsx(title[:31], headers, export_rows(rows), widths)
