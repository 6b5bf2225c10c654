"""The escalation tick: every acknowledgement whose next action is due, found from the database.

Nothing lives in memory between ticks: what is due is `next_action_at <= now` on unacknowledged,
uncancelled rows (an indexed column), so a restart, a crashed worker or a second clock loses and doubles
nothing. Each acknowledgement is handled by `acks.process_due` in a savepoint of its own (batches of them
share one commit); one that fails is rolled back, logged and tried again at the next tick, and does not
hold up the others.
"""

import datetime as dt
import logging
import time
from dataclasses import asdict, dataclass, field

from django.db import transaction
from django.utils import timezone

from xinyu.concerns.models import Acknowledgement
from xinyu.concerns.services import acks, cases
from xinyu.policy.loader import Policy, PolicyError, policy_in_force, policy_version

logger = logging.getLogger(__name__)
# Acknowledgements handled per transaction: one commit (and one wake-up of the delivery worker) for many,
# while a failing one rolls back only its own savepoint.
BATCH = 50


@dataclass
class TickResult:
    due: int = 0
    renotified: int = 0
    escalated: int = 0
    cancelled: int = 0
    skipped: int = 0
    failed: int = 0
    seconds: float = 0.0
    failures: list[int] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)

    def __str__(self) -> str:
        return (
            f"{self.due} due: {self.renotified} reminded, {self.escalated} escalated, {self.cancelled} cancelled, "
            f"{self.skipped} skipped, {self.failed} failed in {self.seconds * 1000:.0f} ms"
        )


def due_acknowledgements(now: dt.datetime):
    """Unacknowledged, uncancelled acknowledgements whose next action is due, oldest first."""
    return Acknowledgement.objects.filter(
        next_action_at__lte=now, acknowledged_at__isnull=True, cancelled_at__isnull=True
    ).order_by("next_action_at", "pk")


def _policy(policy_key: str | None, reported_at: dt.datetime | None) -> Policy:
    """A case's own policy version; for a report, the version in force on the day it was made."""
    if policy_key:
        try:
            return policy_version(policy_key)
        except PolicyError:
            # The case's version left the policy directory: escalate under today's rather than not at all.
            logger.error("policy version %s of a case is missing; escalating under the one in force", policy_key)
            return policy_in_force(timezone.localdate())
    return policy_in_force(timezone.localdate(reported_at) if reported_at else timezone.localdate())


def process_due(ack: Acknowledgement, policy: Policy, *, now: dt.datetime | None = None) -> str:
    """`acks.process_due`, with moves on a case's step recorded on the case."""
    return acks.process_due(ack, policy, now=now, record_case_move=cases.record_escalation)


def _process_one(result: TickResult, pk: int, policy_key, reported_at, *, now) -> str | None:
    try:
        return process_due(Acknowledgement(pk=pk), _policy(policy_key, reported_at), now=now)
    except Exception:  # one broken row must not stop the others; rolled back, it stays due for the next tick
        logger.exception("escalation of acknowledgement %s failed", pk)
        result.failed += 1
        result.failures.append(pk)
        return None


def tick(now: dt.datetime | None = None) -> TickResult:
    """Handle every acknowledgement due at `now` (default: the current time)."""
    started = time.perf_counter()
    now = now or timezone.now()
    result = TickResult()
    rows = list(due_acknowledgements(now).values_list("pk", "step__case__policy_key", "report__created_at"))
    result.due = len(rows)
    for start in range(0, len(rows), BATCH):
        batch = rows[start : start + BATCH]
        try:
            with transaction.atomic():  # one commit per batch; each acknowledgement in a savepoint of its own
                outcomes = [_process_one(result, *row, now=now) for row in batch]
        except Exception:  # the batch's transaction itself failed (e.g. the connection broke): all stay due
            logger.exception("escalation batch of %s acknowledgements failed", len(batch))
            result.failed += len(batch)
            result.failures += [pk for pk, _key, _at in batch]
            continue
        for outcome in outcomes:
            if outcome:
                setattr(result, outcome, getattr(result, outcome) + 1)
    result.seconds = time.perf_counter() - started
    if result.due:
        logger.info("escalation tick at %s: %s", timezone.localtime(now).isoformat(timespec="seconds"), result)
    return result
