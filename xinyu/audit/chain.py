"""The HMAC chain over audit entries. The key lives outside the database (AUDIT_HMAC_KEY).

Every column that says who did what to whose data is chained: the links to the person and the student
(`actor_id`, `student_id`, which never change: deleting a user or a student leaves the number in place)
and the copies of their names and numbers beside them. Changing, clearing or re-pointing any of them
breaks the chain at that entry."""

import hashlib
import hmac
import json

from django.conf import settings

GENESIS = "0" * 64
CHAINED_FIELDS = (
    "seq", "at", "actor_id", "actor_username", "actor_name", "post", "student_id", "student_number",
    "action", "what", "tier", "detail", "reason", "address",
)  # fmt: skip


def canonical(entry) -> bytes:
    values = {name: getattr(entry, name) for name in CHAINED_FIELDS}
    values["at"] = entry.at.isoformat(timespec="microseconds")
    values["address"] = entry.address or ""
    return json.dumps(values, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def compute_mac(entry, prev_mac: str) -> str:
    message = prev_mac.encode() + b"|" + canonical(entry)
    return hmac.new(settings.AUDIT_HMAC_KEY.encode(), message, hashlib.sha256).hexdigest()
