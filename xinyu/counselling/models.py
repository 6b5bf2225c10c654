"""Counselling (心理咨询): rooms, availability, bookings, sessions and their confidential notes.

Tiers (decided in xinyu/org/scope/counselling.py): that a student attends counselling at all (bookings,
session dates and kinds) is T3 for the centre only; notes, intake and the structured record of a session
are T4, for the treating counsellor and the centre's supervisors. T4 text is encrypted at rest.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from xinyu.common.fields import EncryptedTextField
from xinyu.common.states import Moves

USER = settings.AUTH_USER_MODEL


class Room(models.Model):
    """One of the centre's rooms (第十四条)."""

    class Kind(models.TextChoices):
        INDIVIDUAL = "individual", _("Individual counselling room")
        GROUP = "group", _("Group counselling room")
        ASSESSMENT = "assessment", _("Assessment room")
        RELAXATION = "relaxation", _("Relaxation room")
        CATHARSIS = "catharsis", _("Emotional release room")
        SAND_TRAY = "sand_tray", _("Sand tray room")
        RECEPTION = "reception", _("Reception and waiting room")
        # The centre's other rooms of 第十四条 (not for bookings).
        OFFICE = "office", _("Full-time teachers' office")
        TRAINING = "training", _("All-round development training room")
        OTHER = "other", _("Other")

    # Rooms nobody books a counselling time in.
    NOT_BOOKABLE = (Kind.OFFICE, Kind.TRAINING)

    school = models.ForeignKey(
        "org.School", on_delete=models.PROTECT, related_name="counselling_rooms", verbose_name=_("school")
    )
    name = models.CharField(_("name"), max_length=64)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.INDIVIDUAL)
    location = models.CharField(_("location"), max_length=120, blank=True)
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("counselling room")
        verbose_name_plural = _("counselling rooms")
        ordering = ["school", "name"]
        constraints = [models.UniqueConstraint(fields=["school", "name"], name="counselling_room_unique_name")]

    def __str__(self):
        return self.name


class Slot(models.Model):
    """A time a counsellor is available in a room. Overlaps (same room or same counsellor) are refused by
    `services.publish_slots`, which holds the room's and the counsellor's rows locked while it checks."""

    counsellor = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="counselling_slots")
    room = models.ForeignKey(Room, on_delete=models.PROTECT, related_name="slots")
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    withdrawn = models.BooleanField(_("withdrawn"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("available time")
        verbose_name_plural = _("available times")
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["counsellor", "starts_at"]), models.Index(fields=["room", "starts_at"])]
        constraints = [models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="slot_ends_after")]

    def __str__(self):
        return f"{self.room} {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)


