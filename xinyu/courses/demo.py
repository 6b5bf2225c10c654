"""Demo courses for the demo college: 大学生心理健康教育 (32 课时, 2 学分, required of freshmen) in the first term
of each intake's first year, one section per four entering classes of a college, taught by the centre's
counsellors (some sections shared with an advisor of the classes); this year two classes are not enrolled
yet, so the coverage page shows near-full but not perfect coverage. An elective with individual students
besides. Written straight to the tables, like the other demos (no access-log entries); deterministic."""

import random
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from xinyu.courses.models import Course, Enrolment, Section, SectionClass, SectionTeacher
from xinyu.org.models import Appointment, ClassGroup, College, Post, Student
from xinyu.policy.terms import parse_term_code, term_of

CLASSES_PER_SECTION = 4
REQUIRED = (
    "大学生心理健康教育",
    "XL1001",
    32,
    Decimal("2.0"),
    "面向全体新生的公共必修课：心理健康知识、自我意识、情绪管理、人际交往、压力应对与生命教育。",
)
ELECTIVE = ("心理学与生活", "XL2001", 16, Decimal("1.0"), "公共选修课。")
ROOMS = ("公共教学楼 A", "公共教学楼 B", "公共教学楼 C")
DAYS = ("周一", "周二", "周三", "周四", "周五")
NOT_ENROLLED_COLLEGES = 2  # this year's last class in this many colleges is not on a section yet
ELECTIVE_STUDENTS = 30


@dataclass
class DemoCourses:
    sections: int = 0
    enrolments: int = 0
    not_enrolled_classes: tuple[str, ...] = ()


def _people(school, posts):
    return list(
        Appointment.objects.current()
        .filter(post__in=posts)
        .filter(school=school)
        .order_by("person__username")
        .values_list("person_id", flat=True)
        .distinct()
    )


def _advisor_of(group) -> int | None:
    return (
        Appointment.objects.current()
        .filter(post=Post.ADVISOR, class_group=group)
        .order_by("person__username")
        .values_list("person_id", flat=True)
        .first()
    )


def periods_of(course) -> int:
    return course.class_periods


def _first_term(intake: int):
    return parse_term_code(f"{intake}-{intake + 1}-1")


@transaction.atomic
def seed_courses(school, seed: int) -> DemoCourses:
    rng = random.Random(seed)
    result = DemoCourses()
    name, code, periods, credits, description = REQUIRED
    required = Course.objects.create(school=school, name=name, code=code, class_periods=periods, credits=credits,
                                     required_for_freshmen=True, description=description)  # fmt: skip
    name, code, periods, credits, description = ELECTIVE
    elective = Course.objects.create(school=school, name=name, code=code, class_periods=periods, credits=credits,
                                     description=description)  # fmt: skip
    counsellors = _people(school, [Post.CENTRE_COUNSELLOR, Post.CENTRE_PART_TIME_COUNSELLOR])
    if not counsellors:
        return result
    today = timezone.localdate()
    intakes = sorted(set(ClassGroup.objects.filter(college__school=school).values_list("enrolment_year", flat=True)))
    this_year = max(intakes, default=term_of(today).year)  # the freshmen: the latest intake
    colleges = list(College.objects.filter(school=school).order_by("code", "name"))
    skipped_colleges = {college.pk for college in colleges[1 : 1 + NOT_ENROLLED_COLLEGES * 2 : 2]}
    sections, teachers, classes, enrolments = [], [], [], []
    for intake in intakes:
        term = _first_term(intake)
        if term.start > today:
            continue
        for college in colleges:
            groups = list(ClassGroup.objects.filter(college=college, enrolment_year=intake).order_by("name"))
            if intake == this_year and college.pk in skipped_colleges and groups:
                result.not_enrolled_classes += (groups[-1].name,)
                groups = groups[:-1]
            for index in range(0, len(groups), CLASSES_PER_SECTION):
                chunk = groups[index : index + CLASSES_PER_SECTION]
                section = Section(
                    course=required, term=term.code, name=f"{college.name} {index // CLASSES_PER_SECTION + 1} 班",
                    room=f"{rng.choice(ROOMS)}{rng.randint(1, 5)}{rng.randint(1, 20):02d}",
                    schedule=f"{rng.choice(DAYS)}第 {rng.choice((1, 3, 5, 7))} 节起，第 1–16 周",
                )  # fmt: skip
                sections.append((section, chunk))
    Section.objects.bulk_create([section for section, _chunk in sections])
    for turn, (section, chunk) in enumerate(sections, start=1):
        counsellor = counsellors[(turn - 1) % len(counsellors)]
        advisor = _advisor_of(chunk[0]) if turn % 3 == 0 else None
        if advisor and advisor != counsellor:
            teachers += [SectionTeacher(section=section, teacher_id=counsellor, class_periods=16),
                         SectionTeacher(section=section, teacher_id=advisor, class_periods=16)]  # fmt: skip
        else:
            teachers.append(
                SectionTeacher(section=section, teacher_id=counsellor, class_periods=required.class_periods)
            )
        for group in chunk:
            classes.append(SectionClass(section=section, class_group=group))
        past = section.term != _first_term(this_year).code
        students = Student.objects.filter(class_group__in=chunk)
        if not past:  # students who have left since were enrolled in their time; this year only the 在读
            students = students.filter(status=Student.Status.ENROLLED)
        enrolments += [Enrolment(section=section, student_id=pk) for pk in students.values_list("pk", flat=True)]
    current = parse_term_code(term_of(today).code)
    elective_section = Section.objects.create(
        course=elective,
        term=current.code,
        name="选修 1 班",
        room="心理中心团体活动室",
        schedule="周四第 9–10 节，第 3–10 周",
    )
    teachers.append(SectionTeacher(section=elective_section, teacher_id=counsellors[0], class_periods=16))
    seniors = list(
        Student.objects.filter(school=school, enrolment_year__lt=this_year, status=Student.Status.ENROLLED)
        .order_by("student_number")
        .values_list("pk", flat=True)[:2000]
    )
    chosen = sorted(rng.sample(seniors, min(ELECTIVE_STUDENTS, len(seniors))))
    enrolments += [Enrolment(section=elective_section, student_id=pk) for pk in chosen]
    SectionTeacher.objects.bulk_create(teachers)
    SectionClass.objects.bulk_create(classes)
    Enrolment.objects.bulk_create(enrolments, batch_size=2000)
    result.sections = len(sections) + 1
    result.enrolments = len(enrolments)
    return result
