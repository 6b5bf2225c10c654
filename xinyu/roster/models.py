"""An uploaded roster file on its way through preview and import."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from xinyu.common.states import Moves


class ImportJob(models.Model):
    """One upload: previewed first (a dry run that writes nothing), then imported when confirmed.

    Small files are handled within the request; large ones by the background task, which reports its
    progress here for the page to poll. Only the person who uploaded the file sees the job.

    A running job renews `heartbeat_at`; one whose heartbeat stops (its worker died) is found by the
    clock's sweep (`jobs.recover`), run again from the start or marked failed.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")

    # A confirmed preview is queued again as the import; a job whose worker died is queued again or failed.
    MOVES = Moves(
        Status,
        {
            Status.PENDING: (Status.RUNNING, Status.FAILED),
            Status.RUNNING: (Status.PENDING, Status.SUCCEEDED, Status.FAILED),
            Status.SUCCEEDED: (Status.PENDING,),
        },
    )

    class Phase(models.TextChoices):
        QUEUED = "", _("Waiting to start")
        READING = "reading", _("Reading the file")
        CHECKING = "checking", _("Checking every row")
        PLANNING = "planning", _("Comparing with the records on file")
        WRITING = "writing", _("Writing to the database")

    ACTIVE = frozenset({Status.PENDING, Status.RUNNING})

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    file_name = models.CharField(_("file name"), max_length=255)
    file_size = models.PositiveBigIntegerField(_("file size"), default=0)
    # Relative to MEDIA_ROOT; the file is deleted once the job can no longer be confirmed.
    stored_path = models.CharField(_("stored file"), max_length=255, blank=True)
    create_missing = models.BooleanField(_("create missing colleges and classes"), default=False)
    dry_run = models.BooleanField(
        _("preview only"), default=True, help_text=_("Set while previewing; cleared when the import is confirmed.")
    )
    status = models.CharField(_("import status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    phase = models.CharField(_("phase"), max_length=16, choices=Phase.choices, default=Phase.QUEUED, blank=True)
    in_background = models.BooleanField(_("run in the background"), default=False)
    total_rows = models.PositiveIntegerField(_("rows in the file"), default=0)
    processed_rows = models.PositiveIntegerField(_("rows done"), default=0)
    # The uploader's language and address: the background task writes the report and the audit entries
    # as the request would have.
    language = models.CharField(_("language"), max_length=16, blank=True)
    address = models.GenericIPAddressField(_("from"), null=True, blank=True)
    counts = models.JSONField(_("counts"), default=dict, blank=True)
    problems = models.JSONField(_("problems"), default=list, blank=True)
    # Student numbers whose identity conflict the uploader confirmed as the correction of a typing error.
    corrections = models.JSONField(_("confirmed corrections"), default=list, blank=True)
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)

    class Meta:
        verbose_name = _("roster import")
        verbose_name_plural = _("roster imports")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["created_by", "created_at"]),
            models.Index(fields=["status", "heartbeat_at"], name="roster_job_status_heartbeat"),
        ]

    def __str__(self):
        return f"{self.file_name} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse("roster:job", args=[self.pk])

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE

    @property
    def may_confirm(self) -> bool:
        """A preview that succeeded with no problem and something to do may be confirmed once."""
        return (
            self.dry_run
            and self.status == self.Status.SUCCEEDED
            and not self.problems
            and bool(self.counts.get("changes"))
            and bool(self.stored_path)
        )

    @property
    def imported(self) -> bool:
        return not self.dry_run and self.status == self.Status.SUCCEEDED

    @property
    def indeterminate(self) -> bool:
        """Planning and writing are not counted in rows; nor is reading a file of unknown length."""
        return self.phase in {self.Phase.PLANNING, self.Phase.WRITING} or not self.total_rows

    @property
    def percent(self) -> int:
        if self.indeterminate:
            return 100
        return min(100, round(100 * self.processed_rows / self.total_rows))
