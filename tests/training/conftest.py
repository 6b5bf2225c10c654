"""Helpers for the training tests: events and attendance built directly, and the cast's roles here."""

import datetime as dt
from decimal import Decimal

from xinyu.training.models import Attendance, Kind, Provider, TrainingEvent

YEAR = 2026
# Who keeps the school's training, sees everyone's record; who keeps a college's; who sees a college's staff.
SCHOOL_KEEPERS = ["student_affairs", "supervisor", "counsellor"]
COLLEGE_KEEPERS = ["mental_health_advisor", "college_leader"]  # college A's working group
NOT_KEEPERS = ["head_teacher", "advisor", "leading_group_member"]
# "outsider" is college B's mental-health advisor: keeps college B's training, not college A's.
STUDENTS = ["student", "dorm_leader", "wellbeing_rep"]


def event(world, *, day=dt.date(YEAR, 3, 10), hours="4", college=None, trainer=None, topic="个案研讨", **kwargs):
    return TrainingEvent.objects.create(
        school=world.school, college=college, topic=topic, provider=kwargs.pop("provider", Provider.INTERNAL),
        kind=kwargs.pop("kind", Kind.WORKSHOP), starts_on=day, ends_on=kwargs.pop("ends_on", day),
        hours=Decimal(hours), trainer=trainer, trainer_name="" if trainer else "外请专家", organiser="阳光心理中心",
        **kwargs,
    )  # fmt: skip


def attend(event, person, hours=None, status=Attendance.Status.CONFIRMED, **kwargs):
    return Attendance.objects.create(
        event=event, person=person, hours=Decimal(hours) if hours else event.hours, status=status, **kwargs
    )
