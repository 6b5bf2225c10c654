"""The students' mental-health status report (第十六条: 大学生心理健康状况专题研究): a school's year, from its
screening rounds and records — participation; each instrument's results by band, school-wide and by
college, grade and gender; red flags; the same cohorts against the year before; crisis cases by level and
month; the key-concern registry's size at each month's end. Counts only, and every cell under 5 people
suppressed with complementary suppression (DESIGN.md §10), so the report names nobody and nothing can be
worked out from its totals. The charts are one description (`Chart`) drawn by ECharts in the page and by
matplotlib in the Word file."""

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from xinyu.care.models import RegistryEntry
from xinyu.concerns.models import CrisisCase
from xinyu.reports.figures import bounds
from xinyu.reports.suppression import SMALL, suppress_table
from xinyu.screening.labels import outcome_label, severity_label
from xinyu.screening.models import Campaign, Participation, Result

# A result "needs attention" from this severity on (the same cut the screening triage makes an interview at).
ATTENTION = ("mild", "moderate", "moderately_severe", "severe")


@dataclass
class Chart:
    key: str
    title: str
    categories: list[str]
    series: list[tuple[str, list]]  # (name, one value per category; None where suppressed)
    kind: str = "bar"  # "bar" or "line"
    stacked: bool = False

    def echarts(self) -> dict:
        """ECharts options (SVG renderer, plain-text tooltips: the page's CSP allows no inline styles)."""
        return {
            "tooltip": {"trigger": "axis", "renderMode": "richText"},
            "legend": {"top": 0},
            "grid": {"left": 40, "right": 16, "top": 36, "bottom": 40},
            "xAxis": {"type": "category", "data": self.categories, "axisLabel": {"interval": 0, "rotate": 30}},
            "yAxis": {"type": "value", "minInterval": 1},
            "series": [
                {"name": name, "type": self.kind, "data": values, **({"stack": "all"} if self.stacked else {})}
                for name, values in self.series
            ],
        }


@dataclass
class Table:
    title: str
    columns: list[str]
    rows: list[tuple[str, list]]  # (row label, values; None where suppressed)


@dataclass
class StatusReport:
    school: object
    year: int
    participation: list[tuple[str, int, int]] = field(default_factory=list)  # (round, invited, answered)
    tables: list[Table] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)


def _outcome(result) -> str:
    return outcome_label(result) or severity_label(result.severity) or _("Not classified")


def _distribution(results, label_of) -> tuple[list[str], dict]:
    """Bands as columns (in the order first met, by severity), groups as rows: {group: {band: n}}."""
    counts: dict = defaultdict(Counter)
    order: dict = {}
    for result in results:
        band = _outcome(result)
        order.setdefault(band, ATTENTION.index(result.severity) if result.severity in ATTENTION else -1)
        counts[label_of(result)][band] += 1
    columns = sorted(order, key=lambda band: order[band])
    return columns, counts


def _table(title: str, columns: list[str], counts: dict) -> Table:
    grid = {group: {column: counts[group].get(column, 0) for column in columns} for group in sorted(counts)}
    hidden = suppress_table(grid)
    return Table(title, columns, [(group, [hidden[group][column] for column in columns]) for group in sorted(hidden)])


def _instrument_parts(report: StatusReport, code: str, name: str, results: list) -> None:
    columns, school_wide = _distribution(results, lambda result: _("Whole school"))
    whole = suppress_table({"": {column: school_wide[_("Whole school")].get(column, 0) for column in columns}})[""]
    report.charts.append(
        Chart(f"bands-{code}", _("%(instrument)s: results by band") % {"instrument": name}, columns,
              [(_("Students"), [whole[column] for column in columns])])
    )  # fmt: skip
    for title, label_of in (
        (_("%(instrument)s by college"), lambda r: r.student.class_group.college.name),
        (_("%(instrument)s by grade"), lambda r: f"{r.student.enrolment_year}级"),
        (_("%(instrument)s by gender"), lambda r: r.student.get_gender_display()),
    ):
        cols, counts = _distribution(results, label_of)
        report.tables.append(_table(title % {"instrument": name}, cols, counts))


