"""Care records that crises start and later care work reuses: family contact, interviews (约谈, follow-ups
included), review and support."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from xinyu.common.states import Moves

USER = settings.AUTH_USER_MODEL


class FamilyContact(models.Model):
    """家校联系: who was contacted, when, how, and what came of it."""

    class Method(models.TextChoices):
        PHONE = "phone", _("Phone")
        IN_PERSON = "in_person", _("In person")
        VIDEO = "video", _("Video call")
        MESSAGE = "message", _("Message")

    student = models.ForeignKey("org.Student", on_delete=models.PROTECT, related_name="family_contacts")
    case = models.ForeignKey(
        "concerns.CrisisCase", null=True, blank=True, on_delete=models.PROTECT, related_name="family_contacts"
    )
    contacted_at = models.DateTimeField(_("when"))
    contacted_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("by"))
    contact_name = models.CharField(_("who was contacted"), max_length=64)
    relation = models.CharField(_("relation"), max_length=32)
    method = models.CharField(_("how"), max_length=16, choices=Method.choices)
    outcome = models.TextField(_("outcome"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("family contact")
        verbose_name_plural = _("family contacts")
        ordering = ["-contacted_at"]

    def __str__(self):
        return f"{self.contact_name} {self.contacted_at:%Y-%m-%d}"


class Interview(models.Model):
    """约谈: a talk with a student that someone is asked to hold by a day, then its record. One model for
    every reason it is held (`source`): a screening result, a concern report that was no crisis, a crisis
    case's follow-up (跟踪回访), a return from leave. The centre's evaluation of a severe screening result is
    the same task for the centre (`kind`).

    How much its existence reveals depends on its source (`xinyu.care.interviews.tier_of`): that a screening
    called for a talk is T3; a follow-up of a case or a return is T2 for those who work with the student.
    """

    class Source(models.TextChoices):
        SCREENING = "screening", _("Screening")
        CONCERN_REPORT = "concern_report", _("Concern report (no crisis)")
        CRISIS_CASE = "crisis_case", _("Crisis case follow-up")
        RETURN_FROM_LEAVE = "return_from_leave", _("Return from leave")

    class Kind(models.TextChoices):
        INTERVIEW = "interview", _("Interview")
        CENTRE_EVALUATION = "centre_evaluation", _("Centre evaluation")

    class Method(models.TextChoices):
        IN_PERSON = "in_person", _("In person")
        PHONE = "phone", _("Phone")

    class Outcome(models.TextChoices):
        NO_CONCERN = "no_concern", _("No concern")
        WATCH = "watch", _("Keep watching")
        REFER_CENTRE = "refer_centre", _("Refer to the psychology centre")
        CONCERN_REPORT = "concern_report", _("Raise a concern report")
        RECOMMEND_REGISTRY = "recommend_registry", _("Recommend the key-concern registry")

    student = models.ForeignKey("org.Student", on_delete=models.PROTECT, related_name="interviews")
    source = models.CharField(_("source"), max_length=24, choices=Source.choices)
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices, default=Kind.INTERVIEW)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    case = models.ForeignKey(
        "concerns.CrisisCase", null=True, blank=True, on_delete=models.PROTECT, related_name="interviews"
    )
    follows = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text="the interview whose outcome asked for this one (a referral to the centre)",
    )  # fmt: skip
    assignee = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="interviews", verbose_name=_("assigned to")
    )
    scheduled_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField(_("due on"))
    created_at = models.DateTimeField(auto_now_add=True)
    conducted_at = models.DateTimeField(_("when"), null=True, blank=True)
    conducted_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    method = models.CharField(_("how"), max_length=16, choices=Method.choices, blank=True)
    outcome = models.CharField(_("outcome"), max_length=24, choices=Outcome.choices, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    # The id this record had as a follow-up (care.FollowUp) before interviews and follow-ups became one:
    # the access log's old entries name it.
    legacy_follow_up_id = models.PositiveIntegerField(null=True, blank=True, unique=True, editable=False)

    class Meta:
        verbose_name = _("interview")
        verbose_name_plural = _("interviews")
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["assignee", "conducted_at"]), models.Index(fields=["student", "source"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(case__isnull=True) | models.Q(source="crisis_case"), name="interview_case_source"
            ),
            models.CheckConstraint(
                condition=models.Q(conducted_at__isnull=True, outcome="") | models.Q(conducted_at__isnull=False),
                name="interview_outcome_when_recorded",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.student_id} {self.due_on}"

    def get_absolute_url(self) -> str:
        return reverse("core:interview_detail", args=[self.pk])

    @property
    def is_recorded(self) -> bool:
        return self.conducted_at is not None


class ReviewSupport(models.Model):
    """评估帮扶: an assessment of how the student is doing, and the support agreed."""

    student = models.ForeignKey("org.Student", on_delete=models.PROTECT, related_name="review_supports")
    case = models.ForeignKey(
        "concerns.CrisisCase", null=True, blank=True, on_delete=models.PROTECT, related_name="review_supports"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    registry_entry = models.ForeignKey(
        "care.RegistryEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="review_supports"
    )
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    assessment = models.TextField(_("assessment"))
    support = models.TextField(_("support agreed"))

    class Meta:
        verbose_name = _("review and support")
        verbose_name_plural = _("reviews and support")
        ordering = ["-recorded_at"]

    def __str__(self):
        return f"{self.student} {self.recorded_at:%Y-%m-%d}"


# ---------------------------------------------------------------------------------------------------------
# The key-concern registry (重点关注学生库), care plans (一人一策) and dorm check-ins.


class RegistryEntry(models.Model):
    """A student on the key-concern registry. One live (not removed) entry per student; its history is
    the append-only list of RegistryEvent rows."""

    class Source(models.TextChoices):
        CENSUS_INTERVIEW = "census_interview", _("Census interview")
        CONCERN_REPORT = "concern_report", _("Concern report")
        CRISIS = "crisis", _("Crisis")
        REFERRAL = "referral", _("Referral")
        SELF_REFERRAL = "self_referral", _("Self-referral")
        CENTRE = "centre", _("Psychology centre")

    class Risk(models.TextChoices):
        HIGH = "high", _("High")
        MEDIUM = "medium", _("Medium")
        LOW = "low", _("Low")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        ACTIVE = "active", _("Active")
        LAPSED = "lapsed", _("Lapsed (review overdue)")
        REMOVAL_REQUESTED = "removal_requested", _("Removal requested")
        REMOVED = "removed", _("Removed")

    LIVE = (Status.PROPOSED, Status.ACTIVE, Status.LAPSED, Status.REMOVAL_REQUESTED)
    # A review makes a lapsed entry active again; a removal the centre does not sign off leaves it active.
    MOVES = Moves(
        Status,
        {
            Status.PROPOSED: (Status.ACTIVE,),
            Status.ACTIVE: (Status.LAPSED, Status.REMOVAL_REQUESTED),
            Status.LAPSED: (Status.ACTIVE, Status.REMOVAL_REQUESTED),
            Status.REMOVAL_REQUESTED: (Status.ACTIVE, Status.REMOVED),
        },
    )

    student = models.ForeignKey("org.Student", on_delete=models.PROTECT, related_name="registry_entries")
    source = models.CharField(_("source"), max_length=24, choices=Source.choices)
    reason = models.TextField(_("reason"))
    categories = models.JSONField(_("categories"), default=list, blank=True)
    risk_level = models.CharField(_("risk level"), max_length=8, choices=Risk.choices, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PROPOSED)
    next_review_on = models.DateField(_("next review"), null=True, blank=True)
    proposed_at = models.DateTimeField(auto_now_add=True)
    proposed_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    removal_reason = models.TextField(_("reason for removal"), blank=True)
    removal_requested_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    centre_assessment = models.TextField(_("centre's assessment"), blank=True)
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("key-concern registry entry")
        verbose_name_plural = _("key-concern registry entries")
        ordering = ["next_review_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["student"], condition=~models.Q(status="removed"), name="care_one_live_entry_per_student"
            )
        ]
        indexes = [models.Index(fields=["status", "next_review_on"])]

    def __str__(self):
        return f"{self.student} {self.status}"

    def get_absolute_url(self) -> str:
        return reverse("care:entry_detail", args=[self.pk])

    @property
    def is_live(self) -> bool:
        return self.status != self.Status.REMOVED

    def category_labels(self, rules) -> list[str]:
        return [(rules.category(code).label if rules.category(code) else code) for code in self.categories]


class RegistryEvent(models.Model):
    """One step in an entry's history (who, when, what, why). Append-only: never changed or deleted."""

    class Kind(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        CONFIRMED = "confirmed", _("Confirmed")
        REVIEWED = "reviewed", _("Reviewed")
        LAPSED = "lapsed", _("Lapsed")
        REMOVAL_REQUESTED = "removal_requested", _("Removal requested")
        REMOVAL_DECLINED = "removal_declined", _("Removal declined")
        REMOVED = "removed", _("Removed")
        PLAN_CHANGED = "plan_changed", _("Care plan changed")

    entry = models.ForeignKey(RegistryEntry, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    by_name = models.CharField(max_length=64, blank=True)
    reason = models.TextField(blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.entry_id} {self.kind}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("registry events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("registry events are append-only")


class CarePlan(models.Model):
    """一人一策: one per registry entry. Goals, measures per level, the responsible person at each level,
    contact frequencies and the review cadence."""

    entry = models.OneToOneField(RegistryEntry, on_delete=models.PROTECT, related_name="plan")
    goals = models.TextField(_("goals"), blank=True)
    measures_centre = models.TextField(_("measures: psychology centre"), blank=True)
    measures_college = models.TextField(_("measures: college"), blank=True)
    measures_class = models.TextField(_("measures: class"), blank=True)
    centre_person = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("psychology centre")
    )
    college_person = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("college")
    )
    class_person = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("class")
    )
    student_contact_every_days = models.PositiveSmallIntegerField(_("talk with the student every (days)"))
    family_contact_every_days = models.PositiveSmallIntegerField(_("contact the family every (days)"))
    review_every_days = models.PositiveSmallIntegerField(_("review every (days)"))
    started_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("care plan")
        verbose_name_plural = _("care plans")

    def __str__(self):
        return f"plan {self.entry_id}"

    def get_absolute_url(self) -> str:
        return reverse("care:entry_detail", args=[self.entry_id])

    def people(self) -> list:
        return [p for p in (self.centre_person, self.college_person, self.class_person) if p is not None]


