"""Sending one outbox message through its channel.

What leaves Xinyu says only that an item waits and where (XINYU_BASE_URL + the item's link): never the
notification's title or body, never anything about a student. A recipient who no longer holds the tier of
what the item's link leads to (see xinyu.notify.services) gets the address of Xinyu's home page instead.
Every send of a message carries the message's idempotency key (the `Idempotency-Key` header; the
e-mail's Message-ID), the same on every retry, so a receiver that sees a message twice can act once.
"""

import base64
import hashlib
import hmac
import json
import smtplib
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import quote_plus, urlsplit

from django.conf import settings
from django.core import mail
from django.utils import translation
from django.utils.translation import gettext as _

from xinyu.notify import config
from xinyu.notify.reading import as_told_now

# Answers worth trying again: the receiver is busy or briefly unwell. Other 4xx answers are final.
RETRYABLE_STATUS = frozenset({408, 425, 429})
MAX_RESPONSE_BYTES = 64 * 1024


class DeliveryError(Exception):
    """The message did not get through this time; the outbox tries again later."""


class PermanentDeliveryError(DeliveryError):
    """The message can never get through as it is (refused, or nowhere to send it); not retried."""


@dataclass(frozen=True)
class PublicText:
    subject: str
    text: str
    link: str

    @property
    def content(self) -> str:
        return f"{self.subject}\n{self.text}"


def absolute_link(link: str) -> str:
    path = link if link.startswith("/") and not link.startswith("//") else "/"
    return settings.XINYU_BASE_URL.rstrip("/") + path


def public_text(notification) -> PublicText:
    """The words that leave Xinyu for a notification, in the deployment's language."""
    with translation.override(settings.LANGUAGE_CODE):
        if notification.urgent:
            subject = _("[Xinyu] An urgent item is waiting for you")
        else:
            subject = _("[Xinyu] A new item is waiting for you")
        if notification.drill:
            subject = _("[Drill] %(subject)s") % {"subject": subject}
        link = absolute_link(notification.link)
        text = _("Please sign in to Xinyu to see it: %(link)s") % {"link": link}
    return PublicText(subject=subject, text=text, link=link)


def webhook_payload(hook: config.Webhook, recipient, words: PublicText) -> dict:
    """The JSON body for a webhook: a generic SMS gateway's {to, text}, or a group robot's text message
    mentioning the recipient by phone (企业微信 `mentioned_mobile_list`, 钉钉 `at.atMobiles`)."""
    phone = recipient.phone
    match hook.kind:
        case config.SMS:
            return {"to": phone, "text": words.content}
        case config.WECOM:
            return {
                "msgtype": "text",
                "text": {"content": words.content, "mentioned_mobile_list": [phone] if phone else []},
            }
        case config.DINGTALK:
            # 钉钉 highlights a mention only when the content names the same number.
            content = f"{words.content}\n@{phone}" if phone else words.content
            return {
                "msgtype": "text",
                "text": {"content": content},
                "at": {"atMobiles": [phone] if phone else [], "isAtAll": False},
            }
    raise PermanentDeliveryError(f"unknown webhook kind {hook.kind!r}")


def signed_url(hook: config.Webhook, *, now_ms: int | None = None) -> str:
    """钉钉 robots with signing (加签) on want timestamp and sign in the address."""
    if hook.kind != config.DINGTALK or not hook.secret:
        return hook.url
    timestamp = str(now_ms if now_ms is not None else round(time.time() * 1000))
    digest = hmac.new(hook.secret.encode(), f"{timestamp}\n{hook.secret}".encode(), hashlib.sha256).digest()
    separator = "&" if "?" in hook.url else "?"
    return f"{hook.url}{separator}timestamp={timestamp}&sign={quote_plus(base64.b64encode(digest))}"


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A webhook answers at its own address; a redirect is a configuration mistake, not a delivery."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def post_json(name: str, url: str, payload: dict, *, key: str) -> bytes:
    """POST `payload` to a webhook; errors name the webhook, never its address (it may hold a token)."""
    request = urllib.request.Request(  # noqa: S310 (the address is the deployment's own setting, http(s) only)
        url,
        data=json.dumps(payload, ensure_ascii=False).encode(),
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "Idempotency-Key": key,
            "User-Agent": "Xinyu-notify/1",
        },
    )
    try:
        with _opener.open(request, timeout=settings.NOTIFY_WEBHOOK_TIMEOUT_SECONDS) as response:
            return response.read(MAX_RESPONSE_BYTES)
    except urllib.error.HTTPError as exc:
        if exc.code >= 500 or exc.code in RETRYABLE_STATUS:
            raise DeliveryError(f"webhook {name} answered HTTP {exc.code}") from None
        raise PermanentDeliveryError(f"webhook {name} refused the message: HTTP {exc.code}") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise DeliveryError(f"webhook {name} could not be reached: {reason}") from None


def _robot_error(body: bytes) -> str | None:
    """企业微信 and 钉钉 robots answer HTTP 200 with {"errcode": …}; non-zero means not posted."""
    try:
        answer = json.loads(body or b"{}")
    except ValueError:
        return None
    if isinstance(answer, dict) and answer.get("errcode", 0) not in (0, "0"):
        return f"errcode {answer.get('errcode')}: {str(answer.get('errmsg', ''))[:200]}"
    return None


def send(message) -> None:
    """Send one outbox message; raises DeliveryError (try again) or PermanentDeliveryError (give up)."""
    notification = message.notification
    recipient = notification.recipient
    if recipient.has_left:
        raise PermanentDeliveryError("the recipient has left or the account is no longer active")
    (notification,) = as_told_now(recipient, [notification])
    words = public_text(notification)
    key = str(message.idempotency_key)
    if message.channel == config.EMAIL:
        _send_email(recipient, words, key)
        return
    hook = config.webhook_for_channel(message.channel)
    if hook is None:
        raise PermanentDeliveryError(f"channel {message.channel} is not configured in this deployment")
    if hook.kind == config.SMS and not recipient.phone:
        raise PermanentDeliveryError("the recipient has no phone number")
    body = post_json(hook.name, signed_url(hook), webhook_payload(hook, recipient, words), key=key)
    if hook.kind in config.GROUP_ROBOTS and (problem := _robot_error(body)):
        raise DeliveryError(f"webhook {hook.name} did not post the message: {problem}")


def _send_email(recipient, words: PublicText, key: str) -> None:
    if not recipient.email:
        raise PermanentDeliveryError("the recipient has no e-mail address")
    domain = urlsplit(settings.XINYU_BASE_URL).hostname or "xinyu.localhost"
    message = mail.EmailMessage(
        words.subject,
        words.text,
        to=[recipient.email],
        headers={"Message-ID": f"<{key}@{domain}>", "X-Xinyu-Idempotency-Key": key},
    )
    try:
        message.send()
    except smtplib.SMTPRecipientsRefused:
        raise PermanentDeliveryError("the mail server refused the recipient's address") from None
    except (smtplib.SMTPException, OSError) as exc:
        raise DeliveryError(f"the mail server could not take the message: {exc}") from None
