"""The compliance board (第十三–十五条): each requirement with what is required, what there is, whether it is
met and by how much it falls short; the same rows for earlier years; the hours credited to each teacher
(课时保障). Plain functions shared by the pages, the exports and `manage.py compliance`. Counts only: no
student is named anywhere.

- 第十三条: counted spending (the ledger's lines in counted categories) ÷ enrolled students ≥ 20 元.
- 第十五条: full-time teachers (people holding the centre's full-time posts) ≥ max(2, ⌈students / 4000⌉); each
  with a degree and a professional certificate valid on the day.
- 第十四条: each of the five kinds of the centre's rooms in use; each college's 心理辅导站 with both documents.

Enrolled students are counted from the roster (enrolled or on leave, enrolled by that year) on the budget's
day and kept with the budget; a year without a recorded count is counted from the roster as it is now.
Rooms and stations have no history: earlier years show them as they are now.
"""

import datetime as dt
import math
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal

from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xinyu.accounts.models import User
from xinyu.compliance.models import Budget, Category, LedgerLine, Qualification, Station, StationDocument
from xinyu.compliance.scope import FULL_TIME_POSTS, PART_TIME_POSTS
from xinyu.counselling import workload as wl
from xinyu.counselling.models import Room
from xinyu.org.models import Appointment, College, Student

FLOOR_PER_STUDENT = Decimal(20)
STUDENTS_PER_TEACHER = 4000
MIN_FULL_TIME_TEACHERS = 2
CENT = Decimal("0.01")
COUNTED_STATUSES = (Student.Status.ENROLLED, Student.Status.ON_LEAVE)

# 第十四条's rooms, and the kind of `counselling.Room` each is.
ROOM_KINDS = (
    ("room_office", gettext_lazy("Full-time teachers' office"), Room.Kind.OFFICE),
    ("room_development", gettext_lazy("Psychological development counselling room"), Room.Kind.INDIVIDUAL),
    ("room_assessment", gettext_lazy("Psychological assessment room"), Room.Kind.ASSESSMENT),
    ("room_group", gettext_lazy("Group activity room"), Room.Kind.GROUP),
    ("room_training", gettext_lazy("All-round development training room"), Room.Kind.TRAINING),
)

FUNDING = "funding_per_student"
TEACHERS = "full_time_teachers"
QUALIFIED = "qualified_teachers"
STATIONS = "college_stations"
LABELS = {
    FUNDING: gettext_lazy("Special fund per student (yuan)"),
    TEACHERS: gettext_lazy("Full-time mental-health teachers"),
    QUALIFIED: gettext_lazy("Full-time teachers with a valid qualification"),
    STATIONS: gettext_lazy("Colleges with a counselling station, its rules and operating plan"),
} | {code: label for code, label, _kind in ROOM_KINDS}
ARTICLES = {FUNDING: 13, TEACHERS: 15, QUALIFIED: 15, STATIONS: 14} | {code: 14 for code, *_rest in ROOM_KINDS}


@dataclass(frozen=True)
class Requirement:
    code: str
    required: Decimal | int
    actual: Decimal | int
    ok: bool
    shortfall: Decimal | int  # 元 in all for the fund, people, rooms or colleges for the others

    @property
    def label(self) -> Promise:
        return LABELS[self.code]

    @property
    def article(self) -> int:
        return ARTICLES[self.code]

    @property
    def shortfall_text(self) -> str:
        if self.ok:
            return _("Met")
        if self.code == FUNDING:
            return _("Short by %(n)s yuan") % {"n": self.shortfall}
        if self.code in (TEACHERS, QUALIFIED):
            return _("Short by %(n)s teachers") % {"n": self.shortfall}
        if self.code == STATIONS:
            return _("Short by %(n)s colleges") % {"n": self.shortfall}
        return _("Short by %(n)s rooms") % {"n": self.shortfall}

    def as_dict(self) -> dict:
        def number(value):
            return float(value) if isinstance(value, Decimal) else value

        return {
            "code": self.code,
            "article": self.article,
            "label": str(self.label),
            "required": number(self.required),
            "actual": number(self.actual),
            "ok": self.ok,
            "shortfall": number(self.shortfall),
        }


@dataclass
class Figures:
    """What the board's rows are computed from, shown beside them."""

    year: int
    on: dt.date
    students: int
    counted_spending: Decimal
    spending: dict[str, Decimal] = field(default_factory=dict)
    budget: Decimal | None = None

    @property
    def total_spending(self) -> Decimal:
        return sum(self.spending.values(), Decimal(0))


def counted_on(school, year: int) -> dt.date:
    """The day the year is measured on: the budget's headcount day, or the year's last day (today for the
    year under way)."""
    budget = Budget.objects.filter(school=school, year=year).first()
    if budget is not None:
        return budget.headcount_on
    return min(timezone.localdate(), dt.date(year, 12, 31))


def enrolled_students(school, on: dt.date) -> int:
    """Students on the roster who are enrolled (or on leave) and had enrolled by `on`'s year."""
    return Student.objects.filter(school=school, status__in=COUNTED_STATUSES, enrolment_year__lte=on.year).count()


def take_headcount(budget: Budget) -> Budget:
    """Count the enrolled students from the roster and keep the figure with the budget."""
    budget.headcount = enrolled_students(budget.school, budget.headcount_on)
    budget.save(update_fields=["headcount", "updated_at"])
    return budget


