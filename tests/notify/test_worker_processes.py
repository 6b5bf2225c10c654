"""The deployed processes, killed and locked out for real: `manage.py db_worker` waits out a locked
SQLite database instead of exiting, and an urgent SMS held by a worker killed with SIGKILL mid-send reaches
the gateway within seconds (one short lease), measured here, with the database task backend and again on RQ
(`manage.py rqworker` on Redis, the clock enqueuing its sweeps for the workers; tests/rq_support.py).

The processes run on a copy of the test database (SQLite: a file made with SQLite's backup API; PostgreSQL:
the test database itself, these tests being transactional), with the test's keys, against a webhook
receiver on 127.0.0.1 (tests/notify/gateway.py)."""

import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection
from django.utils import timezone
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from tests import rq_support
from tests.factories import UserFactory
from tests.helpers import wait_for
from tests.notify.gateway import Gateway
from xinyu.notify.models import Notification, OutboxMessage
from xinyu.notify.tasks import deliver_outbox

ROOT = Path(__file__).resolve().parents[2]
# The urgent lease in these processes: short, to keep the test's time down (production: 30 s, see
# settings.NOTIFY_URGENT_LEASE_SECONDS). Set KILL_TEST_URGENT_LEASE_SECONDS=30 to measure with that.
LEASE = int(os.environ.get("KILL_TEST_URGENT_LEASE_SECONDS", "4"))
CLOCK_INTERVAL = int(os.environ.get("KILL_TEST_CLOCK_INTERVAL", "1"))  # production: 15

pytestmark = pytest.mark.django_db(transaction=True)


class Database:
    """Where the subprocesses work, and a way for the test to read it."""

    def __init__(self, tmp_path):
        self.sqlite_file = None
        if connection.vendor == "sqlite":
            self.sqlite_file = tmp_path / "workers.sqlite3"
            connection.ensure_connection()
            target = sqlite3.connect(self.sqlite_file)
            connection.connection.backup(target)
            target.execute("PRAGMA journal_mode=WAL")  # as Xinyu's own connections leave a database
            target.close()
            self.url = f"sqlite:///{self.sqlite_file}"
        else:
            db = connection.settings_dict
            user = quote(db["USER"] or "", safe="") + (f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else "")
            self.url = f"postgres://{user}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"

    def value(self, sql: str, *params):
        if self.sqlite_file:
            with sqlite3.connect(self.sqlite_file, timeout=30) as db:
                row = db.execute(sql.replace("%s", "?"), params).fetchone()
        else:
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                row = cursor.fetchone()
        return row[0] if row else None


class Process:
    """A `manage.py` command as deployed (the real settings), its output in a file."""

    def __init__(self, tmp_path, name, args, env):
        self.log = tmp_path / f"{name}.log"
        self.handle = self.log.open("wb")
        # Its own process group: an RQ worker forks a work horse per job, killed with it.
        self.process = subprocess.Popen(  # noqa: S603 (this interpreter, the project's manage.py)
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=env,
            stdout=self.handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def alive(self) -> bool:
        return self.process.poll() is None

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def kill(self) -> None:
        """As the machine or the OOM killer would: no chance to finish anything."""
        rq_support.kill_tree(self.process.pid)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.alive():
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        rq_support.kill_tree(self.process.pid)  # a work horse left behind, if any
        self.handle.close()


@pytest.fixture
def processes():
    started = []

    def start(tmp_path, name, args, env):
        process = Process(tmp_path, name, args, env)
        started.append(process)
        return process

    yield start
    for process in started:
        process.stop()


def environment(tmp_path, database: Database, backend: str = "database", **extra) -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "xinyu.settings",
        "XINYU_ENV": "development",  # the real settings and task backend; the test's keys stay in os.environ
        "DEBUG": "false",
        "XINYU_VAR_DIR": str(tmp_path),
        "DATABASE_URL": database.url,
        "TASK_BACKEND": backend,
        "REDIS_URL": rq_support.redis_url(),
        "NOTIFY_EMAIL": "false",
        "LOG_LEVEL": "WARNING",
        **extra,
    }


def queue_delivery_task(backend: str = "database") -> str:
    """A deliver_outbox task in the database task table or on the Redis queue, as a notifying commit
    enqueues it in production."""
    if backend == "rq":
        return rq_support.enqueue_for_workers(deliver_outbox)
    database = DatabaseBackend("default", {"BACKEND": "django_tasks_db.DatabaseBackend"})
    return str(database.enqueue(deliver_outbox, (), {}).id)


