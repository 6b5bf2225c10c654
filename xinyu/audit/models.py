"""The access log: append-only. Each entry carries an HMAC of its own content from the moment it is written
(`entry_mac`); the sealer (xinyu/audit/seal.py) then numbers it (`seq`) and chains it to the entry before it
(`prev_mac`, `mac`). Until then `seq` is empty and `prev_mac` and `mac` are blank."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(Exception):
    pass


class AuditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("audit entries cannot be changed")

    def delete(self):
        raise AppendOnlyError("audit entries cannot be deleted")


class AuditEntry(models.Model):
    class Action(models.TextChoices):
        VIEW = "view", _("Viewed")
        CREATE = "create", _("Created")
        UPDATE = "update", _("Changed")
        DELETE = "delete", _("Deleted")
        EXPORT = "export", _("Exported")
        IMPORT = "import", _("Imported")
        PRINT = "print", _("Printed")

    # Empty until the sealer numbers the entry and chains it (xinyu/audit/seal.py).
    seq = models.PositiveBigIntegerField(_("number"), unique=True, null=True, blank=True)
    at = models.DateTimeField(_("time"))
    # Who and whose data: the ids never change (deleting a user or a student leaves them as they are, and
    # there is no database constraint to cascade), and copies of the names and numbers sit beside them so
    # that an entry still reads after the row is gone. The HMAC chain covers the ids and the copies.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_username = models.CharField(_("by (number)"), max_length=150)
    actor_name = models.CharField(_("by"), max_length=64, blank=True)
    post = models.CharField(_("post"), max_length=40, blank=True)
    student = models.ForeignKey(
        "org.Student",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
        db_index=True,
    )
    student_number = models.CharField(_("student number"), max_length=32, blank=True, db_index=True)
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    what = models.CharField(_("what"), max_length=100)
    tier = models.PositiveSmallIntegerField(_("tier"), default=0)
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    address = models.GenericIPAddressField(_("from"), null=True, blank=True)
    prev_mac = models.CharField(max_length=64, blank=True, default="")
    mac = models.CharField(max_length=64, blank=True, default="")
    # The HMAC of the entry's own content and id (chain.entry_mac), written with it; blank on entries
    # written before entries were sealed, which only the chain covers.
    entry_mac = models.CharField(max_length=64, blank=True, default="")

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["actor_username", "at"]),
            models.Index(fields=["at"]),
            # What the sealer looks for every tick: a few rows, whatever the log's length.
            models.Index(fields=["id"], condition=models.Q(seq__isnull=True), name="audit_unsealed"),
        ]

    def __str__(self):
        return f"#{self.seq or '-'} {self.actor_username} {self.action} {self.what}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("audit entries cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("audit entries cannot be deleted")
