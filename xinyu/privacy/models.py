"""Privacy controls around the student file: break-glass access, consent records, retention."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xinyu.common.fields import EncryptedTextField

USER = settings.AUTH_USER_MODEL


class BreakGlassGrantQuerySet(models.QuerySet):
    def active(self, at=None):
        """Grants in force at `at` (now): not ended early and not yet expired."""
        moment = at or timezone.now()
        return self.filter(ended_at__isnull=True, expires_at__gt=moment, granted_at__lte=moment)


class BreakGlassGrant(models.Model):
    """紧急调阅: a staff member outside the student's chain opens the file in an emergency, for a while.

    The grant gives T3 on one student until `expires_at` (or until ended early), through xinyu.org.scope.
    The reason (encrypted at rest: it often says why the student is in danger) is kept for the review;
    the centre's supervisors review every grant."""

    class Outcome(models.TextChoices):
        JUSTIFIED = "justified", _("Justified")
        NOT_JUSTIFIED = "not_justified", _("Not justified")

    person = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="break_glass_grants")
    student = models.ForeignKey("org.Student", on_delete=models.CASCADE, related_name="break_glass_grants")
    reason = EncryptedTextField(_("reason"))
    granted_at = models.DateTimeField(_("granted at"), default=timezone.now, db_index=True)
    expires_at = models.DateTimeField(_("expires at"))
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    review_due_on = models.DateField(_("review due"))
    reviewed_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    outcome = models.CharField(_("review outcome"), max_length=16, choices=Outcome.choices, blank=True)
    review_note = EncryptedTextField(_("review note"), blank=True)

    objects = BreakGlassGrantQuerySet.as_manager()

    class Meta:
        verbose_name = _("emergency access")
        verbose_name_plural = _("emergency accesses")
        ordering = ["-granted_at", "-id"]
        indexes = [models.Index(fields=["person", "student", "expires_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(expires_at__gt=models.F("granted_at")), name="break_glass_expires_later")
        ]

    def __str__(self):
        return f"{self.person_id} → {self.student_id} {self.granted_at:%Y-%m-%d %H:%M}"

    def get_absolute_url(self) -> str:
        return reverse("privacy:break_glass_detail", args=[self.pk])

    def is_active(self, at=None) -> bool:
        moment = at or timezone.now()
        return self.ended_at is None and self.granted_at <= moment < self.expires_at

    @property
    def ends_at(self):
        return self.ended_at or self.expires_at


class ConsentRecord(models.Model):
    """A student's consent to one purpose (PIPL Art. 29), with the version and a digest of the text shown.

    Never deleted: withdrawal is recorded with its time and reason."""

    class Purpose(models.TextChoices):
        SCREENING = "screening", _("Screening campaign")
        COUNSELLING = "counselling", _("Counselling")
        FAMILY_CONTACT = "family_contact", _("Contact with my family")
        REFERRAL = "referral", _("Referral to a hospital or outside service")
        RESEARCH = "research", _("Anonymous statistics and research")

    student = models.ForeignKey("org.Student", on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(_("purpose"), max_length=24, choices=Purpose.choices)
    campaign = models.ForeignKey(
        "screening.Campaign", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    text_version = models.CharField(_("text version"), max_length=32)
    text_digest = models.CharField(_("text digest"), max_length=64)
    given_at = models.DateTimeField(_("given at"), default=timezone.now)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawal_reason = models.TextField(_("reason for withdrawal"), blank=True)

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["-given_at", "-id"]
        indexes = [models.Index(fields=["student", "purpose"])]

    def __str__(self):
        return f"{self.student_id} {self.purpose} {self.text_version}"

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None


class StudentDeparture(models.Model):
    """When a student left the school (graduated, withdrew, was dismissed), for retention.

    The roster keeps only the status; the date comes from here when recorded, otherwise from the access
    log's entry that changed the status (see xinyu.privacy.retention.departure_dates)."""

    student = models.OneToOneField(
        "org.Student", on_delete=models.CASCADE, related_name="departure", verbose_name=_("student")
    )
    left_on = models.DateField(_("left on"))
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("departure")
        verbose_name_plural = _("departures")

    def __str__(self):
        return f"{self.student_id} {self.left_on}"


class RetentionRun(models.Model):
    """One run of `apply_retention`: what it did (or, in a dry run, would do)."""

    ran_at = models.DateTimeField(_("ran at"), default=timezone.now)
    dry_run = models.BooleanField(_("trial run (nothing changed)"), default=False)
    archived = models.PositiveIntegerField(_("archived"), default=0)
    destroyed = models.PositiveIntegerField(_("destroyed"), default=0)
    no_departure_date = models.PositiveIntegerField(_("without a leaving date"), default=0)
    records = models.JSONField(_("records"), default=dict, blank=True)  # kind → count deleted / anonymised
    policy_key = models.CharField(_("policy version"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("retention run")
        verbose_name_plural = _("retention runs")
        ordering = ["-ran_at", "-id"]

    def __str__(self):
        trial = _("trial run") if self.dry_run else ""
        return f"{self.ran_at:%Y-%m-%d %H:%M} {trial}".strip()


class StudentRetention(models.Model):
    """A student's file under retention: archived (hidden from routine views) and later destroyed."""

    student = models.OneToOneField("org.Student", on_delete=models.CASCADE, related_name="retention")
    left_on = models.DateField()
    archived_at = models.DateTimeField()
    archived_by_run = models.ForeignKey(RetentionRun, on_delete=models.PROTECT, related_name="+")
    destroyed_at = models.DateTimeField(null=True, blank=True)
    destroyed_by_run = models.ForeignKey(
        RetentionRun, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("archived student file")
        verbose_name_plural = _("archived student files")

    def __str__(self):
        return f"{self.student_id} archived {self.archived_at:%Y-%m-%d}"
