"""The reminders before a certificate expires (once at 90 days, once at 30), reporting without a post, and
the moves of a reported training."""

import datetime as dt

import pytest

from tests.factories import UserFactory
from tests.training.conftest import attend, event
from xinyu.compliance.models import Qualification
from xinyu.notify.models import Notification
from xinyu.training import services
from xinyu.training.forms import ReportForm
from xinyu.training.models import Attendance
from xinyu.training.tasks import training_daily

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 6, 1)


def test_reminders_at_90_and_30_days_once_each_to_the_teacher_and_student_affairs(world):
    cast = world.cast
    qualification = Qualification.objects.create(
        person=cast["counsellor"], degree="master", certificate="二级心理咨询师",
        certificate_expires_on=TODAY + dt.timedelta(days=60),
    )  # fmt: skip
    Qualification.objects.create(person=cast["supervisor"], degree="master", certificate="注册心理师",
                                 certificate_expires_on=TODAY + dt.timedelta(days=91))  # fmt: skip
    Qualification.objects.create(person=cast["advisor"], degree="master", certificate="已过期",
                                 certificate_expires_on=TODAY - dt.timedelta(days=1))  # fmt: skip
    assert services.send_qualification_reminders(TODAY) == 2
    assert services.send_qualification_reminders(TODAY) == 0  # once
    told = Notification.objects.order_by("recipient__username")
    assert [(n.recipient.username, n.tier, n.student_id) for n in told] == [("T10005", 0, None), ("T10009", 0, None)]
    assert told[0].title == "Your 二级心理咨询师 expires on 2026-07-31: renew it in time"
    # 29 days on: the counsellor's is 31 days away (told at 90 already); the supervisor's now within 90
    assert services.send_qualification_reminders(TODAY + dt.timedelta(days=29)) == 2
    assert Notification.objects.filter(recipient=cast["supervisor"]).count() == 1
    assert services.send_qualification_reminders(TODAY + dt.timedelta(days=30)) == 2  # the 30-day reminder
    assert Notification.objects.filter(recipient=cast["counsellor"]).count() == 2
    # a renewed certificate starts its own reminders
    qualification.certificate_expires_on = TODAY + dt.timedelta(days=80)
    qualification.save()
    assert services.send_qualification_reminders(TODAY) == 2


def test_the_clock_task_runs_the_reminders(world):
    Qualification.objects.create(person=world.cast["counsellor"], degree="master", certificate="证",
                                 certificate_expires_on=dt.date.today() + dt.timedelta(days=10))  # fmt: skip
    assert training_daily.call() == 2


def test_someone_without_a_post_cannot_report(world):
    nobody = UserFactory(username="T30000", full_name="无岗位")
    form = ReportForm({"topic": "研修", "kind": "workshop", "organiser": "某", "starts_on": "2026-01-02",
                       "ends_on": "2026-01-02", "hours": "3"}, today=TODAY)  # fmt: skip
    assert form.is_valid()
    with pytest.raises(services.TrainingError):
        services.report_training(form, person=nobody)
    assert not Attendance.objects.exists()


def test_a_decided_report_does_not_move_again_and_nobody_confirms_their_own(world):
    cast = world.cast
    own = attend(event(world, reported=True), cast["student_affairs"], status=Attendance.Status.PENDING)
    with pytest.raises(services.TrainingError):
        services.decide_report(own, confirm=True, by=cast["student_affairs"])
    other = attend(event(world, reported=True, topic="二"), cast["advisor"], status=Attendance.Status.PENDING)
    services.decide_report(other, confirm=False, reason="无证明", by=cast["student_affairs"])
    with pytest.raises(services.TrainingError):
        services.decide_report(other, confirm=True, by=cast["student_affairs"])
    other.refresh_from_db()
    assert other.status == Attendance.Status.DECLINED and other.reason == "无证明"
