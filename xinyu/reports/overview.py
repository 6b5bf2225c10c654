"""What 学工部 and the leading group read across colleges: the month × college grid (sent, late, missing,
returned …) and the school's summary of a month, summed from the reports sent. For the leading group the
summary's small cells are suppressed (DESIGN.md §10): a count from 1 to 4 shows as "<5", and when one part
of a group that adds up to a shown total is suppressed, the next smallest part is too, so that it cannot be
recovered by subtraction."""

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xinyu.org.models import College
from xinyu.reports.figures import figure, figure_rows, month_start
from xinyu.reports.models import MonthlyReport
from xinyu.reports.monthly import due_on
from xinyu.reports.suppression import SMALL, suppress_table

Status = MonthlyReport.Status
# Parts that add up to a shown total (the concern reports'): one hidden part takes the next smallest with it.
GROUPS = (("concern_reports", "by_source"), ("concern_reports", "by_outcome"))

STATES = {
    "sent": _("Sent"),
    "late": _("Sent late"),
    "returned": _("Returned for changes"),
    "awaiting_approval": _("Awaiting approval"),
    "draft": _("Being drafted"),
    "missing": _("Missing"),
    "not_due": _("Not due yet"),
}


def state_of(report: MonthlyReport | None, month: dt.date, today: dt.date) -> str:
    if report is not None and report.status == Status.SENT:
        return "late" if report.was_late else "sent"
    if report is not None and report.status == Status.RETURNED:
        return "returned"
    if today > due_on(month):
        return "missing"
    if report is None:
        return "not_due"
    return str(report.status)


@dataclass
class Cell:
    month: dt.date
    state: str
    report: MonthlyReport | None

    @property
    def label(self) -> str:
        return str(STATES[self.state])


@dataclass
class GridRow:
    college: College
    cells: list[Cell] = field(default_factory=list)


def _current(colleges, months) -> dict:
    reports = MonthlyReport.objects.filter(college__in=colleges, month__in=months).exclude(status=Status.SUPERSEDED)
    return {(report.college_id, report.month): report for report in reports}


def months_of(year: int, today: dt.date) -> list[dt.date]:
    """The months of `year` that have begun."""
    return [dt.date(year, month, 1) for month in range(1, 13) if dt.date(year, month, 1) <= today]


def grid(colleges, year: int, today: dt.date | None = None) -> list[GridRow]:
    today = today or timezone.localdate()
    months = months_of(year, today)
    colleges = list(colleges.order_by("code"))
    current = _current(colleges, months)
    return [
        GridRow(college, [Cell(m, state_of(current.get((college.pk, m)), m, today), current.get((college.pk, m)))
                          for m in months])
        for college in colleges
    ]  # fmt: skip


@dataclass
class SummaryRow:
    label: str
    value: int | None  # None: suppressed
    path: tuple


@dataclass
class Summary:
    month: dt.date
    rows: list[SummaryRow]
    colleges: list[tuple[College, Cell]]  # each college and its report's state
    counted: int  # colleges whose sent report is summed
    suppressed: bool


def _suppress(rows: list[SummaryRow]) -> None:
    """Counts from 1 to SMALL − 1 hidden; within each group of parts, the complement (suppression.py)."""
    for group in GROUPS:
        parts = [row for row in rows if row.path[: len(group)] == group and len(row.path) == len(group) + 1]
        hidden = suppress_table({"": {row.path: row.value for row in parts}})[""]
        for row in parts:
            row.value = hidden[row.path]
    for row in rows:
        if row.value is not None and 0 < row.value < SMALL:
            row.value = None


def month_summary(colleges, month: dt.date, *, suppress: bool, today: dt.date | None = None) -> Summary:
    """The month's figures summed over the colleges' sent reports (frozen figures), and each college's state."""
    today = today or timezone.localdate()
    month = month_start(month)
    colleges = list(colleges.order_by("code"))
    current = _current(colleges, [month])
    sent = [report for report in current.values() if report.status == Status.SENT]
    rows = []
    for label, path in figure_rows():
        values = [figure(report.figures, path) for report in sent]
        rows.append(SummaryRow(label, sum(value for value in values if isinstance(value, int)), path))
    if suppress:
        _suppress(rows)
    reports = [(college, current.get((college.pk, month))) for college in colleges]
    states = [(college, Cell(month, state_of(report, month, today), report)) for college, report in reports]
    return Summary(month, rows, states, len(sent), suppress)


def previous_month(month: dt.date) -> dt.date:
    return month_start(month_start(month) - dt.timedelta(days=1))
