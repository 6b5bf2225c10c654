"""Writers of the access log do not wait on each other: no lock on the request path. PostgreSQL only (real
concurrency needs a server database: SQLite's in-memory test database is one connection, and SQLite's
write lock serialises writers anyway)."""

import threading

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from tests.factories import UserFactory
from xinyu.audit.models import AuditEntry
from xinyu.audit.seal import CHAIN_LOCK_ID, seal_audit
from xinyu.audit.services import Event, record, record_many
from xinyu.audit.verify import check_unsealed, verify_chain

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers are tested on PostgreSQL")


def event(n):
    return Event(AuditEntry.Action.VIEW, "student.list", detail={"n": n})


def in_thread(target):
    """Run `target` in a thread with its own connection; its exception, if any, is raised by join()."""
    failures = []

    def run():
        try:
            target()
        except BaseException as error:
            failures.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()

    def join(timeout=30):
        thread.join(timeout)
        assert not thread.is_alive(), "the thread is still waiting"
        if failures:
            raise failures[0]

    return join


def test_a_write_does_not_wait_for_another_open_transaction_that_wrote(postgresql):
    actor = UserFactory(username="T18888", full_name="并发测试")
    written, release = threading.Event(), threading.Event()
    first = {}

    def slow_request():  # writes its entry, then keeps its transaction open until told
        with transaction.atomic():
            first["id"] = record(actor, event(1)).pk
            written.set()
            assert release.wait(30)

    join_slow = in_thread(slow_request)
    assert written.wait(30)
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            # Waiting on any lock the open transaction holds fails at once instead of hanging.
            cursor.execute("SET LOCAL lock_timeout = '500ms'")
            second = record(actor, event(2))
            cursor.execute(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = %s"
                " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
                [CHAIN_LOCK_ID],
            )
            assert cursor.fetchone()[0] == 0  # nobody holds the chain's lock
        # Committed while the first is still open; the sealer seals what is committed.
        assert seal_audit().sealed == 1
        assert AuditEntry.objects.get(pk=second.pk).seq == 1
    finally:
        release.set()
        join_slow()
    # The first (the lower id) committed later and is sealed later: the chain's order is the sealing order.
    assert first["id"] < second.pk
    assert seal_audit().sealed == 1
    assert AuditEntry.objects.get(pk=first["id"]).seq == 2
    assert verify_chain() == (2, None)
    call_command("verify_audit")


def test_many_writers_and_the_sealer_at_once_make_one_whole_chain(postgresql):
    actors = [UserFactory(username=f"T1{n:04d}", full_name=f"写者{n}") for n in range(6)]
    writers_done = threading.Event()
    sealed_while_writing = []

    def writer(actor):
        def run():
            for n in range(15):
                with transaction.atomic():
                    record_many(actor, [event(n), event(n + 100)])

        return run

    def sealer():
        while not writers_done.is_set():
            sealed_while_writing.append(seal_audit().sealed)

    joins = [in_thread(writer(actor)) for actor in actors]
    join_sealer = in_thread(sealer)
    try:
        for join in joins:
            join(60)
    finally:
        writers_done.set()
        join_sealer(60)
    seal_audit()
    total = len(actors) * 15 * 2
    assert AuditEntry.objects.count() == total
    assert verify_chain() == (total, None)
    assert check_unsealed().checked == 0
    assert sorted(AuditEntry.objects.values_list("seq", flat=True)) == list(range(1, total + 1))
    call_command("verify_audit")
