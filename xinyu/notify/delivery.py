"""Delivering the outbox: due rows are found from the database, so a restart or a crashed worker loses nothing.

`deliver_due()` is the one way rows leave: the task kicked when a notifying transaction commits runs it,
and the clock (`run_clock`) runs it every tick as a sweep. It claims a small batch of due rows with a
lease (`claimed_until`) and a token, in a short transaction of its own — on PostgreSQL with
`SELECT … FOR UPDATE SKIP LOCKED`, elsewhere (SQLite) with the same conditional UPDATE alone — then
sends outside any transaction and records each outcome only if it still holds the claim. A worker
killed mid-delivery leaves its rows claimed until the lease runs out; then they are due again. A row
that fails is tried again after an exponential back-off, and given up after NOTIFY_MAX_ATTEMPTS.

Urgent rows go first, in claims of their own, under a short lease (NOTIFY_URGENT_LEASE_SECONDS, 30 s)
that a thread of the sending worker renews every third of it while the batch is being sent (a slow
gateway may take NOTIFY_WEBHOOK_TIMEOUT_SECONDS per send): a killed worker stops renewing, so another
worker sends the row within one short lease, not after the 300 s of the others. A live worker keeps
renewing for NOTIFY_LEASE_SECONDS at most, so a worker that hangs holds an urgent row no longer than any
other.

Delivery is not acknowledgement: nothing here marks anything acknowledged.
"""

import datetime as dt
import logging
import threading
import uuid
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, connections, transaction
from django.db.models import Count, F, Min, Q
from django.utils import timezone

from xinyu.notify import senders
from xinyu.notify.models import OutboxMessage

logger = logging.getLogger(__name__)

# Rows claimed at a time: small, so that a slow channel cannot hold many rows past their lease.
BATCH = 20
# No new send starts this close to the end of the lease (a send may take up to the channel's timeout),
# nor in the second half of a lease shorter than twice this.
LEASE_MARGIN = dt.timedelta(seconds=60)


def backoff(attempts: int) -> dt.timedelta:
    """The wait after the `attempts`-th failed attempt: base, 2×base, 4×base, … up to the ceiling."""
    seconds = settings.NOTIFY_RETRY_BASE_SECONDS * 2 ** max(0, attempts - 1)
    return dt.timedelta(seconds=min(settings.NOTIFY_RETRY_MAX_SECONDS, seconds))


def due(now: dt.datetime):
    """Waiting rows whose time has come and that no live claim holds."""
    return OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING, next_attempt_at__lte=now).filter(
        Q(claimed_until__isnull=True) | Q(claimed_until__lte=now)
    )


@dataclass
class Claim:
    token: str
    until: dt.datetime
    messages: list[OutboxMessage]
    lease: dt.timedelta = dt.timedelta(seconds=300)
    urgent: bool = False


def lease_for(*, urgent: bool) -> dt.timedelta:
    return dt.timedelta(seconds=settings.NOTIFY_URGENT_LEASE_SECONDS if urgent else settings.NOTIFY_LEASE_SECONDS)


def claim_due(*, limit: int = BATCH, now: dt.datetime | None = None) -> Claim:
    """Claim up to `limit` due rows; each claim counts as an attempt. Urgent rows first, by themselves,
    until now + NOTIFY_URGENT_LEASE_SECONDS; when none is due, the others until now + NOTIFY_LEASE_SECONDS."""
    now = now or timezone.now()
    token = uuid.uuid4().hex
    urgent = due(now).filter(notification__urgent=True).exists()
    lease = lease_for(urgent=urgent)
    until = now + lease
    with transaction.atomic():
        candidates = (
            due(now).filter(notification__urgent=urgent).order_by("next_attempt_at", "pk").values_list("pk", flat=True)
        )[:limit]
        if connection.features.has_select_for_update_skip_locked:
            # Rows another worker is claiming right now are skipped, not waited for.
            candidates = candidates.select_for_update(skip_locked=True)
        ids = list(candidates)
        if ids:
            # Conditional: a row claimed by someone else since it was read is left alone.
            due(now).filter(pk__in=ids).update(claimed_until=until, claim_token=token, attempts=F("attempts") + 1)
    messages = list(
        OutboxMessage.objects.filter(pk__in=ids, claim_token=token)
        .select_related("notification__recipient")
        .order_by("next_attempt_at", "pk")
    )
    return Claim(token=token, until=until, messages=messages, lease=lease, urgent=urgent)


def renew(claim: Claim, *, now: dt.datetime | None = None) -> int:
    """Extend the lease of the claim's rows still waiting and still ours; returns how many."""
    now = now or timezone.now()
    until = now + claim.lease
    renewed = OutboxMessage.objects.filter(claim_token=claim.token, status=OutboxMessage.Status.PENDING).update(
        claimed_until=until
    )
    claim.until = until
    return renewed


