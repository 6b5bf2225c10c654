"""Checking the chain: an edited, inserted or deleted entry breaks it at that entry."""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from xinyu.audit.chain import GENESIS, compute_mac
from xinyu.audit.models import AuditEntry


@dataclass(frozen=True)
class Break:
    seq: int
    reason: str


def verify_chain(batch_size: int = 5000) -> tuple[int, Break | None]:
    """Walk every entry in order. Returns (entries checked, the first break or None)."""
    expected_seq, prev_mac, checked = 1, GENESIS, 0
    for entry in AuditEntry.objects.order_by("seq").iterator(chunk_size=batch_size):
        if entry.seq != expected_seq:
            if entry.seq > expected_seq:
                return checked, Break(
                    entry.seq,
                    _("entries before this one are missing (expected #%(n)s)") % {"n": expected_seq},
                )
            return checked, Break(entry.seq, _("entry number out of order"))
        if entry.prev_mac != prev_mac:
            return checked, Break(entry.seq, _("does not link to the entry before it (inserted or reordered)"))
        if compute_mac(entry, prev_mac) != entry.mac:
            return checked, Break(entry.seq, _("its content does not match its HMAC (edited)"))
        prev_mac, expected_seq, checked = entry.mac, expected_seq + 1, checked + 1
    return checked, None
