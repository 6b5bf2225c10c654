"""The in-app inbox and the outbox of messages leaving Xinyu (e-mail, SMS gateway, group robots)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    """One item in a person's in-app inbox. Delivery is not acknowledgement: people acknowledge in Xinyu."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    link = models.CharField(max_length=300, blank=True)
    urgent = models.BooleanField(_("urgent"), default=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    # The same event notifying the same person twice (a retried task, a replayed tick) makes one item.
    dedupe_key = models.CharField(max_length=120, unique=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self):
        return self.title


class OutboxMessage(models.Model):
    """A message to send through an outside channel, written in the same transaction as its cause.

    It carries no student details: only that there is an item in Xinyu, and a link.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Gave up")

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="outbox")
    channel = models.CharField(max_length=40)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(db_index=True)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["notification", "channel"], name="outbox_once_per_channel")]

    def __str__(self):
        return f"{self.channel} → {self.notification.recipient_id} ({self.status})"
