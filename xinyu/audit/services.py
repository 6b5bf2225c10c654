"""Writing to the access log. Callers write inside their own transaction, so that the entry and the
read or change it records commit together, and a failed audit write fails the request.

A request takes no lock to write: its entries go in unsealed (no number yet), each with the HMAC of its
own content, so that writers on any number of web machines never wait on each other. The sealer
(xinyu/audit/seal.py, run by the clock every tick and by `verify_audit`) numbers and chains them."""

import datetime as dt
import functools
import ipaddress
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from xinyu.audit.chain import entry_mac
from xinyu.audit.models import AuditEntry

# The name the log files automated actions under (`xinyu.accounts.system` is the account itself).
SYSTEM_USERNAME = "system"


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


def _new_ids(count: int) -> list[int]:
    """Row ids for `count` new entries, taken before they are written: an entry's own HMAC covers its id."""
    table = AuditEntry._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The column's own sequence: no lock, and no two transactions ever get the same number.
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, count]
            )
            return sorted(row[0] for row in cursor.fetchall())
        # SQLite: Xinyu opens transactions IMMEDIATE, so this writer holds the database's write lock and
        # nobody else takes these numbers; past the highest id ever given out (AUTOINCREMENT keeps it).
        cursor.execute(
            f"SELECT MAX(COALESCE((SELECT MAX(id) FROM {table}), 0),"  # noqa: S608 (the model's own table)
            " COALESCE((SELECT seq FROM sqlite_sequence WHERE name = %s), 0))",
            [table],
        )
        last = cursor.fetchone()[0]
        return list(range(last + 1, last + 1 + count))


def record_many(actor, events: list[Event], *, address: str | None = None) -> list[AuditEntry]:
    """Append unsealed entries for `events` in the caller's transaction, taking no lock."""
    if not events:
        return []
    # No savepoint of its own: an audit write that fails fails the whole change it records.
    with transaction.atomic(savepoint=False):
        now = timezone.now().astimezone(dt.UTC)
        entries = []
        for pk, event in zip(_new_ids(len(events)), events, strict=True):
            student = event.student
            entry = AuditEntry(
                pk=pk,
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
            )
            entry.entry_mac = entry_mac(entry)
            entries.append(entry)
        AuditEntry.objects.bulk_create(entries, batch_size=1000)
    return entries


def record(actor, event: Event, *, address: str | None = None) -> AuditEntry:
    return record_many(actor, [event], address=address)[0]


def record_request(request, event: Event) -> AuditEntry:
    return record(request.user, event, address=client_address(request))
