"""Delivery that survives failures, against a real HTTP gateway on 127.0.0.1 (tests/notify/gateway.py):
retries with back-off, leases that outlive a killed worker, one effect for a message sent twice."""

import datetime as dt
import threading

import pytest
from django.db import connection

from tests.factories import UserFactory
from tests.helpers import freeze_time
from xinyu.accounts.models import User
from xinyu.notify import delivery, senders
from xinyu.notify.models import Notification, OutboxMessage
from xinyu.notify.services import notify
from xinyu.org.scope import Tier

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 11, 25, 23, 0, tzinfo=dt.UTC)


def advisor(**fields):
    defaults = {"username": "T20001", "full_name": "周辅导员", "phone": "13800000002", "email": "zhou@example.edu.cn"}
    return UserFactory(**{**defaults, **fields})


def one_sms(person=None, key="report1", urgent=True):
    """An urgent notification that leaves by SMS only (the `sms_only` fixture): its outbox row."""
    (notification,) = notify(
        [person or advisor()],
        student=None,
        tier=Tier.T0,
        key=key,
        title="t",
        link="/concerns/reports/1/",
        urgent=urgent,
    )
    return notification.outbox.get()


def reload(row):
    row.refresh_from_db()
    return row


def test_each_channel_gets_its_own_payload_and_the_same_key_on_every_send(webhooks, gateway, mailoutbox, settings):
    settings.XINYU_BASE_URL = "https://xinyu.example.edu.cn"
    person = advisor()
    (notification,) = notify(
        [person], student=None, tier=Tier.T0, key="case7:levelC", title="t", link="/concerns/cases/7/", urgent=True
    )
    rows = {row.channel: row for row in notification.outbox.all()}
    assert set(rows) == {"email", "webhook:sms", "webhook:wecom", "webhook:dingtalk"}

    assert delivery.deliver_due() == 4

    assert {row.channel: (row.status, row.attempts) for row in OutboxMessage.objects.all()} == {
        channel: ("sent", 1) for channel in rows
    }
    by_path = {r.path.split("?")[0]: r for r in gateway.requests}
    assert set(by_path) == {"/sms", "/wecom", "/dingtalk"}
    words = senders.public_text(notification)
    assert words.link == "https://xinyu.example.edu.cn/concerns/cases/7/" and words.link in words.text
    text = words.content
    assert by_path["/sms"].payload == {"to": "13800000002", "text": text}
    assert by_path["/wecom"].payload == {
        "msgtype": "text",
        "text": {"content": text, "mentioned_mobile_list": ["13800000002"]},
    }
    assert by_path["/dingtalk"].payload == {
        "msgtype": "text",
        "text": {"content": f"{text}\n@13800000002"},
        "at": {"atMobiles": ["13800000002"], "isAtAll": False},
    }
    for channel, path in [("webhook:sms", "/sms"), ("webhook:wecom", "/wecom"), ("webhook:dingtalk", "/dingtalk")]:
        assert by_path[path].key == str(rows[channel].idempotency_key)
    (email,) = mailoutbox
    assert (email.to, email.subject, email.body) == (["zhou@example.edu.cn"], words.subject, words.text)
    key = str(rows["email"].idempotency_key)
    assert email.extra_headers["Message-ID"] == f"<{key}@xinyu.example.edu.cn>"


