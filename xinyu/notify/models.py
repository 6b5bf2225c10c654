"""The in-app inbox and the outbox of messages leaving Xinyu (e-mail, SMS gateway, group robots)."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from xinyu.common.states import Moves


class Notification(models.Model):
    """One item in a person's in-app inbox. Delivery is not acknowledgement: people acknowledge in Xinyu.

    Title and body say what kind of item waits, never who the student is: the link leads to the item,
    whose own page decides (through the scope module) whether the reader may still see it, and audits.
    `student` and `tier` say whom the item is about and the tier of what its title, body and link reveal:
    it is shown as written only to a recipient holding that tier over the student (xinyu.notify.services).
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("recipient")
    )
    student = models.ForeignKey(
        "org.Student", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("student")
    )
    tier = models.PositiveSmallIntegerField(_("tier of what it says"), default=0)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    link = models.CharField(_("link"), max_length=300, blank=True)
    urgent = models.BooleanField(_("urgent"), default=False)
    drill = models.BooleanField(_("drill"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    # The same event notifying the same person twice (a retried task, a replayed tick) makes one item.
    dedupe_key = models.CharField(max_length=120, unique=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "read_at"]),
            models.Index(fields=["recipient", "-created_at"], name="notify_inbox_newest_idx"),
        ]

    def __str__(self):
        return self.title

    @property
    def is_unread(self) -> bool:
        return self.read_at is None


class OutboxMessage(models.Model):
    """A message to send through an outside channel, written in the same transaction as its cause.

    It carries no student details: only that there is an item in Xinyu, and a link. A worker claims a
    row until `claimed_until` (a lease) before sending it, so two workers never send it at the same
    time, and a worker killed mid-delivery leaves a row that is due again once the lease runs out.
    Every send of the row carries the same `idempotency_key`, so a receiver can drop a repeat.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Gave up")

    # A failed attempt that will be tried again stays waiting.
    MOVES = Moves(Status, {Status.PENDING: (Status.PENDING, Status.SENT, Status.FAILED)})

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="outbox", verbose_name=_("notification")
    )
    channel = models.CharField(_("channel"), max_length=40)
    status = models.CharField(_("delivery status"), max_length=8, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"))
    claimed_until = models.DateTimeField(_("claimed until"), null=True, blank=True)
    claim_token = models.CharField(max_length=32, blank=True)
    idempotency_key = models.UUIDField(_("idempotency key"), default=uuid.uuid4, editable=False)
    last_error = models.TextField(_("last error"), blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("outgoing message")
        verbose_name_plural = _("outgoing messages")
        constraints = [models.UniqueConstraint(fields=["notification", "channel"], name="outbox_once_per_channel")]
        indexes = [
            # The worker's question, "what is due?", reads only the waiting rows.
            models.Index(
                fields=["next_attempt_at"], condition=models.Q(status="pending"), name="notify_outbox_due_idx"
            ),
        ]

    def __str__(self):
        return f"{self.channel} → {self.notification.recipient_id} ({self.status})"