class ProgressNote(models.Model):
    """A progress note on a plan (T3); kind "student_contact" also counts as the plan's student contact."""

    class Kind(models.TextChoices):
        STUDENT_CONTACT = "student_contact", _("Talk with the student")
        NOTE = "note", _("Progress note")

    plan = models.ForeignKey(CarePlan, on_delete=models.PROTECT, related_name="notes")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    happened_at = models.DateTimeField(_("when"))
    by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("note"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-happened_at", "-id"]

    def __str__(self):
        return f"{self.plan_id} {self.kind} {self.happened_at:%Y-%m-%d}"


class CheckInAssignment(models.Model):
    """A dorm leader asked to look after a dorm-mate. The dorm leader sees the name only."""

    plan = models.ForeignKey(CarePlan, on_delete=models.PROTECT, related_name="check_in_assignments")
    student = models.ForeignKey("org.Student", on_delete=models.PROTECT, related_name="+")
    dorm_leader = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="check_in_assignments")
    assigned_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    every_days = models.PositiveSmallIntegerField()
    started_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["started_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "dorm_leader"],
                condition=models.Q(ended_at__isnull=True),
                name="care_one_open_check_in_per_plan_and_leader",
            )
        ]

    def __str__(self):
        return f"{self.dorm_leader_id} → {self.student_id}"


class CheckIn(models.Model):
    class Status(models.TextChoices):
        ALL_RIGHT = "ok", _("All right")
        WRONG = "wrong", _("Something is wrong")

    assignment = models.ForeignKey(CheckInAssignment, on_delete=models.PROTECT, related_name="check_ins")
    at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=8, choices=Status.choices)
    note = models.TextField(blank=True)
    report = models.ForeignKey(
        "concerns.ConcernReport", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.assignment_id} {self.status}"
