"""Writing to the access log. Callers write inside their own transaction, so that the entry and the
read or change it records commit together, and a failed audit write fails the request."""

import datetime as dt
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from xinyu.accounts.system import SYSTEM_USERNAME
from xinyu.audit.chain import GENESIS, compute_mac
from xinyu.audit.models import AuditEntry

# An arbitrary constant naming the advisory lock that serialises writers of the chain on PostgreSQL.
CHAIN_LOCK_ID = 7_340_128


@dataclass(frozen=True)
class Event:
    """One thing to record: what happened to which student's data, at which tier, and why."""

    action: str
    what: str
    student: object | None = None
    tier: int = 0
    post: str = ""
    detail: dict | None = None
    reason: str = ""


def client_address(request) -> str | None:
    # Behind nginx the real address is in X-Forwarded-For; the proxy must overwrite, not append.
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    address = forwarded.split(",")[0].strip() if forwarded else request.META.get("REMOTE_ADDR")
    return address or None


def _lock_chain():
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK_ID])
    # SQLite: Xinyu opens transactions IMMEDIATE, so the writer already holds the database's write lock.


def record_many(actor, events: list[Event], *, address: str | None = None) -> list[AuditEntry]:
    """Append entries for `events`, chained after the latest one, in the caller's transaction."""
    if not events:
        return []
    # No savepoint of its own: an audit write that fails fails the whole change it records.
    with transaction.atomic(savepoint=False):
        _lock_chain()
        last = AuditEntry.objects.order_by("-seq").values_list("seq", "mac").first()
        seq, prev_mac = last if last else (0, GENESIS)
        now = timezone.now().astimezone(dt.UTC)
        entries = []
        for event in events:
            seq += 1
            student = event.student
            entry = AuditEntry(
                seq=seq,
                at=now,
                actor=actor if getattr(actor, "pk", None) else None,
                actor_username=getattr(actor, "username", "") or SYSTEM_USERNAME,
                actor_name=getattr(actor, "full_name", "") or "",
                post=event.post,
                student=student,
                student_number=getattr(student, "student_number", "") or "",
                action=event.action,
                what=event.what,
                tier=int(event.tier),
                detail=event.detail or {},
                reason=event.reason,
                address=address,
                prev_mac=prev_mac,
            )
            entry.mac = compute_mac(entry, prev_mac)
            prev_mac = entry.mac
            entries.append(entry)
        AuditEntry.objects.bulk_create(entries, batch_size=1000)
    return entries


def record(actor, event: Event, *, address: str | None = None) -> AuditEntry:
    return record_many(actor, [event], address=address)[0]


def record_request(request, event: Event) -> AuditEntry:
    return record(request.user, event, address=client_address(request))
