"""The sealer: numbers the unsealed entries of the access log and chains them, off the request path.

Requests write their entries unsealed, each with the HMAC of its own content and id (chain.entry_mac),
and take no lock. `seal_audit()` (the clock every tick; `verify_audit` before it checks) takes the one
lock there is, in short transactions of its own, and gives the committed unsealed entries the next numbers
in id order, each chained to the one before it exactly as entries always were. An entry whose transaction
commits after a later one was sealed is simply sealed on the next run, after it: the order of the chain is
the order of sealing. The sealer refuses an entry whose own HMAC does not match (edited before it was
sealed): it stays unsealed, the clock logs it every tick, and `verify_audit` fails on it.

The window this leaves, said plainly: an entry deleted before it is sealed leaves no gap in the chain, so
neither the chain nor the anchor can tell it was there. The clock seals every tick (15 s by default), so
the window is about one interval; an edit is caught at any time (the entry's own HMAC).
"""

from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Max

from xinyu.audit.chain import GENESIS, compute_mac, entry_mac_matches
from xinyu.audit.models import AuditEntry

# An arbitrary constant naming the advisory lock that lets one sealer at a time extend the chain on
# PostgreSQL (the number the request path's lock had, before requests stopped taking it).
CHAIN_LOCK_ID = 7_340_128
BATCH = 2000


@dataclass
class Sealing:
    sealed: int = 0
    # Unsealed entries the sealer would not seal: their content does not match their own HMAC.
    refused: list[int] = field(default_factory=list)
    last_seq: int = 0


def _lock_chain() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK_ID])
    # SQLite: Xinyu opens transactions IMMEDIATE, so the sealer already holds the database's write lock.


def sealable(entry: AuditEntry) -> bool:
    return entry.seq is None and not entry.mac and not entry.prev_mac and entry_mac_matches(entry)


def _seal_batch(after_id: int, upto: int, batch_size: int, sealing: Sealing) -> int | None:
    """Seal the next committed unsealed entries after `after_id` (up to `upto`); the last id looked at, or None."""
    with transaction.atomic():
        _lock_chain()
        last = AuditEntry.objects.filter(seq__isnull=False).order_by("-seq").values_list("seq", "mac").first()
        seq, prev_mac = last or (0, GENESIS)
        unsealed = AuditEntry.objects.filter(seq__isnull=True, id__gt=after_id, id__lte=upto).order_by("id")
        entries = list(unsealed[:batch_size])
        if not entries:
            sealing.last_seq = seq
            return None
        updates = []
        for entry in entries:
            if not sealable(entry):
                sealing.refused.append(entry.pk)
                continue
            seq += 1
            entry.seq, entry.prev_mac = seq, prev_mac
            entry.mac = prev_mac = compute_mac(entry, prev_mac)
            updates.append([entry.seq, entry.prev_mac, entry.mac, entry.pk])
        if updates:
            table = connection.ops.quote_name(AuditEntry._meta.db_table)
            with connection.cursor() as cursor:
                cursor.executemany(
                    f"UPDATE {table} SET seq = %s, prev_mac = %s, mac = %s WHERE id = %s AND seq IS NULL",  # noqa: S608
                    updates,
                )
        sealing.sealed += len(updates)
        sealing.last_seq = seq
        return entries[-1].pk


def seal_audit(*, batch_size: int = BATCH) -> Sealing:
    """Seal every entry committed unsealed so far, a batch per short transaction; what was sealed and refused."""
    # Up to the newest entry now: under a steady stream of writes, one run still ends.
    upto = AuditEntry.objects.filter(seq__isnull=True).aggregate(upto=Max("id"))["upto"] or 0
    sealing, after_id = Sealing(), 0
    while after_id is not None:
        after_id = _seal_batch(after_id, upto, batch_size, sealing)
    return sealing
