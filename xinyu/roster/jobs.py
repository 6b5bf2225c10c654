"""An upload's way through preview and import, in the request for small files and in the background
for large ones.

Progress is written by short statements outside the import's transaction, so the page polling it sees
it (on SQLite too, where the transaction holds the only write lock): rows read, then rows checked, then
"planning" or "writing" shown as indeterminate until the transaction commits.
"""

import datetime as dt
import logging
import uuid
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from xinyu.roster import importer, parsing, safety
from xinyu.roster.models import ImportJob
from xinyu.roster.problems import Problem, RefusedFile

logger = logging.getLogger(__name__)
UPLOAD_DIR = "imports"
# A preview nobody confirms keeps its file this long, then the file is deleted at the next upload.
KEEP_UNCONFIRMED = dt.timedelta(days=1)


def job_for_user(user, pk) -> ImportJob:
    """The job, if `user` uploaded it; 404 otherwise, the same as for a missing job."""
    job = ImportJob.objects.filter(pk=pk, created_by_id=user.pk).first()
    if job is None:
        raise Http404
    return job


def start(user, upload, *, create_missing: bool, address: str | None = None) -> ImportJob:
    """Check and keep an uploaded file, then preview it. Raise RefusedFile for a file refused as a
    whole; the file is then not kept."""
    safety.file_kind(upload.name)
    safety.check_size(upload.size)
    _forget_stale_files()
    relative = f"{UPLOAD_DIR}/{uuid.uuid4().hex}{Path(upload.name).suffix.lower()}"
    path = Path(settings.MEDIA_ROOT) / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        for chunk in upload.chunks():
            handle.write(chunk)
    try:
        safety.check_file(path, upload.name)
        rows = parsing.estimate_rows(path, upload.name)
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
        total_rows=rows or 0,
        in_background=rows is None or rows > settings.ROSTER_BACKGROUND_ROWS,
        language=translation.get_language() or "",
        address=address,
    )
    _dispatch(job)
    job.refresh_from_db()
    return job


def confirm(job: ImportJob, *, address: str | None = None) -> ImportJob:
    """Import a previewed file. The file is read and checked again: the records may have changed since.
    A second confirmation (a double click, two tabs) finds the job no longer confirmable: 404."""
    if not job.may_confirm:
        raise Http404
    claimed = ImportJob.objects.filter(pk=job.pk, dry_run=True, status=ImportJob.Status.SUCCEEDED).update(
        dry_run=False,
        status=ImportJob.Status.PENDING,
        phase=ImportJob.Phase.QUEUED,
        processed_rows=0,
        address=address or job.address,
        in_background=job.total_rows > settings.ROSTER_BACKGROUND_ROWS,  # exact now, from the preview
    )
    if not claimed:
        raise Http404
    job.refresh_from_db()
    _dispatch(job)
    job.refresh_from_db()
    return job


def _dispatch(job: ImportJob) -> None:
    if job.in_background:
        from xinyu.roster.tasks import run_import_job

        # The job row is committed (no transaction is open here), so a worker can read it at once.
        run_import_job.enqueue(job.pk)
    else:
        run_job(job.pk)


def run_job(job_id: int) -> None:
    """Run a pending job: preview it or import it. Safe to call twice; the second call does nothing."""
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.PENDING).update(
        status=ImportJob.Status.RUNNING, phase=ImportJob.Phase.READING, processed_rows=0
    )
    if not claimed:
        return
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    with translation.override(job.language or settings.LANGUAGE_CODE):
        problems, counts = _run(job)
    job.status = ImportJob.Status.FAILED if problems else ImportJob.Status.SUCCEEDED
    job.problems = [problem.as_dict() for problem in problems]
    job.counts = counts
    job.total_rows = ImportJob.objects.values_list("total_rows", flat=True).get(pk=job.pk)
    job.processed_rows = job.total_rows
    job.phase = ImportJob.Phase.QUEUED
    job.finished_at = timezone.now()
    if not job.may_confirm:
        _forget_file(job)
    job.save()


def _run(job: ImportJob) -> tuple[list[Problem], dict]:
    path = Path(settings.MEDIA_ROOT) / job.stored_path
    try:
        plan = importer.import_file(
            path,
            job.file_name,
            actor=job.created_by,
            create_missing=job.create_missing,
            dry_run=job.dry_run,
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


def _forget_file(job: ImportJob) -> None:
    """Rosters hold personal data: keep the uploaded file only while it may still be confirmed."""
    if job.stored_path:
        (Path(settings.MEDIA_ROOT) / job.stored_path).unlink(missing_ok=True)
        job.stored_path = ""


def _forget_stale_files() -> None:
    stale = ImportJob.objects.exclude(stored_path="").filter(created_at__lt=timezone.now() - KEEP_UNCONFIRMED)
    for job in stale.exclude(status__in=ImportJob.ACTIVE):
        _forget_file(job)
        job.save(update_fields=["stored_path"])
