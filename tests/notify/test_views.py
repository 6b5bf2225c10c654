"""The in-app inbox and its badge: each signed-in person sees, counts and opens their own notifications
only; someone else's notification is a 404, the same as a missing one."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.helpers import freeze_time
from xinyu.notify.models import Notification
from xinyu.notify.services import notify
from xinyu.org.scope import Tier

pytestmark = pytest.mark.django_db

CAST = [
    "dorm_leader", "wellbeing_rep", "head_teacher", "advisor", "mental_health_advisor", "college_leader",
    "counsellor", "leading_group_member", "outsider", "student", "supervisor", "student_affairs",
]  # fmt: skip


def seed(world) -> dict[str, list[Notification]]:
    """Two notifications for every cast member, the older one read; titles name their owner."""
    mine = {}
    for name in CAST:
        user = world.cast[name]
        old, new = (
            notify(
                [user],
                student=None,
                tier=Tier.T0,
                key=f"{name}:{n}",
                title=f"[{name}] item {n}",
                link=f"/concerns/reports/{n}/",
            )[0]
            for n in (1, 2)
        )
        Notification.objects.filter(pk=old.pk).update(read_at=old.created_at)
        mine[name] = [new, old]
    return mine


def ids_on(response) -> list[int]:
    return [int(i) for i in re.findall(r'data-testid="notification" data-id="(\d+)"', response.content.decode())]


def unread_on(response) -> int:
    return int(re.search(r'data-testid="notify-badge" data-unread="(\d+)"', response.content.decode()).group(1))


@pytest.mark.parametrize("who", CAST)
def test_the_inbox_lists_ones_own_notifications_newest_first(world, client_for, who):
    mine = seed(world)
    response = client_for(world.cast[who]).get(reverse("notify:inbox"))
    assert response.status_code == 200
    assert ids_on(response) == [n.pk for n in mine[who]]
    body = response.content.decode()
    assert [other for other in CAST if other != who and f"[{other}]" in body] == []
    assert body.count('data-testid="unread-mark"') == 1


@pytest.mark.parametrize("who", CAST)
def test_the_badge_counts_ones_own_unread_notifications(world, client_for, who):
    seed(world)
    notify([world.cast["advisor"]], student=None, tier=Tier.T0, key="extra", title="extra")
    client = client_for(world.cast[who])
    response = client.get(reverse("notify:badge"), headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert unread_on(response) == (2 if who == "advisor" else 1)
    badge = response.content.decode()
    assert f'hx-get="{reverse("notify:badge")}"' in badge and 'hx-trigger="every 20s"' in badge
    assert 'hx-select="#notify-badge"' in badge  # a sign-in page answering a poll never lands in the navbar
    assert unread_on(client.get(reverse("core:home"))) == unread_on(response)  # every page carries it


@pytest.mark.parametrize("who", CAST)
def test_opening_marks_read_and_goes_to_the_item_and_others_notifications_are_404(world, client_for, who):
    mine = seed(world)
    client = client_for(world.cast[who])
    for other in CAST:
        if other == who:
            continue
        response = client.post(reverse("notify:open", args=[mine[other][0].pk]))
        assert response.status_code == 404
    assert client.post(reverse("notify:open", args=[999_999])).status_code == 404
    assert set(Notification.objects.filter(read_at__isnull=True).values_list("pk", flat=True)) == {
        mine[name][0].pk for name in CAST
    }

    response = client.post(reverse("notify:open", args=[mine[who][0].pk]))
    assert (response.status_code, response["Location"]) == (302, "/concerns/reports/2/")
    assert set(Notification.objects.filter(read_at__isnull=True).values_list("pk", flat=True)) == {
        mine[name][0].pk for name in CAST if name != who
    }


def test_opening_is_a_post(world, client_for):
    (notification,) = notify(
        [world.cast["advisor"]], student=None, tier=Tier.T0, key="k", title="t", link="/concerns/reports/1/"
    )
    response = client_for(world.cast["advisor"]).get(reverse("notify:open", args=[notification.pk]))
    assert response.status_code == 405
    notification.refresh_from_db()
    assert notification.read_at is None


@pytest.mark.parametrize("link", ["", "https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:x"])
def test_a_link_that_leaves_xinyu_goes_to_the_inbox_instead(world, client_for, link):
    (notification,) = notify([world.cast["advisor"]], student=None, tier=Tier.T0, key="k", title="t", link=link)
    response = client_for(world.cast["advisor"]).post(reverse("notify:open", args=[notification.pk]))
    assert (response.status_code, response["Location"]) == (302, reverse("notify:inbox"))


def test_mark_all_read_touches_ones_own_only(world, client_for):
    mine = seed(world)
    response = client_for(world.cast["advisor"]).post(reverse("notify:read_all"))
    assert (response.status_code, response["Location"]) == (302, reverse("notify:inbox"))
    assert set(Notification.objects.filter(read_at__isnull=True).values_list("pk", flat=True)) == {
        mine[name][0].pk for name in CAST if name != "advisor"
    }
    assert client_for(world.cast["advisor"]).get(reverse("notify:read_all")).status_code == 405


@pytest.mark.parametrize("name", ["notify:inbox", "notify:badge", "notify:read_all", "notify:open"])
def test_signed_out_visitors_are_sent_to_sign_in(world, name):
    url = reverse(name, args=[1]) if name == "notify:open" else reverse(name)
    response = Client().post(url) if name in ("notify:read_all", "notify:open") else Client().get(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


def test_the_inbox_pages_newest_first(world, client_for):
    advisor = world.cast["advisor"]
    made = [notify([advisor], student=None, tier=Tier.T0, key=f"k{n}", title=f"t{n}")[0] for n in range(55)]
    client = client_for(advisor)
    first, second = (client.get(reverse("notify:inbox"), {"page": p}) for p in (1, 2))
    assert ids_on(first) + ids_on(second) == [n.pk for n in reversed(made)]
    assert (len(ids_on(first)), len(ids_on(second))) == (50, 5)


def test_the_unread_urgent_come_first_counted_and_filtered(world, client_for):
    advisor = world.cast["advisor"]

    def make(key, *, urgent=False, read=False):
        notification = notify([advisor], student=None, tier=Tier.T0, key=key, title=key, urgent=urgent)[0]
        if read:
            Notification.objects.filter(pk=notification.pk).update(read_at=notification.created_at)
        return notification.pk

    read_urgent = make("read-urgent", urgent=True, read=True)
    unread = make("unread")
    urgent = make("urgent", urgent=True)
    read = make("read", read=True)
    client = client_for(advisor)
    response = client.get(reverse("notify:inbox"))
    assert ids_on(response) == [urgent, unread, read, read_urgent]
    assert 'data-total="4" data-unread="2" data-urgent="1"' in response.content.decode()
    assert ids_on(client.get(reverse("notify:inbox"), {"unread": "on"})) == [urgent, unread]
    assert ids_on(client.get(reverse("notify:inbox"), {"urgent": "on"})) == [urgent, read_urgent]
    filtered = client.get(reverse("notify:inbox"), {"unread": "on", "urgent": "on"})
    assert ids_on(filtered) == [urgent]
    # Someone else's inbox is untouched by the filter: theirs only.
    assert ids_on(client_for(world.cast["head_teacher"]).get(reverse("notify:inbox"), {"urgent": "on"})) == []


def test_the_inbox_marks_urgent_and_drill_items(world, client_for):
    advisor = world.cast["advisor"]
    notify([advisor], student=None, tier=Tier.T0, key="a", title="plain")
    notify([advisor], student=None, tier=Tier.T0, key="b", title="urgent", urgent=True)
    notify([advisor], student=None, tier=Tier.T0, key="c", title="drill", urgent=True, drill=True)
    body = client_for(advisor).get(reverse("notify:inbox")).content.decode()
    assert (body.count('data-testid="urgent-mark"'), body.count('data-testid="drill-mark"')) == (2, 1)


@pytest.mark.parametrize("name", ["notify:inbox", "notify:badge"])
def test_the_number_of_queries_does_not_grow_with_the_inbox(world, client_for, name):
    advisor = world.cast["advisor"]
    client = client_for(advisor)
    counts = []
    for n in (1, 3):
        Notification.objects.filter(recipient=advisor).delete()
        for i in range(n):
            notify([advisor], student=None, tier=Tier.T0, key=f"{n}:{i}", title="t")
        client.get(reverse(name))  # the session's once-a-minute write happens here, not below
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse(name)).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_badge_polling_does_not_keep_an_idle_staff_session_alive(world, client_for, settings):
    settings.STAFF_IDLE_TIMEOUT_SECONDS = 30 * 60
    start = dt.datetime(2026, 11, 25, 2, 0, tzinfo=dt.UTC)
    with freeze_time(start) as clock:
        client = client_for(world.cast["advisor"])
        assert client.get(reverse("core:home")).status_code == 200
        for minute in range(1, 32):  # the tab stays open; nobody touches it
            clock.move_to(start + dt.timedelta(minutes=minute))
            client.get(reverse("notify:badge"), headers={"HX-Request": "true", "X-Xinyu-Poll": "1"})
        response = client.get(reverse("core:home"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))
