"""Coverage of the freshmen: counts per school, college and class, the uncovered classes first."""

import pytest

from tests.courses.conftest import TERM, YEAR, required_course
from tests.factories import ClassGroupFactory, StudentFactory
from xinyu.courses import coverage as cov
from xinyu.courses.models import Course, Enrolment, Section
from xinyu.org.models import Student
from xinyu.policy.terms import parse_term_code

pytestmark = pytest.mark.django_db


def test_freshmen_coverage_counts_the_enrolled_freshmen_taking_a_required_course(world, records):
    # A1: 张三, 赵寝, 钱委 enrolled; A2: 李四 not; B1: 王五 enrolled.
    assert cov.freshmen_coverage(world.school, YEAR) == (4, 5)
    assert cov.freshmen_coverage(world.school, YEAR + 1) == (0, 0)


def test_students_who_left_count_neither_way(world, records):
    Student.objects.filter(pk=world.other_college.pk).update(status=Student.Status.WITHDRAWN)
    Student.objects.filter(pk=world.other_class.pk).update(status=Student.Status.GRADUATED)
    assert cov.freshmen_coverage(world.school, YEAR) == (3, 3)


def test_an_elective_or_another_year_does_not_cover(world, records):
    Enrolment.objects.create(section=records["other"], student=world.other_class)  # an elective
    later = Section.objects.create(course=records["course"], term="2026-2027-1", name="补修")
    Enrolment.objects.create(section=later, student=world.other_class)  # the next academic year
    assert cov.freshmen_coverage(world.school, YEAR) == (4, 5)
    second = Section.objects.create(course=records["course"], term="2025-2026-2", name="第二学期")
    Enrolment.objects.create(section=second, student=world.other_class)
    assert cov.freshmen_coverage(world.school, YEAR) == (5, 5)
    assert cov.freshmen_coverage(world.school, YEAR, term=parse_term_code(TERM)) == (4, 5)
    assert cov.freshmen_coverage(world.school, YEAR, term=parse_term_code("2025-2026-2")) == (1, 5)


def test_a_student_in_two_sections_counts_once(world, records):
    course = Course.objects.create(school=world.school, name="心理健康（二）", code="XL1002", class_periods=16,
                                   credits=1, required_for_freshmen=True)  # fmt: skip
    extra = Section.objects.create(course=course, term=TERM, name="加修")
    Enrolment.objects.create(section=extra, student=world.in_scope)
    assert cov.freshmen_coverage(world.school, YEAR) == (4, 5)


def test_by_college_and_by_class_with_the_uncovered_first(world, records):
    rows = cov.coverage_by_college(world.school, YEAR)
    assert [(row.place, row.covered, row.total) for row in rows] == [(world.college_a, 3, 4), (world.college_b, 1, 1)]
    assert rows[0].percent == 75 and rows[1].complete
    a3 = ClassGroupFactory(college=world.college_a, name="大数据2501班")
    for number in ("2025900001", "2025900002"):
        StudentFactory(school=world.school, class_group=a3, student_number=number)
    Enrolment.objects.create(section=records["section"], student=Student.objects.get(student_number="2025900001"))
    rows = cov.coverage_by_class(world.college_a, YEAR)
    assert [(row.place.name, row.covered, row.total) for row in rows] == [
        ("网络2501班", 0, 1),  # nobody covered
        ("大数据2501班", 1, 2),  # partly
        ("软件2501班", 3, 3),  # done
    ]


def test_by_college_only_for_the_colleges_given(world, records):
    rows = cov.coverage_by_college(
        world.school, YEAR, colleges=type(world.college_a).objects.filter(pk=world.college_b.pk)
    )
    assert [(row.place, row.covered, row.total) for row in rows] == [(world.college_b, 1, 1)]


def test_a_course_of_another_school_does_not_count(world, records):
    from tests.factories import SchoolFactory  # noqa: PLC0415 - only this test needs a second school

    other = SchoolFactory(name="另一学校", code="OTHER")
    course = required_course(other, code="X1")
    section = Section.objects.create(course=course, term=TERM, name="外校")
    Enrolment.objects.create(section=section, student=world.other_class)
    assert cov.freshmen_coverage(world.school, YEAR) == (4, 5)
