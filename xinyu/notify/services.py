"""Telling people: an inbox item for each recipient and, in the same transaction, outbox rows for the
deployment's outside channels. Delivery runs in the background and retries; see xinyu/notify/delivery.py."""

from django.db import transaction
from django.utils import timezone

from xinyu.notify import channels
from xinyu.notify.models import Notification, OutboxMessage


def notify(recipients, *, key: str, title: str, link: str = "", body: str = "", urgent: bool = False):
    """Notify each recipient once per `key`; call inside the transaction of the event that causes it."""
    created = []
    now = timezone.now()
    for person in dict.fromkeys(recipients):
        notification, is_new = Notification.objects.get_or_create(
            dedupe_key=f"{key}:{person.pk}"[:120],
            defaults={"recipient": person, "title": title, "body": body, "link": link, "urgent": urgent},
        )
        if not is_new:
            continue
        created.append(notification)
        for channel in channels.channels_for(person, urgent=urgent):
            OutboxMessage.objects.create(notification=notification, channel=channel, next_attempt_at=now)
    if created:
        transaction.on_commit(_kick_delivery)
    return created


def _kick_delivery():
    from xinyu.notify.tasks import deliver_outbox

    deliver_outbox.enqueue()
