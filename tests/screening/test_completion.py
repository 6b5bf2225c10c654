"""Completion pages: who has not answered yet, names only, never results; reminders in the inbox."""

import pytest
from django.urls import reverse

from tests.screening.test_campaigns import make_campaign
from xinyu.notify.models import Notification
from xinyu.screening.models import Participation
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


def page_of(client, campaign):
    return client.get(reverse("screening:completion", args=[campaign.pk]))


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
    page = page_of(client_for(world.cast[who]), campaign)
    assert page.status_code == 200
    text = page.content.decode()
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
    assert sent.url == reverse("screening:completion", args=[campaign.pk]) + "?reminded=4"
    recipients = set(
        Notification.objects.filter(dedupe_key__contains="screening-remind").values_list(
            "recipient__username", flat=True
        )
    )
    assert recipients == {"T10001", "T10002", "2025000004", "2025000005"}
    staff_note = Notification.objects.get(recipient=world.cast["head_teacher"])
    # Written in the language of the request that caused it (简体中文 by default).
    assert staff_note.title == "软件2501班 还有 2 名学生未完成“2025秋季心理普查”"
    # Once a day: a second press sends nothing more.
    again = client.post(reverse("screening:completion_remind", args=[campaign.pk, world.a1.pk]))
    assert again.url.endswith("?reminded=0")


def test_head_teacher_cannot_remind_another_class(world, client_for, campaign):
    client = client_for(world.cast["head_teacher"])
    assert client.post(reverse("screening:completion_remind", args=[campaign.pk, world.a2.pk])).status_code == 404
    assert (
        client_for(world.cast["outsider"])
        .post(reverse("screening:completion_remind", args=[campaign.pk, world.a1.pk]))
        .status_code
        == 404
    )