class Booking(models.Model):
    class Status(models.TextChoices):
        REQUESTED = "requested", _("Waiting for confirmation")
        CONFIRMED = "confirmed", _("Confirmed")
        ATTENDED = "attended", _("Attended")
        NO_SHOW = "no_show", _("Did not come")
        CANCELLED = "cancelled", _("Cancelled")

    OPEN = (Status.REQUESTED, Status.CONFIRMED)
    # States that keep the slot taken: everything but a cancellation.
    HOLDS_SLOT = (Status.REQUESTED, Status.CONFIRMED, Status.ATTENDED, Status.NO_SHOW)
    # Moving an open booking to another time makes it wait for confirmation again; a session can be
    # recorded on a booking not yet confirmed.
    MOVES = Moves(
        Status,
        {
            Status.REQUESTED: (Status.REQUESTED, Status.CONFIRMED, Status.ATTENDED, Status.CANCELLED),
            Status.CONFIRMED: (Status.REQUESTED, Status.ATTENDED, Status.NO_SHOW, Status.CANCELLED),
        },
    )

    slot = models.ForeignKey(Slot, on_delete=models.PROTECT, related_name="bookings")
    student = models.ForeignKey("org.Student", on_delete=models.PROTECT, related_name="counselling_bookings")
    reason = models.CharField(_("what you would like to talk about"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.REQUESTED)
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    no_show_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("counselling booking")
        verbose_name_plural = _("counselling bookings")
        ordering = ["slot__starts_at", "id"]
        constraints = [
            # Two students racing for one slot: the database lets exactly one of them have it.
            models.UniqueConstraint(
                fields=["slot"], condition=~Q(status="cancelled"), name="counselling_one_booking_per_slot"
            ),
            # One open booking per student at a time.
            models.UniqueConstraint(
                fields=["student"],
                condition=Q(status__in=["requested", "confirmed"]),
                name="counselling_one_open_booking_per_student",
            ),
        ]

    def __str__(self):
        return f"{self.student_id} {self.slot}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN


class Session(models.Model):
    """A counselling session's record. Its date, kind and counsellor are T3 (centre); the rest is T4."""

    class Kind(models.TextChoices):
        INDIVIDUAL = "individual", _("Individual")
        GROUP = "group", _("Group")
        CRISIS = "crisis", _("Crisis")

    class Risk(models.TextChoices):
        NONE = "none", _("No risk noticed")
        LOW = "low", _("Low")
        MEDIUM = "medium", _("Medium")
        HIGH = "high", _("High")

    class NextStep(models.TextChoices):
        CONTINUE = "continue", _("Continue counselling")
        CLOSE = "close", _("Close: goals met")
        SUPERVISION = "supervision", _("Bring to supervision")
        REFER = "refer", _("Refer to hospital or outside service")
        CRISIS = "crisis", _("Crisis response")

    student = models.ForeignKey("org.Student", on_delete=models.PROTECT, related_name="counselling_sessions")
    counsellor = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="counselling_sessions")
    booking = models.OneToOneField(Booking, null=True, blank=True, on_delete=models.PROTECT, related_name="session")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.INDIVIDUAL)
    held_at = models.DateTimeField(_("held at"))
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"), default=50)
    session_number = models.PositiveSmallIntegerField(_("session number"))
    risk_level = models.CharField(_("risk level assessed"), max_length=8, choices=Risk.choices, default=Risk.NONE)
    next_step = models.CharField(_("next step"), max_length=16, choices=NextStep.choices, default=NextStep.CONTINUE)
    notes = EncryptedTextField(_("confidential notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The confidentiality exception (a concern report raised from this session because of risk of harm).
    exception_at = models.DateTimeField(null=True, blank=True)
    exception_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    exception_reason = EncryptedTextField(_("why the exception was used"), blank=True)
    exception_report = models.ForeignKey(
        "concerns.ConcernReport", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("counselling session")
        verbose_name_plural = _("counselling sessions")
        ordering = ["-held_at", "-id"]
        indexes = [models.Index(fields=["counsellor", "held_at"]), models.Index(fields=["student", "held_at"])]

    def __str__(self):
        return f"{self.get_kind_display()} {self.held_at:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("counselling:session_detail", args=[self.pk])

    @property
    def exception_used(self) -> bool:
        return self.exception_at is not None


class Addendum(models.Model):
    """A dated correction or addition to a session's notes once they are locked. Append-only."""

    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="addenda")
    text = EncryptedTextField(_("addendum"))
    author = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("addendum")
        verbose_name_plural = _("addenda")
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.session_id} {self.created_at:%Y-%m-%d}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("An addendum cannot be changed once written.")
        super().save(*args, **kwargs)


class Intake(models.Model):
    """The intake form of the first session (T4): concern, history, risk screening, consent."""

    session = models.OneToOneField(Session, on_delete=models.PROTECT, related_name="intake")
    presenting_concern = EncryptedTextField(_("presenting concern"))
    history = EncryptedTextField(_("history"), blank=True)
    suicidal_thoughts = models.BooleanField(_("thoughts of suicide now or recently"), default=False)
    self_harm = models.BooleanField(_("self-harm now or in the past"), default=False)
    harm_to_others = models.BooleanField(_("thoughts of harming others"), default=False)
    under_treatment = models.BooleanField(_("diagnosed or under psychiatric treatment"), default=False)
    risk_notes = EncryptedTextField(_("notes on risk"), blank=True)
    consent_to_counselling = models.BooleanField(_("agrees to counselling"), default=False)
    confidentiality_limits_explained = models.BooleanField(
        _("the limits of confidentiality were explained and understood"), default=False
    )
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("intake form")
        verbose_name_plural = _("intake forms")

    def __str__(self):
        return f"{self.session_id}"

    @property
    def risk_flagged(self) -> bool:
        return self.suicidal_thoughts or self.self_harm or self.harm_to_others
