"""Referral (转介) to hospitals and outside services, and leave and return (休学 / 复学) with its return gate.

Tiers (DESIGN.md §4): a referral, a leave and its gate are T3 (the college working group and the centre);
the diagnosis summary, the medication and the hospitals' statements are T4, encrypted at rest, and read
only by the centre's supervisors and the counsellor who recorded them (`xinyu.org.scope.referrals`).
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xinyu.common.fields import EncryptedTextField
from xinyu.common.states import Moves

USER = settings.AUTH_USER_MODEL


class Referral(models.Model):
    """转介: planned, then the student went, then the outcome is recorded."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        WENT = "went", _("Went")
        OUTCOME = "outcome", _("Outcome recorded")

    MOVES = Moves(Status, {Status.PLANNED: (Status.WENT, Status.OUTCOME), Status.WENT: (Status.OUTCOME,)})

    class Urgency(models.TextChoices):
        ROUTINE = "routine", _("Routine")
        URGENT = "urgent", _("Urgent")
        EMERGENCY = "emergency", _("Emergency")

    class Outcome(models.TextChoices):
        OUTPATIENT = "outpatient", _("Outpatient treatment")
        ADMITTED = "admitted", _("Admitted to hospital")
        NO_TREATMENT = "no_treatment", _("No treatment needed")
        DECLINED = "declined", _("The student or family declined")
        OTHER = "other", _("Other")

    student = models.ForeignKey("org.Student", on_delete=models.PROTECT, related_name="referrals")
    destination = models.CharField(_("where"), max_length=128)
    green_channel = models.BooleanField(_("green-channel hospital"), default=False)
    planned_at = models.DateTimeField(_("when"))
    urgency = models.CharField(_("urgency"), max_length=16, choices=Urgency.choices, default=Urgency.ROUTINE)
    reason = models.TextField(_("reason for the referral"))
    escorts = models.ManyToManyField(USER, related_name="referrals_escorted", blank=True, verbose_name=_("staff"))
    family_escorts = models.CharField(_("family members who went"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PLANNED)
    went_at = models.DateTimeField(_("went at"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, blank=True)
    outcome_note = models.TextField(_("outcome notes"), blank=True)
    follow_up_plan = models.TextField(_("follow-up plan"), blank=True)
    outcome_recorded_at = models.DateTimeField(null=True, blank=True)
    outcome_recorded_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    recommend_registry = models.BooleanField(_("recommend the key-concern registry"), default=False)
    registry_proposed_at = models.DateTimeField(null=True, blank=True)
    # T4: the treating counsellor who recorded them and the centre's supervisors read these.
    diagnosis_summary = EncryptedTextField(_("diagnosis summary"), blank=True)
    medication = EncryptedTextField(_("medication"), blank=True)
    clinical_recorded_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    clinical_recorded_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ["-planned_at", "-id"]

    def __str__(self):
        return f"{self.student} → {self.destination}"

    def get_absolute_url(self) -> str:
        return reverse("referrals:referral_detail", args=[self.pk])

    @property
    def has_clinical(self) -> bool:
        return bool(self.diagnosis_summary or self.medication)


class Leave(models.Model):
    """休学 for psychological reasons, and the return gate (复学) that must be complete before return."""

    class Status(models.TextChoices):
        ON_LEAVE = "on_leave", _("On leave")
        RETURNED = "returned", _("Returned")

    MOVES = Moves(Status, {Status.ON_LEAVE: (Status.RETURNED,)})

    student = models.ForeignKey("org.Student", on_delete=models.PROTECT, related_name="leaves")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.ON_LEAVE)
    applied_on = models.DateField(_("application date"))
    reason_summary = models.TextField(_("reason"))
    starts_on = models.DateField(_("leave starts on"))
    expected_return_on = models.DateField(_("expected return"))
    # The hospital's statement behind the leave: date and hospital T3, its summary T4.
    statement_received_on = models.DateField(_("hospital statement received on"), null=True, blank=True)
    statement_hospital = models.CharField(_("issuing hospital"), max_length=128, blank=True)
    statement_summary = EncryptedTextField(_("statement summary"), blank=True)
    statement_recorded_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # Gate item 1: the hospital's statement of fitness to return.
    fitness_on = models.DateField(_("statement of fitness dated"), null=True, blank=True)
    fitness_hospital = models.CharField(_("issuing hospital"), max_length=128, blank=True)
    fitness_summary = EncryptedTextField(_("statement summary"), blank=True)
    fitness_summary_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    fitness_recorded_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    fitness_recorded_at = models.DateTimeField(null=True, blank=True)
    # Gate item 3: the parents' agreement (with the emergency contacts, ReturnContact).
    parents_agreed_on = models.DateField(_("parents agreed on"), null=True, blank=True)
    parents_note = models.TextField(pgettext_lazy("a referral or leave", "notes"), blank=True)
    parents_recorded_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    parents_recorded_at = models.DateTimeField(null=True, blank=True)
    # Gate item 4: the college's sign-off.
    signed_off_at = models.DateTimeField(null=True, blank=True)
    signed_off_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    sign_off_note = models.TextField(pgettext_lazy("a referral or leave", "notes"), blank=True)
    returned_on = models.DateField(_("returned on"), null=True, blank=True)
    returned_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("leave")
        verbose_name_plural = _("leaves")
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["student"], condition=models.Q(status="on_leave"), name="referrals_one_open_leave"
            )
        ]

    def __str__(self):
        return f"{self.student} {self.starts_on}"

    def get_absolute_url(self) -> str:
        return reverse("referrals:leave_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.ON_LEAVE


class ReturnAssessment(models.Model):
    """The centre's return assessment (复学评估). The latest one counts: "not yet fit" blocks the gate."""

    class Result(models.TextChoices):
        FIT = "fit", _("Fit to return")
        NOT_YET = "not_yet", _("Not yet fit")

    leave = models.ForeignKey(Leave, on_delete=models.PROTECT, related_name="assessments")
    result = models.CharField(_("result"), max_length=16, choices=Result.choices)
    note = models.TextField(pgettext_lazy("a referral or leave", "notes"))
    assessed_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    assessed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("return assessment")
        verbose_name_plural = _("return assessments")
        ordering = ["-assessed_at", "-id"]

    def __str__(self):
        return f"{self.leave} {self.result}"


class ReturnContact(models.Model):
    """An emergency contact confirmed with the parents at return (T3, like other contact data)."""

    leave = models.ForeignKey(Leave, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("name"), max_length=64)
    relation = models.CharField(_("relation"), max_length=32)
    phone = models.CharField(_("phone"), max_length=32)

    class Meta:
        verbose_name = _("emergency contact")
        verbose_name_plural = _("emergency contacts")
        ordering = ["id"]

    def __str__(self):
        return f"{self.name} ({self.relation})"
