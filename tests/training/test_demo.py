"""The demo seed: a year of training with most staff meeting their minimum and a few short, a report
waiting, certificates expiring soon; the same for the same seed."""

import datetime as dt

from django.utils import timezone

from tests.factories import UserFactory
from xinyu.org.models import Post
from xinyu.org.services import appoint
from xinyu.training import workload
from xinyu.training.demo import seed_training
from xinyu.training.models import Attendance, TrainingEvent


def _more_staff(world):
    for n in range(30):
        person = UserFactory(username=f"T4{n:04d}", full_name=f"班主任{n}")
        appoint(person, Post.HEAD_TEACHER, world.a1 if n % 2 else world.b1, starts_on=dt.date(2020, 9, 1))


def test_seed_training(world):
    _more_staff(world)
    result = seed_training(world.school, 3)
    today = timezone.localdate()
    assert result.events == TrainingEvent.objects.filter(reported=False).count() > 10
    assert TrainingEvent.objects.filter(college=world.college_a).exists()  # a college's own briefing
    assert Attendance.objects.filter(status=Attendance.Status.PENDING).count() == 1
    rows = workload.standings(today.year - 1, workload.User.objects.all(), today)
    short = [row for row in rows if row.short]
    assert 0 < len(short) < len(rows) / 3  # most meet their minimum, a few are short
    assert [q.person.username for q in workload.expiring_qualifications(today)] == ["T10003", "T10007"]


def test_the_same_seed_gives_the_same_training(world):
    _more_staff(world)
    seed_training(world.school, 5)
    first = sorted(Attendance.objects.values_list("event__topic", "event__starts_on", "person__username"))
    Attendance.objects.all().delete()
    TrainingEvent.objects.all().delete()
    seed_training(world.school, 5)
    assert sorted(Attendance.objects.values_list("event__topic", "event__starts_on", "person__username")) == first