def _flags(results) -> Counter:
    flagged = Counter()
    for result in results:
        if any(flag.get("red_flag") for flag in result.flags or ()):
            flagged[result.instrument.name] += 1
    return flagged


def _cohorts(school, year: int, this_year: list) -> Table:
    """Per cohort (enrolment year) and instrument: the share needing attention this year and the year
    before, where both have at least SMALL results."""
    last = list(
        Result.objects.filter(campaign__school=school, campaign__opens_at__year=year - 1).select_related(
            "student", "instrument"
        )
    )

    def shares(results):
        totals, attention = Counter(), Counter()
        for result in results:
            key = (result.student.enrolment_year, result.instrument.name)
            totals[key] += 1
            attention[key] += result.severity in ATTENTION
        return totals, attention

    (now_total, now_attention), (then_total, then_attention) = shares(this_year), shares(last)
    rows = []
    for key in sorted(set(now_total) & set(then_total)):
        if now_total[key] >= SMALL and then_total[key] >= SMALL:
            label = f"{key[0]}级 {key[1]}"
            rows.append((label, [round(100 * then_attention[key] / then_total[key]),
                                 round(100 * now_attention[key] / now_total[key])]))  # fmt: skip
    return Table(_("The same cohorts, share needing attention (%)"), [str(year - 1), str(year)], rows)


def _months(year: int) -> list[dt.date]:
    return [dt.date(year, month, 1) for month in range(1, 13)]


def _crisis_by_month(school, year: int) -> Chart:
    opened = CrisisCase.objects.filter(student__school=school, is_drill=False, opened_at__year=year)
    counts = Counter(
        (timezone.localtime(case.opened_at).month, case.level) for case in opened.only("opened_at", "level")
    )
    levels = list(CrisisCase.Level)
    grid = {str(level.label): {month: counts[(month, level.value)] for month in range(1, 13)} for level in levels}
    hidden = suppress_table(grid)
    return Chart("crisis-by-month", _("Crisis cases opened by month and level"), [f"{m}月" for m in range(1, 13)],
                 [(name, [hidden[name][m] for m in range(1, 13)]) for name in hidden], stacked=True)  # fmt: skip


def _registry_by_month(school, year: int) -> Chart:
    entries = RegistryEntry.objects.filter(student__school=school)
    sizes = []
    for month in _months(year):
        end = bounds(month)[1]
        size = entries.filter(confirmed_at__lt=end).filter(Q(removed_at__isnull=True) | Q(removed_at__gte=end)).count()
        sizes.append(size if size == 0 or size >= SMALL else None)
    return Chart("registry-by-month", _("Students on the key-concern registry at each month's end"),
                 [f"{m}月" for m in range(1, 13)], [(_("Students"), sizes)], kind="line")  # fmt: skip


def status_report(school, year: int) -> StatusReport:
    report = StatusReport(school, year)
    campaigns = list(Campaign.objects.filter(school=school, opens_at__year=year).order_by("opens_at"))
    for campaign in campaigns:
        participations = Participation.objects.filter(campaign=campaign)
        report.participation.append(
            (
                campaign.title,
                participations.count(),
                participations.filter(status=Participation.Status.SUBMITTED).count(),
            )
        )
    results = list(
        Result.objects.filter(campaign__in=campaigns).select_related("student__class_group__college", "instrument")
    )
    by_instrument: dict = defaultdict(list)
    for result in results:
        by_instrument[(result.instrument.code, result.instrument.name)].append(result)
    for (code, name), rows in sorted(by_instrument.items()):
        _instrument_parts(report, code, name, rows)
    flagged = _flags(results)
    hidden = suppress_table({name: {"n": count} for name, count in flagged.items()})
    report.tables.append(Table(_("Red flags by instrument"), [_("Results with a red flag")],
                               [(name, [hidden[name]["n"]]) for name in sorted(hidden)]))  # fmt: skip
    report.tables.append(_cohorts(school, year, results))
    report.charts.append(_crisis_by_month(school, year))
    report.charts.append(_registry_by_month(school, year))
    return report
