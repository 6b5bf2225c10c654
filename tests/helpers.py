"""Small helpers shared by tests."""

import time

import pytest
import time_machine
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext

from xinyu.audit.models import AuditEntry
from xinyu.care.models import Interview
from xinyu.screening.models import InterviewLink


def freeze_time(moment):
    """Time stands still at `moment` (aware) inside the block, decorated function or between start() and
    stop(); `.shift(delta)` on what it gives moves it on. time-machine patches the clock in C, so starting
    costs microseconds, where freezegun's walk over every loaded module cost a tenth of a second."""
    return time_machine.travel(moment, tick=False)


def queries_for_page(client, url):
    """(number of queries, response) for a second GET of `url`: the first warms the session up."""
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response


def empty_access_log_for_flush():
    """After a transactional test on SQLite, empty the access log so the test database can be flushed:
    its append-only triggers refuse DELETE, so they are dropped for that one statement and put back.
    (PostgreSQL's flush uses TRUNCATE, which the row-level trigger does not see.)"""
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_auditentry'")
        triggers = cursor.fetchall()
        for name, _sql in triggers:
            cursor.execute(f'DROP TRIGGER "{name}"')
        cursor.execute("DELETE FROM audit_auditentry")
        for _name, sql in triggers:
            cursor.execute(sql)


def walk_move(moves, record, current: str, target: str, attempt, *, error) -> None:
    """Put `record` in `current` and `attempt(record)` the service that moves it to `target`: the move
    happens when the table (`moves`) allows it, and is refused with `error`, the record untouched, when not."""
    type(record).objects.filter(pk=record.pk).update(status=current)
    record.refresh_from_db()
    if moves.allows(current, target):
        attempt(record)
        record.refresh_from_db()
        assert record.status == target
    else:
        with pytest.raises(error):
            attempt(record)
        record.refresh_from_db()
        assert record.status == current


def moves_to(moves, targets) -> list[tuple[str, str]]:
    """The (from, to) pairs of `moves` whose target is one of `targets` (those a test has a service for)."""
    return [(current, target) for current, target in moves.pairs() if target in targets]


def unreachable(moves) -> set[str]:
    """The states no move leads to (a record starts in them and never comes back)."""
    reached = set().union(*(moves.allowed(state) for state in moves.states.values))
    return set(moves.states.values) - reached


def screening_interview(student, *, campaign=None, result=None, **fields):
    """An interview a screening raised (care.Interview with its screening.InterviewLink), written directly."""
    interview = Interview.objects.create(student=student, source=Interview.Source.SCREENING, **fields)
    InterviewLink.objects.create(interview=interview, campaign=campaign, result=result)
    return interview


def migrate(targets) -> None:
    """Move the schema to `targets`, one (app, migration) or a list of them (a migration test's before and after)."""
    MigrationExecutor(connection).migrate([targets] if isinstance(targets, tuple) else targets)


def last_entry_id() -> int:
    """The id of the newest access-log entry (0 for none): the entries written after it have higher ids,
    sealed or not."""
    return AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0


def wait_for(condition, *, seconds: float, what: str, step: float = 0.05):
    """Poll `condition` until it returns something true (returned), failing after `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if result := condition():
            return result
        time.sleep(step)
    raise AssertionError(f"timed out after {seconds} s waiting for {what}")
