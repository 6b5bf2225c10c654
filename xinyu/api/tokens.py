"""Making, checking and revoking service tokens; the admin, the `api_token` command and the API's
authentication all call these.

A token reads `xy_<prefix>_<secret>`: the prefix (public, shown in lists and in the access log) finds the
token, the secret is checked against its SHA-256. The secret is 256 random bits, so a fast hash is enough:
nobody guesses it, and a copy of the database does not give it away.
"""

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xinyu.api.models import Operation, ServiceAccount, ServiceToken
from xinyu.audit.models import AuditEntry
from xinyu.org.access_log import Event, record
from xinyu.policy.errors import DomainError

PREFIX_BYTES = 5  # 10 hex digits: never the "_" that separates the parts
SECRET_BYTES = 32
DEFAULT_DAYS = 365
MAX_DAYS = 3 * 365
# last_used_at is written at most this often, so that a busy client does not write on every request.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


class TokenError(DomainError):
    pass


@dataclass(frozen=True)
class Issued:
    token: ServiceToken
    secret: str  # the whole token as the client sends it; shown once, never stored


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _check_operations(operations) -> list[str]:
    operations = list(dict.fromkeys(operations))
    unknown = [name for name in operations if name not in Operation.values]
    if unknown or not operations:
        raise TokenError(_("Name at least one operation, from: %(known)s.") % {"known": ", ".join(Operation.values)})
    return operations


@transaction.atomic
def create_token(account: ServiceAccount, operations, *, days: int = DEFAULT_DAYS, by=None) -> Issued:
    operations = _check_operations(operations)
    if not 1 <= days <= MAX_DAYS:
        raise TokenError(_("A token is valid for 1 to %(max)s days.") % {"max": MAX_DAYS})
    if not account.owner.is_active or account.owner.is_student:
        raise TokenError(_("The service account's responsible person must be an active staff member."))
    prefix = secrets.token_hex(PREFIX_BYTES)
    while ServiceToken.objects.filter(prefix=prefix).exists():
        prefix = secrets.token_hex(PREFIX_BYTES)
    secret = f"xy_{prefix}_{secrets.token_urlsafe(SECRET_BYTES)}"
    token = ServiceToken.objects.create(
        account=account,
        prefix=prefix,
        secret_hash=hash_secret(secret),
        operations=operations,
        expires_at=timezone.now() + dt.timedelta(days=days),
        created_by=by,
    )
    record(by, Event(AuditEntry.Action.CREATE, "api.token", detail=_detail(token)))
    return Issued(token, secret)


@transaction.atomic
def revoke_token(token: ServiceToken, *, by=None) -> ServiceToken:
    """Revoke at once; revoking a revoked token changes nothing."""
    token = ServiceToken.objects.select_for_update().select_related("account").get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        record(by, Event(AuditEntry.Action.UPDATE, "api.token.revoke", detail=_detail(token)))
    return token


def _detail(token: ServiceToken) -> dict:
    return {"account": token.account.name, "prefix": token.prefix, "operations": list(token.operations)}


def split(raw: str) -> str | None:
    """The prefix of a token as sent, or None when it does not look like one."""
    parts = raw.split("_", 2) if raw.startswith("xy_") else []
    if len(parts) != 3 or not parts[1] or not parts[2]:
        return None
    return parts[1]


def find_token(raw: str, now=None) -> ServiceToken | None:
    """The token `raw` names, whatever its state (the caller says why it is refused), or None."""
    prefix = split(raw)
    if prefix is None:
        return None
    token = ServiceToken.objects.select_related("account__owner").filter(prefix=prefix).first()
    if token is None or not hmac.compare_digest(token.secret_hash, hash_secret(raw)):
        return None
    return token


def mark_used(token: ServiceToken, now=None) -> None:
    now = now or timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        token.last_used_at = now
        ServiceToken.objects.filter(pk=token.pk).update(last_used_at=now)
