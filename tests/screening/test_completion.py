"""Completion pages: who has not answered yet, names only, never results; reminders in the inbox."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.screening.test_campaigns import make_campaign
from xinyu.audit.models import AuditEntry
from xinyu.notify.models import Notification
from xinyu.org.models import Student
from xinyu.screening.campaigns import REMINDER_HOURS, ReminderRefused, remind
from xinyu.screening.models import Campaign, Participation, Reminder
from xinyu.screening.questionnaire import record_consent, save_answer, submit


def submitted_by(campaign, student):
    participation = Participation.objects.get(campaign=campaign, student=student)
    record_consent(participation, agreed=True, consent_version="v1")
    instrument = campaign.instruments.get()
    for number in range(1, 10):
        save_answer(participation, instrument.pk, number, "3")
    return submit(participation, f"key-{student.pk}")


@pytest.fixture
def campaign(world):
    campaign = make_campaign(world)
    submitted_by(campaign, world.in_scope)  # severe, with a red flag: nothing of it may show here
    return campaign


def page_of(client, campaign, **params):
    return client.get(reverse("screening:completion", args=[campaign.pk]), params)


def every_college_of(client, campaign) -> str:
    """The page, and where it opens on the summary of several colleges, each college's page after it."""
    page = page_of(client, campaign)
    assert page.status_code == 200
    text = page.content.decode()
    for college in re.findall(r'data-testid="completion-college" data-college="(\d+)"', text):
        college_page = page_of(client, campaign, college=college)
        assert college_page.status_code == 200
        text += college_page.content.decode()
    return text


@pytest.mark.parametrize(
    ("who", "sees", "hidden"),
    [
        ("counsellor", {"李四", "王五", "赵寝"}, set()),
        ("supervisor", {"李四", "王五", "赵寝"}, set()),
        ("student_affairs", {"李四", "王五", "赵寝"}, set()),
        ("mental_health_advisor", {"李四", "赵寝"}, {"王五"}),
        ("college_leader", {"李四", "赵寝"}, {"王五"}),
        ("outsider", {"王五"}, {"李四", "赵寝"}),
        ("head_teacher", {"赵寝", "钱委"}, {"李四", "王五"}),
        ("advisor", {"赵寝", "钱委"}, {"李四", "王五"}),
    ],
)
def test_completion_names_those_waiting_and_shows_no_results(world, client_for, campaign, who, sees, hidden):
    text = every_college_of(client_for(world.cast[who]), campaign)
    for name in sees:
        assert name in text
    for name in hidden:
        assert name not in text
    assert "张三" not in text  # submitted: not waiting
    for leak in ("severe", "suicidal", "重度", "PHQ-9", "得分", "score"):
        assert leak not in text


@pytest.mark.parametrize("who", ["leading_group_member", "student", "dorm_leader", "wellbeing_rep"])
def test_others_get_404(world, client_for, campaign, who):
    client = client_for(world.cast[who])
    assert page_of(client, campaign).status_code == 404
    remind_url = reverse("screening:completion_remind", args=[campaign.pk, world.a1.pk])
    assert client.post(remind_url).status_code == 404
    assert not Notification.objects.filter(dedupe_key__contains="screening-remind").exists()


def test_remind_notifies_the_class_staff_and_waiting_students(world, client_for, campaign):
    client = client_for(world.cast["mental_health_advisor"])
    sent = client.post(reverse("screening:completion_remind", args=[campaign.pk, world.a1.pk]))
    assert (
        sent.url == reverse("screening:completion", args=[campaign.pk]) + f"?college={world.a1.college_id}&reminded=4"
    )
    recipients = set(
        Notification.objects.filter(dedupe_key__contains="screening-remind").values_list(
            "recipient__username", flat=True
        )
    )
    assert recipients == {"T10001", "T10002", "2025000004", "2025000005"}
    staff_note = Notification.objects.get(recipient=world.cast["head_teacher"])
    # Written in the language of the request that caused it (简体中文 by default).
    assert staff_note.title == "软件2501班 还有 2 名学生未完成“2025秋季心理普查”"
    # At most once every REMINDER_HOURS per class: a second press sends nothing more and says why.
    again = client.post(reverse("screening:completion_remind", args=[campaign.pk, world.a1.pk]), follow=True)
    assert again.redirect_chain[-1][0] == reverse("screening:completion", args=[campaign.pk]) + (
        f"?college={world.a1.college_id}"
    )
    assert Notification.objects.filter(dedupe_key__contains="screening-remind").count() == 4
    assert Reminder.objects.filter(campaign=campaign, class_group=world.a1).count() == 1
    page = again.content.decode()
    assert 'data-testid="last-reminder"' in page
    # A1's button waits until the next reminder may go; A2's is still there.
    assert reverse("screening:completion_remind", args=[campaign.pk, world.a1.pk]) not in page
    assert reverse("screening:completion_remind", args=[campaign.pk, world.a2.pk]) in page


