"""`manage.py run_clock [--interval 15] [--once] [--enqueue]`: the clock that keeps alerts moving.

Every `--interval` seconds it runs the escalation tick (reminders and escalations that are due), sweeps
the outbox (deliveries due for a retry), takes back roster imports whose worker died and deletes uploaded
rosters past their time (xinyu/roster/jobs.py `recover`), seals the access log's new entries (numbers and
chains them, xinyu/audit/seal.py; an entry edited before it was sealed is refused and logged as an error)
and moves the access log's anchor on over them (xinyu/audit/anchor.py; a log that disagrees with its
anchor is logged as an error);
every five minutes it checks the crisis invariants and runs the care work that is due (counselling
reminders, lapsing registry entries, escalating overdue care-plan work; each idempotent). Everything it
acts on is found in the database, so it keeps no state worth losing: stop it, restart it, run two.

The tick runs in this process, so escalation does not wait for a busy or stopped task worker; the
outbox sweep runs in a thread of its own, so a slow webhook cannot delay the next tick. With
`--enqueue` the clock only enqueues the same work as tasks (xinyu/concerns/tasks.py) for the workers.
One failing job is logged and the clock goes on; so does a lost database connection.
"""

import logging
import signal
import threading
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections, connections
from django.utils.translation import gettext as _

from xinyu.audit.anchor import AnchorError, advance_anchor
from xinyu.audit.seal import seal_audit
from xinyu.care.tasks import care_daily
from xinyu.concerns import escalation, invariants, tasks
from xinyu.counselling.tasks import counselling_reminders
from xinyu.notify.delivery import deliver_due
from xinyu.reports.tasks import reports_daily
from xinyu.roster import jobs
from xinyu.roster.tasks import recover_import_jobs
from xinyu.training.tasks import training_daily

logger = logging.getLogger("xinyu.clock")
HEARTBEAT_SECONDS = 600


def _sweep_outbox() -> int:

    return deliver_due()


def _drop_broken_connections() -> None:
    """Drop a connection a failed job left broken (the database restarted, say) or that is too old, so the
    next job connects afresh; never one inside a transaction (the caller's, e.g. a test's)."""
    if not any(conn.in_atomic_block for conn in connections.all(initialized_only=True)):
        close_old_connections()


