"""Supervision (督导) and case conferences (个案研讨), 第七条(八), 第十五条, 第十六条.

- Supervision: a counsellor submits a case they counsel with a question; the centre's supervisors see it in
  their queue; a supervision session (individual or group) is recorded with the requests discussed, the
  discussion and the supervisor's guidance. The question, the discussion and the guidance are T4: the treating
  counsellor and the centre's supervisors only, encrypted at rest. When and how long a session was, who
  supervised and who was present are not student data (they count in the workload statement).
- Case conferences: a scheduled meeting of staff; each case discussed (a student) has a stable code in the
  conference (个案A …) shown to attendees who may not see the student; its notes are T3; its conclusions
  become tasks for named people, due on a date, in their work list until done.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xinyu.common.fields import EncryptedTextField
from xinyu.common.states import Moves

USER = settings.AUTH_USER_MODEL


class SupervisionRequest(models.Model):
    """A counsellor's case brought to supervision, with their question."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        SCHEDULED = "scheduled", _("Scheduled")
        DISCUSSED = "discussed", _("Discussed")
        CLOSED = "closed", pgettext_lazy("a supervision request", "Closed")
        WITHDRAWN = "withdrawn", pgettext_lazy("an appointment or a request", "Withdrawn")

    # Waiting in the supervisors' queue.
    OPEN = (Status.SUBMITTED, Status.SCHEDULED)
    # A discussed case may be brought again (back to the queue) or closed by its counsellor.
    MOVES = Moves(
        Status,
        {
            Status.SUBMITTED: (Status.SCHEDULED, Status.DISCUSSED, Status.WITHDRAWN),
            Status.SCHEDULED: (Status.DISCUSSED, Status.WITHDRAWN),
            Status.DISCUSSED: (Status.SUBMITTED, Status.CLOSED),
        },
    )

    school = models.ForeignKey("org.School", on_delete=models.PROTECT, related_name="supervision_requests")
    student = models.ForeignKey("org.Student", on_delete=models.PROTECT, related_name="supervision_requests")
    counsellor = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="supervision_requests", verbose_name=_("counsellor")
    )
    # The counselling session whose next step was "bring to supervision", when submitted from it.
    session = models.ForeignKey(
        "counselling.Session", null=True, blank=True, on_delete=models.SET_NULL, related_name="supervision_requests"
    )
    question = EncryptedTextField(_("question for supervision"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.SUBMITTED)
    scheduled_for = models.DateTimeField(_("scheduled for"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), auto_now_add=True)
    changed_at = models.DateTimeField(auto_now=True)
    # When the counsellor last read the guidance given (None: guidance waits to be read, if any).
    guidance_read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("supervision request")
        verbose_name_plural = _("supervision requests")
        ordering = ["submitted_at", "id"]
        constraints = [
            # One case of a counsellor waits in the queue once.
            models.UniqueConstraint(
                fields=["counsellor", "student"],
                condition=Q(status__in=["submitted", "scheduled"]),
                name="supervision_one_open_request_per_case",
            )
        ]

    def __str__(self):
        return f"{self.student_id} {self.submitted_at:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("workforce:request_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN


class SupervisionSession(models.Model):
    """A supervision session held: who supervised, when, how long, who was present, which requests."""

    class Kind(models.TextChoices):
        INDIVIDUAL = "individual", _("Individual supervision")
        GROUP = "group", _("Group supervision")

    school = models.ForeignKey("org.School", on_delete=models.PROTECT, related_name="supervision_sessions")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.INDIVIDUAL)
    supervisor = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="supervision_given", verbose_name=_("supervisor")
    )
    held_at = models.DateTimeField(_("held at"))
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"))
    place = models.CharField(_("place"), max_length=120, blank=True)
    counsellors = models.ManyToManyField(
        USER, related_name="supervision_received", verbose_name=_("counsellors present")
    )
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("supervision session")
        verbose_name_plural = _("supervision sessions")
        ordering = ["-held_at", "-id"]
        indexes = [models.Index(fields=["school", "held_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(duration_minutes__gt=0), name="supervision_session_has_duration")
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.held_at:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("workforce:session_detail", args=[self.pk])


class Discussion(models.Model):
    """One request discussed in a session: the discussion and the supervisor's guidance (T4)."""

    session = models.ForeignKey(SupervisionSession, on_delete=models.CASCADE, related_name="discussions")
    request = models.ForeignKey(SupervisionRequest, on_delete=models.PROTECT, related_name="discussions")
    notes = EncryptedTextField(_("case discussion"), blank=True)
    guidance = EncryptedTextField(_("supervisor's guidance"))

    class Meta:
        verbose_name = _("case discussed in supervision")
        verbose_name_plural = _("cases discussed in supervision")
        ordering = ["session__held_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["session", "request"], name="supervision_request_once_per_session")
        ]

    def __str__(self):
        return f"{self.session_id}/{self.request_id}"


class CaseConference(models.Model):
    """A case conference (个案研讨): when, where, who chairs, who attends."""

    school = models.ForeignKey("org.School", on_delete=models.PROTECT, related_name="case_conferences")
    title = models.CharField(_("title"), max_length=120)
    held_at = models.DateTimeField(_("held at"))
    place = models.CharField(_("place"), max_length=120, blank=True)
    chair = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("chair"))
    attendees = models.ManyToManyField(USER, related_name="case_conferences", verbose_name=_("attendees"))
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("case conference")
        verbose_name_plural = _("case conferences")
        ordering = ["-held_at", "-id"]

    def __str__(self):
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("workforce:conference_detail", args=[self.pk])


class ConferenceCase(models.Model):
    """A student's case discussed at a conference, under its code (个案A, 个案B … in the order added)."""

    conference = models.ForeignKey(CaseConference, on_delete=models.CASCADE, related_name="cases")
    student = models.ForeignKey("org.Student", on_delete=models.PROTECT, related_name="conference_cases")
    position = models.PositiveSmallIntegerField()
    notes = EncryptedTextField(_("case discussion notes"), blank=True)
    conclusion = models.TextField(_("conclusion"), blank=True)
    added_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("conference case")
        verbose_name_plural = _("conference cases")
        ordering = ["conference", "position"]
        constraints = [
            models.UniqueConstraint(fields=["conference", "student"], name="conference_case_once"),
            models.UniqueConstraint(fields=["conference", "position"], name="conference_case_position"),
        ]

    def __str__(self):
        return self.code

    def get_absolute_url(self) -> str:
        return reverse("workforce:conference_case", args=[self.pk])

    @property
    def letter(self) -> str:
        """A, B, … Z, then AA, AB …: the case's place in its conference."""
        n, letters = self.position, ""
        while True:
            n, rest = divmod(n, 26)
            letters = chr(ord("A") + rest) + letters
            if n == 0:
                return letters
            n -= 1

    @property
    def code(self) -> str:
        return _("Case %(letter)s") % {"letter": self.letter}


class ConferenceTask(models.Model):
    """A conclusion of a conference turned into work: what, whose, by when."""

    case = models.ForeignKey(ConferenceCase, on_delete=models.CASCADE, related_name="tasks")
    text = models.CharField(_("what"), max_length=300)
    assignee = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="conference_tasks", verbose_name=_("assignee")
    )
    due_on = models.DateField(_("due on"))
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    done_note = models.TextField(_("what was done"), blank=True)

    class Meta:
        verbose_name = _("conference task")
        verbose_name_plural = _("conference tasks")
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["assignee", "done_at"])]

    def __str__(self):
        return self.text[:40]

    def get_absolute_url(self) -> str:
        return reverse("workforce:conference_task", args=[self.pk])
