"""Instruments stored as data, so that a college can load its own (DESIGN.md §5).

A row holds one version of one instrument's definition (the JSON document of definition.py). Results
record the version they were scored with (and the rules_version), so a version's scoring must never change:
loading a different definition under an existing code and version is refused, except for the item texts a
college supplies for an instrument shipped without them (SCL-90).

A version loaded from a file or a FHIR Questionnaire is a draft until the psychology centre activates it
(activation.py): never activated (`activated_at` empty) means it cannot be offered or used in a campaign.
"""

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xinyu.common.states import Moves
from xinyu.screening.definition import Definition, parse_definition

_parsed: dict[tuple[int, str], Definition] = {}


def definition_for(instrument: "Instrument") -> Definition:
    """The parsed definition of a stored row, kept per process by (row, digest): compiled scorers are
    cached on the definition, so re-scoring many responses compiles each instrument once."""
    key = (instrument.pk, instrument.digest)
    definition = _parsed.get(key)
    if definition is None:
        if len(_parsed) > 256:
            _parsed.clear()
        definition = _parsed[key] = instrument._parse_uncached()
    return definition


class Instrument(models.Model):
    class Source(models.TextChoices):
        SHIPPED = "shipped", _("Shipped with Xinyu")
        FILE = "file", _("Loaded from a definition file")
        FHIR = "fhir", _("Imported from a FHIR Questionnaire")

    code = models.CharField(_("code"), max_length=32)
    version = models.CharField(_("version"), max_length=32)
    name = models.CharField(_("instrument name"), max_length=200)
    definition = models.JSONField(_("definition"))
    digest = models.CharField(_("digest"), max_length=64, editable=False)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices, default=Source.FILE)
    is_active = models.BooleanField(
        _("active"), default=False, help_text=_("The version offered for new assessment campaigns.")
    )
    loaded_at = models.DateTimeField(_("loaded at"), default=timezone.now)
    # Empty while the version is a draft; set once, when the centre first activates it.
    activated_at = models.DateTimeField(_("activated at"), null=True, blank=True)
    activated_by = models.ForeignKey(
        "accounts.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("activated by"),
    )

    class Meta:
        verbose_name = _("instrument")
        verbose_name_plural = _("instruments")
        ordering = ["code", "version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="instrument_unique_version"),
            models.UniqueConstraint(fields=["code"], condition=Q(is_active=True), name="instrument_one_active_version"),
            models.CheckConstraint(
                condition=Q(is_active=False) | Q(activated_at__isnull=False), name="instrument_draft_never_active"
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.code}@{self.version})"

    def get_absolute_url(self) -> str:
        return reverse("screening:instrument_detail", args=[self.pk])

    @property
    def is_draft(self) -> bool:
        return self.activated_at is None

    @property
    def key(self) -> str:
        return f"{self.code}@{self.version}"

    def parsed(self) -> Definition:
        """The validated definition (parsed once per row and digest, see `definition_for`)."""
        return definition_for(self)

    def _parse_uncached(self) -> Definition:
        return parse_definition(self.definition)


class Campaign(models.Model):
    """测评任务: who is asked, which instruments, when, and the consent they give (PIPL Art. 29)."""

    class Kind(models.TextChoices):
        CENSUS = "census", _("Freshmen census")
        SEMESTER = "semester", _("Semester screening")
        SPECIAL = "special", _("Special screening")

    school = models.ForeignKey("org.School", on_delete=models.PROTECT, related_name="campaigns")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    instruments = models.ManyToManyField(Instrument, through="CampaignInstrument", related_name="campaigns")
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at"))
    # The target population; empty lists mean "all".
    enrolment_years = models.JSONField(_("enrolment years"), default=list, blank=True)
    colleges = models.ManyToManyField("org.College", blank=True, related_name="+", verbose_name=_("colleges"))
    class_groups = models.ManyToManyField(
        "org.ClassGroup", blank=True, related_name="+", verbose_name=_("class groups")
    )
    student_statuses = models.JSONField(_("student statuses"), default=list, blank=True)
    consent_text = models.TextField(_("consent text"))
    consent_version = models.CharField(_("consent version"), max_length=32)
    show_summary_to_student = models.BooleanField(_("students see a summary of their own result"), default=False)
    resources_text = models.TextField(_("resources shown after submitting"), blank=True)
    one_item_per_screen = models.BooleanField(
        _("one question per screen"),
        default=False,
        help_text=_("Phones show one question at a time; students can switch to a page of questions."),
    )
    reminder_text = models.TextField(
        _("reminder text"), blank=True, help_text=_("Added to the reminder students receive in their inbox.")
    )
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("assessment campaign")
        verbose_name_plural = _("assessment campaigns")
        ordering = ["-opens_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")), name="campaign_closes_after_opening"
            )
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("screening:completion", args=[self.pk])

    def is_open(self, at=None) -> bool:
        moment = at or timezone.now()
        return self.opens_at <= moment < self.closes_at

    def has_opened(self, at=None) -> bool:
        return self.opens_at <= (at or timezone.now())

    def has_closed(self, at=None) -> bool:
        return self.closes_at <= (at or timezone.now())


