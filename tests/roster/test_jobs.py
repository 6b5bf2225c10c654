"""Jobs whose worker died are taken back by the clock's sweep; uploaded files never outlive their job,
nor ROSTER_UPLOAD_MAX_AGE_HOURS."""

import datetime as dt
import itertools
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import timezone

from tests.roster.files import students_xlsx, three_students
from xinyu.core.management.commands.run_clock import Clock
from xinyu.notify.models import Notification
from xinyu.roster import jobs
from xinyu.roster.models import ImportJob

pytestmark = pytest.mark.django_db
LONG_AGO = dt.timedelta(hours=25)


def stored_job(user, tmp_path, media_root, **fields) -> ImportJob:
    """A job with its uploaded file in place, as a worker left it."""
    path = students_xlsx(tmp_path / "r.xlsx", three_students())
    relative = f"{jobs.UPLOAD_DIR}/{fields.pop('stem', 'abc')}.xlsx"
    (media_root / jobs.UPLOAD_DIR).mkdir(parents=True, exist_ok=True)
    (media_root / relative).write_bytes(path.read_bytes())
    defaults = {"file_name": "r.xlsx", "stored_path": relative, "total_rows": 3, "in_background": True}
    return ImportJob.objects.create(created_by=user, **{**defaults, **fields})


def dead(job: ImportJob, seconds: int = 3600) -> ImportJob:
    ImportJob.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - dt.timedelta(seconds=seconds))
    return job


def test_a_job_whose_worker_died_is_run_again_from_the_start(world, tmp_path, media_root):
    job = dead(stored_job(world.cast["student_affairs"], tmp_path, media_root, status="running", attempts=1))

    result = jobs.recover()

    assert result["rerun"] == [job.pk] and result["failed"] == []
    job.refresh_from_db()  # tests run tasks at once: the second attempt has run
    assert (job.status, job.attempts, job.counts["students"]["new"], job.may_confirm) == ("succeeded", 2, 3, True)


def test_a_job_whose_worker_died_twice_fails_and_tells_the_uploader(world, tmp_path, media_root):
    user = world.cast["student_affairs"]
    job = dead(stored_job(user, tmp_path, media_root, status="running", attempts=2, dry_run=False, language="zh-hans"))

    result = jobs.recover()

    assert result["failed"] == [job.pk]
    job.refresh_from_db()
    assert (job.status, job.stored_path, job.imported) == ("failed", "", False)
    assert [p["code"] for p in job.problems] == ["abandoned"]
    assert job.problems[0]["reason"].startswith("后台处理程序")
    assert not list((media_root / jobs.UPLOAD_DIR).iterdir())
    notice = Notification.objects.get(recipient=user)
    assert notice.link == f"/roster/import/{job.pk}/" and "r.xlsx" in notice.title


def test_a_job_with_a_fresh_heartbeat_is_left_alone(world, tmp_path, media_root):
    job = stored_job(world.cast["student_affairs"], tmp_path, media_root, status="running", attempts=1)
    dead(job, seconds=10)

    assert jobs.recover() == {"rerun": [], "failed": [], "files_deleted": 0}
    job.refresh_from_db()
    assert job.status == "running" and job.stored_path


def test_two_sweeps_at_once_run_a_dead_job_once(world, tmp_path, media_root):
    job = dead(stored_job(world.cast["student_affairs"], tmp_path, media_root, status="running", attempts=1))
    stale = ImportJob.objects.get(pk=job.pk)
    jobs.recover()

    assert jobs._rerun(stale) is False  # the other clock's copy of the row is out of date


def test_files_are_deleted_after_the_maximum_age_whatever_the_job(world, tmp_path, media_root):
    user = world.cast["student_affairs"]
    waiting = stored_job(user, tmp_path, media_root, stem="waiting", status="succeeded", counts={"changes": True})
    fresh = stored_job(user, tmp_path, media_root, stem="fresh", status="succeeded", counts={"changes": True})
    queued = stored_job(user, tmp_path, media_root, stem="queued", status="pending")
    ImportJob.objects.filter(pk__in=[waiting.pk, queued.pk]).update(created_at=timezone.now() - LONG_AGO)
    assert waiting.may_confirm

    result = jobs.recover()

    assert result["failed"] == [queued.pk] and result["files_deleted"] == 1
    waiting.refresh_from_db(), queued.refresh_from_db(), fresh.refresh_from_db()
    assert (waiting.stored_path, waiting.may_confirm) == ("", False)
    assert (queued.status, queued.stored_path, queued.problems[0]["code"]) == ("failed", "", "abandoned")
    assert fresh.may_confirm
    assert sorted(p.name for p in (media_root / jobs.UPLOAD_DIR).iterdir()) == ["fresh.xlsx"]


