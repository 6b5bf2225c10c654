"""Telling people: an inbox item for each recipient and, in the same transaction, outbox rows for the
deployment's outside channels. Delivery runs in the background and retries; see xinyu/notify/delivery.py.

The inbox belongs to its recipient alone: `notifications_for` and `get_notification_for_user` are the
only ways views reach notifications.

Every notification declares the student it is about and the tier of what it reveals (DESIGN.md §4, "What
a T2 holder may learn"). A recipient who does not hold that tier over the student is still told — an
alert is never dropped — but only that something needs them, in words that name nobody and say no
reason (`withheld_title`), with no link: the notice is never lost and never leaks. The same rule holds
when the inbox is read later and when a message leaves Xinyu: whoever no longer holds the tier sees the
withheld words and no link.
"""

import hashlib
import logging

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from xinyu.notify import channels
from xinyu.notify.models import Notification, OutboxMessage
from xinyu.notify.reading import as_told_now, default_withheld_title  # noqa: F401 - part of this API
from xinyu.notify.tasks import deliver_outbox
from xinyu.org import scope
from xinyu.org.scope import Tier

logger = logging.getLogger(__name__)

DEDUPE_KEY_LENGTH = Notification._meta.get_field("dedupe_key").max_length


def dedupe_key(key: str, person) -> str:
    """One inbox item per event key and person; a key too long for the column is shortened by its hash."""
    full = f"{key}:{person.pk}"
    if len(full) <= DEDUPE_KEY_LENGTH:
        return full
    return f"{full[: DEDUPE_KEY_LENGTH - 42]}~{hashlib.sha256(full.encode()).hexdigest()[:40]}"


def notify(recipients, *, student, tier: Tier, key: str, title: str, link: str = "", body: str = "",
           urgent: bool = False, drill: bool = False, withheld_title: str = "") -> list[Notification]:  # fmt: skip
    """Notify each recipient once per `key`; call inside the transaction of the event that causes it.

    `student` is whom the item is about (None: nobody, and then `tier` must be T0) and `tier` the tier of
    what `title`, `body` and `link` reveal about them. `title` and `body` show in the recipient's inbox
    only and must not name the student; `link` is a path inside Xinyu. Messages leaving Xinyu carry
    neither, only that an item waits and the link. A recipient not holding `tier` over the student gets
    `withheld_title` instead (naming nobody, saying no reason; by default that something needs them),
    without body or link, and a warning is logged: work was routed to someone without the access it needs.
    `drill` marks a drill's notifications (演练) in the inbox and in every message that leaves.
    Returns the notifications created (none for a key already notified).
    """
    if student is None and tier > Tier.T0:
        raise ValueError(f"notification {key!r} reveals T{int(tier)} but names no student")
    now = timezone.now()
    people = [person for person in dict.fromkeys(recipients) if person is not None]  # None: a role nobody holds
    keys = {person: dedupe_key(key, person) for person in people}
    already = set(Notification.objects.filter(dedupe_key__in=keys.values()).values_list("dedupe_key", flat=True))
    people = [person for person in people if keys[person] not in already]
    fresh = []
    for person, may in zip(people, scope.may_each_be_told(people, student, tier), strict=True):
        told = {"title": title[:200], "body": body, "link": link, "tier": int(tier)}
        if not may:
            logger.warning(
                "notification %s: %s does not hold T%s over student %s; told without details",
                key, person.username, int(tier), getattr(student, "pk", None),
            )  # fmt: skip
            told = {"title": (withheld_title or default_withheld_title())[:200], "body": "", "link": "", "tier": 0}
        fresh.append(
            Notification(dedupe_key=keys[person], recipient=person, student=student, urgent=urgent, drill=drill, **told)
        )
    created = _create(fresh)
    outbox = OutboxMessage.objects.bulk_create(
        OutboxMessage(notification=notification, channel=channel, next_attempt_at=now)
        for notification in created
        for channel in channels.channels_for(notification.recipient, urgent=urgent)
    )
    if outbox:
        _kick_on_commit()
    return created


def _create(fresh: list[Notification]) -> list[Notification]:
    """Insert the new inbox items at once; when another transaction inserted one of the same keys meanwhile,
    one by one instead, skipping those (as get_or_create would)."""
    if not fresh:
        return []
    try:
        with transaction.atomic():
            return Notification.objects.bulk_create(fresh)
    except IntegrityError:
        pass
    created = []
    for notification in fresh:
        values = {field.attname: getattr(notification, field.attname) for field in Notification._meta.concrete_fields}
        values.pop("id")
        kept, is_new = Notification.objects.get_or_create(dedupe_key=values.pop("dedupe_key"), defaults=values)
        if is_new:
            created.append(kept)
    return created


def _kick_on_commit() -> None:
    """After the commit, wake the worker for a prompt delivery (once per transaction). If the kick is
    lost, the clock's sweep delivers the rows all the same."""
    connection = transaction.get_connection()
    if connection.in_atomic_block and any(callback is _kick for _ids, callback, _robust in connection.run_on_commit):
        return
    transaction.on_commit(_kick, robust=True)


def _kick() -> None:
    deliver_outbox.enqueue()


def notifications_for(user) -> QuerySet[Notification]:
    """The user's own inbox, newest first."""
    if not getattr(user, "is_authenticated", False):
        return Notification.objects.none()
    return Notification.objects.filter(recipient_id=user.pk).select_related("student").order_by("-created_at", "-id")


def get_notification_for_user(user, pk) -> Notification:
    """The user's notification `pk`, or 404: the same answer for missing and for someone else's."""
    notification = notifications_for(user).filter(pk=pk).first()
    if notification is None:
        raise Http404
    return notification


def unread_count(user) -> int:
    return notifications_for(user).filter(read_at__isnull=True).count()


def mark_read(notification: Notification) -> None:
    """Reading is not acknowledging: it only takes the item off the unread count."""
    if notification.read_at is None:
        now = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=now)
        notification.read_at = now


def mark_all_read(user) -> int:
    return notifications_for(user).filter(read_at__isnull=True).update(read_at=timezone.now())
