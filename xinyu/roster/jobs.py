"""An upload's way through preview and import, in the request for small files and in the background
for large ones, and its recovery when the worker running it dies.

Progress is written by short statements outside the import's transaction, so the page polling it sees
it (on SQLite too, where the transaction holds the only write lock): rows read, then rows checked, then
"planning" or "writing" shown as indeterminate until the transaction commits.

A background job renews its lease (`heartbeat_at`) from a thread while it runs. The clock's sweep
(`recover`) finds a running job whose lease ran out: its worker died (killed, out of memory, the server
restarted). An import is all or nothing, so the dead run wrote nothing and the job is run again from the
start; after ROSTER_JOB_MAX_ATTEMPTS deaths (a file that kills its worker every time) it is marked failed
and the uploader is told. Uploaded files hold personal data: each is deleted when its job ends, fails or
is abandoned, and ROSTER_UPLOAD_MAX_AGE_HOURS after its upload at the latest.
"""

import datetime as dt
import logging
import threading
import uuid
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.models import F, Q
from django.http import Http404
from django.tasks import task
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from xinyu.notify.services import notify
from xinyu.org import scope
from xinyu.org.scope import Tier
from xinyu.roster import importer, safety
from xinyu.roster.models import ImportJob
from xinyu.roster.problems import Problem, RefusedFile

logger = logging.getLogger(__name__)
UPLOAD_DIR = "imports"


