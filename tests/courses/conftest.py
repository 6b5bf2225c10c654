"""The courses' tests: a required course with a section of the world's first term, taken by class A1 as a
whole and by 王五 of college B on their own; an elective with a section nobody takes."""

from decimal import Decimal

import pytest

from xinyu.courses.models import Course, Enrolment, Section, SectionClass, SectionTeacher

YEAR = 2025  # the world's classes entered in 2025
TERM = "2025-2026-1"
STAFF = ["head_teacher", "advisor", "mental_health_advisor", "college_leader", "counsellor", "leading_group_member",
         "outsider", "supervisor", "student_affairs"]  # fmt: skip
STUDENTS = ["student", "dorm_leader", "wellbeing_rep"]
EDITORS = ["counsellor", "supervisor", "student_affairs"]
# Those who see the network: the centre, 学工部, the leading group, and college working groups (their college).
COVERAGE_READERS = ["mental_health_advisor", "college_leader", "counsellor", "leading_group_member", "outsider",
                    "supervisor", "student_affairs"]  # fmt: skip


def required_course(school, **kwargs):
    values = {"name": "大学生心理健康教育", "code": "XL1001", "class_periods": 32, "credits": Decimal("2.0"),
              "required_for_freshmen": True} | kwargs  # fmt: skip
    return Course.objects.create(school=school, **values)


@pytest.fixture
def records(world):
    return make_records(world)


def make_records(world):
    course = required_course(world.school)
    elective = Course.objects.create(school=world.school, name="心理学与生活", code="XL2001", class_periods=16,
                                     credits=Decimal("1.0"))  # fmt: skip
    section = Section.objects.create(course=course, term=TERM, name="信息工程学院 1 班", room="A101", schedule="周三")
    SectionTeacher.objects.create(section=section, teacher=world.cast["counsellor"], class_periods=32)
    SectionClass.objects.create(section=section, class_group=world.a1)
    a1 = [world.in_scope, world.cast["dorm_leader"].student, world.cast["wellbeing_rep"].student]
    for student in [*a1, world.other_college]:
        Enrolment.objects.create(section=section, student=student)
    other = Section.objects.create(course=elective, term=TERM, name="选修 1 班")
    return {"course": course, "elective": elective, "section": section, "other": other}
