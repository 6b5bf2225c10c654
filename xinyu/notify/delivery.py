"""Delivering the outbox: due rows are found from the database, so a restart loses nothing."""

import datetime as dt
import logging

from django.db import transaction
from django.utils import timezone

from xinyu.notify.models import OutboxMessage

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 8


def backoff(attempts: int) -> dt.timedelta:
    return dt.timedelta(seconds=min(3600, 15 * 2 ** max(0, attempts - 1)))


def deliver_due(limit: int = 200) -> int:
    """Send what is due; returns how many were sent. (Channels are completed in the notify work.)"""
    sent = 0
    now = timezone.now()
    due = list(
        OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING, next_attempt_at__lte=now)
        .select_related("notification__recipient")
        .order_by("next_attempt_at")[:limit]
    )
    for message in due:
        with transaction.atomic():
            message.attempts += 1
            try:
                from xinyu.notify.senders import send

                send(message)
            except Exception as exc:  # a channel failure must never stop the others
                logger.warning("delivery of outbox %s via %s failed: %s", message.pk, message.channel, exc)
                message.last_error = str(exc)[:2000]
                message.status = (
                    OutboxMessage.Status.FAILED if message.attempts >= MAX_ATTEMPTS else OutboxMessage.Status.PENDING
                )
                message.next_attempt_at = timezone.now() + backoff(message.attempts)
            else:
                message.status, message.sent_at, message.last_error = OutboxMessage.Status.SENT, timezone.now(), ""
                sent += 1
            message.save(update_fields=["attempts", "status", "next_attempt_at", "last_error", "sent_at"])
    return sent
