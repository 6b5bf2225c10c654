"""notify(): the inbox item and the outbox rows are written in the caller's transaction, once per key and
person, for the channels that reach the person; the worker is woken once the transaction commits."""

import base64
import hashlib
import hmac
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import transaction

from tests.factories import UserFactory
from xinyu.accounts.models import User
from xinyu.notify import config, delivery, senders
from xinyu.notify.models import Notification, OutboxMessage
from xinyu.notify.services import dedupe_key, notify
from xinyu.org.scope import Tier

pytestmark = pytest.mark.django_db


def staff(username="T20001", **fields):
    defaults = {"full_name": "周辅导员", "phone": "13800000002", "email": "zhou@example.edu.cn"}
    return UserFactory(username=username, **{**defaults, **fields})


def channels(notification) -> set[str]:
    return set(notification.outbox.values_list("channel", flat=True))


def test_the_inbox_item_and_its_outbox_rows_commit_or_roll_back_with_their_cause(webhooks):
    person = staff()

    class Cause(Exception):
        pass

    with pytest.raises(Cause), transaction.atomic():
        notify([person], student=None, tier=Tier.T0, key="report1", title="t", link="/concerns/reports/1/", urgent=True)
        assert Notification.objects.count() == 1 and OutboxMessage.objects.count() == 4
        raise Cause
    assert (Notification.objects.count(), OutboxMessage.objects.count()) == (0, 0)

    with transaction.atomic():
        notify([person], student=None, tier=Tier.T0, key="report1", title="t", link="/concerns/reports/1/", urgent=True)
    assert (Notification.objects.count(), OutboxMessage.objects.count()) == (1, 4)


def test_channels_follow_urgency_and_what_the_person_has(webhooks):
    with_all = staff()
    no_phone = staff("T20002", phone="")
    nothing = UserFactory(username="T20003", phone="", email="")
    student = UserFactory(username="2025000001", kind=User.Kind.STUDENT, phone="13900000001", email="s@example.cn")
    people = [with_all, no_phone, nothing, student]
    urgent = {
        n.recipient_id: channels(n) for n in notify(people, student=None, tier=Tier.T0, key="u", title="t", urgent=True)
    }
    normal = {
        n.recipient_id: channels(n)
        for n in notify(people, student=None, tier=Tier.T0, key="n", title="t", urgent=False)
    }
    robots = {"webhook:wecom", "webhook:dingtalk"}
    assert urgent == {
        with_all.pk: {"email", "webhook:sms", *robots},
        no_phone.pk: {"email", *robots},  # a robot posts to the group even without a phone to mention
        nothing.pk: set(robots),
        student.pk: {"email", "webhook:sms"},  # group robots post into staff groups: not for students
    }
    assert normal == {with_all.pk: {"email", "webhook:sms"}, no_phone.pk: {"email"}, nothing.pk: set(),
                      student.pk: {"email", "webhook:sms"}}  # fmt: skip


def test_email_can_be_switched_off(settings):
    settings.NOTIFY_EMAIL = False
    (notification,) = notify([staff()], student=None, tier=Tier.T0, key="k", title="t", urgent=True)
    assert channels(notification) == set()


def test_one_item_per_key_and_person_even_with_repeats_and_long_keys():
    a, b = staff(), staff("T20002")
    assert [n.recipient for n in notify([a, b, a], student=None, tier=Tier.T0, key="case1:levelB", title="t")] == [a, b]
    assert notify([a, b], student=None, tier=Tier.T0, key="case1:levelB", title="t") == []
    long_key = "invariant:ack_not_escalated:" + "x" * 200
    first = notify([a], student=None, tier=Tier.T0, key=long_key, title="t")
    assert len(first[0].dedupe_key) <= 120
    assert notify([a], student=None, tier=Tier.T0, key=long_key, title="t") == []
    assert dedupe_key(long_key, a) != dedupe_key(long_key + "y", a)
    assert Notification.objects.count() == 3


