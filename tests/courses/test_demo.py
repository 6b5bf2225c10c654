"""The demo college's courses: the required course in each intake's first term for every college, near-full
but not perfect coverage of this year's freshmen, teachers from the centre and advisors, deterministic."""

import datetime as dt

import pytest

from xinyu.courses import coverage as cov
from xinyu.courses.demo import seed_courses
from xinyu.courses.models import Course, Enrolment, Section, SectionTeacher
from xinyu.courses.workload import teaching_minutes
from xinyu.org.demo import build_demo_college
from xinyu.org.models import Appointment, ClassGroup, Post, Student

pytestmark = pytest.mark.django_db


def test_seed_courses_in_the_demo_college():
    college = build_demo_college(students=600, seed=7, class_size=25)
    school = college.school
    result = seed_courses(school, 7)
    intake = max(ClassGroup.objects.values_list("enrolment_year", flat=True))
    covered, total = cov.freshmen_coverage(school, intake)
    assert len(result.not_enrolled_classes) == 2
    gaps = Student.objects.filter(class_group__name__in=result.not_enrolled_classes, status=Student.Status.ENROLLED)
    assert 0 < total - covered == gaps.count() < total / 2  # not perfect (in the full demo: 2 of ~110 classes)
    assert cov.freshmen_coverage(school, intake - 1)[0] == cov.freshmen_coverage(school, intake - 1)[1]
    required = Course.objects.get(school=school, required_for_freshmen=True)
    assert (required.name, required.class_periods) == ("大学生心理健康教育", 32)
    terms = set(Section.objects.filter(course=required).values_list("term", flat=True))
    assert terms == {f"{year}-{year + 1}-1" for year in (intake - 2, intake - 1, intake)}
    teachers = set(SectionTeacher.objects.values_list("teacher_id", flat=True))
    centre = set(Appointment.objects.filter(post__in=[Post.CENTRE_COUNSELLOR, Post.CENTRE_PART_TIME_COUNSELLOR])
                 .values_list("person_id", flat=True))  # fmt: skip
    advisors = set(Appointment.objects.filter(post=Post.ADVISOR).values_list("person_id", flat=True))
    assert teachers & centre and teachers & advisors and teachers <= centre | advisors
    assert Enrolment.objects.filter(section__course__required_for_freshmen=False).count() == 30
    minutes = teaching_minutes(dt.date(intake, 8, 1), dt.date(intake + 1, 2, 1))
    assert sum(minutes.values()) % 45 == 0 and sum(minutes.values()) > 0
    by_college = cov.coverage_by_college(school, intake)
    assert sum(1 for row in by_college if not row.complete) == 2


def test_the_same_seed_gives_the_same_courses():
    college = build_demo_college(students=300, seed=7, class_size=25)
    seed_courses(college.school, 7)

    def snapshot():
        return sorted(Section.objects.values_list("term", "name", "room", "schedule")), sorted(
            Enrolment.objects.values_list("section__name", "student__student_number"))  # fmt: skip

    first = snapshot()
    Enrolment.objects.all().delete()
    SectionTeacher.objects.all().delete()
    Section.objects.all().delete()
    from xinyu.courses.models import SectionClass  # noqa: PLC0415

    SectionClass.objects.all().delete()
    Course.objects.all().delete()
    seed_courses(college.school, 7)
    assert snapshot() == first
