"""Screening results for the people responsible: a student's results over time (T3), and a
campaign's aggregate by class and college.

Who sees what (xinyu.org.scope decides the students):
- per class: completion (targeted, submitted) for whoever sees the class at T2 (the head teacher, the
  advisor); positive rates per instrument only where the viewer holds T3 (the college working group over
  their college, the centre over the school);
- a group of fewer than SUPPRESS_BELOW targeted students, or a rate counted over fewer than SUPPRESS_BELOW
  results, shows only the note "under 5" instead of the rate, so an aggregate cannot single a student out;
- the page opens on one row per college, and a college's classes on asking (`class_rows`).

"Positive" means a result with a severity above "none" or a red flag: a reason for a person to look,
never a diagnosis.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from xinyu.org.models import ClassGroup
from xinyu.org.scope import Tier
from xinyu.screening import scope
from xinyu.screening.labels import SEVERITY_LABELS, band_label, classification_label, severity_label
from xinyu.screening.models import Participation, Result

SUPPRESS_BELOW = 5
SUPPRESSED = "—"  # nothing to show: no results shown to this viewer, none scored


def suppressed_note() -> str:
    return str(_("Fewer than %(n)s") % {"n": SUPPRESS_BELOW})


def is_positive(severity: str, flags) -> bool:
    if severity not in ("", "none"):
        return True
    return any(isinstance(flag, dict) and flag.get("red_flag") for flag in flags or [])


@dataclass
class Row:
    label: str
    kind: str  # class | college | all
    pk: int | None = None  # the class group's or the college's
    college_id: int | None = None
    classes: int = 0  # a college's (or all) classes counted
    targeted: int = 0
    submitted: int = 0
    with_results: bool = False
    # instrument code → [scored, positive]
    counts: dict = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    # instrument code → Counter of severities above "none"
    severities: dict = field(default_factory=lambda: defaultdict(Counter))
    hidden: set = field(default_factory=set)  # instruments suppressed so that a sibling's cannot be worked out
    rates: list = field(default_factory=list)  # (instrument code, rate, suppressed, bands) in the aggregate's order

    @property
    def suppressed(self) -> bool:
        return self.targeted < SUPPRESS_BELOW

    @property
    def completion(self) -> str:
        return f"{self.submitted / self.targeted:.0%}" if self.targeted else SUPPRESSED

    def rate(self, code: str) -> tuple[str, bool]:
        """The positive rate for one instrument and whether it is suppressed: "—" where there is nothing to
        show (no results shown to the viewer, none scored), only the note where the group or the results
        counted are fewer than SUPPRESS_BELOW."""
        if not self.with_results:
            return SUPPRESSED, False
        scored, positive = self.counts.get(code, (0, 0))
        if self.suppressed or 0 < scored < SUPPRESS_BELOW or code in self.hidden:
            return suppressed_note(), True
        return (f"{positive / scored:.0%} ({positive}/{scored})", False) if scored else (SUPPRESSED, False)

    def add(self, other: "Row") -> None:
        self.classes += other.classes if other.kind != "class" else 1
        self.targeted += other.targeted
        self.submitted += other.submitted
        for code, (scored, positive) in other.counts.items():
            self.counts[code][0] += scored
            self.counts[code][1] += positive
        for code, severities in other.severities.items():
            self.severities[code].update(severities)

    def bands(self, code: str) -> list[tuple[str, str]]:
        """The summary of severities of a college's (or all) results for one instrument, mildest first:
        (label, count), a count from 1 to 4 as "<5", and when only one is hidden the next smallest too, so
        that it cannot be worked out from the positive count beside it. Nothing for a class, or where the
        rate itself is not shown."""
        if self.kind == "class" or self.rate(code)[1] or not self.with_results:
            return []
        present = [(level, self.severities[code][level]) for level in SEVERITY_LABELS if self.severities[code][level]]
        hidden = {level for level, count in present if count < SUPPRESS_BELOW}
        if len(hidden) == 1 and len(present) > 1:
            hidden.add(min((count, level) for level, count in present if level not in hidden)[1])
        small = f"<{SUPPRESS_BELOW}"
        return [(severity_label(level), small if level in hidden else str(count)) for level, count in present]


@dataclass
class Aggregate:
    instruments: list[str]
    classes: list[Row]
    colleges: list[Row]  # every college of the classes seen; rates where the viewer holds T3 there
    total: Row | None

    @property
    def is_empty(self) -> bool:
        return not self.classes

    def college(self, college_id) -> Row | None:
        return next((row for row in self.colleges if row.pk == college_id), None)

    def class_rows(self, college_id) -> list[Row]:
        return [row for row in self.classes if row.college_id == college_id]


def _hide_complements(siblings: list[Row], codes) -> None:
    """Rows shown beside their total (a college's classes, the colleges beside 全校): where only one of them
    is suppressed for an instrument, the total less the others would give it away, so the one with the
    fewest results after it is suppressed too (DESIGN §10)."""
    for code in codes:
        shown = [row for row in siblings if row.with_results and row.counts.get(code, (0, 0))[0]]
        hidden = [row for row in shown if row.rate(code)[1]]
        others = [row for row in shown if not row.rate(code)[1]]
        if len(hidden) == 1 and others:
            min(others, key=lambda row: (row.counts[code][0], row.label)).hidden.add(code)


def campaign_aggregate(user, campaign) -> Aggregate:
    """The campaign's completion and positive rates by class, by college and overall that `user` may see;
    empty when they see no class of the campaign's population. Four queries whatever the number of classes."""
    visible = scope.class_groups_for(user, Tier.T2)
    t3_classes = set(scope.class_groups_for(user, Tier.T3).values_list("pk", flat=True))
    per_class = (
        Participation.objects.filter(campaign=campaign, student__class_group__in=visible)
        .values("student__class_group")
        .annotate(targeted=Count("pk"), submitted=Count("pk", filter=Q(status=Participation.Status.SUBMITTED)))
    )
    groups = {
        group.pk: group
        for group in ClassGroup.objects.filter(
            pk__in=[row["student__class_group"] for row in per_class]
        ).select_related("college")
    }
    rows = {}
    for entry in per_class:
        group = groups[entry["student__class_group"]]
        rows[group.pk] = Row(
            label=group.name,
            kind="class",
            pk=group.pk,
            college_id=group.college_id,
            targeted=entry["targeted"],
            submitted=entry["submitted"],
            with_results=group.pk in t3_classes,
        )
    codes = set()
    results = Result.objects.filter(campaign=campaign, student__class_group__in=t3_classes).values_list(
        "student__class_group", "instrument__code", "severity", "flags"
    )
    for group_id, code, severity, flags in results.iterator(chunk_size=2000):
        codes.add(code)
        counts = rows[group_id].counts[code] if group_id in rows else None
        if counts is not None:
            counts[0] += 1
            counts[1] += is_positive(severity, flags)
            if severity not in ("", "none"):
                rows[group_id].severities[code][severity] += 1
    t3_colleges = {groups[pk].college_id for pk in rows if pk in t3_classes}
    by_college: dict[int, Row] = {}
    ordered = sorted(rows.values(), key=lambda row: (groups[row.pk].college.code, row.label))
    for class_row in ordered:
        college = groups[class_row.pk].college
        if college.pk not in by_college:
            by_college[college.pk] = Row(
                label=college.name, kind="college", pk=college.pk, with_results=college.pk in t3_colleges
            )
        by_college[college.pk].add(class_row)
    colleges = list(by_college.values())
    total = None
    if len(colleges) > 1:
        total = Row(label="", kind="all", with_results=all(row.with_results for row in colleges))
        for row in colleges:
            total.add(row)
    codes = sorted(codes)
    for college_id in by_college:
        _hide_complements([row for row in ordered if row.college_id == college_id], codes)
    if total:
        _hide_complements(colleges, codes)
    for row in [*ordered, *colleges, *([total] if total else [])]:
        row.rates = [(code, *row.rate(code), row.bands(code)) for code in codes]
    return Aggregate(codes, ordered, colleges, total)


def student_results(student):
    """A student's results over time, newest campaign first (T3: the caller checks and audits)."""
    return (
        Result.objects.filter(student=student)
        .select_related("campaign", "instrument")
        .order_by("-campaign__opens_at", "instrument__code")
    )


EXPORT_HEADERS = ["学号", "姓名", "学院", "班级", "量表", "总分", "分级", "分类", "严重程度", "提示", "规则版本"]
EXPORT_WIDTHS = [14, 10, 20, 18, 10, 8, 18, 12, 16, 30, 30]


def export_results(user, campaign):
    """The results of the campaign's students `user` sees at T3, as rows for a spreadsheet."""
    return (
        Result.objects.filter(campaign=campaign, student__in=scope.results_students_for(user))
        .select_related("student__class_group__college", "instrument")
        .order_by("student__class_group__college__code", "student__class_group__name", "student__student_number")
    )


def export_row(result) -> list:
    student = result.student
    flags = "；".join(flag.get("label") or flag.get("code", "") for flag in result.flags if isinstance(flag, dict))
    return [
        student.student_number,
        student.name,
        student.class_group.college.name,
        student.class_group.name,
        result.instrument.code,
        "" if result.total is None else f"{result.total:g}",
        band_label(result),
        classification_label(result),
        severity_label(result.severity),
        flags,
        result.rules_version,
    ]
