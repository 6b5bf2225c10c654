"""Concern reports (预警上报) and crisis cases (心理危机) with their steps, events and the duty roster."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xinyu.common.states import Moves
from xinyu.policy.loader import policy_version

USER = settings.AUTH_USER_MODEL


class ConcernReport(models.Model):
    class Category(models.TextChoices):
        SELF_HARM = "self_harm", _("Self-harm or suicidal talk")
        EMOTIONAL_CHANGE = "emotional_change", _("Marked change of mood")
        UNUSUAL_BEHAVIOUR = "unusual_behaviour", _("Unusual behaviour")
        MISSING = "missing", _("Missing or out of contact")
        LIFE_EVENT = "life_event", _("Major life event")
        OTHER = "other", _("Other")

    class Urgency(models.TextChoices):
        NORMAL = "normal", _("Normal")
        URGENT = "urgent", _("Urgent")

    class Status(models.TextChoices):
        NEW = "new", _("Waiting to be taken")
        ACKNOWLEDGED = "acknowledged", _("Taken")
        NO_CRISIS = "no_crisis", _("Handled: no crisis")
        CRISIS = "crisis", _("Handled: crisis case opened")

    MOVES = Moves(
        Status,
        {Status.NEW: (Status.ACKNOWLEDGED,), Status.ACKNOWLEDGED: (Status.NO_CRISIS, Status.CRISIS)},
    )

    student = models.ForeignKey("org.Student", on_delete=models.PROTECT, related_name="concern_reports")
    reporter = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="concern_reports")
    category = models.CharField(_("category"), max_length=32, choices=Category.choices)
    urgency = models.CharField(_("urgency"), max_length=16, choices=Urgency.choices, default=Urgency.NORMAL)
    description = models.TextField(_("what happened"))
    # Why a report raised by Xinyu itself (a screening's red flag) was raised: T3, for the college's working
    # group and the centre only. The description then says only what the chain is asked to do (T2).
    restricted_detail = models.TextField(_("details for the working group and the centre"), blank=True)
    observed_at = models.DateTimeField(_("when"), null=True, blank=True)
    place = models.CharField(_("where"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("reported at"), auto_now_add=True, db_index=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.NEW)
    acknowledged_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    triaged_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    triaged_at = models.DateTimeField(null=True, blank=True)
    triage_note = models.TextField(_("triage note"), blank=True)
    case = models.ForeignKey("CrisisCase", null=True, blank=True, on_delete=models.PROTECT, related_name="reports")
    is_drill = models.BooleanField(_("drill"), default=False)

    class Meta:
        verbose_name = _("concern report")
        verbose_name_plural = _("concern reports")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.get_category_display()} · {self.student}"

    def get_absolute_url(self) -> str:
        return reverse("concerns:report_detail", args=[self.pk])


class CrisisCase(models.Model):
    class Level(models.TextChoices):
        A = "A", _("Level A")
        B = "B", _("Level B")
        C = "C", _("Level C")
        D = "D", _("Level D")

        # The order of the members is the order of the levels, A the lowest.
        @property
        def rank(self) -> int:
            return list(type(self)).index(self)

        @classmethod
        def above(cls, level: str) -> tuple[str, ...]:
            """The levels a case at `level` can be raised to, lowest first."""
            return tuple(other.value for other in cls if other.rank > cls(level).rank)

        @classmethod
        def below(cls, level: str) -> tuple[str, ...]:
            """The levels a case at `level` can be lowered to, lowest first."""
            return tuple(other.value for other in cls if other.rank < cls(level).rank)

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    MOVES = Moves(Status, {Status.OPEN: (Status.CLOSED,)})

    student = models.ForeignKey("org.Student", on_delete=models.PROTECT, related_name="crisis_cases")
    level = models.CharField(_("level"), max_length=1, choices=Level.choices)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.OPEN)
    organiser = models.ForeignKey(
        USER,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organised_cases",
        verbose_name=_("organiser"),
    )
    opened_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField(_("opened at"), auto_now_add=True)
    closed_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    filing_note = models.TextField(_("case filing"), blank=True)
    policy_key = models.CharField(_("policy version"), max_length=64)
    is_drill = models.BooleanField(_("drill"), default=False)

    class Meta:
        verbose_name = _("crisis case")
        verbose_name_plural = _("crisis cases")
        ordering = ["-opened_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["student"],
                condition=Q(status="open", is_drill=False),
                name="one_open_crisis_per_student",
                violation_error_message=_("This student already has an open crisis case."),
            )
        ]

    def __str__(self):
        return f"{self.get_level_display()} · {self.student}"

    def get_absolute_url(self) -> str:
        return reverse("concerns:case_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    @property
    def is_urgent(self) -> bool:
        """Whether the case's level is urgent under the policy version it was opened under."""
        return policy_version(self.policy_key).level(self.level).urgent

    @property
    def has_higher_level(self) -> bool:
        return bool(self.Level.above(self.level))

    @property
    def has_lower_level(self) -> bool:
        return bool(self.Level.below(self.level))


