"""Training and qualifications in "my work": 培训学时不足 for the person in the last months of the year, the
count and reported trainings for 学工部, certificates expiring; every item T0."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.training.conftest import YEAR, attend, event
from xinyu.compliance.models import Qualification
from xinyu.core.work import WORK_SOURCES
from xinyu.training.models import Attendance
from xinyu.training.sources import training_work

pytestmark = pytest.mark.django_db


def at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(10)))


def kinds(user, day):
    section = training_work(user, at(day))
    return [] if section is None else [(item.kind, item.title) for item in section.items]


def test_it_is_a_source_of_my_work():
    assert training_work in WORK_SOURCES


def test_short_hours_show_in_the_persons_list_from_october_only(world):
    cast = world.cast
    attend(event(world, day=dt.date(YEAR, 3, 1), hours="10"), cast["advisor"])  # 10 of 16
    attend(event(world, day=dt.date(YEAR, 3, 2), hours="8", topic="二"), cast["head_teacher"])  # 8 of 8
    assert kinds(cast["advisor"], dt.date(YEAR, 9, 30)) == []
    assert kinds(cast["advisor"], dt.date(YEAR, 10, 1)) == [
        ("training_short", f"Training hours short: 10.0 of 16 hours in {YEAR}")
    ]
    assert kinds(cast["head_teacher"], dt.date(YEAR, 11, 1)) == []
    assert kinds(cast["leading_group_member"], dt.date(YEAR, 11, 1)) == []  # no minimum for the post
    assert training_work(cast["student"], at(dt.date(YEAR, 11, 1))) is None


def test_student_affairs_sees_the_count_the_reports_and_expiring_certificates(world):
    cast = world.cast
    reported = event(world, day=dt.date(YEAR, 8, 1), topic="外出研修", reported=True)
    attend(reported, cast["head_teacher"], status=Attendance.Status.PENDING)
    Qualification.objects.create(person=cast["counsellor"], degree="master", certificate="二级心理咨询师",
                                 certificate_expires_on=dt.date(YEAR, 12, 1))  # fmt: skip
    section = training_work(cast["student_affairs"], at(dt.date(YEAR, 10, 15)))
    items = {item.kind: item for item in section.items}
    assert set(items) == {"training_report", "training_shortfall", "qualification_expiring"}
    assert all(item.tier == 0 and item.student is None for item in section.items)
    # everyone with a minimum is short (no confirmed training): the 6 staff of the cast whose posts have one
    assert items["training_shortfall"].title == f"6 staff are short of their training minimum for {YEAR}"
    assert items["training_report"].title == "Confirm 孙班主任's training “外出研修”"
    assert items["qualification_expiring"].title == "冯咨询师's 二级心理咨询师 expires on 2026-12-01"
    before = training_work(cast["student_affairs"], at(dt.date(YEAR, 8, 15)))
    assert {item.kind for item in before.items} == {"training_report"}  # neither the count nor the 90 days yet
    # the counsellor is told to renew; the centre's supervisor, not a confirmer, is not told about it
    own = [item for item in training_work(cast["counsellor"], at(dt.date(YEAR, 10, 15))).items]
    assert ("qualification_expiring", "Your 二级心理咨询师 expires on 2026-12-01: renew it in time") in [
        (item.kind, item.title) for item in own]  # fmt: skip
    assert "qualification_expiring" not in {k for k, _ in kinds(cast["supervisor"], dt.date(YEAR, 10, 15))}
    expired = [item for item in training_work(cast["counsellor"], at(dt.date(YEAR, 12, 2))).items
               if item.kind == "qualification_expiring"]  # fmt: skip
    assert expired[0].overdue and expired[0].title == "Your 二级心理咨询师 expired on 2026-12-01: renew it"
