"""The HMACs over audit entries. The key lives outside the database (AUDIT_HMAC_KEY).

Every column that says who did what to whose data is covered: the links to the person and the student
(`actor_id`, `student_id`, which never change: deleting a user or a student leaves the number in place)
and the copies of their names and numbers beside them. Changing, clearing or re-pointing any of them
breaks the entry's HMACs.

Two HMACs per entry:
- `entry_mac`, computed when the entry is written, over its content and its row id (the id, so that a
  copy of a genuine entry under another id does not pass), without the number it does not have yet;
- `mac`, computed by the sealer when it numbers the entry, over `prev_mac` (the MAC of the entry numbered
  just before it) and the content with the number: the chain, exactly as entries were chained before
  the sealer existed, so that entries written then still verify.
"""

import hashlib
import hmac
import json

from django.conf import settings

GENESIS = "0" * 64
CHAINED_FIELDS = (
    "seq", "at", "actor_id", "actor_username", "actor_name", "post", "student_id", "student_number",
    "action", "what", "tier", "detail", "reason", "address",
)  # fmt: skip
ENTRY_FIELDS = ("id", *(name for name in CHAINED_FIELDS if name != "seq"))
# Keeps an entry's own HMAC apart from the chain's (and the anchor's) made with the same key.
ENTRY_CONTEXT = b"xinyu-audit-entry\n"


def _canonical(entry, fields) -> bytes:
    values = {name: getattr(entry, name) for name in fields}
    values["at"] = entry.at.isoformat(timespec="microseconds")
    values["address"] = entry.address or ""
    return json.dumps(values, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def canonical(entry) -> bytes:
    return _canonical(entry, CHAINED_FIELDS)


def _hmac(message: bytes) -> str:
    return hmac.new(settings.AUDIT_HMAC_KEY.encode(), message, hashlib.sha256).hexdigest()


def compute_mac(entry, prev_mac: str) -> str:
    return _hmac(prev_mac.encode() + b"|" + canonical(entry))


def entry_mac(entry) -> str:
    return _hmac(ENTRY_CONTEXT + _canonical(entry, ENTRY_FIELDS))


def entry_mac_matches(entry) -> bool:
    return bool(entry.entry_mac) and hmac.compare_digest(entry_mac(entry), entry.entry_mac)
