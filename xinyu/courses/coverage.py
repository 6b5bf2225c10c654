"""Coverage of the freshmen by the required course (第七条(三)): of the students who entered in a year and are
enrolled today, how many take a section of a course required of freshmen in that academic year (or in one
of its terms). Counts only, per school, college and class; no student is named.

`freshmen_coverage(school, year)` is the plan's progress measure (`xinyu.education`); `coverage_by_college`
and `coverage_by_class` are the page's table and its drill-down.
"""

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from xinyu.courses.models import Enrolment
from xinyu.org.models import ClassGroup, College, Student
from xinyu.policy.terms import Term


@dataclass(frozen=True)
class CoverageRow:
    place: object  # a College or a ClassGroup
    covered: int
    total: int

    @property
    def missing(self) -> int:
        return self.total - self.covered

    @property
    def percent(self) -> int | None:
        """Whole percent, rounded down (so 99.9 % is not shown as done); None without freshmen."""
        return self.covered * 100 // self.total if self.total else None

    @property
    def complete(self) -> bool:
        return self.total > 0 and self.covered == self.total


def term_codes(year: int, term: Term | None = None) -> list[str]:
    if term is not None:
        return [term.code]
    return [f"{year}-{year + 1}-1", f"{year}-{year + 1}-2"]


def freshmen(school, year: int) -> QuerySet[Student]:
    """The students of `school` who entered in `year` and are enrolled (在读) today."""
    return Student.objects.filter(school=school, enrolment_year=year, status=Student.Status.ENROLLED)


def _covered(school, year: int, term: Term | None) -> Q:
    taking = Enrolment.objects.filter(
        section__course__school=school,
        section__course__required_for_freshmen=True,
        section__term__in=term_codes(year, term),
    ).values("student_id")
    return Q(pk__in=taking)


def freshmen_coverage(school, year: int, *, term: Term | None = None) -> tuple[int, int]:
    """(covered, total): the freshmen of `year` taking the required course in that academic year (or `term`)."""
    counts = freshmen(school, year).aggregate(
        total=Count("pk"), covered=Count("pk", filter=_covered(school, year, term))
    )
    return counts["covered"], counts["total"]


def coverage_by_college(school, year: int, *, term: Term | None = None, colleges=None) -> list[CoverageRow]:
    """One row per college of `school` (or of `colleges`), in the colleges' order, with their freshmen."""
    colleges = College.objects.filter(school=school) if colleges is None else colleges.filter(school=school)
    counts = {
        row["class_group__college_id"]: row
        for row in freshmen(school, year)
        .values("class_group__college_id")
        .annotate(total=Count("pk"), covered=Count("pk", filter=_covered(school, year, term)))
    }
    return [
        CoverageRow(college, counts.get(college.pk, {}).get("covered", 0), counts.get(college.pk, {}).get("total", 0))
        for college in colleges.order_by("code", "name")
    ]


def coverage_by_class(college, year: int, *, term: Term | None = None) -> list[CoverageRow]:
    """One row per class of `college` with freshmen of `year`: the classes with nobody covered first, then
    the partly covered (fewest first), then the fully covered, each by name."""
    school = college.school
    counts = {
        row["class_group_id"]: row
        for row in freshmen(school, year)
        .filter(class_group__college=college)
        .values("class_group_id")
        .annotate(total=Count("pk"), covered=Count("pk", filter=_covered(school, year, term)))
    }
    groups = ClassGroup.objects.filter(pk__in=counts).order_by("name")
    rows = [CoverageRow(group, counts[group.pk]["covered"], counts[group.pk]["total"]) for group in groups]
    return sorted(rows, key=lambda row: (row.covered > 0, row.complete, row.covered / row.total))