class CampaignInstrument(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE)
    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["campaign", "instrument"], name="campaign_instrument_once")]

    def __str__(self):
        return f"{self.campaign_id}:{self.instrument_id}"


class Sitting(models.Model):
    """A class answering together: opened by its head teacher or advisor, entered with a short code."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="sittings")
    class_group = models.ForeignKey("org.ClassGroup", on_delete=models.PROTECT, related_name="+")
    opened_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    code = models.CharField(_("code"), max_length=12, unique=True)
    opened_at = models.DateTimeField(auto_now_add=True)
    closes_at = models.DateTimeField(_("closes at"))

    class Meta:
        verbose_name = _("sitting")
        verbose_name_plural = _("sittings")
        ordering = ["-opened_at"]

    def __str__(self):
        return f"{self.class_group} {self.code}"

    def get_absolute_url(self) -> str:
        return reverse("screening:sitting_detail", args=[self.pk])


class Reminder(models.Model):
    """A reminder sent to a class's students who had not answered yet (at most one per class every few hours)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="reminders")
    class_group = models.ForeignKey("org.ClassGroup", on_delete=models.PROTECT, related_name="+")
    sent_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    sent_at = models.DateTimeField(default=timezone.now)
    students = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["-sent_at"]
        indexes = [models.Index(fields=["campaign", "class_group", "sent_at"])]

    def __str__(self):
        return f"{self.campaign_id}:{self.class_group_id} {self.sent_at:%Y-%m-%d %H:%M}"


class Participation(models.Model):
    """One targeted student in one campaign: their consent, progress and the submission's idempotency key."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Not started")
        IN_PROGRESS = "in_progress", _("In progress")
        SUBMITTED = "submitted", _("Submitted")
        DECLINED = "declined", _("Declined")

    # Agreeing again to the consent text keeps a questionnaire in progress; a student may still decline it.
    MOVES = Moves(
        Status,
        {
            Status.PENDING: (Status.IN_PROGRESS, Status.DECLINED),
            Status.IN_PROGRESS: (Status.IN_PROGRESS, Status.DECLINED, Status.SUBMITTED),
        },
    )

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="participations")
    student = models.ForeignKey("org.Student", on_delete=models.PROTECT, related_name="participations")
    status = models.CharField(_("progress"), max_length=16, choices=Status.choices, default=Status.PENDING)
    sitting = models.ForeignKey(Sitting, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    consent_version = models.CharField(max_length=32, blank=True)
    consented_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submission_key = models.CharField(max_length=64, null=True, blank=True, unique=True)
    quality_flags = models.JSONField(default=list, blank=True)
    # The one browser session allowed to answer (entering from another device replaces it): A cannot
    # answer as B, and a stolen code is useless once the student is in.
    session_token = models.CharField(max_length=64, blank=True, editable=False)
    session_bound_at = models.DateTimeField(null=True, blank=True, editable=False)
    declined_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("participation")
        verbose_name_plural = _("participations")
        constraints = [models.UniqueConstraint(fields=["campaign", "student"], name="participation_once_per_campaign")]
        indexes = [models.Index(fields=["campaign", "status"])]

    def __str__(self):
        return f"{self.campaign_id}:{self.student_id} {self.status}"


class Response(models.Model):
    """The answers to one instrument, saved as the student goes (a dropped connection resumes)."""

    participation = models.ForeignKey(Participation, on_delete=models.CASCADE, related_name="responses")
    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="+")
    answers = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["participation", "instrument"], name="response_once_per_instrument")
        ]

    def __str__(self):
        return f"{self.participation_id}:{self.instrument_id}"


class Result(models.Model):
    """The scored outcome of a response, with the rules version that produced it (T3)."""

    response = models.OneToOneField(Response, on_delete=models.CASCADE, related_name="result")
    student = models.ForeignKey("org.Student", on_delete=models.PROTECT, related_name="screening_results")
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="results")
    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="+")
    total = models.FloatField(null=True, blank=True)
    band = models.CharField(max_length=32, blank=True)
    classification = models.CharField(max_length=32, blank=True)
    severity = models.CharField(max_length=32, blank=True)
    flags = models.JSONField(default=list, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    rules_version = models.CharField(max_length=80)
    scored_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["campaign", "instrument"]), models.Index(fields=["rules_version"])]

    def __str__(self):
        return f"{self.instrument_id} {self.total} {self.band}"


class InterviewLink(models.Model):
    """The screening a 约谈 (care.Interview with source "screening") came from: its campaign and the result
    that called for it."""

    interview = models.OneToOneField(
        "care.Interview", primary_key=True, on_delete=models.CASCADE, related_name="screening"
    )
    campaign = models.ForeignKey(
        Campaign, null=True, blank=True, on_delete=models.SET_NULL, related_name="interview_links"
    )
    result = models.ForeignKey(Result, null=True, blank=True, on_delete=models.SET_NULL, related_name="interview_links")

    class Meta:
        verbose_name = _("screening of an interview")
        verbose_name_plural = _("screenings of interviews")
        indexes = [models.Index(fields=["campaign"])]

    def __str__(self):
        return f"{self.interview_id} {self.campaign_id} {self.result_id}"