def test_a_failing_webhook_is_retried_with_exponential_back_off(sms_only, gateway):
    gateway.fail(3)
    with freeze_time(T0) as clock:
        row = one_sms()
        assert delivery.deliver_due() == 0
        assert (reload(row).status, row.attempts, row.next_attempt_at) == ("pending", 1, T0 + dt.timedelta(seconds=15))
        assert row.last_error == "webhook sms answered HTTP 500"

        clock.move_to(T0 + dt.timedelta(seconds=14))
        assert delivery.deliver_due() == 0
        assert len(gateway.requests) == 1  # not due yet: not tried

        schedule = []
        for _ in range(3):
            clock.move_to(row.next_attempt_at)
            delivery.deliver_due()
            reload(row)
            schedule.append((row.status, row.attempts, (row.next_attempt_at - T0).total_seconds()))
    # Waits of 15, 30 and 60 s after the first three failures; the fourth attempt gets through.
    assert schedule == [("pending", 2, 15 + 30), ("pending", 3, 15 + 30 + 60), ("sent", 4, 15 + 30 + 60)]
    assert row.last_error == ""
    assert gateway.keys() == [str(row.idempotency_key)] * 4
    assert list(gateway.effects) == [str(row.idempotency_key)]


def test_the_back_off_doubles_up_to_its_ceiling(settings):
    settings.NOTIFY_RETRY_BASE_SECONDS, settings.NOTIFY_RETRY_MAX_SECONDS = 15, 3600
    assert [delivery.backoff(n).total_seconds() for n in range(1, 11)] == [
        15, 30, 60, 120, 240, 480, 960, 1920, 3600, 3600,
    ]  # fmt: skip


def test_it_gives_up_after_the_maximum_attempts(sms_only, gateway, settings):
    settings.NOTIFY_MAX_ATTEMPTS = 3
    gateway.fail(10)
    with freeze_time(T0) as clock:
        row = one_sms()
        for _ in range(3):
            clock.move_to(reload(row).next_attempt_at)
            delivery.deliver_due()
        assert (reload(row).status, row.attempts) == ("failed", 3)
        clock.move_to(T0 + dt.timedelta(days=1))
        assert delivery.deliver_due() == 0
    assert len(gateway.requests) == 3


@pytest.mark.parametrize(("status", "outcome"), [(400, "failed"), (404, "failed"), (429, "pending"), (503, "pending")])
def test_a_refusal_is_final_and_a_busy_gateway_is_tried_again(sms_only, gateway, status, outcome):
    gateway.fail(1, status)
    row = one_sms()
    assert delivery.deliver_due() == 0
    assert (reload(row).status, row.attempts) == (outcome, 1)
    assert str(status) in row.last_error


def test_a_gateway_that_hangs_up_is_tried_again(sms_only, gateway):
    gateway.fail(1, status=0)
    with freeze_time(T0) as clock:
        row = one_sms()
        assert delivery.deliver_due() == 0
        assert reload(row).status == "pending" and "could not be reached" in row.last_error
        clock.move_to(row.next_attempt_at)
        assert delivery.deliver_due() == 1
    assert len(gateway.requests) == 2 and len(gateway.effects) == 1


def test_an_unreachable_gateway_is_tried_again(settings):
    settings.NOTIFY_EMAIL = False
    settings.NOTIFY_WEBHOOKS = [{"name": "sms", "url": "http://127.0.0.1:9/sms", "kind": "sms"}]  # discard port
    row = one_sms()
    assert delivery.deliver_due() == 0
    assert (reload(row).status, row.attempts) == ("pending", 1)
    assert row.last_error.startswith("webhook sms could not be reached")
    assert "127.0.0.1" not in row.last_error  # errors name the webhook, never its address (it may hold a token)


def test_a_robot_that_answers_with_an_error_code_is_tried_again(settings, gateway):
    settings.NOTIFY_EMAIL = False
    settings.NOTIFY_WEBHOOKS = [{"name": "wecom", "url": f"{gateway.url}/wecom", "kind": "wecom"}]
    gateway.reply = b'{"errcode": 45009, "errmsg": "api freq out of limit"}'
    row = one_sms()
    assert delivery.deliver_due() == 0
    assert (reload(row).status, row.last_error) == (
        "pending",
        "webhook wecom did not post the message: errcode 45009: api freq out of limit",
    )