@contextmanager
def _renewing(claim: Claim):
    """While the body runs, renew an urgent claim every third of its lease, from a thread with its own
    database connection, for NOTIFY_LEASE_SECONDS at most. Not inside a transaction: rows claimed there
    are invisible to other connections, and so to other workers, until it commits."""
    if not claim.urgent or connection.in_atomic_block:
        yield
        return
    stop = threading.Event()
    give_up = timezone.now() + dt.timedelta(seconds=settings.NOTIFY_LEASE_SECONDS)

    def keep_renewing():
        try:
            while not stop.wait(claim.lease.total_seconds() / 3) and timezone.now() < give_up:
                try:
                    renew(claim)
                except Exception:  # the database briefly away: the lease runs out, another worker sends
                    logger.exception("outbox: renewing the urgent claim %s failed", claim.token)
        finally:
            connections.close_all()

    thread = threading.Thread(target=keep_renewing, name=f"outbox-lease-{claim.token[:8]}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def _finish(message: OutboxMessage, token: str, **fields) -> bool:
    """Record an outcome if the claim is still ours; a worker whose lease ran out records nothing."""
    done = OutboxMessage.objects.filter(pk=message.pk, claim_token=token).update(
        claimed_until=None, claim_token="", **fields
    )
    if not done:
        logger.warning("outbox %s: the claim ran out before its outcome was recorded", message.pk)
    return bool(done)


def _put_back(messages: list[OutboxMessage], token: str, *, at: dt.datetime) -> None:
    """Hand claimed rows back untried: their attempt is not counted."""
    OutboxMessage.objects.filter(pk__in=[m.pk for m in messages], claim_token=token).update(
        claimed_until=None, claim_token="", attempts=F("attempts") - 1, next_attempt_at=at
    )


def _deliver(claim: Claim) -> int:
    with _renewing(claim):
        return _send_claimed(claim)


def _send_claimed(claim: Claim) -> int:
    sent = 0
    margin = min(LEASE_MARGIN, claim.lease / 2)
    # A channel that failed in this run (gateway down, robot refusing) is not tried again in the run:
    # its other rows wait one back-off step instead of each waiting for the same timeout.
    stalled: set[str] = set()
    for index, message in enumerate(claim.messages):
        now = timezone.now()
        if now + margin >= claim.until:
            _put_back(claim.messages[index:], claim.token, at=now)
            break
        if message.channel in stalled:
            _put_back([message], claim.token, at=now + backoff(1))
            continue
        try:
            senders.send(message)
        except senders.PermanentDeliveryError as exc:
            logger.warning("outbox %s via %s given up: %s", message.pk, message.channel, exc)
            _finish(message, claim.token, status=OutboxMessage.Status.FAILED, last_error=str(exc)[:2000])
        except Exception as exc:  # a channel's failure, or a fault in one, must never stop the others
            if not isinstance(exc, senders.DeliveryError):
                logger.exception("outbox %s via %s: unexpected error", message.pk, message.channel)
            stalled.add(message.channel)
            gave_up = message.attempts >= settings.NOTIFY_MAX_ATTEMPTS
            logger.warning(
                "outbox %s via %s, attempt %s%s: %s",
                message.pk, message.channel, message.attempts, " (giving up)" if gave_up else "", exc,
            )  # fmt: skip
            _finish(
                message,
                claim.token,
                status=OutboxMessage.Status.FAILED if gave_up else OutboxMessage.Status.PENDING,
                next_attempt_at=timezone.now() + backoff(message.attempts),
                last_error=str(exc)[:2000],
            )
        else:
            if _finish(message, claim.token, status=OutboxMessage.Status.SENT, sent_at=timezone.now(), last_error=""):
                sent += 1
    return sent


def deliver_due(limit: int = 500) -> int:
    """Send what is due, up to `limit` rows; returns how many were sent. Safe to run in many workers."""
    sent = handled = 0
    while handled < limit:
        claim = claim_due(limit=min(BATCH, limit - handled))
        if not claim.messages:
            break
        handled += len(claim.messages)
        sent += _deliver(claim)
    return sent


@dataclass(frozen=True)
class Backlog:
    overdue: int  # waiting rows due for longer than the grace period: is a worker running?
    oldest_due_at: dt.datetime | None


def backlog(*, grace: dt.timedelta = dt.timedelta(minutes=5), now: dt.datetime | None = None) -> Backlog:
    """For monitoring and the invariant check: what should have left by now and has not."""
    now = now or timezone.now()
    overdue = OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING, next_attempt_at__lte=now - grace)
    summary = overdue.aggregate(count=Count("pk"), oldest=Min("next_attempt_at"))
    return Backlog(overdue=summary["count"], oldest_due_at=summary["oldest"])
