"""Checking the log: an edited, inserted or deleted entry breaks the chain at that entry; a link cleared or
re-pointed too (the chain covers actor_id and student_id). Deleting the newest entries leaves a shorter
chain that still links up: the anchor (xinyu/audit/anchor.py) catches that.

Entries not yet sealed (xinyu/audit/seal.py) have no place in the chain yet; each must match its own HMAC,
which covers its content and its id, so an edited one, a forged one or a copy of another is caught before
and after sealing. One deleted before it was sealed is not (the sealer's window, seal.py)."""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from xinyu.audit.chain import GENESIS, compute_mac, entry_mac_matches
from xinyu.audit.models import AuditEntry
from xinyu.audit.seal import sealable


@dataclass(frozen=True)
class Break:
    seq: int
    reason: str


@dataclass(frozen=True)
class ChainCheck:
    checked: int
    broken: Break | None
    last_seq: int  # the last entry that checked out (or where the walk started)
    last_mac: str


@dataclass(frozen=True)
class UnsealedCheck:
    checked: int
    broken: list[AuditEntry]  # unsealed entries that do not match their own HMAC, oldest first


def check_chain(*, after_seq: int = 0, after_mac: str = GENESIS, batch_size: int = 5000) -> ChainCheck:
    """Walk the sealed entries after `after_seq` (whose MAC is `after_mac`) in order, up to the first break."""
    expected_seq, prev_mac, checked = after_seq + 1, after_mac, 0
    for entry in AuditEntry.objects.filter(seq__gt=after_seq).order_by("seq").iterator(chunk_size=batch_size):
        broken = None
        if entry.seq != expected_seq:
            if entry.seq > expected_seq:
                broken = Break(
                    entry.seq, _("entries before this one are missing (expected #%(n)s)") % {"n": expected_seq}
                )
            else:
                broken = Break(entry.seq, _("entry number out of order"))
        elif entry.prev_mac != prev_mac:
            broken = Break(entry.seq, _("does not link to the entry before it (inserted or reordered)"))
        elif compute_mac(entry, prev_mac) != entry.mac:
            broken = Break(entry.seq, _("its content does not match its HMAC (edited)"))
        elif entry.entry_mac and not entry_mac_matches(entry):
            # Entries sealed before entries had their own HMAC have none; the chain alone covers them.
            broken = Break(entry.seq, _("its content does not match its own HMAC (edited)"))
        if broken:
            return ChainCheck(checked, broken, expected_seq - 1, prev_mac)
        prev_mac, expected_seq, checked = entry.mac, expected_seq + 1, checked + 1
    return ChainCheck(checked, None, expected_seq - 1, prev_mac)


def verify_chain(batch_size: int = 5000) -> tuple[int, Break | None]:
    """Walk every sealed entry in order. Returns (entries checked, the first break or None)."""
    result = check_chain(batch_size=batch_size)
    return result.checked, result.broken


def check_unsealed(batch_size: int = 5000) -> UnsealedCheck:
    """Check every entry not yet sealed against its own HMAC."""
    checked, broken = 0, []
    for entry in AuditEntry.objects.filter(seq__isnull=True).order_by("id").iterator(chunk_size=batch_size):
        checked += 1
        if not sealable(entry):
            broken.append(entry)
    return UnsealedCheck(checked, broken)
