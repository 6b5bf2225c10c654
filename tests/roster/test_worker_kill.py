"""A real worker killed (SIGKILL) in the middle of a large import: the import wrote nothing, the clock's
sweep notices the dead lease and queues the job again, a new worker runs it from the start, and the
uploaded file is deleted when the job ends. With the database task backend (`db_worker`) and on RQ
(`rqworker` on Redis, tests/rq_support.py): RQ itself would not run the killed job again (django_tasks_rq sets
no Retry, and RQ only notices the dead worker once its heartbeat lapses), the job's own lease does.

Everything runs in subprocesses against a SQLite database file of the test's own (the pytest database
lives in memory or on another server); the test reads the job's row with sqlite3 directly."""

import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests import rq_support
from tests.roster.files import large_roster

ROOT = Path(__file__).resolve().parents[2]
ROWS = 10_000
# On RQ (the RQ phase, where every second counts) fewer: the writing phase still lasts seconds.
RQ_ROWS = 5_000
LEASE_SECONDS = 3
SETUP = """
import django, sys
django.setup()
from pathlib import Path
from django.conf import settings
from tests.conftest import build_world
from xinyu.roster import jobs
from xinyu.roster.models import ImportJob

world = build_world()
source = Path(sys.argv[1])
stored = Path(settings.MEDIA_ROOT) / jobs.UPLOAD_DIR / "roster.xlsx"
stored.parent.mkdir(parents=True, exist_ok=True)
stored.write_bytes(source.read_bytes())
job = ImportJob.objects.create(
    created_by=world.cast["student_affairs"], file_name="roster.xlsx", stored_path="imports/roster.xlsx",
    dry_run=False, in_background=True, total_rows=int(sys.argv[2]), language="zh-hans",
)
jobs._enqueue(job.pk)
print(job.pk)
"""


def manage(env, *args, timeout=120):
    return subprocess.run(  # noqa: S603 - our own fixed command: this interpreter and manage.py
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, timeout=timeout, capture_output=True
    )


def worker(env, backend, *, batch=False):
    """A worker in its own process group; with `batch` it stops once the queue is empty."""
    if backend == "rq":
        command = rq_support.worker_command(*(["--burst"] if batch else []))
    else:
        command = ["db_worker", "--no-startup-delay", "--interval", "0.2", *(["--batch"] if batch else [])]
    return subprocess.Popen(  # noqa: S603 - our own fixed command
        [sys.executable, "manage.py", *command],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def stop(process) -> None:
    rq_support.kill_tree(process.pid)
    process.wait()


def job_row(database: Path, job_id: int) -> dict:
    with sqlite3.connect(database, timeout=30) as db:
        db.row_factory = sqlite3.Row
        row = db.execute(
            "SELECT status, phase, attempts, stored_path, dry_run, problems FROM roster_importjob WHERE id = ?",
            [job_id],
        ).fetchone()
        students = db.execute("SELECT count(*) FROM org_student").fetchone()[0]
    return {**dict(row), "students": students}


def wait_until(condition, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if result := condition():
            return result
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.parametrize("backend", ["database", "rq"])
def test_a_worker_killed_mid_import_is_recovered_and_the_file_deleted(tmp_path, backend):
    rq_support.use_backend(backend)
    if backend == "rq":
        rq_support.flush()
    rows = RQ_ROWS if backend == "rq" else ROWS
    database, var = tmp_path / "kill.sqlite3", tmp_path / "var"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.roster.worker_settings",
        "DATABASE_URL": f"sqlite:///{database}",
        "XINYU_VAR_DIR": str(var),
        "ROSTER_JOB_LEASE_SECONDS": str(LEASE_SECONDS),
        "PYTHONPATH": str(ROOT),
        "TASK_BACKEND": backend,
        "REDIS_URL": rq_support.redis_url(),
    }
    manage(env, "migrate", "-v0")
    source = large_roster(tmp_path / "source.xlsx", rows)
    setup = subprocess.run(  # noqa: S603 - our own fixed script
        [sys.executable, "-c", SETUP, str(source), str(rows)],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    job_id = int(setup.stdout.split()[-1])
    stored = var / "media" / "imports" / "roster.xlsx"
    students_before = job_row(database, job_id)["students"]

    first = worker(env, backend)
    try:
        # Killed inside the import's transaction: rows are being written, nothing is committed yet.
        wait_until(lambda: job_row(database, job_id)["phase"] == "writing", 120, "the writing phase")
        time.sleep(0.5)
        rq_support.kill_tree(first.pid)  # the worker and, on RQ, its work horse
    finally:
        stop(first)

    killed = job_row(database, job_id)
    assert (killed["status"], killed["attempts"], killed["students"]) == ("running", 1, students_before)
    assert stored.is_file()  # still there: the job may run again

    time.sleep(LEASE_SECONDS + 1)
    manage(env, "run_clock", "--once")

    requeued = job_row(database, job_id)
    assert (requeued["status"], requeued["phase"], requeued["attempts"]) == ("pending", "", 1)

    second = worker(env, backend, batch=True)
    try:
        second.wait(timeout=180)
    finally:
        stop(second)
    done = job_row(database, job_id)
    assert (done["status"], done["dry_run"], done["attempts"], done["stored_path"]) == ("succeeded", 0, 2, "")
    assert done["students"] == students_before + rows
    assert not stored.exists() and not list(stored.parent.iterdir())
