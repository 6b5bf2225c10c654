"""Writing to the access log. Callers write inside their own transaction, so that the entry and the
read or change it records commit together, and a failed audit write fails the request."""

import datetime as dt
import functools
import ipaddress
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from xinyu.audit.chain import GENESIS, compute_mac
from xinyu.audit.models import AuditEntry

# The name the log files automated actions under (`xinyu.accounts.system` is the account itself).
SYSTEM_USERNAME = "system"
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


@functools.cache
def _trusted_networks(proxies: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(proxy, strict=False) for proxy in proxies)


def _parse(address: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(address.strip())
    except ValueError:
        return None


def client_address(request) -> str | None:
    """The client's address: the socket's, unless the socket is one of the TRUSTED_PROXIES; then the
    nearest address in X-Forwarded-For that is not a trusted proxy (read from the right, since a client
    can put anything on the left). Anything that is not an IP address is ignored."""
    remote = _parse(request.META.get("REMOTE_ADDR") or "")
    networks = _trusted_networks(tuple(settings.TRUSTED_PROXIES))

    def trusted(address) -> bool:
        return any(address in network for network in networks)

    if remote is None or not trusted(remote):
        return str(remote) if remote else None
    for hop in reversed(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")):
        address = _parse(hop)
        if address is None:
            break
        if not trusted(address):
            return str(address)
        remote = address
    return str(remote)


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