class Clock:
    def __init__(self, *, interval: float = 15, invariants_every: float = 300, enqueue: bool = False):
        self.interval = interval
        self.invariants_every = invariants_every
        self.enqueue = enqueue
        self.stopping = threading.Event()
        self.passes = 0
        self.failures = 0
        self._sweeper: threading.Thread | None = None
        self._last_invariants: float | None = None
        self._last_heartbeat = time.monotonic()

    def stop(self, *_args) -> None:
        if not self.stopping.is_set():
            logger.info("clock: stopping after this pass")
        self.stopping.set()

    def run(self, *, once: bool = False) -> dict:
        """Passes every `interval` seconds (start to start) until stopped; one pass with `once`."""
        summary = {}
        while not self.stopping.is_set():
            started = time.monotonic()
            summary = self.run_pass(sweep_inline=once)
            if once:
                break
            self._heartbeat()
            self.stopping.wait(max(0.0, self.interval - (time.monotonic() - started)))
        self._join_sweeper()
        return summary

    def run_pass(self, *, sweep_inline: bool = False) -> dict:
        """One pass; each job guarded, so one failing does not stop the others or the clock."""
        _drop_broken_connections()
        self.passes += 1
        summary = {"tick": self._guard("escalation tick", self._tick)}
        summary["outbox"] = self._guard("outbox sweep", self._sweep, sweep_inline)
        summary["roster"] = self._guard("roster import recovery", self._roster)
        summary["audit_seal"] = self._guard("access-log sealer", self._seal)
        summary["audit_anchor"] = self._guard("access-log anchor", self._anchor)
        now = time.monotonic()
        if self._last_invariants is None or now - self._last_invariants >= self.invariants_every:
            self._last_invariants = now
            summary["invariants"] = self._guard("invariant check", self._invariants)
            summary["care"] = self._guard("care work", self._care)
        return summary

    def _guard(self, name: str, job, *args):
        try:
            return job(*args)
        except Exception:
            self.failures += 1
            logger.exception("clock: %s failed; trying again next pass", name)
            _drop_broken_connections()
            return "failed"

    def _tick(self):
        if self.enqueue:
            tasks.escalation_tick.enqueue()
            return "enqueued"
        result = escalation.tick()
        return result.as_dict()

    def _sweep(self, inline: bool):
        if self.enqueue:
            tasks.outbox_sweep.enqueue()
            return "enqueued"
        if inline:
            return _sweep_outbox()
        if self._sweeper is not None and self._sweeper.is_alive():
            logger.info("clock: the previous outbox sweep is still running; not starting another")
            return "busy"
        self._sweeper = threading.Thread(target=self._sweep_in_thread, name="outbox-sweep", daemon=True)
        self._sweeper.start()
        return "started"

    @staticmethod
    def _sweep_in_thread() -> None:
        try:
            sent = _sweep_outbox()
            if sent:
                logger.info("clock: outbox sweep sent %s message(s)", sent)
        except Exception:
            logger.exception("clock: outbox sweep failed; trying again next pass")
        finally:
            connections.close_all()  # this thread's own connection

    def _join_sweeper(self) -> None:
        if self._sweeper is not None:
            self._sweeper.join(timeout=60)

    def _seal(self):
        """Always here, never enqueued: entries wait unsealed for at most one interval (xinyu/audit/seal.py)."""
        sealing = seal_audit()
        if sealing.refused:
            # They stay unsealed, so this is logged again every pass and `verify_audit` fails until someone looks.
            logger.error(
                "clock: access-log entries whose content does not match their own HMAC (edited before they "
                "were sealed) are left unsealed: ids %s",
                ", ".join(str(pk) for pk in sealing.refused[:20]),
            )
        return sealing.sealed

    def _anchor(self):
        """Always here, never enqueued: the anchor file is this machine's (AUDIT_ANCHOR_PATH)."""
        try:
            return advance_anchor().seq
        except AnchorError as error:
            # The anchor stays where it was, so `verify_audit` keeps failing until someone looks.
            logger.error("clock: the access log disagrees with its anchor: %s", error)
            return "disagrees"

    def _roster(self):

        if self.enqueue:
            recover_import_jobs.enqueue()
            return "enqueued"
        return jobs.recover()

    def _invariants(self):
        if self.enqueue:
            tasks.crisis_invariants.enqueue()
            return "enqueued"
        problems = invariants.run_check()
        if not problems:
            logger.debug("clock: crisis invariants hold")
        return [f"{problem.kind}:{problem.object_id}" for problem in problems]

    def _care(self):

        if self.enqueue:
            counselling_reminders.enqueue()
            care_daily.enqueue()
            reports_daily.enqueue()
            training_daily.enqueue()
            return "enqueued"
        return {
            "reminders": counselling_reminders.call(),
            **care_daily.call(),
            "monthly_reports": reports_daily.call(),
            "training_reminders": training_daily.call(),
        }

    def _heartbeat(self) -> None:
        if time.monotonic() - self._last_heartbeat >= HEARTBEAT_SECONDS:
            self._last_heartbeat = time.monotonic()
            logger.info("clock: alive, %s passes, %s failed jobs so far", self.passes, self.failures)


class Command(BaseCommand):
    help = (
        "The clock: every few seconds escalates unacknowledged reports and crisis steps and sweeps the "
        "outbox; every five minutes checks the crisis invariants."
    )

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=15, help="seconds between passes (default 15)")
        parser.add_argument("--once", action="store_true", help="run one pass and exit")
        parser.add_argument(
            "--enqueue", action="store_true", help="enqueue the work as tasks for the workers instead of doing it"
        )
        parser.add_argument(
            "--invariants-every", type=float, default=300, help="seconds between invariant checks (default 300)"
        )

    def handle(self, *args, interval, once, enqueue, invariants_every, **options):
        if interval <= 0 or invariants_every <= 0:
            raise CommandError(_("--interval and --invariants-every must be more than 0 seconds."))
        clock = Clock(interval=interval, invariants_every=invariants_every, enqueue=enqueue)
        if not once:
            signal.signal(signal.SIGTERM, clock.stop)
            signal.signal(signal.SIGINT, clock.stop)
            logger.info(
                "clock: started, a pass every %s s, invariants every %s s%s",
                interval,
                invariants_every,
                " (enqueuing tasks)" if enqueue else "",
            )
        summary = clock.run(once=once)
        if once:
            self.stdout.write(f"{summary}")
        else:
            logger.info("clock: stopped after %s passes", clock.passes)