class CaseMember(models.Model):
    """Someone working on a case: they see the student at T2 while the case is open."""

    class Role(models.TextChoices):
        ORGANISER = "organiser", _("Organiser")
        COLLABORATOR = "collaborator", _("Collaborator")
        STEP = "step", _("Responsible for a step")
        ESCALATED = "escalated", _("Escalated to")

    case = models.ForeignKey(CrisisCase, on_delete=models.CASCADE, related_name="members")
    person = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="case_memberships")
    role = models.CharField(max_length=16, choices=Role.choices)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "person", "role"], name="case_member_once_per_role")]

    def __str__(self):
        return f"{self.person} · {self.get_role_display()}"


class CaseStep(models.Model):
    """One step of the policy's flow for the case's level, owned by one person, with deadlines."""

    case = models.ForeignKey(CrisisCase, on_delete=models.CASCADE, related_name="steps")
    level = models.CharField(max_length=1, choices=CrisisCase.Level.choices)
    code = models.CharField(max_length=40)
    title = models.CharField(_("step"), max_length=200)
    role = models.CharField(max_length=40)
    assignee = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="case_steps")
    created_at = models.DateTimeField(auto_now_add=True)
    due_at = models.DateTimeField(_("due"))
    evidence_required = models.JSONField(default=list)
    completed_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    completed_at = models.DateTimeField(null=True, blank=True)
    evidence = models.JSONField(default=dict, blank=True)
    superseded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "level", "code"],
                condition=Q(superseded_at__isnull=True),
                name="case_step_once_per_level",
            )
        ]

    def __str__(self):
        return self.title

    @property
    def is_active(self) -> bool:
        return self.completed_at is None and self.superseded_at is None


class Acknowledgement(models.Model):
    """Something a person must acknowledge in Xinyu by a deadline: a report, or a case step.

    Not acknowledged in time: re-notified, then escalated up the chain; `next_action_at` is when the
    escalation worker looks at it next, so due work is found from the database after any restart.
    """

    report = models.OneToOneField(ConcernReport, null=True, blank=True, on_delete=models.CASCADE, related_name="ack")
    step = models.OneToOneField(CaseStep, null=True, blank=True, on_delete=models.CASCADE, related_name="ack")
    due_at = models.DateTimeField()
    acknowledged_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    stage = models.PositiveSmallIntegerField(default=0)
    next_action_at = models.DateTimeField(null=True, blank=True, db_index=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(report__isnull=False, step__isnull=True) | Q(report__isnull=True, step__isnull=False),
                name="acknowledgement_of_one_thing",
            )
        ]

    def __str__(self):
        return f"ack {self.report_id or self.step_id} due {self.due_at:%Y-%m-%d %H:%M}"


class AckRecipient(models.Model):
    """Who was asked to acknowledge, and why (first asked, or escalated to)."""

    ack = models.ForeignKey(Acknowledgement, on_delete=models.CASCADE, related_name="recipients")
    person = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    stage = models.PositiveSmallIntegerField(default=0)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["ack", "person"], name="ack_recipient_once")]

    def __str__(self):
        return f"{self.person_id} (stage {self.stage})"


class CaseEvent(models.Model):
    """Append-only history of a case: who, when, what, why."""

    class Kind(models.TextChoices):
        OPENED = "opened", _("Case opened")
        LEVEL_RAISED = "level_raised", _("Level raised")
        LEVEL_LOWERED = "level_lowered", _("Level lowered")
        ORGANISER_SET = "organiser_set", _("Organiser set")
        STEP_ACKNOWLEDGED = "step_acknowledged", _("Step acknowledged")
        STEP_COMPLETED = "step_completed", _("Step completed")
        ESCALATED = "escalated", _("Escalated")
        RENOTIFIED = "renotified", _("Reminded again")
        CENTRE_ASSESSMENT = "centre_assessment", _("Centre assessment")
        FAMILY_CONTACT = "family_contact", _("Family contact recorded")
        FOLLOW_UP = "follow_up", _("Follow-up scheduled")
        REVIEW_SUPPORT = "review_support", _("Review and support recorded")
        NOTE = "note", _("Note")
        CLOSED = "closed", _("Case closed")

    case = models.ForeignKey(CrisisCase, on_delete=models.PROTECT, related_name="events")
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    by_name = models.CharField(max_length=64, blank=True)
    kind = models.CharField(max_length=24, choices=Kind.choices)
    from_level = models.CharField(max_length=1, blank=True)
    to_level = models.CharField(max_length=1, blank=True)
    reason = models.TextField(blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("case events are append-only")
        super().save(*args, **kwargs)


class DutyShift(models.Model):
    """值班: who is the duty leader (值班校领导) from when to when, kept by 学工部."""

    person = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="duty_shifts", verbose_name=_("duty leader")
    )
    starts_at = models.DateTimeField(pgettext_lazy("a duty shift", "from"))
    ends_at = models.DateTimeField(pgettext_lazy("a duty shift", "until"))
    phone = models.CharField(_("duty phone"), max_length=32, blank=True)

    class Meta:
        verbose_name = _("duty shift")
        verbose_name_plural = _("duty roster")
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="duty_shift_ends_after_start")
        ]

    def __str__(self):
        return f"{self.person} {self.starts_at:%m-%d %H:%M}–{self.ends_at:%m-%d %H:%M}"
