"""The clock (`manage.py run_clock`): one pass escalates, sweeps the outbox and checks the invariants; a
failing job does not stop the others; it keeps going until told to stop, and stops cleanly on SIGTERM."""

import datetime as dt
import os
import signal
import subprocess
import sys
import threading
import time
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.concerns.conftest import OFFICE_TIME
from tests.helpers import empty_access_log_for_flush, freeze_time
from xinyu.concerns import escalation, invariants, tasks
from xinyu.concerns.models import Acknowledgement
from xinyu.concerns.services import reports
from xinyu.core.management.commands.run_clock import Clock
from xinyu.notify.models import Notification

pytestmark = pytest.mark.django_db
MIN = dt.timedelta(minutes=1)
ROOT = Path(__file__).resolve().parents[2]


def urgent_report(world):
    return reports.submit_report(
        world.cast["dorm_leader"], world.in_scope, category="missing", urgency="urgent",
        description="一天没回寝室，电话不通", place="1号楼101",
    )  # fmt: skip


def reminded(ack) -> set[str]:
    return set(
        Notification.objects.filter(dedupe_key__startswith=f"ack{ack.pk}:1:").values_list(
            "recipient__full_name", flat=True
        )
    )


FIRST_ASKED = {"周辅导员", "吴心理辅导员", "冯咨询师", "卫主任"}


@pytest.mark.parametrize("mode", [[], ["--enqueue"]])
def test_one_pass_escalates_what_is_due(crisis_world, mode):
    """Run in the clock's own process, or enqueued as tasks (run at once by the tests' task backend)."""
    with freeze_time(OFFICE_TIME):
        ack = urgent_report(crisis_world).ack
    out = StringIO()
    with freeze_time(OFFICE_TIME + 20 * MIN):
        call_command("run_clock", "--once", *mode, stdout=out)
    ack.refresh_from_db()
    assert (ack.stage, reminded(ack)) == (1, FIRST_ASKED)
    assert "tick" in out.getvalue() and "invariants" in out.getvalue()


def returned(result):
    """A task's return value: at once from the immediate backend; from RQ's record of the job (run in the test
    in the RQ phase), which the result returned by enqueue does not have yet."""
    if not result.is_finished:
        result.refresh()
    return result.return_value


def test_the_tasks_do_the_clocks_work(crisis_world):
    with freeze_time(OFFICE_TIME):
        ack = urgent_report(crisis_world).ack
    with freeze_time(OFFICE_TIME + 20 * MIN):
        ticked = returned(tasks.escalation_tick.enqueue())
        checked = returned(tasks.crisis_invariants.enqueue())
        swept = returned(tasks.outbox_sweep.enqueue())
    assert (ticked["due"], ticked["renotified"], checked, swept >= 0) == (1, 1, [], True)
    ack.refresh_from_db()
    assert ack.stage == 1


def test_a_failing_job_does_not_stop_the_others(crisis_world, monkeypatch):
    with freeze_time(OFFICE_TIME):
        ack = urgent_report(crisis_world).ack
    Acknowledgement.objects.filter(pk=ack.pk).update(next_action_at=OFFICE_TIME)  # overdue at once

    def broken(*args, **kwargs):
        raise RuntimeError("the tick broke")

    monkeypatch.setattr(escalation, "tick", broken)
    clock = Clock()
    with freeze_time(OFFICE_TIME + 20 * MIN):
        summary = clock.run_pass(sweep_inline=True)
    assert summary["tick"] == "failed" and clock.failures == 1
    assert summary["outbox"] != "failed"
    # The check that runs after the failed tick reports what the tick left undone.
    assert summary["invariants"] == [f"{invariants.ACK_NOT_ESCALATED}:{ack.pk}"]
    monkeypatch.undo()
    with freeze_time(OFFICE_TIME + 21 * MIN):
        summary = clock.run_pass(sweep_inline=True)
    assert summary["tick"]["escalated"] + summary["tick"]["renotified"] == 1


def test_the_invariants_are_checked_every_five_minutes(crisis_world, monkeypatch):
    clock = Clock(interval=15, invariants_every=300)
    elapsed = [1000.0]  # the clock counts its intervals on the monotonic clock, which travel leaves alone
    monkeypatch.setattr(time, "monotonic", lambda: elapsed[0])
    with freeze_time(OFFICE_TIME) as frozen:
        passes = []
        for seconds in (0, 15, 284, 1, 15):
            frozen.shift(seconds)
            elapsed[0] += seconds
            passes.append("invariants" in clock.run_pass(sweep_inline=True))
    assert passes == [True, False, False, True, False]
    assert clock.passes == 5


@pytest.fixture
def committed_world(transactional_db, crisis_world):
    """The crisis world committed, for a test whose threads use connections of their own. Afterwards the
    access log is emptied for the flush: on SQLite its append-only trigger refuses DELETE, so the trigger is
    dropped for that one statement (as tests/e2e/conftest.py does; PostgreSQL's flush uses TRUNCATE)."""
    yield crisis_world
    empty_access_log_for_flush()


def test_the_clock_loops_until_stopped_with_the_sweep_beside_it(committed_world):
    with freeze_time(dt.datetime.now(dt.UTC) - 21 * MIN):
        ack = urgent_report(committed_world).ack
    clock = Clock(interval=0.05)

    def stop_after_three_passes():
        # Stopped by what it has done, not by the wall clock: a busy machine makes a pass slower, not fewer.
        deadline = time.monotonic() + 30
        while clock.passes < 3 and time.monotonic() < deadline:
            time.sleep(0.01)
        clock.stop()

    threading.Thread(target=stop_after_three_passes, daemon=True).start()
    clock.run()
    assert clock.passes >= 3 and clock.failures == 0
    ack.refresh_from_db()
    assert (ack.stage, reminded(ack)) == (1, FIRST_ASKED)


def test_the_interval_must_be_positive():
    with pytest.raises(CommandError):
        call_command("run_clock", "--once", "--interval", "0")


def test_the_process_survives_failing_passes_and_stops_on_sigterm(tmp_path):
    """A real `manage.py run_clock` on a database without tables: every job fails, every pass, and the clock
    goes on; SIGTERM ends it cleanly after the pass."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "xinyu.test_settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}",
        "XINYU_VAR_DIR": str(tmp_path),
    }
    process = subprocess.Popen(
        [sys.executable, "manage.py", "run_clock", "--interval", "0.1"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        seen = ""
        while time.monotonic() < deadline and seen.count("escalation tick failed") < 3:
            seen += process.stderr.readline()
        process.send_signal(signal.SIGTERM)
        _out, rest = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    log = seen + rest
    assert process.returncode == 0, log
    assert log.count("escalation tick failed") >= 3
    assert "stopped after" in log