def test_the_worker_is_woken_once_per_transaction_and_delivers_after_the_commit(
    sms_only, gateway, django_capture_on_commit_callbacks
):
    a, b = staff(), staff("T20002", phone="13800000003")
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        notify([a], student=None, tier=Tier.T0, key="case2:levelC", title="t", urgent=True)
        notify([b], student=None, tier=Tier.T0, key="case2:step1", title="t", urgent=True)
        assert gateway.requests == []  # nothing leaves before the cause commits
    assert len(callbacks) == 1
    # The test settings run tasks at once (ImmediateBackend): the kick delivered both.
    assert sorted(r.payload["to"] for r in gateway.requests) == ["13800000002", "13800000003"]
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {"sent"}


def test_a_failed_kick_does_not_undo_the_cause(sms_only, gateway, django_capture_on_commit_callbacks, settings):
    settings.TASKS = {"default": {"BACKEND": "tests.notify.no_such_module.Backend"}}  # enqueue fails
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        notify([staff()], student=None, tier=Tier.T0, key="case3", title="t", urgent=True)
    assert Notification.objects.count() == 1
    assert OutboxMessage.objects.get().status == "pending"  # the clock's sweep sends it
    assert delivery.deliver_due() == 1


def test_a_drill_says_so_in_the_inbox_and_in_what_leaves(sms_only, gateway):
    (drill,) = notify(
        [staff()],
        student=None,
        tier=Tier.T0,
        key="drill1",
        title="t",
        link="/concerns/cases/2/",
        urgent=True,
        drill=True,
    )
    (real,) = notify(
        [staff("T20002", phone="13800000003")],
        student=None,
        tier=Tier.T0,
        key="real1",
        title="t",
        link="/concerns/cases/3/",
        urgent=True,
    )
    assert (drill.drill, real.drill) == (True, False)
    drill_words, real_words = senders.public_text(drill), senders.public_text(real)
    assert drill_words.subject != real_words.subject and real_words.subject in drill_words.subject
    delivery.deliver_due()
    texts = {r.payload["to"]: r.payload["text"] for r in gateway.requests}
    assert texts == {"13800000002": drill_words.content, "13800000003": real_words.content}


def test_links_leaving_xinyu_stay_on_xinyu(settings):
    settings.XINYU_BASE_URL = "https://xinyu.example.edu.cn/"
    assert senders.absolute_link("/concerns/cases/1/") == "https://xinyu.example.edu.cn/concerns/cases/1/"
    assert senders.absolute_link("//evil.example/") == "https://xinyu.example.edu.cn/"
    assert senders.absolute_link("https://evil.example/") == "https://xinyu.example.edu.cn/"
    assert senders.absolute_link("") == "https://xinyu.example.edu.cn/"


def test_dingtalk_signing():
    hook = config.Webhook(name="dd", url="https://oapi.dingtalk.com/robot/send?access_token=t", kind="dingtalk",
                          secret="SEC123")  # fmt: skip
    url = senders.signed_url(hook, now_ms=1_700_000_000_000)
    query = parse_qs(urlsplit(url).query)
    expected = base64.b64encode(hmac.new(b"SEC123", b"1700000000000\nSEC123", hashlib.sha256).digest()).decode()
    assert query == {"access_token": ["t"], "timestamp": ["1700000000000"], "sign": [expected]}
    unsigned = config.Webhook(name="wc", url="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k", kind="wecom")
    assert senders.signed_url(unsigned) == unsigned.url


def test_the_signed_robot_gets_timestamp_and_sign(webhooks, gateway):
    notify([staff()], student=None, tier=Tier.T0, key="k", title="t", urgent=True)
    delivery.deliver_due()
    (robot,) = [r for r in gateway.requests if r.path.startswith("/dingtalk")]
    assert set(parse_qs(urlsplit(robot.path).query)) == {"access_token", "timestamp", "sign"}