@override_settings(ROSTER_UPLOAD_MAX_AGE_HOURS=1)
def test_files_no_job_points_to_are_deleted_once_old(world, media_root):
    folder = media_root / jobs.UPLOAD_DIR
    folder.mkdir(parents=True)
    old, new = folder / "old.xlsx", folder / "new.xlsx"
    old.write_bytes(b"x"), new.write_bytes(b"x")
    two_hours_ago = (timezone.now() - dt.timedelta(hours=2)).timestamp()
    os.utime(old, (two_hours_ago, two_hours_ago))

    assert jobs.recover()["files_deleted"] == 1
    assert [p.name for p in folder.iterdir()] == ["new.xlsx"]


def test_the_clock_runs_the_recovery_on_every_pass(world, tmp_path, media_root):
    job = dead(stored_job(world.cast["student_affairs"], tmp_path, media_root, status="running", attempts=1))

    summary = Clock().run_pass(sweep_inline=True)

    assert summary["roster"]["rerun"] == [job.pk]


def test_a_finished_job_deletes_its_file_and_a_refused_upload_keeps_none(world, media_root, tmp_path):
    user = world.cast["student_affairs"]
    path = students_xlsx(tmp_path / "r.xlsx", three_students())
    job = jobs.start(user, SimpleUploadedFile("r.xlsx", path.read_bytes()), create_missing=False)
    assert job.may_confirm and len(list((media_root / jobs.UPLOAD_DIR).iterdir())) == 1

    jobs.confirm(job, by=user)

    job.refresh_from_db()
    assert job.imported and job.stored_path == "" and not list((media_root / jobs.UPLOAD_DIR).iterdir())


# The moves ImportJob.Status declares: each way a job moves on, with the statuses it takes it through (tests
# run a queued job at once).
Status = ImportJob.Status
JOB_PATHS = {
    "run": {Status.PENDING: (Status.RUNNING, Status.SUCCEEDED)},
    "rerun_dead": {Status.RUNNING: (Status.PENDING, Status.RUNNING, Status.SUCCEEDED)},
    "fail_dead": {Status.RUNNING: (Status.FAILED,)},
    "fail_abandoned": {Status.PENDING: (Status.FAILED,)},
    # Confirming a preview queues the import (tests/roster/test_views.py confirms through the pages).
    "confirm": {Status.SUCCEEDED: (Status.PENDING, Status.RUNNING, Status.SUCCEEDED)},
}


def test_the_table_holds_exactly_the_moves_jobs_make():
    made = set()
    for paths in JOB_PATHS.values():
        for current, path in paths.items():
            made |= set(itertools.pairwise((current, *path)))
    assert made == {pair for pair in ImportJob.MOVES.pairs() if ImportJob.MOVES.allows(*pair)}
    assert ImportJob.MOVES.final() == {Status.FAILED}


def _run(job):
    jobs.run_job(job.pk)


def _recover_dead(job):
    dead(job)
    jobs.recover()


def _recover_abandoned(job):
    ImportJob.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now(), created_at=timezone.now() - LONG_AGO)
    jobs.recover()


SWEEPS = {
    "run": (_run, {}),
    "rerun_dead": (_recover_dead, {"attempts": 1}),
    "fail_dead": (_recover_dead, {"attempts": 2, "dry_run": False}),
    "fail_abandoned": (_recover_abandoned, {}),
}


@pytest.mark.parametrize("current", Status.values)
@pytest.mark.parametrize("way", SWEEPS)
def test_running_and_the_sweep_move_a_job_as_the_table_says(world, tmp_path, media_root, way, current):
    act, fields = SWEEPS[way]
    job = stored_job(world.cast["student_affairs"], tmp_path, media_root, status=current, **fields)
    act(job)
    job.refresh_from_db()
    path = JOB_PATHS[way].get(current)
    assert job.status == (path[-1] if path else current)