def test_head_teacher_cannot_remind_another_class(world, client_for, campaign):
    client = client_for(world.cast["head_teacher"])
    assert client.post(reverse("screening:completion_remind", args=[campaign.pk, world.a2.pk])).status_code == 404
    assert (
        client_for(world.cast["outsider"])
        .post(reverse("screening:completion_remind", args=[campaign.pk, world.a1.pk]))
        .status_code
        == 404
    )


def student_of(world, who):
    return Student.objects.get(user=world.cast[who])


def remind_url(campaign, group):
    return reverse("screening:completion_remind", args=[campaign.pk, group.pk])


def test_remind_is_audited_per_student_reminded(world, client_for, campaign):
    client_for(world.cast["head_teacher"]).post(remind_url(campaign, world.a1))
    entries = AuditEntry.objects.filter(what="screening.reminder")
    assert {entry.student_id for entry in entries} == {
        student_of(world, "dorm_leader").pk,
        student_of(world, "wellbeing_rep").pk,
    }
    assert {entry.actor_id for entry in entries} == {world.cast["head_teacher"].pk}
    assert all(entry.detail["campaign"] == campaign.pk for entry in entries)


def test_students_reminder_carries_the_campaign_reminder_text(world, client_for):
    campaign = make_campaign(world, reminder_text="请在今晚十点前完成，谢谢配合。")
    client_for(world.cast["advisor"]).post(remind_url(campaign, world.a1))
    note = Notification.objects.get(recipient=world.cast["dorm_leader"])
    assert note.body == "请在今晚十点前完成，谢谢配合。"
    assert note.link == reverse("screening:my_campaigns")
    assert "赵寝" not in note.title  # titles never name the student


def test_remind_again_after_the_interval(world, client_for, campaign):
    client = client_for(world.cast["head_teacher"])
    client.post(remind_url(campaign, world.a1))
    Reminder.objects.update(sent_at=timezone.now() - dt.timedelta(hours=REMINDER_HOURS, minutes=1))
    again = client.post(remind_url(campaign, world.a1))
    assert again.url.endswith("&reminded=4")
    assert Reminder.objects.filter(campaign=campaign, class_group=world.a1).count() == 2
    assert Notification.objects.filter(recipient=world.cast["dorm_leader"]).count() == 2


def test_throttle_is_per_class(world, client_for, campaign):
    client = client_for(world.cast["mental_health_advisor"])
    client.post(remind_url(campaign, world.a1))
    other = client.post(remind_url(campaign, world.a2))
    assert other.url.endswith("&reminded=1")  # 李四 only; A2 has no head teacher or advisor
    assert Reminder.objects.filter(campaign=campaign).count() == 2


def test_no_reminder_for_a_closed_campaign_or_a_class_that_has_answered(world, client_for, campaign):
    client = client_for(world.cast["counsellor"])
    for student in (student_of(world, "dorm_leader"), student_of(world, "wellbeing_rep")):
        submitted_by(campaign, student)
    with pytest.raises(ReminderRefused):
        remind(campaign, world.a1)
    Campaign.objects.filter(pk=campaign.pk).update(closes_at=timezone.now() - dt.timedelta(minutes=1))
    campaign.refresh_from_db()
    with pytest.raises(ReminderRefused):
        remind(campaign, world.a2)
    refused = client.post(remind_url(campaign, world.a2), follow=True)
    assert refused.status_code == 200
    assert not Reminder.objects.exists()
    assert not Notification.objects.filter(dedupe_key__contains="screening-remind").exists()
    assert not AuditEntry.objects.filter(what="screening.reminder").exists()