@pytest.mark.parametrize("urgent,lease", [(True, 30), (False, 300)])
def test_a_worker_killed_mid_delivery_leaves_the_row_to_be_sent_after_its_lease(
    sms_only, gateway, settings, urgent, lease
):
    """Urgent messages are held for a short lease (renewed while a live worker sends), the others for long."""
    settings.NOTIFY_LEASE_SECONDS = 300
    settings.NOTIFY_URGENT_LEASE_SECONDS = 30
    with freeze_time(T0) as clock:
        row = one_sms(urgent=urgent)
        killed = delivery.claim_due()  # the worker claimed the row, then died before sending
        assert [m.pk for m in killed.messages] == [row.pk]
        assert reload(row).claimed_until == T0 + dt.timedelta(seconds=lease)

        assert delivery.deliver_due() == 0  # another worker, while the lease holds: leaves it alone
        clock.move_to(T0 + dt.timedelta(seconds=lease - 1))
        assert delivery.deliver_due() == 0
        assert gateway.requests == []

        clock.move_to(T0 + dt.timedelta(seconds=lease))  # the lease has run out: due again
        assert delivery.deliver_due() == 1
        assert (reload(row).status, row.attempts, row.claimed_until, row.claim_token) == ("sent", 2, None, "")
        clock.move_to(T0 + dt.timedelta(hours=1))
        assert delivery.deliver_due() == 0
    assert gateway.keys() == [str(row.idempotency_key)]


def test_a_worker_killed_after_sending_causes_a_harmless_second_send(sms_only, gateway):
    """The worst moment to die: the gateway got the message, the outbox never heard. The row is sent
    again with the same idempotency key, and the gateway acts once."""
    with freeze_time(T0) as clock:
        row = one_sms()
        claim = delivery.claim_due()
        senders.send(claim.messages[0])  # reached the gateway; the worker died before recording it
        assert reload(row).status == "pending"

        clock.move_to(claim.until)
        assert delivery.deliver_due() == 1
    assert gateway.keys() == [str(row.idempotency_key)] * 2
    assert list(gateway.effects) == [str(row.idempotency_key)]
    assert reload(row).status == "sent"


def test_a_worker_whose_lease_ran_out_cannot_overwrite_the_new_outcome(sms_only, gateway):
    with freeze_time(T0) as clock:
        row = one_sms()
        slow = delivery.claim_due()  # a worker stuck on a slow send past its lease
        clock.move_to(slow.until)
        assert delivery.deliver_due() == 1  # another worker took the row over and sent it

        failed_late = delivery._finish(slow.messages[0], slow.token, status=OutboxMessage.Status.FAILED)
    assert failed_late is False
    assert reload(row).status == "sent"


def test_two_workers_never_hold_the_same_row(sms_only, gateway):
    people = [advisor(username=f"T2{n:04d}", phone=f"1380000{n:04d}") for n in range(5)]
    notify(people, student=None, tier=Tier.T0, key="report9", title="t", link="/concerns/reports/9/", urgent=True)
    first = delivery.claim_due(limit=3)
    second = delivery.claim_due(limit=10)
    third = delivery.claim_due(limit=10)
    assert (len(first.messages), len(second.messages), third.messages) == (3, 2, [])
    assert not {m.pk for m in first.messages} & {m.pk for m in second.messages}


@pytest.mark.django_db(transaction=True)
def test_workers_running_at_once_send_every_row_once(sms_only, gateway, settings):
    """Real concurrency needs a server database: SQLite's in-memory test database is one connection."""
    if connection.vendor != "postgresql":
        pytest.skip("concurrent workers are tested on PostgreSQL (SELECT … FOR UPDATE SKIP LOCKED)")
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}  # no kick: the workers
    people = [advisor(username=f"T3{n:04d}", phone=f"1390000{n:04d}") for n in range(60)]
    notify(people, student=None, tier=Tier.T0, key="report10", title="t", link="/concerns/reports/10/", urgent=True)
    gateway.delay = 0.005
    sent, errors = [], []

    def worker():
        try:
            sent.append(delivery.deliver_due())
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sum(sent) == 60 and sum(1 for n in sent if n) >= 2  # the rows were shared out
    assert len(gateway.keys()) == 60 == len(set(gateway.keys()))
    assert set(OutboxMessage.objects.values_list("status", "attempts")) == {("sent", 1)}


