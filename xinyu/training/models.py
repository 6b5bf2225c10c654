"""Training of the mental-health workforce (第七条(八), 第十五条): training events, internal and external, and
who attended each with the hours credited and a certificate. A staff member may report an external training
they attended; 学工部 confirms it. Nothing here is about a student (T0/T1)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xinyu.common.states import Moves

USER = settings.AUTH_USER_MODEL


class Provider(models.TextChoices):
    INTERNAL = "internal", _("Internal training")
    EXTERNAL = "external", _("External training")


class Kind(models.TextChoices):
    LECTURE = "lecture", _("Lecture")
    WORKSHOP = "workshop", _("Workshop")
    CONFERENCE = "conference", _("Conference")
    ONLINE_COURSE = "online_course", _("Online course")
    BRIEFING = "briefing", _("Briefing")
    CASE_STUDY = "case_study", _("Case study session")
    OTHER = "other", _("Other training")


class TrainingEvent(models.Model):
    """One training event. `college` empty: school-level (学工部 or the centre keep it); else one college's."""

    school = models.ForeignKey("org.School", on_delete=models.PROTECT, related_name="+", verbose_name=_("school"))
    college = models.ForeignKey(
        "org.College", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("college"), help_text=_("Empty for school-level training."),
    )  # fmt: skip
    topic = models.CharField(_("topic"), max_length=200)
    provider = models.CharField(_("internal or external"), max_length=16, choices=Provider.choices)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    hours = models.DecimalField(_("hours"), max_digits=5, decimal_places=1)
    trainer = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="trainings_given",
        verbose_name=_("trainer (staff member)"),
    )  # fmt: skip
    trainer_name = models.CharField(_("trainer (external)"), max_length=64, blank=True)
    trainer_organisation = models.CharField(_("trainer's organisation"), max_length=120, blank=True)
    organiser = models.CharField(_("organiser"), max_length=120)
    place = models.CharField(_("place"), max_length=120, blank=True)
    reported = models.BooleanField(_("reported by an attendee"), default=False)
    recorded_by = models.ForeignKey(
        USER, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("training event")
        verbose_name_plural = _("training events")
        ordering = ["-starts_on", "-pk"]
        indexes = [models.Index(fields=["school", "starts_on"])]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="training_ends_after_start"),
            models.CheckConstraint(condition=Q(hours__gt=0), name="training_hours_positive"),
        ]

    def __str__(self):
        return self.topic

    @property
    def trainer_label(self) -> str:
        if self.trainer_id:
            return self.trainer.full_name
        return " · ".join(part for part in (self.trainer_name, self.trainer_organisation) if part)


class Attendance(models.Model):
    """A staff member at a training event, with the hours credited and their certificate."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for confirmation")
        CONFIRMED = "confirmed", _("Confirmed")
        DECLINED = "declined", pgettext_lazy("a training record", "Not confirmed")

    MOVES = Moves(Status, {Status.PENDING: (Status.CONFIRMED, Status.DECLINED)})

    event = models.ForeignKey(TrainingEvent, on_delete=models.CASCADE, related_name="attendances")
    person = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="trainings", verbose_name=_("attendee"))
    hours = models.DecimalField(_("hours credited"), max_digits=5, decimal_places=1)
    certificate_number = models.CharField(_("certificate number"), max_length=64, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.CONFIRMED)
    decided_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("confirmed or declined by"),
    )  # fmt: skip
    decided_at = models.DateTimeField(_("confirmed or declined at"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("training attendance")
        verbose_name_plural = _("training attendances")
        ordering = ["event", "person__username"]
        constraints = [
            models.UniqueConstraint(fields=["event", "person"], name="training_attendance_once"),
            models.CheckConstraint(condition=Q(hours__gt=0), name="training_attendance_hours_positive"),
        ]

    def __str__(self):
        return f"{self.person} · {self.event}"


class Certificate(models.Model):
    """The scanned certificate of one attendance, kept in the database and served only to the person,
    学工部 and the centre."""

    attendance = models.OneToOneField(Attendance, on_delete=models.CASCADE, related_name="certificate_file")
    file_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(_("size"))
    content = models.BinaryField()
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now=True)
    uploaded_by = models.ForeignKey(
        USER, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("uploaded by")
    )

    class Meta:
        verbose_name = _("training certificate")
        verbose_name_plural = _("training certificates")
        constraints = [models.CheckConstraint(condition=Q(size__gt=0), name="training_certificate_not_empty")]

    def __str__(self):
        return self.file_name
