"""Service accounts (a campus system that calls the API) and their tokens.

A token is shown once, when it is made; only a hash of its secret is kept. Each token may use named
operations only, expires, and can be revoked; the API acts as the service account's owner (the staff member
responsible for it), so the owner's posts decide what the token's answers may hold (`xinyu.org.scope`).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Operation(models.TextChoices):
    ROSTER_SYNC = "roster.sync", _("Roster sync (write)")
    NETWORK_READ = "network.read", _("The network and its posts (read)")
    AGGREGATES_READ = "aggregates.read", _("Aggregates and monthly report figures (read)")
    CONCERNS_REPORT = "concerns.report", _("Concern report submission")


class ServiceAccount(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="service_accounts",
        verbose_name=_("responsible staff member"),
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("service account")
        verbose_name_plural = _("service accounts")
        ordering = ["name"]

    def __str__(self):
        return self.name


class ServiceToken(models.Model):
    account = models.ForeignKey(
        ServiceAccount, on_delete=models.CASCADE, related_name="tokens", verbose_name=_("service account")
    )
    prefix = models.CharField(_("prefix"), max_length=16, unique=True)
    secret_hash = models.CharField(_("hash of the secret"), max_length=64)
    operations = models.JSONField(_("operations"), default=list)
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
    )

    class Meta:
        verbose_name = _("service token")
        verbose_name_plural = _("service tokens")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.account.name} {self.prefix}"

    def is_usable(self, now=None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and self.expires_at > now and self.account.active