def test_the_same_notification_twice_is_one_inbox_item_and_one_send(sms_only, gateway):
    person = advisor()
    assert len(notify([person], student=None, tier=Tier.T0, key="ack5:0", title="t", link="/x/", urgent=True)) == 1
    assert notify([person, person], student=None, tier=Tier.T0, key="ack5:0", title="t", link="/x/", urgent=True) == []
    assert delivery.deliver_due() == 1
    assert delivery.deliver_due() == 0  # a replayed task finds nothing due
    assert Notification.objects.filter(recipient=person).count() == 1
    assert OutboxMessage.objects.count() == 1
    assert len(gateway.requests) == 1


def test_a_stalled_channel_waits_one_step_while_the_others_go(settings, gateway, mailoutbox):
    """The SMS gateway hangs up: the run tries it once, puts its other rows back untried, sends the e-mails."""
    settings.NOTIFY_WEBHOOKS = [{"name": "sms", "url": f"{gateway.url}/sms", "kind": "sms"}]
    gateway.fail(10, status=0)
    people = [advisor(username=f"T4{n:04d}", email=f"p{n}@example.edu.cn") for n in range(3)]
    with freeze_time(T0):
        notify(people, student=None, tier=Tier.T0, key="case3", title="t", link="/concerns/cases/3/", urgent=True)
        assert delivery.deliver_due() == 3
    rows = OutboxMessage.objects.filter(channel="webhook:sms").order_by("pk")
    assert [(r.status, r.attempts, r.next_attempt_at) for r in rows] == [
        ("pending", 1, T0 + dt.timedelta(seconds=15)),
        ("pending", 0, T0 + dt.timedelta(seconds=15)),
        ("pending", 0, T0 + dt.timedelta(seconds=15)),
    ]
    assert len(gateway.requests) == 1 and len(mailoutbox) == 3


def test_rows_too_close_to_the_end_of_their_lease_are_handed_back_untried(sms_only, gateway, settings):
    settings.NOTIFY_URGENT_LEASE_SECONDS = 2  # no send starts in the second half of so short a lease
    gateway.delay = 1.2
    people = [advisor(username=f"T5{n:04d}") for n in range(3)]
    notify(people, student=None, tier=Tier.T0, key="case4", title="t", link="/concerns/cases/4/", urgent=True)
    claim = delivery.claim_due()
    assert delivery._deliver(claim) == 1
    rows = OutboxMessage.objects.order_by("pk")
    assert [(r.status, r.attempts, r.claim_token) for r in rows] == [
        ("sent", 1, ""),
        ("pending", 0, ""),
        ("pending", 0, ""),
    ]


def test_a_webhook_taken_out_of_the_settings_is_given_up(sms_only, settings):
    row = one_sms()
    settings.NOTIFY_WEBHOOKS = []
    assert delivery.deliver_due() == 0
    assert (reload(row).status, row.last_error) == (
        "failed",
        "channel webhook:sms is not configured in this deployment",
    )


@pytest.mark.parametrize("leaving", [{"is_active": False}, {"left_on": dt.date(2020, 9, 1)}])
def test_nothing_is_sent_to_someone_who_left(sms_only, gateway, leaving):
    person = advisor()
    row = one_sms(person)
    User.objects.filter(pk=person.pk).update(**leaving)
    person.refresh_from_db()
    assert delivery.deliver_due() == 0
    assert reload(row).status == "failed" and gateway.requests == []
    (later,) = notify([person], student=None, tier=Tier.T0, key="later", title="t", urgent=True)
    assert later.outbox.count() == 0  # the inbox item stays, should they come back; nothing leaves


