from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xinyu.common.fields import EncryptedTextField
from xinyu.common.states import Moves


class User(AbstractUser):
    """A login: staff sign in with their 工号, students with their 学号 (both as `username`)."""

    class Kind(models.TextChoices):
        STAFF = "staff", _("Staff")
        STUDENT = "student", _("Student")

    username = models.CharField(
        _("staff or student number"),
        max_length=32,
        unique=True,
        error_messages={"unique": _("A user with this number already exists.")},
    )
    full_name = models.CharField(_("name"), max_length=64)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.STAFF)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    must_change_password = models.BooleanField(
        _("must change password"),
        default=False,
        help_text=_("Set for imported accounts and after an administrator resets the password."),
    )
    left_on = models.DateField(
        _("left on"), null=True, blank=True, help_text=_("The day a staff member left the school.")
    )

    objects = UserManager()

    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return f"{self.full_name} ({self.username})"

    def get_full_name(self):
        return self.full_name

    def get_short_name(self):
        return self.full_name

    @property
    def is_student(self) -> bool:
        return self.kind == self.Kind.STUDENT

    @property
    def has_left(self) -> bool:
        return not self.is_active or (self.left_on is not None and self.left_on <= timezone.localdate())


class LoginFailure(models.Model):
    """One failed sign-in, kept for throttling by account and by client address."""

    username = models.CharField(max_length=150, db_index=True)
    address = models.GenericIPAddressField(null=True, db_index=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("failed sign-in")
        verbose_name_plural = _("failed sign-ins")

    def __str__(self):
        return f"{self.username} @ {self.address} {self.at:%Y-%m-%d %H:%M}"


class TwoFactorDevice(models.Model):
    """A user's authenticator app (TOTP, RFC 6238): the shared secret, encrypted at rest.

    A device is made when enrolment starts and counts once `confirmed_at` is set (the user typed a first
    code). `last_used_step` is the time step of the last accepted code: a code is accepted once only.
    Creation, confirmation and reset are written to the access log.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="two_factor_device", verbose_name=_("user")
    )
    secret = EncryptedTextField(_("secret"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    last_used_step = models.BigIntegerField(_("last used time step"), null=True, blank=True)

    class Meta:
        verbose_name = _("two-factor device")
        verbose_name_plural = _("two-factor devices")

    def __str__(self):
        return f"{self.user.username} ({'confirmed' if self.confirmed_at else 'enrolling'})"

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None


class CredentialReset(models.Model):
    """A reset of someone's password or authenticator, under the rules of `xinyu.grants.resets`.

    A password reset never shows a password: the holder sets a new one with a one-time link sent to their
    registered e-mail address, or with a one-time code handed over in person. Only the token's digest is kept.
    """

    class Kind(models.TextChoices):
        PASSWORD = "password", _("Password")
        AUTHENTICATOR = "authenticator", _("Authenticator")

    class Delivery(models.TextChoices):
        EMAIL = "email", _("One-time link to the registered e-mail address")
        IN_PERSON = "in_person", _("One-time code handed over in person")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for a second person's confirmation")
        CONFIRMED = "confirmed", _("Confirmed; the code is not issued yet")
        ISSUED = "issued", _("Issued")
        USED = "used", _("Used")
        REFUSED = "refused", _("Not confirmed")

    # A reset is saved waiting or already confirmed; a newer code for the same credential sets an issued,
    # unused one aside as not confirmed.
    MOVES = Moves(
        Status,
        {
            Status.PENDING: (Status.CONFIRMED, Status.REFUSED),
            Status.CONFIRMED: (Status.ISSUED,),
            Status.ISSUED: (Status.USED, Status.REFUSED),
        },
    )

    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="credential_resets", verbose_name=_("account")
    )
    kind = models.CharField(_("what"), max_length=16, choices=Kind.choices)
    delivery = models.CharField(_("delivery"), max_length=16, choices=Delivery.choices, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("confirmed or refused by"),
    )  # fmt: skip
    decided_at = models.DateTimeField(_("confirmed or refused at"), null=True, blank=True)
    token_digest = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    expires_at = models.DateTimeField(_("valid until"), null=True, blank=True)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("credential reset")
        verbose_name_plural = _("credential resets")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(requested_by=models.F("account")), name="reset_not_of_oneself"),
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True)
                | (~Q(decided_by=models.F("account")) & ~Q(decided_by=models.F("requested_by"))),
                name="reset_decided_by_a_second_person",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.account.username} · {self.get_status_display()}"


class CasSession(models.Model):
    """Which Xinyu session a CAS service ticket signed in, so the CAS server's single logout (a POST naming
    the ticket) can end that session. Removed with the session's sign-out."""

    ticket = models.CharField(max_length=255, unique=True)
    session_key = models.CharField(max_length=40, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("CAS sign-in")
        verbose_name_plural = _("CAS sign-ins")

    def __str__(self):
        return f"{self.ticket[:12]}… {self.created_at:%Y-%m-%d %H:%M}"