class ConfirmationRefused(Exception):
    """The confirmation lacks what it needs (identity conflicts not ticked, or not allowed to tick them)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def job_for_user(user, pk) -> ImportJob:
    """The job, if `user` uploaded it; 404 otherwise, the same as for a missing job."""
    job = ImportJob.objects.filter(pk=pk, created_by_id=user.pk).first()
    if job is None:
        raise Http404
    return job


def start(user, upload, *, create_missing: bool, address: str | None = None) -> ImportJob:
    """Check and keep an uploaded file, then preview it. Raise RefusedFile for a file refused as a
    whole; the file is then not kept. The file is checked without parsing it; it is parsed once, by the
    preview (in this request, or in the background when parsing it could outlast the request)."""
    safety.file_kind(upload.name)
    safety.check_size(upload.size)
    relative = f"{UPLOAD_DIR}/{uuid.uuid4().hex}{Path(upload.name).suffix.lower()}"
    path = Path(settings.MEDIA_ROOT) / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        for chunk in upload.chunks():
            handle.write(chunk)
    try:
        facts = safety.check_file(path, upload.name)
    except RefusedFile:
        path.unlink(missing_ok=True)
        raise
    except Exception as exc:
        path.unlink(missing_ok=True)
        raise RefusedFile("not_xlsx", _("This .xlsx file is damaged and cannot be opened.")) from exc
    job = ImportJob.objects.create(
        created_by=user,
        file_name=Path(upload.name).name[:255],
        file_size=upload.size,
        stored_path=relative,
        create_missing=create_missing,
        total_rows=facts.rows,
        in_background=facts.for_background,
        language=translation.get_language() or "",
        address=address,
    )
    _dispatch(job)
    job.refresh_from_db()
    return job


def conflicts_of(job: ImportJob) -> list[dict]:
    return job.counts.get("conflicts", []) if job.counts else []


def confirm(job: ImportJob, *, by, corrections=(), address: str | None = None) -> ImportJob:
    """Import a previewed file. The file is read and checked again: the records may have changed since.
    A second confirmation (a double click, two tabs) finds the job no longer confirmable: 404.

    Every identity conflict of the preview must be ticked in `corrections` (student numbers) by someone
    who may correct identities; the import checks the conflicts again and refuses any not confirmed."""
    if not job.may_confirm:
        raise Http404
    conflicts = {conflict["student_number"]: conflict for conflict in conflicts_of(job)}
    ticked = [number for number in dict.fromkeys(corrections) if number in conflicts]
    if conflicts and not scope.may_correct_student_identity(by):
        raise ConfirmationRefused(
            _(
                "The file would change who some students are (identity conflicts). Only 学工部 staff may "
                "confirm such a correction; ask them to upload the file, or remove these rows."
            )
        )
    missing = [conflict["row"] for number, conflict in conflicts.items() if number not in ticked]
    if missing:
        raise ConfirmationRefused(
            _(
                "Tick each identity conflict you confirm as the correction of a typing error (rows "
                "%(rows)s), or remove those rows from the file and upload it again."
            )
            % {"rows": ", ".join(str(row) for row in missing)}
        )
    claimed = ImportJob.objects.filter(pk=job.pk, dry_run=True, status=ImportJob.Status.SUCCEEDED).update(
        dry_run=False,
        status=ImportJob.Status.PENDING,
        phase=ImportJob.Phase.QUEUED,
        processed_rows=0,
        attempts=0,
        corrections=ticked,
        address=address or job.address,
        # The preview went to the background for its size; the import (which also writes) does too.
        in_background=job.in_background or job.total_rows > settings.ROSTER_BACKGROUND_ROWS,
    )
    if not claimed:
        raise Http404
    job.refresh_from_db()
    _dispatch(job)
    job.refresh_from_db()
    return job


def _dispatch(job: ImportJob) -> None:
    if job.in_background:
        _enqueue(job.pk)
    else:
        run_job(job.pk)


def _enqueue(job_id: int) -> None:
    # The job row is committed (no transaction is open here), so a worker can read it at once.
    run_import_job.enqueue(job_id)


def run_job(job_id: int) -> None:
    """Run a pending job: preview it or import it. Safe to call twice; the second call does nothing."""
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.PENDING).update(
        status=ImportJob.Status.RUNNING,
        phase=ImportJob.Phase.READING,
        processed_rows=0,
        heartbeat_at=timezone.now(),
        attempts=F("attempts") + 1,
    )
    if not claimed:
        return
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    with _Lease(job.pk, enabled=job.in_background), translation.override(job.language or settings.LANGUAGE_CODE):
        problems, counts = _run(job)
    job.status = ImportJob.Status.FAILED if problems else ImportJob.Status.SUCCEEDED
    job.problems = [problem.as_dict() for problem in problems]
    job.counts = counts
    job.total_rows, job.stored_path = ImportJob.objects.values_list("total_rows", "stored_path").get(pk=job.pk)
    job.processed_rows = job.total_rows
    job.phase = ImportJob.Phase.QUEUED
    job.finished_at = timezone.now()
    if not job.may_confirm:
        _forget_file(job)
    job.save()


def _run(job: ImportJob) -> tuple[list[Problem], dict]:
    path = Path(settings.MEDIA_ROOT) / job.stored_path
    try:
        if not job.stored_path or not path.is_file():
            raise RefusedFile("file_gone", _("The uploaded file is no longer kept. Upload it again."))
        plan = importer.import_file(
            path,
            job.file_name,
            actor=job.created_by,
            create_missing=job.create_missing,
            dry_run=job.dry_run,
            corrections=frozenset(job.corrections),
            job_id=job.pk,
            address=job.address,
            report=_progress_writer(job),
        )
    except RefusedFile as refused:
        return [Problem(job.file_name, None, "", "", refused.code, refused.reason)], {}
    except Exception:
        logger.exception("roster import job %s failed", job.pk)
        reason = _(
            "The import stopped because of an unexpected error; nothing was written. Please tell the administrator."
        )
        return [Problem(job.file_name, None, "", "", "unexpected", reason)], {}
    return plan.problems, plan.counts


def _progress_writer(job: ImportJob):
    def report(phase: str, done: int, total: int | None = None) -> None:
        values = {"phase": phase, "processed_rows": done}
        if total is not None:
            values["total_rows"] = total  # the exact count, once every row has been read
        try:
            ImportJob.objects.filter(pk=job.pk).update(**values)
        except DatabaseError:  # progress is a courtesy: a busy database must not stop the import
            logger.warning("could not write progress of roster import job %s", job.pk)

    return report


class _Lease:
    """Renews the job's heartbeat from a thread of its own while the import runs (parsing and writing
    hold the main thread for minutes). A failed renewal (SQLite's write lock held by the import's own
    transaction) is tried again at the next beat; the lease is long enough for several to fail."""

    def __init__(self, job_id: int, *, enabled: bool):
        self.job_id, self.enabled = job_id, enabled
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._beat, name=f"roster-job-{job_id}-lease", daemon=True)

    def __enter__(self):
        if self.enabled:
            self.thread.start()
        return self

    def __exit__(self, *exc_info):
        if self.enabled:
            self.stopping.set()
            self.thread.join()

    def _beat(self) -> None:
        try:
            while not self.stopping.wait(settings.ROSTER_JOB_LEASE_SECONDS / 4):
                try:
                    ImportJob.objects.filter(pk=self.job_id, status=ImportJob.Status.RUNNING).update(
                        heartbeat_at=timezone.now()
                    )
                except DatabaseError:
                    logger.warning("could not renew the lease of roster import job %s", self.job_id)
        finally:
            connection.close()  # this thread's own connection


# --- Recovery and clean-up (the clock runs `recover` on every pass) ---------------------------------------


def recover(now: dt.datetime | None = None) -> dict:
    """Take back jobs whose worker died, end jobs left too long, delete uploads past their time.
    Idempotent and safe to run from two clocks at once (every change is a conditional update)."""
    now = now or timezone.now()
    result = {"rerun": [], "failed": [], "files_deleted": 0}
    lease_end = now - dt.timedelta(seconds=settings.ROSTER_JOB_LEASE_SECONDS)
    oldest = now - dt.timedelta(hours=settings.ROSTER_UPLOAD_MAX_AGE_HOURS)
    dead = ImportJob.objects.filter(status=ImportJob.Status.RUNNING).filter(
        Q(heartbeat_at__lt=lease_end) | Q(heartbeat_at=None, created_at__lt=lease_end)
    )
    for job in dead.select_related("created_by"):
        if job.attempts < settings.ROSTER_JOB_MAX_ATTEMPTS and job.created_at >= oldest:
            if _rerun(job):
                result["rerun"].append(job.pk)
        elif _fail(job, _worker_died_reason(job), from_status=ImportJob.Status.RUNNING):
            result["failed"].append(job.pk)
    abandoned = ImportJob.objects.filter(status=ImportJob.Status.PENDING, created_at__lt=oldest)
    for job in abandoned.select_related("created_by"):
        if _fail(job, _abandoned_reason(), from_status=ImportJob.Status.PENDING):
            result["failed"].append(job.pk)
    for job in (
        ImportJob.objects.exclude(stored_path="").filter(created_at__lt=oldest).exclude(status__in=ImportJob.ACTIVE)
    ):
        _forget_file(job)
        job.save(update_fields=["stored_path"])
        result["files_deleted"] += 1
    result["files_deleted"] += _delete_orphans(oldest)
    return result


def _rerun(job: ImportJob) -> bool:
    """Put a dead job back in the queue, once, for a worker to run from the start."""
    requeued = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.RUNNING, attempts=job.attempts).update(
        status=ImportJob.Status.PENDING,
        phase=ImportJob.Phase.QUEUED,
        processed_rows=0,
        heartbeat_at=None,
        in_background=True,
    )
    if requeued:
        logger.warning("roster import job %s: its worker died; running it again from the start", job.pk)
        _enqueue(job.pk)
    return bool(requeued)


def _fail(job: ImportJob, reason: str, *, from_status: str) -> bool:
    problem = Problem(job.file_name, None, "", "", "abandoned", reason)
    failed = ImportJob.objects.filter(pk=job.pk, status=from_status, attempts=job.attempts).update(
        status=ImportJob.Status.FAILED,
        phase=ImportJob.Phase.QUEUED,
        problems=[problem.as_dict()],
        finished_at=timezone.now(),
        stored_path="",
    )
    if not failed:
        return False
    logger.warning("roster import job %s: %s", job.pk, reason)
    _forget_file(job)
    _tell_uploader(job)
    return True


def _worker_died_reason(job: ImportJob) -> str:
    with translation.override(job.language or settings.LANGUAGE_CODE):
        return _(
            "The import stopped %(n)s times because the background worker running it stopped (for example the "
            "server restarted, or the worker ran out of memory). Nothing was written, and the uploaded file "
            "has been deleted. Upload the file again; if this happens again, tell the administrator."
        ) % {"n": job.attempts}


def _abandoned_reason() -> str:
    return _(
        "The import did not start within %(hours)s hours (is the background worker running?). Nothing was "
        "written, and the uploaded file has been deleted. Upload the file again, or tell the administrator."
    ) % {"hours": settings.ROSTER_UPLOAD_MAX_AGE_HOURS}


def _tell_uploader(job: ImportJob) -> None:
    if job.created_by is None:
        return
    with translation.override(job.language or settings.LANGUAGE_CODE):
        title = _("Roster import not carried out: %(name)s") % {"name": job.file_name}
    notify(
        [job.created_by],
        student=None,
        tier=Tier.T0,
        key=f"roster-job-failed:{job.pk}",
        title=title,
        link=reverse("roster:job", args=[job.pk]),
    )


def _forget_file(job: ImportJob) -> None:
    """Rosters hold personal data: keep the uploaded file only while it may still be confirmed."""
    if job.stored_path:
        (Path(settings.MEDIA_ROOT) / job.stored_path).unlink(missing_ok=True)
        job.stored_path = ""


def _delete_orphans(oldest: dt.datetime) -> int:
    """Files no job points to (the server stopped between storing an upload and recording its job)."""
    folder = Path(settings.MEDIA_ROOT) / UPLOAD_DIR
    if not folder.is_dir():
        return 0
    kept = set(ImportJob.objects.exclude(stored_path="").values_list("stored_path", flat=True))
    cutoff = oldest.timestamp()
    deleted = 0
    for path in folder.iterdir():
        if path.is_file() and f"{UPLOAD_DIR}/{path.name}" not in kept and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            deleted += 1
    return deleted


@task()
def run_import_job(job_id: int) -> None:
    """A large import or preview, in the background, reporting its progress on the job's row."""
    run_job(job_id)


@task()
def recover_import_jobs() -> dict:
    """The clock's sweep: take back imports whose worker died, delete uploads past their time."""
    return recover()