def test_a_message_that_cannot_be_sent_does_not_stop_the_others(sms_only, gateway, mailoutbox, settings):
    settings.NOTIFY_EMAIL = True
    person = advisor()
    (notification,) = notify(
        [person], student=None, tier=Tier.T0, key="case5", title="t", link="/concerns/cases/5/", urgent=True
    )
    OutboxMessage.objects.filter(notification=notification, channel="email").update(channel="pigeon")
    assert delivery.deliver_due() == 1
    assert {r.channel: r.status for r in OutboxMessage.objects.all()} == {"pigeon": "failed", "webhook:sms": "sent"}


def test_the_backlog_shows_what_should_have_left(sms_only, gateway):
    with freeze_time(T0) as clock:
        one_sms()
        assert delivery.backlog() == delivery.Backlog(overdue=0, oldest_due_at=None)
        clock.move_to(T0 + dt.timedelta(minutes=6))  # no worker ran
        assert delivery.backlog() == delivery.Backlog(overdue=1, oldest_due_at=T0)
        delivery.deliver_due()
        assert delivery.backlog().overdue == 0


def test_urgent_rows_are_claimed_first_by_themselves_under_the_short_lease(sms_only, gateway, settings):
    settings.NOTIFY_LEASE_SECONDS = 300
    settings.NOTIFY_URGENT_LEASE_SECONDS = 30
    with freeze_time(T0):
        routine = one_sms(key="routine", urgent=False)
        urgent = one_sms(advisor(username="T20002"), key="urgent", urgent=True)

        first, second = delivery.claim_due(), delivery.claim_due()

    assert ([m.pk for m in first.messages], first.urgent, first.until) == (
        [urgent.pk],
        True,
        T0 + dt.timedelta(seconds=30),
    )
    assert ([m.pk for m in second.messages], second.urgent, second.until) == (
        [routine.pk],
        False,
        T0 + dt.timedelta(seconds=300),
    )


def test_renewing_extends_only_the_rows_still_held(sms_only, gateway, settings):
    settings.NOTIFY_URGENT_LEASE_SECONDS = 30
    with freeze_time(T0) as clock:
        row = one_sms()
        claim = delivery.claim_due()
        clock.move_to(T0 + dt.timedelta(seconds=20))
        assert delivery.renew(claim) == 1
        assert (reload(row).claimed_until, claim.until) == (
            T0 + dt.timedelta(seconds=50),
            T0 + dt.timedelta(seconds=50),
        )
        delivery._deliver(claim)
        assert delivery.renew(claim) == 0  # sent: nothing left to hold
    assert reload(row).status == "sent"


# The moves OutboxMessage.Status declares: only a waiting row is tried, and the answer settles where it goes.
ANSWERS = [(200, OutboxMessage.Status.SENT), (503, OutboxMessage.Status.PENDING), (400, OutboxMessage.Status.FAILED)]


def test_the_table_holds_the_outcomes_of_one_attempt():
    declared = {pair for pair in OutboxMessage.MOVES.pairs() if OutboxMessage.MOVES.allows(*pair)}
    assert declared == {(OutboxMessage.Status.PENDING, after) for _answer, after in ANSWERS}


@pytest.mark.parametrize("current", OutboxMessage.Status.values)
@pytest.mark.parametrize(("answer", "after"), ANSWERS)
def test_delivery_moves_an_outbox_row_as_the_table_says(sms_only, gateway, current, answer, after):
    if answer != 200:
        gateway.fail(1, answer)
    row = one_sms()
    OutboxMessage.objects.filter(pk=row.pk).update(status=current)
    delivery.deliver_due()
    reload(row)
    moves = OutboxMessage.MOVES.allows(current, after)
    assert row.status == (after if moves else current)
    assert len(gateway.requests) == (1 if moves else 0)
