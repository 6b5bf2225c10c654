"""The deployment's outside channels, read from settings and checked when the app loads.

settings.NOTIFY_WEBHOOKS is a list of webhooks (JSON in the environment), each
    {"name": "sms", "url": "https://…", "kind": "sms" | "wecom" | "dingtalk", "urgent_only": false,
     "secret": "…"}
`name` names the outbox channel (`webhook:<name>`); `secret` is optional and used by 钉钉 robots with
signing (加签) switched on. A mistake stops the process at start-up with a message naming the entry.
"""

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

SMS, WECOM, DINGTALK = "sms", "wecom", "dingtalk"
KINDS = (SMS, WECOM, DINGTALK)
# Group robots post into a staff group chat (企业微信 / 钉钉), mentioning the recipient by phone.
GROUP_ROBOTS = frozenset({WECOM, DINGTALK})
EMAIL = "email"
WEBHOOK_PREFIX = "webhook:"
NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")
FIELDS = {"name", "url", "kind", "urgent_only", "secret"}


@dataclass(frozen=True)
class Webhook:
    name: str
    url: str
    kind: str
    urgent_only: bool = False
    secret: str = ""

    @property
    def channel(self) -> str:
        return WEBHOOK_PREFIX + self.name


def parse_webhooks(raw) -> list[Webhook]:
    """The webhooks of `raw` (the setting's value); raises ImproperlyConfigured naming the bad entry."""
    if not isinstance(raw, list):
        raise ImproperlyConfigured("NOTIFY_WEBHOOKS must be a JSON list of webhooks.")
    hooks, names = [], set()
    for index, entry in enumerate(raw, start=1):
        where = f"NOTIFY_WEBHOOKS entry {index}"
        if not isinstance(entry, dict):
            raise ImproperlyConfigured(f"{where} must be an object with name, url and kind.")
        if unknown := set(entry) - FIELDS:
            raise ImproperlyConfigured(f"{where} has unknown fields: {', '.join(sorted(unknown))}.")
        name, url, kind = entry.get("name"), entry.get("url"), entry.get("kind")
        if not isinstance(name, str) or not NAME.match(name):
            raise ImproperlyConfigured(
                f"{where}: name must be 1–32 lower-case letters, digits, '-' or '_', not {name!r}."
            )
        if name in names:
            raise ImproperlyConfigured(f"{where}: the name {name!r} is used twice.")
        parts = urlsplit(url) if isinstance(url, str) else None
        if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
            raise ImproperlyConfigured(f"{where} ({name}): url must be an http or https address, not {url!r}.")
        if kind not in KINDS:
            raise ImproperlyConfigured(f"{where} ({name}): kind must be one of {', '.join(KINDS)}, not {kind!r}.")
        urgent_only = entry.get("urgent_only", False)
        if not isinstance(urgent_only, bool):
            raise ImproperlyConfigured(f"{where} ({name}): urgent_only must be true or false.")
        secret = entry.get("secret", "")
        if not isinstance(secret, str):
            raise ImproperlyConfigured(f"{where} ({name}): secret must be a string.")
        names.add(name)
        hooks.append(Webhook(name=name, url=url, kind=kind, urgent_only=urgent_only, secret=secret))
    return hooks


def webhooks() -> list[Webhook]:
    return parse_webhooks(settings.NOTIFY_WEBHOOKS)


def webhook_for_channel(channel: str) -> Webhook | None:
    """The webhook an outbox channel names, or None when the deployment no longer has it."""
    return next((hook for hook in webhooks() if hook.channel == channel), None)


def check_leases() -> None:
    """The urgent lease is short (the point of it) but long enough to be renewed, and never longer than the
    lease of the other messages."""
    urgent, normal = settings.NOTIFY_URGENT_LEASE_SECONDS, settings.NOTIFY_LEASE_SECONDS
    if not 3 <= urgent <= normal:
        raise ImproperlyConfigured(
            f"NOTIFY_URGENT_LEASE_SECONDS must be between 3 and NOTIFY_LEASE_SECONDS ({normal}), not {urgent}."
        )
