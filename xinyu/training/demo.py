"""Demo training for the demo college: last calendar year and this year up to today. The centre's monthly
case-study sessions and an external conference for the centre's teachers; the advisors' annual training and
the mental-health advisors' crisis-intervention course; each college's briefing for its head teachers; with
a few people who missed sessions (short of their minimum), an external training reported by an advisor and
waiting for 学工部, and two college mental-health advisors' certificates expiring soon. Deterministic for a
seed; a few bulk inserts, so it is fast."""

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from xinyu.accounts.models import User
from xinyu.compliance.models import Qualification
from xinyu.org.models import Appointment, College, Post
from xinyu.training.models import Attendance, Kind, Provider, TrainingEvent

CENTRE = (Post.CENTRE_SUPERVISOR, Post.CENTRE_COUNSELLOR, Post.CENTRE_PART_TIME_COUNSELLOR)
ADVISORS = (Post.ADVISOR, Post.MENTAL_HEALTH_ADVISOR, Post.COLLEGE_CONSULTANT)
MISS_RATE = 0.04  # each person misses a session now and then; those who miss the wrong one fall short


@dataclass
class DemoTraining:
    events: int = 0
    attendances: int = 0
    short: int = 0


def _holders(school, posts, college=None) -> list[int]:
    rows = Appointment.objects.current().filter(post__in=posts).filter(
        Q(school=school) | Q(department__school=school) | Q(college__school=school)
        | Q(class_group__college__school=school)
    )  # fmt: skip
    if college is not None:
        rows = rows.filter(college=college) | rows.filter(class_group__college=college)
    return sorted(set(rows.values_list("person_id", flat=True)))


class _Seeder:
    def __init__(self, school, rng, today, recorder):
        self.school, self.rng, self.today, self.recorder = school, rng, today, recorder
        self.result = DemoTraining()

    def event(self, day: dt.date, people, *, topic, provider, kind, hours, organiser, place="", trainer=None,
              trainer_name="", trainer_organisation="", days=1, college=None, miss=True):  # fmt: skip
        if day >= self.today:
            return None
        event = TrainingEvent.objects.create(
            school=self.school, college=college, topic=topic, provider=provider, kind=kind, starts_on=day,
            ends_on=day + dt.timedelta(days=days - 1), hours=Decimal(hours), trainer_id=trainer,
            trainer_name=trainer_name, trainer_organisation=trainer_organisation, organiser=organiser, place=place,
            recorded_by=self.recorder,
        )  # fmt: skip
        attendees = [p for p in people if p != trainer and not (miss and self.rng.random() < MISS_RATE)]
        Attendance.objects.bulk_create(
            Attendance(event=event, person_id=person, hours=Decimal(hours), status=Attendance.Status.CONFIRMED,
                       certificate_number=f"PX{day:%Y%m}{index + 1:04d}" if provider == Provider.EXTERNAL else "")
            for index, person in enumerate(attendees)
        )  # fmt: skip
        self.result.events += 1
        self.result.attendances += len(attendees)
        return event

    def year(self, year: int) -> None:
        school = self.school
        centre = _holders(school, CENTRE)
        supervisor = next(iter(_holders(school, (Post.CENTRE_SUPERVISOR,))), None)
        advisors = _holders(school, ADVISORS)
        mental_health = _holders(school, (Post.MENTAL_HEALTH_ADVISOR, Post.COLLEGE_CONSULTANT))
        for month in (3, 4, 5, 6, 9, 10, 11, 12):  # the centre's case-study sessions, 4 hours each
            self.event(
                dt.date(year, month, 12), centre, topic=f"阳光心理中心个案研讨（{month}月）",
                provider=Provider.INTERNAL, kind=Kind.CASE_STUDY, hours="4", organiser="阳光心理中心",
                place="大学生活动中心 401",
                trainer=supervisor,
            )  # fmt: skip
        self.event(
            dt.date(year, 7, 14), centre + mental_health[:3],
            topic="全国高校心理健康教育工作研讨会", provider=Provider.EXTERNAL, kind=Kind.CONFERENCE, hours="16",
            days=2, organiser="中国心理卫生协会大学生心理咨询专业委员会", place="杭州",
            trainer_name="中国心理卫生协会", trainer_organisation="大学生心理咨询专业委员会",
        )  # fmt: skip
        for part, (month, day) in enumerate(((4, 18), (10, 17))):
            self.event(
                dt.date(year, month, day), advisors, topic=f"辅导员心理健康教育专题培训（{'上下'[part]}）",
                provider=Provider.INTERNAL, kind=Kind.LECTURE, hours="8", organiser="学工部",
                place="行政楼报告厅", trainer_name="王教授", trainer_organisation="浙江师范大学心理学院",
            )  # fmt: skip
        self.event(
            dt.date(year, 5, 9), mental_health, topic="心理危机识别与干预专题研修", provider=Provider.INTERNAL,
            kind=Kind.WORKSHOP, hours="8", organiser="阳光心理中心", place="大学生活动中心 401", trainer=supervisor,
        )  # fmt: skip
        for college in College.objects.filter(school=school).order_by("code", "name"):
            head_teachers = _holders(school, (Post.HEAD_TEACHER,), college)
            for month in (3, 9):
                self.event(
                    dt.date(year, month, 20), head_teachers, topic=f"{college.name}班主任心理健康工作培训",
                    provider=Provider.INTERNAL, kind=Kind.BRIEFING, hours="4", organiser=f"{college.name}学工办",
                    place=f"{college.name}会议室", trainer_name="阳光心理中心专职教师", college=college,
                )  # fmt: skip


@transaction.atomic
def seed_training(school, seed: int) -> DemoTraining:
    rng = random.Random(seed)
    today = timezone.localdate()
    recorder = (
        Appointment.objects.current().filter(post=Post.STUDENT_AFFAIRS_STAFF, department__school=school)
        .order_by("person__username").values_list("person", flat=True).first()
    )  # fmt: skip
    seeder = _Seeder(school, rng, today, User.objects.filter(pk=recorder).first())
    for year in (today.year - 1, today.year):
        seeder.year(year)
    # An advisor reports an external online course; it waits for 学工部.
    advisor = Appointment.objects.current().filter(post=Post.ADVISOR).order_by("person__username").first()
    if advisor is not None:
        day = today - dt.timedelta(days=10)
        event = TrainingEvent.objects.create(
            school=school, topic="积极心理学在高校育人中的应用（网络课程）", provider=Provider.EXTERNAL,
            kind=Kind.ONLINE_COURSE, starts_on=day, ends_on=day, hours=Decimal("6"), organiser="中国大学MOOC",
            trainer_name="中国大学MOOC", reported=True, recorded_by=advisor.person,
        )  # fmt: skip
        Attendance.objects.create(event=event, person=advisor.person, hours=Decimal("6"),
                                  certificate_number="MOOC-2026-0815", status=Attendance.Status.PENDING)  # fmt: skip
    # Two college mental-health advisors' certificates expire soon.
    for index, person_id in enumerate(_holders(school, (Post.MENTAL_HEALTH_ADVISOR,))[:2]):
        Qualification.objects.get_or_create(
            person_id=person_id,
            defaults={"degree": Qualification.Degree.MASTER, "major": "应用心理学", "certificate": "国家二级心理咨询师",
                      "certificate_number": f"XL{seed:02d}{index + 1:04d}",
                      "certificate_expires_on": today + dt.timedelta(days=(25, 70)[index]),
                      "employment": Qualification.Employment.PART_TIME},
        )  # fmt: skip
    return seeder.result
