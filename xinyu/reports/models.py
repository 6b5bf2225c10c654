"""The college monthly report (学生心理健康状况月报, 第十一条): the figures Xinyu assembles from what is recorded,
the narrative the college's office writes, the working group head's approval and its sending to 学工部."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from xinyu.common.states import Moves

USER = settings.AUTH_USER_MODEL


class MonthlyReport(models.Model):
    """One version of a college's report for a month. Its figures are assembled live while it is a draft
    and frozen when it is sent; a correction after sending is a new version with a reason, and a report
    学工部 returns for changes is followed by a new version too."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        AWAITING_APPROVAL = "awaiting_approval", _("Awaiting approval")
        SENT = "sent", _("Sent")
        RETURNED = "returned", _("Returned for changes")
        SUPERSEDED = "superseded", _("Superseded by a later version")

    # The head sends a draft back with a note; 学工部 returns a sent report; a new version supersedes.
    MOVES = Moves(
        Status,
        {
            Status.DRAFT: (Status.AWAITING_APPROVAL,),
            Status.AWAITING_APPROVAL: (Status.DRAFT, Status.SENT),
            Status.SENT: (Status.RETURNED, Status.SUPERSEDED),
            Status.RETURNED: (Status.SUPERSEDED,),
        },
    )

    college = models.ForeignKey("org.College", on_delete=models.PROTECT, related_name="monthly_reports")
    month = models.DateField(_("month"), help_text="the first day of the month reported on")
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    reason = models.TextField(_("reason for the new version"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    due_on = models.DateField(_("due on"))
    activities = models.TextField(_("activities held"), blank=True)
    problems = models.TextField(_("problems found"), blank=True)
    concerns = models.TextField(_("students of concern (in words, without names)"), blank=True)
    next_focus = models.TextField(_("next month's focus"), blank=True)
    figures = models.JSONField(_("figures"), default=dict, blank=True, help_text="frozen when the report is sent")
    drafted_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    head_note = models.TextField(_("the head's note"), blank=True)
    sent_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    returned_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    returned_at = models.DateTimeField(null=True, blank=True)
    return_note = models.TextField(_("why it was returned"), blank=True)

    class Meta:
        verbose_name = _("college monthly report")
        verbose_name_plural = _("college monthly reports")
        ordering = ["-month", "college", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["college", "month", "version"], name="monthly_report_version"),
            models.UniqueConstraint(
                fields=["college", "month"],
                condition=~models.Q(status="superseded"),
                name="monthly_report_one_current",
            ),
            models.CheckConstraint(condition=models.Q(month__day=1), name="monthly_report_first_of_month"),
            models.CheckConstraint(
                condition=~models.Q(status__in=("sent", "returned", "superseded")) | models.Q(sent_at__isnull=False),
                name="monthly_report_sent_has_date",
            ),
        ]

    def __str__(self):
        return f"{self.college} {self.month:%Y-%m} v{self.version}"

    def get_absolute_url(self) -> str:
        return reverse("reports:monthly", args=[self.college_id, f"{self.month:%Y-%m}"])

    @property
    def is_editable(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def was_late(self) -> bool:
        return self.sent_at is not None and self.sent_at.date() > self.due_on


# ---------------------------------------------------------------------------------------------------------
# The leading group's year (第七条(二), 第十一条): the year's summary and next year's priorities, and the
# yearly symposium (心理健康教育工作研讨会) whose decisions Xinyu tracks until they are done.


class YearSummary(models.Model):
    """The year's work summary and next year's priorities, drafted from the year's figures and edited by
    学工部. `figures` keeps what the draft was written from."""

    school = models.ForeignKey("org.School", on_delete=models.PROTECT, related_name="year_summaries")
    year = models.PositiveSmallIntegerField(_("year"))
    summary = models.TextField(_("the year's work summary"), blank=True)
    priorities = models.TextField(_("next year's priorities"), blank=True)
    figures = models.JSONField(_("figures"), default=dict, blank=True)
    updated_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("year summary")
        verbose_name_plural = _("year summaries")
        constraints = [models.UniqueConstraint(fields=["school", "year"], name="year_summary_once_a_year")]

    def __str__(self):
        return f"{self.school} {self.year}"


class Symposium(models.Model):
    """The yearly 心理健康教育工作研讨会: when and where, who attended, the papers put before it, the minutes."""

    class Paper(models.TextChoices):
        YEAR_SUMMARY = "year_summary", _("The year's work summary")
        STATUS_REPORT = "status_report", _("The students' mental-health status report")
        COMPLIANCE = "compliance", _("The compliance board (funding, staff, facilities)")
        MONTHLY_REPORTS = "monthly_reports", _("The colleges' monthly reports")

    school = models.ForeignKey("org.School", on_delete=models.PROTECT, related_name="symposiums")
    year = models.PositiveSmallIntegerField(_("year"))
    held_on = models.DateField(_("held on"))
    place = models.CharField(_("place"), max_length=120, blank=True)
    attendees = models.TextField(_("attendees"))
    papers = models.JSONField(_("papers put before it"), default=list, blank=True)
    minutes = models.TextField(_("minutes"), blank=True)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("symposium")
        verbose_name_plural = _("symposiums")
        ordering = ["-held_on"]

    def __str__(self):
        return f"{self.school} {self.held_on}"

    def get_absolute_url(self) -> str:
        return reverse("reports:annual", args=[self.year])

    def paper_labels(self) -> list[str]:
        return [str(self.Paper(code).label) for code in self.papers if code in self.Paper.values]


class Decision(models.Model):
    """A decision of the symposium: what, whose, by when. It waits in its owner's work until done."""

    symposium = models.ForeignKey(Symposium, on_delete=models.CASCADE, related_name="decisions")
    text = models.TextField(_("decision"))
    owner = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="decisions", verbose_name=_("owner"))
    due_on = models.DateField(_("due on"))
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    done_note = models.TextField(_("what was done"), blank=True)

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["due_on", "id"]

    def __str__(self):
        return self.text[:40]

    def get_absolute_url(self) -> str:
        return reverse("reports:decision", args=[self.pk])


# ---------------------------------------------------------------------------------------------------------
# Anonymised research extracts (第十六–十七条): a named study approved by the centre's supervisor; each extract
# of a screening round holds only students who consented to research use, under a per-study pseudonym, with
# the quasi-identifiers generalised until every combination holds at least k people.


class ResearchStudy(models.Model):
    school = models.ForeignKey("org.School", on_delete=models.PROTECT, related_name="research_studies")
    title = models.CharField(_("title"), max_length=200)
    purpose = models.TextField(_("purpose"))
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    k = models.PositiveSmallIntegerField(_("smallest group (k)"))
    # The key of the study's pseudonyms: the same student has another pseudonym in every study.
    pseudonym_key = models.CharField(max_length=64, editable=False)
    approved_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("approved by"))
    approved_at = models.DateTimeField(_("approved at"), auto_now_add=True)

    class Meta:
        verbose_name = _("research study")
        verbose_name_plural = _("research studies")
        ordering = ["-approved_at"]
        constraints = [
            models.UniqueConstraint(fields=["school", "title"], name="research_study_unique_title"),
            models.CheckConstraint(condition=models.Q(k__gte=2), name="research_study_k_at_least_two"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("reports:research_study", args=[self.pk])


class ResearchExtract(models.Model):
    """That an extract was taken: by whom, when, of which round, how many rows and the k it reached."""

    study = models.ForeignKey(ResearchStudy, on_delete=models.PROTECT, related_name="extracts")
    campaign = models.ForeignKey("screening.Campaign", on_delete=models.PROTECT, related_name="+")
    taken_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    taken_at = models.DateTimeField(auto_now_add=True)
    rows = models.PositiveIntegerField()
    k_achieved = models.PositiveIntegerField()
    generalisation = models.CharField(max_length=40)

    class Meta:
        verbose_name = _("research extract")
        verbose_name_plural = _("research extracts")
        ordering = ["-taken_at"]

    def __str__(self):
        return f"{self.study} {self.taken_at:%Y-%m-%d} {self.rows}"


class ResearchOutput(models.Model):
    """第十七条: the school's research on student mental health — projects, papers, academic activities — kept
    by the centre for the year's summary."""

    class Kind(models.TextChoices):
        PROJECT = "project", _("Research project")
        PAPER = "paper", _("Paper")
        ACTIVITY = "activity", _("Academic activity")

    school = models.ForeignKey("org.School", on_delete=models.PROTECT, related_name="research_outputs")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    people = models.CharField(_("people"), max_length=200)
    venue = models.CharField(_("published in, held at or funded by"), max_length=200, blank=True)
    on = models.DateField(_("date"))
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("research output")
        verbose_name_plural = _("research outputs")
        ordering = ["-on", "-id"]

    def __str__(self):
        return self.title
