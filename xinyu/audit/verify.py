"""Checking the chain: an edited, inserted or deleted entry breaks it at that entry; a link cleared or
re-pointed too (the chain covers actor_id and student_id). Deleting the newest entries leaves a shorter
chain that still links up: the anchor (xinyu.audit.anchor) catches that."""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from xinyu.audit.chain import GENESIS, compute_mac
from xinyu.audit.models import AuditEntry


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


def check_chain(*, after_seq: int = 0, after_mac: str = GENESIS, batch_size: int = 5000) -> ChainCheck:
    """Walk the entries after `after_seq` (whose MAC is `after_mac`) in order, up to the first break."""
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
        if broken:
            return ChainCheck(checked, broken, expected_seq - 1, prev_mac)
        prev_mac, expected_seq, checked = entry.mac, expected_seq + 1, checked + 1
    return ChainCheck(checked, None, expected_seq - 1, prev_mac)


def verify_chain(batch_size: int = 5000) -> tuple[int, Break | None]:
    """Walk every entry in order. Returns (entries checked, the first break or None)."""
    result = check_chain(batch_size=batch_size)
    return result.checked, result.broken
