"""Sending one outbox message through its channel."""

import json
import urllib.request

from django.conf import settings
from django.core import mail
from django.utils.translation import gettext as _


def _public_text(message) -> tuple[str, str]:
    notification = message.notification
    subject = _("[Xinyu] An urgent item is waiting for you") if notification.urgent else _("[Xinyu] A new item")
    link = settings.XINYU_BASE_URL.rstrip("/") + (notification.link or "/")
    return subject, _("Please sign in to Xinyu to see it: %(link)s") % {"link": link}


def send(message) -> None:
    subject, text = _public_text(message)
    if message.channel == "email":
        mail.EmailMessage(subject, text, to=[message.notification.recipient.email]).send()
        return
    if message.channel.startswith("webhook:"):
        name = message.channel.split(":", 1)[1]
        hook = next(h for h in settings.NOTIFY_WEBHOOKS if h["name"] == name)
        payload = json.dumps({"msgtype": "text", "text": {"content": f"{subject}\n{text}"}}).encode()
        request = urllib.request.Request(  # noqa: S310 (the URL is the deployment's own setting)
            hook["url"],
            data=payload,
            headers={"Content-Type": "application/json", "Idempotency-Key": f"xinyu-outbox-{message.pk}"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (URL from settings)
            if response.status >= 300:
                raise RuntimeError(f"webhook {name} answered {response.status}")
        return
    raise ValueError(f"unknown channel {message.channel}")
