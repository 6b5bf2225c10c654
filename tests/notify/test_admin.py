"""The back office shows notifications and the outbox to the centre's back-office users, read-only."""

import pytest
from django.urls import reverse

from tests.notify.test_views import CAST
from xinyu.notify.models import Notification, OutboxMessage
from xinyu.notify.services import notify
from xinyu.org.scope import Tier

pytestmark = pytest.mark.django_db

ADMIN = {"counsellor", "supervisor", "student_affairs"}  # scope.may_use_admin, as in the matrix test


@pytest.fixture
def notification(world, settings):
    settings.NOTIFY_EMAIL = True
    advisor = world.cast["advisor"]
    advisor.email = "zhou@example.edu.cn"
    advisor.save(update_fields=["email"])
    (made,) = notify(
        [advisor],
        student=None,
        tier=Tier.T0,
        key="case1:levelC",
        title="Crisis step to take",
        link="/concerns/cases/1/",
        urgent=True,
    )
    return made


@pytest.mark.parametrize("who", CAST)
@pytest.mark.parametrize("model", ["notification", "outboxmessage"])
def test_who_sees_the_lists(world, client_for, notification, who, model):
    response = client_for(world.cast[who]).get(reverse(f"admin:notify_{model}_changelist"))
    if who in ADMIN:
        assert response.status_code == 200
    else:
        assert response.status_code == 302 and reverse("admin:login") in response["Location"]


@pytest.mark.parametrize("model", ["notification", "outboxmessage"])
def test_nothing_can_be_added_changed_or_deleted(world, client_for, notification, model):
    client = client_for(world.cast["supervisor"])
    row = notification if model == "notification" else notification.outbox.get()
    assert client.get(reverse(f"admin:notify_{model}_change", args=[row.pk])).status_code == 200  # view only
    assert client.get(reverse(f"admin:notify_{model}_add")).status_code == 403
    assert client.post(reverse(f"admin:notify_{model}_change", args=[row.pk]), {"status": "sent"}).status_code == 403
    assert client.post(reverse(f"admin:notify_{model}_delete", args=[row.pk]), {"post": "yes"}).status_code == 403
    assert (Notification.objects.count(), OutboxMessage.objects.get().status) == (1, "pending")