WORKER = ["db_worker", "--no-reload", "--no-startup-delay", "--interval", "0.2"]
WORKERS = {"database": WORKER, "rq": rq_support.worker_command()}
# With RQ the clock enqueues its sweeps for the workers (`--enqueue`), so the second worker resends.
CLOCK_ARGS = {"database": [], "rq": ["--enqueue"]}


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's single-writer lock")
def test_the_worker_waits_out_a_locked_database_instead_of_exiting(tmp_path, processes):
    """Started while an import holds the write lock (a restart), and locked out while it runs: it logs,
    waits and goes on; the library's worker exits in both cases. (An RQ worker waits on Redis, not on the
    database: nothing to test there.)"""
    rq_support.use_backend("database")
    task_id = queue_delivery_task()
    database = Database(tmp_path)
    lock = sqlite3.connect(database.sqlite_file, isolation_level=None)
    lock.execute("BEGIN EXCLUSIVE")  # a large import holding the write lock
    try:
        worker = processes(
            tmp_path,
            "worker",
            [*WORKER, "--verbosity", "1"],
            environment(tmp_path, database, SQLITE_BUSY_TIMEOUT_SECONDS="1"),
        )
        wait_for(
            lambda: worker.output().count("the database is locked; trying again") >= 2 or not worker.alive(),
            seconds=60,
            what="the worker to meet the lock twice",
        )
        assert worker.alive(), worker.output()
    finally:
        lock.execute("COMMIT")
        lock.close()
    sql = f"SELECT status FROM {DBTaskResult._meta.db_table} WHERE id = %s"  # noqa: S608 (a model's table)
    task_id = task_id.replace("-", "")  # as SQLite stores a UUID
    status = wait_for(
        lambda: database.value(sql, task_id) in ("SUCCESSFUL", "FAILED") and database.value(sql, task_id),
        seconds=60,
        what="the queued task to run once the lock is gone",
    )
    assert (status, worker.alive()) == ("SUCCESSFUL", True), worker.output()

    # Locked again while the worker runs (not only while it starts): it waits again.
    seen = worker.output().count("the database is locked; trying again")
    lock = sqlite3.connect(database.sqlite_file, isolation_level=None)
    lock.execute("BEGIN EXCLUSIVE")
    try:
        wait_for(
            lambda: worker.output().count("the database is locked; trying again") >= seen + 2 or not worker.alive(),
            seconds=60,
            what="the running worker to meet the lock twice",
        )
        assert worker.alive(), worker.output()
    finally:
        lock.execute("COMMIT")
        lock.close()


@pytest.mark.parametrize("backend", ["database", "rq"])
def test_an_urgent_sms_held_by_a_killed_worker_reaches_the_gateway_within_seconds(tmp_path, processes, capsys, backend):
    rq_support.use_backend(backend)
    if backend == "rq":
        rq_support.flush()
    gateway = Gateway(delay=3 * LEASE).start()  # slow: the first worker is still waiting when it is killed
    try:
        person = UserFactory(username="T30001", full_name="值班领导", phone="13800000009")
        notification = Notification.objects.create(
            recipient=person, title="t", link="/concerns/cases/1/", urgent=True, dedupe_key="kill-test"
        )
        row = OutboxMessage.objects.create(
            notification=notification, channel="webhook:sms", next_attempt_at=timezone.now()
        )
        queue_delivery_task(backend)
        database = Database(tmp_path)
        env = environment(
            tmp_path,
            database,
            backend,
            NOTIFY_WEBHOOKS=json.dumps([{"name": "sms", "url": f"{gateway.url}/sms", "kind": "sms"}]),
            NOTIFY_URGENT_LEASE_SECONDS=str(LEASE),
            # The worker waits for the slow gateway instead of giving up on it: its send outlasts the lease.
            NOTIFY_WEBHOOK_TIMEOUT_SECONDS=str(4 * LEASE),
        )

        first = processes(tmp_path, "worker-1", WORKERS[backend], env)
        wait_for(lambda: len(gateway.arrivals) >= 1, seconds=60, what="the first worker to start sending")
        clock = processes(
            tmp_path, "clock", ["run_clock", "--interval", str(CLOCK_INTERVAL), *CLOCK_ARGS[backend]], env
        )
        # While the first worker lives it renews its lease: the clock's sweeps leave the row alone, however
        # long the gateway takes.
        time.sleep(2 * LEASE + CLOCK_INTERVAL)
        assert (len(gateway.arrivals), clock.alive()) == (1, True), clock.output()
        renewed_until = database.value("SELECT claimed_until FROM notify_outboxmessage WHERE id = %s", row.pk)
        assert renewed_until is not None

        gateway.delay = 0
        first.kill()
        killed_at = time.perf_counter()
        processes(tmp_path, "worker-2", WORKERS[backend], env)  # as its supervisor restarts it
        wait_for(lambda: len(gateway.arrivals) >= 2, seconds=120, what="the message to be sent again")
        delay = gateway.arrivals[1].at - killed_at

        with capsys.disabled():
            print(
                f"\nurgent SMS after a worker ({backend}) was killed mid-send: at the gateway {delay:.1f} s after "
                f"the kill (urgent lease {LEASE} s, clock every {CLOCK_INTERVAL} s)"
            )
        assert delay <= 60
        assert delay <= LEASE + CLOCK_INTERVAL + 5  # one lease, one tick, and the send: not the 300 s lease
        assert gateway.keys() == [str(row.idempotency_key)] * 2  # the receiver can drop the repeat
        wait_for(
            lambda: database.value("SELECT status FROM notify_outboxmessage WHERE id = %s", row.pk) == "sent",
            seconds=30,
            what="the row to be recorded as sent",
        )
    finally:
        gateway.stop()
