"""A student file worth opening in the demo college: months of care records around one student.

The student file has no records of its own; it shows what the other parts keep. The demo gives the level A
crisis student of `seed_open_cases` (or, without it, a student of 信息工程学院 drawn with
`random.Random(seed)`) a family contact two months ago, a review-and-support record and two interviews
after a concern report (one held, one due next week), all written by the college's mental-health advisor
through the care services, so the access log and "my work" hold the real entries. Deterministic for a seed.
"""

import datetime as dt
import random
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from xinyu.accounts.models import User
from xinyu.care.interviews import schedule_interview
from xinyu.care.models import FamilyContact, Interview, ReviewSupport
from xinyu.concerns.models import CrisisCase
from xinyu.concerns.services import case_records as care
from xinyu.concerns.services.interviews import record_interview
from xinyu.org.demo.accounts import ACCOUNT, DEMO_COLLEGE, DEMO_STUDENT_KEYS, current_intake
from xinyu.org.models import Student

CONCERN_REPORT = Interview.Source.CONCERN_REPORT


@dataclass
class DemoFile:
    student: Student
    family_contacts: list[FamilyContact] = field(default_factory=list)
    interviews: list[Interview] = field(default_factory=list)
    reviews: list[ReviewSupport] = field(default_factory=list)


def _account(key: str) -> User:
    intake = current_intake(timezone.localdate())
    return User.objects.get(username=ACCOUNT[key].username.format(intake=intake))


def _demo_student(school, rng: random.Random) -> Student:
    case = (
        CrisisCase.objects.filter(student__school=school, student__class_group__college__name=DEMO_COLLEGE,
                                  status=CrisisCase.Status.OPEN, is_drill=False, level="A")
        .select_related("student")
        .order_by("pk")
        .first()
    )  # fmt: skip
    if case is not None:
        return case.student
    intake = current_intake(timezone.localdate())
    own = [ACCOUNT[key].username.format(intake=intake) for key in DEMO_STUDENT_KEYS]
    students = list(
        Student.objects.filter(school=school, class_group__college__name=DEMO_COLLEGE, status=Student.Status.ENROLLED)
        .exclude(student_number__in=own)
        .order_by("student_number")
    )
    if not students:
        raise ValueError("The demo college has no students for the demo student file.")
    return rng.choice(students)


@transaction.atomic
def seed_studentfile(school, seed: int) -> DemoFile:
    rng = random.Random(seed)
    student = _demo_student(school, rng)
    advisor = _account("mental_health_advisor")
    now = timezone.now()
    result = DemoFile(student)
    result.family_contacts.append(
        care.record_family_contact(
            student, by=advisor, contact_name=f"{student.name[0]}女士", relation="母亲",
            contacted_at=now - dt.timedelta(days=rng.randint(55, 65)), method=FamilyContact.Method.PHONE,
            outcome="家长反映孩子开学后睡眠不好，同意学院的关心安排，约定每月电话沟通一次。",
        )
    )  # fmt: skip
    done = schedule_interview(student, by=advisor, source=CONCERN_REPORT, due_on=timezone.localdate())
    result.interviews.append(
        record_interview(
            done, by=advisor, conducted_at=now - dt.timedelta(hours=2), method=Interview.Method.IN_PERSON,
            outcome=Interview.Outcome.WATCH, notes="寝室走访，作息已基本规律，情绪平稳。",
        )
    )  # fmt: skip
    result.interviews.append(
        schedule_interview(
            student, by=advisor, source=CONCERN_REPORT, due_on=timezone.localdate() + dt.timedelta(days=7)
        )
    )
    result.reviews.append(
        care.record_review_support(
            student, by=advisor, assessment="适应情况好转，仍有学业压力。",
            support="辅导员每两周谈心一次；班主任关注出勤；推荐参加朋辈互助小组。",
        )
    )  # fmt: skip
    return result