def students_for(school, year: int) -> int:
    budget = Budget.objects.filter(school=school, year=year).first()
    if budget is not None and budget.headcount is not None:
        return budget.headcount
    return enrolled_students(school, counted_on(school, year))


def spending(school, year: int) -> dict[str, Decimal]:
    """The ledger's total per category for the calendar year (every category, zero where nothing)."""
    totals = dict.fromkeys(Category.values, Decimal("0.00"))
    rows = (
        LedgerLine.objects.filter(school=school, date__year=year)
        .values("category")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    for row in rows:
        totals[row["category"]] = (row["total"] or Decimal(0)).quantize(CENT)
    return totals


def figures(school, year: int) -> Figures:
    totals = spending(school, year)
    budget = Budget.objects.filter(school=school, year=year).first()
    return Figures(
        year=year,
        on=counted_on(school, year),
        students=students_for(school, year),
        counted_spending=sum((totals[category] for category in Category.counted()), Decimal(0)),
        spending=totals,
        budget=budget.amount if budget else None,
    )


def teacher_ids(school, on: dt.date, posts=FULL_TIME_POSTS) -> list[int]:
    return sorted(
        set(Appointment.objects.current(on).filter(school=school, post__in=posts).values_list("person_id", flat=True))
    )


def required_teachers(students: int) -> int:
    return max(MIN_FULL_TIME_TEACHERS, math.ceil(students / STUDENTS_PER_TEACHER))


def _funding(facts: Figures) -> Requirement:
    needed = FLOOR_PER_STUDENT * facts.students
    per_student = (facts.counted_spending / facts.students).quantize(CENT, ROUND_DOWN) if facts.students else CENT * 0
    shortfall = max(needed - facts.counted_spending, Decimal(0)).quantize(CENT)
    return Requirement(FUNDING, FLOOR_PER_STUDENT.quantize(CENT), per_student, shortfall == 0, shortfall)


def _count(code: str, required: int, actual: int) -> Requirement:
    return Requirement(code, required, actual, actual >= required, max(required - actual, 0))


def _rooms(school) -> list[Requirement]:
    present = dict(
        Room.objects.filter(school=school, active=True).values("kind").annotate(n=Count("pk")).values_list("kind", "n")
    )
    return [_count(code, 1, present.get(kind, 0)) for code, _label, kind in ROOM_KINDS]


def colleges_with_station(school) -> set[int]:
    complete = Station.objects.filter(college__school=school).annotate(
        kinds=Count("documents__kind", distinct=True, filter=Q(documents__kind__in=StationDocument.Kind.values))
    )
    return {station.college_id for station in complete if station.kinds == len(StationDocument.Kind.values)}


def board(school, year: int) -> list[Requirement]:
    """The requirements for `school` in `year`, in the regulation's order."""
    facts = figures(school, year)
    return rows_from(school, facts)


def rows_from(school, facts: Figures) -> list[Requirement]:
    teachers = teacher_ids(school, facts.on)
    qualified = sum(
        qualification.holds_on(facts.on) for qualification in Qualification.objects.filter(person_id__in=teachers)
    )
    colleges = College.objects.filter(school=school).count()
    return [
        _funding(facts),
        *_rooms(school),
        _count(STATIONS, colleges, len(colleges_with_station(school))),
        _count(TEACHERS, required_teachers(facts.students), len(teachers)),
        _count(QUALIFIED, len(teachers), qualified),
    ]


def years_with_data(school) -> list[int]:
    years = set(Budget.objects.filter(school=school).values_list("year", flat=True))
    years |= {day.year for day in LedgerLine.objects.filter(school=school).dates("date", "year")}
    return sorted(years, reverse=True)


def history(school, year: int) -> list[tuple[Figures, list[Requirement]]]:
    """The board of each earlier year that has a budget or ledger lines, latest first."""
    result = []
    for earlier in years_with_data(school):
        if earlier < year:
            facts = figures(school, earlier)
            result.append((facts, rows_from(school, facts)))
    return result


@dataclass
class HoursRow(wl.WorkloadRow):
    """A teacher's year of counselling and interview hours (the workload's rows summed), and whether full-time."""

    full_time: bool = False


def credited_hours(school, year: int) -> list[HoursRow]:
    """Counselling and interview hours (counselling.workload) of the full-time and part-time teachers over
    the year; informational (课时保障, 第十三条)."""
    on = counted_on(school, year)
    full_time = set(teacher_ids(school, on))
    everyone = full_time | set(teacher_ids(school, on, PART_TIME_POSTS))
    rows = {
        user.pk: HoursRow(user.pk, user.username, user.full_name, full_time=user.pk in full_time)
        for user in User.objects.filter(pk__in=everyone)
    }
    start, end = dt.date(year, 1, 1), dt.date(year + 1, 1, 1)
    for user_id, (count, minutes) in wl.session_totals(start, end).items():
        if user_id in rows:
            rows[user_id].sessions, rows[user_id].session_minutes = count, minutes
    for user_id, (count, minutes) in wl.interview_totals(start, end).items():
        if user_id in rows:
            rows[user_id].interviews, rows[user_id].interview_minutes = count, minutes
    return sorted(rows.values(), key=lambda row: (not row.full_time, row.name, row.username))
