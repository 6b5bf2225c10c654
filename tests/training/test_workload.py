"""training_minutes and yearly_hours (the workload statement's interface), the standings against the
policy minimum, and expiring qualifications."""

import datetime as dt
from decimal import Decimal

import pytest

from tests.factories import UserFactory
from tests.training.conftest import YEAR, attend, event
from xinyu.compliance.models import Qualification
from xinyu.training import workload
from xinyu.training.models import Attendance

pytestmark = pytest.mark.django_db


def test_training_minutes_counts_confirmed_attendance_and_the_trainer_in_the_period(world):
    cast = world.cast
    inside = event(world, day=dt.date(YEAR, 3, 1), hours="2.5", trainer=cast["supervisor"])
    attend(inside, cast["counsellor"])
    attend(inside, cast["advisor"], hours="1")
    attend(inside, cast["head_teacher"], status=Attendance.Status.PENDING)
    attend(inside, cast["mental_health_advisor"], status=Attendance.Status.DECLINED)
    second = event(world, day=dt.date(YEAR, 5, 31), hours="3", topic="第二场")
    attend(second, cast["counsellor"])
    outside = event(world, day=dt.date(YEAR, 6, 1), hours="8", trainer=cast["supervisor"], topic="下一期")
    attend(outside, cast["counsellor"])
    earlier = event(world, day=dt.date(YEAR, 2, 28), hours="8", topic="上一期")
    attend(earlier, cast["counsellor"])
    reported = event(world, day=dt.date(YEAR, 4, 1), hours="6", trainer=cast["advisor"], reported=True, topic="报")
    attended, given = workload.training_minutes(dt.date(YEAR, 3, 1), dt.date(YEAR, 6, 1))
    assert attended == {cast["counsellor"].pk: 150 + 180, cast["advisor"].pk: 60}
    assert given == {cast["supervisor"].pk: 150}
    assert reported.pk  # a reported training names no staff trainer who gave it


def test_yearly_hours_is_the_calendar_year(world):
    cast = world.cast
    attend(event(world, day=dt.date(YEAR, 1, 1), hours="1.5"), cast["advisor"])
    attend(event(world, day=dt.date(YEAR, 12, 31), hours="2", topic="年末"), cast["advisor"])
    attend(event(world, day=dt.date(YEAR + 1, 1, 1), hours="7", topic="次年"), cast["advisor"])
    attend(event(world, day=dt.date(YEAR - 1, 12, 31), hours="5", topic="去年"), cast["head_teacher"])
    assert workload.yearly_hours(YEAR) == {cast["advisor"].pk: Decimal("3.5")}
    assert workload.yearly_hours(YEAR - 1) == {cast["head_teacher"].pk: Decimal("5")}
    assert workload.hours_of(cast["advisor"], YEAR) == Decimal("3.5")


def test_standings_use_the_highest_minimum_of_a_persons_posts(world):
    cast = world.cast
    attend(event(world, hours="10"), cast["head_teacher"])  # minimum 8: met
    attend(event(world, hours="10", topic="二"), cast["advisor"])  # minimum 16: short
    rows = {row.person.username: row for row in workload.standings(YEAR, UserFactory._meta.model.objects.all(),
                                                                  dt.date(YEAR, 10, 1))}  # fmt: skip
    assert rows["T10001"].minimum == 8 and not rows["T10001"].short
    assert rows["T10002"].minimum == 16 and rows["T10002"].short and rows["T10002"].missing == Decimal("6")
    assert rows["T10005"].minimum == 40 and rows["T10005"].hours == 0
    assert [c.name for c in rows["T10002"].colleges] == ["信息工程学院"]
    assert rows["T10005"].colleges == []
    # posts without a minimum (the leading group, 学工部) and students are not listed
    assert not {"T10006", "T10009", "T10004"} & set(rows)
    assert all(not row.person.is_student for row in rows.values())


def test_expiring_qualifications_within_90_days_or_expired(world):
    cast = world.cast
    on = dt.date(YEAR, 6, 1)
    for name, days in (("counsellor", 90), ("supervisor", 91), ("mental_health_advisor", -400), ("outsider", 0)):
        Qualification.objects.create(person=cast[name], degree="master", certificate="二级心理咨询师",
                                     certificate_expires_on=on + dt.timedelta(days=days))  # fmt: skip
    Qualification.objects.create(person=cast["advisor"], degree="master")  # no certificate date
    left = UserFactory(username="T19999", full_name="已离职", is_active=False)
    Qualification.objects.create(person=left, degree="master", certificate_expires_on=on)
    found = [q.person.username for q in workload.expiring_qualifications(on)]
    assert found == ["T10003", "T10007", "T10005"]
    assert [q.person.username for q in workload.expiring_qualifications(on, within_days=0)] == ["T10003", "T10007"]
