"""`manage.py db_worker`: django-tasks-db's task worker, kept running through "database is locked".

The library's worker looks for the next task inside `BEGIN EXCLUSIVE` on SQLite. When another process
holds the write lock for longer than the busy timeout (a large roster import writes in one transaction),
that BEGIN fails with `OperationalError: database is locked` outside the library's own handling, and the
worker process exits: queued work then waits until someone restarts it. This command is the library's —
same options, same loop — with one change: a "database is locked" error that escapes the loop is logged
and the loop starts again after the poll interval (and it skips the start-up system checks, which query the
database too). Any other error still ends the process (its
supervisor restarts it). A task whose result could not be saved because of the lock stays "running" in
the task table; the outbox does not depend on it (the clock sweeps the outbox, see xinyu/notify).

Apps listed before django_tasks_db in INSTALLED_APPS win a command's name, so `manage.py db_worker` as
deployed (scripts/run, deploy/xinyu-worker.service) is this one.
"""

import logging
import time

from django.db import connections
from django.db.utils import OperationalError
from django_tasks_db.management.commands import db_worker as library
from django_tasks_db.utils import is_locked_database_exception

logger = logging.getLogger("django_tasks_db")


class Worker(library.Worker):
    def run(self) -> None:
        while True:
            try:
                return super().run()
            except OperationalError as exc:
                if not is_locked_database_exception(exc):
                    raise
                pause = max(self.interval, 1.0)
                logger.warning("worker_id=%s: the database is locked; trying again in %g s", self.worker_id, pause)
                connections.close_all()  # a connection left mid-transaction by the error starts afresh
                if not self.running:
                    return None
                self.startup_delay = False
                time.sleep(pause)


class Command(library.Command):
    help = "Run the database task worker; it waits out a locked database instead of exiting."
    # No system checks here (the web process runs them): one of them probes SQLite's JSON support with a
    # query, and a worker restarted while an import holds the lock would die of it before its loop.
    requires_system_checks = []

    def handle(self, *args, **options):
        # The library's handle() builds its worker from the module's `Worker`: point it at ours for the
        # duration of this command (the module is not used otherwise in this process).
        original, library.Worker = library.Worker, Worker
        try:
            return super().handle(*args, **options)
        finally:
            library.Worker = original
