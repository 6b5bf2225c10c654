"""Measures: a plan item's progress computed from the records, e.g. "每班每学期至少一次心理主题班会: 212 / 240
classes". Each measure is a code (stored on the item), a label, and a function of the plan's place (school,
and college or None for the whole school) and year that answers (done, out of, unit). Another app's measure
is added to MEASURES below (apps above this one register nothing here; apps below are imported)."""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xinyu.courses.coverage import coverage_by_college, freshmen_coverage
from xinyu.education.models import Activity
from xinyu.org.models import ClassGroup, DormRoom, Student
from xinyu.policy.terms import Term, term_of


@dataclass(frozen=True)
class Progress:
    done: int
    total: int
    unit: str = ""

    @property
    def complete(self) -> bool:
        return self.total > 0 and self.done >= self.total

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


@dataclass(frozen=True)
class Measure:
    code: str
    label: str
    compute: Callable[[object, object, int], Progress]


def term_for_year(year: int, today: dt.date | None = None) -> Term:
    """The term a year's measure counts: today's, or for a past year the term its last day is in."""
    today = today or timezone.localdate()
    return term_of(min(today, dt.date(year, 12, 31)))


def _place(school, college, field="college") -> Q:
    return Q(**{field: college}) if college is not None else Q(**{f"{field}__school": school})


def _enrolled_classes(school, college):
    enrolled = Student.objects.filter(status=Student.Status.ENROLLED).values("class_group_id")
    return ClassGroup.objects.filter(_place(school, college), pk__in=enrolled)


def class_meeting_coverage(school, college, term: Term) -> tuple[set[int], set[int]]:
    """(classes in scope, classes that held a theme class meeting in `term`)."""
    classes = set(_enrolled_classes(school, college).values_list("pk", flat=True))
    held = set(
        Activity.objects.filter(
            kind=Activity.Kind.CLASS_MEETING, class_group_id__in=classes, held_on__gte=term.start, held_on__lt=term.end
        ).values_list("class_group_id", flat=True)
    )
    return classes, held


def class_meetings_each_term(school, college, year: int) -> Progress:
    classes, held = class_meeting_coverage(school, college, term_for_year(year))
    return Progress(len(held), len(classes), str(pgettext_lazy("unit", "classes")))


def dorm_activities_each_term(school, college, year: int) -> Progress:
    term = term_for_year(year)
    students = Student.objects.filter(status=Student.Status.ENROLLED, school=school, dorm_room__isnull=False)
    if college is not None:
        students = students.filter(class_group__college=college)
    rooms = set(DormRoom.objects.filter(pk__in=students.values("dorm_room_id")).values_list("pk", flat=True))
    held = set(
        Activity.objects.filter(
            kind=Activity.Kind.DORM_ACTIVITY, dorm_room_id__in=rooms, held_on__gte=term.start, held_on__lt=term.end
        ).values_list("dorm_room_id", flat=True)
    )
    return Progress(len(held), len(rooms), str(pgettext_lazy("unit", "dorm rooms")))


def activity_month_held(school, college, year: int) -> Progress:
    activities = Activity.objects.filter(school=school, kind=Activity.Kind.ACTIVITY_MONTH, held_on__year=year)
    if college is not None:
        activities = activities.filter(Q(college__isnull=True) | Q(college=college))
    return Progress(1 if activities.exists() else 0, 1)


def freshmen_take_the_course(school, college, year: int) -> Progress:
    """The year's freshmen (entered in `year`, enrolled today) who take the required 大学生心理健康教育 course."""
    if college is None:
        covered, total = freshmen_coverage(school, year)
    else:
        rows = coverage_by_college(school, year, colleges=type(college).objects.filter(pk=college.pk))
        covered, total = (rows[0].covered, rows[0].total) if rows else (0, 0)
    return Progress(covered, total, str(pgettext_lazy("unit", "freshmen")))


MEASURES: dict[str, Measure] = {
    measure.code: measure
    for measure in (
        Measure("class_meetings", _("Every class holds a theme class meeting each term"), class_meetings_each_term),
        Measure("dorm_activities", _("Every dorm room holds a dorm activity each term"), dorm_activities_each_term),
        Measure("activity_month", _("The 5·25 activity month is held"), activity_month_held),
        Measure(
            "freshmen_course",
            _("Every freshman takes the mental-health education course"),
            freshmen_take_the_course,
        ),
    )
}


def measure_choices() -> list[tuple[str, str]]:
    return [("", _("None (marked done by hand)"))] + [(code, measure.label) for code, measure in MEASURES.items()]


def progress_of(item) -> Progress | None:
    """The item's progress from its measure, or None if it has none (or one no longer known)."""
    measure = MEASURES.get(item.measure)
    if measure is None:
        return None
    return measure.compute(item.plan.school, item.plan.college, item.plan.year)
