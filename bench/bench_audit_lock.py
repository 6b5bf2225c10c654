"""Audited writes with and without the access log's lock on the request path, and the sealer behind them.

An "audited request" here is what a request that changes something does: one transaction with three inserts
and, last, one access-log entry (as `questionnaire.submit` writes its entry last). Threads (4 and 8, like
gunicorn workers) each run a fixed number of them, three ways, in the same run:
- baseline: the three inserts alone;
- before: the entry written as it was before entries were sealed (kept here only, as the baseline of the
  change): `pg_advisory_xact_lock`, read the last entry, chain the new one after it; the lock is held from
  the moment it is granted until the commit, which is the lock-hold time reported;
- after: `record_many` as it is now: an unsealed entry, no lock (pg_locks is asked, inside each request's
  transaction, whether it holds an advisory lock; it reports how many did).
Then the sealer numbers and chains the entries written unsealed (entries/s and its time per batch, off the
request path) and the whole chain is verified. On SQLite the database's write lock serialises writers
whatever the log does: one thread, and the figures say so.
"""

import datetime as dt
import statistics
import threading
import time

from django.db import connection, transaction
from django.utils import timezone

from bench.harness import percentile, sized
from xinyu.accounts.models import LoginFailure, User
from xinyu.audit.chain import GENESIS, compute_mac
from xinyu.audit.models import AuditEntry
from xinyu.audit.seal import BATCH, CHAIN_LOCK_ID, seal_audit
from xinyu.audit.services import Event, record
from xinyu.audit.verify import verify_chain

REQUESTS = sized(400, 5)  # per thread
THREADS = sized((4, 8), (2,))


def record_locked(actor, event: Event) -> float:
    """The write path before entries were sealed (the parent of this change's xinyu/audit/services.py), in the
    caller's transaction: returns when the lock was granted (perf_counter)."""
    if connection.vendor == "postgresql":  # SQLite: the transaction already holds the database's write lock
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK_ID])
    granted = time.perf_counter()
    last = AuditEntry.objects.filter(seq__isnull=False).order_by("-seq").values_list("seq", "mac").first()
    seq, prev_mac = last or (0, GENESIS)
    entry = AuditEntry(
        seq=seq + 1,
        at=timezone.now().astimezone(dt.UTC),
        actor=actor,
        actor_username=actor.username,
        actor_name=actor.full_name,
        action=event.action,
        what=event.what,
        detail=event.detail or {},
        prev_mac=prev_mac,
    )
    entry.mac = compute_mac(entry, prev_mac)
    AuditEntry.objects.bulk_create([entry])
    return granted


def _advisory_locks_held() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_locks WHERE pid = pg_backend_pid() AND locktype = 'advisory'")
        return cursor.fetchone()[0]


def request(way: str, actor, n: int, tally: dict) -> None:
    """One audited request, `way` baseline/before/after; adds its lock-hold time (s) to `tally`."""
    granted = None
    with transaction.atomic():
        for number in range(3):
            LoginFailure.objects.create(username=f"bench:audit:{number}", address="127.0.0.1")
        event = Event(AuditEntry.Action.VIEW, "student.list", detail={"n": n})
        if way == "before":
            granted = record_locked(actor, event)
        elif way == "after":
            record(actor, event)
            if connection.vendor == "postgresql":
                tally["locked_requests"] += 1 if _advisory_locks_held() else 0
    if granted is not None:
        tally["holds"].append(time.perf_counter() - granted)


def run_threads(way: str, actors: list, threads: int) -> tuple[float, dict]:
    tally = {"holds": [], "locked_requests": 0, "errors": []}
    lock = threading.Lock()
    start = threading.Barrier(threads + 1)

    def worker(actor):
        own = {"holds": [], "locked_requests": 0}
        try:
            start.wait()
            for n in range(REQUESTS):
                request(way, actor, n, own)
        except Exception as error:  # reported, not hidden
            with lock:
                tally["errors"].append(f"{type(error).__name__}: {error}")
        finally:
            connection.close()
            with lock:
                tally["holds"] += own["holds"]
                tally["locked_requests"] += own["locked_requests"]

    workers = [threading.Thread(target=worker, args=(actors[i],)) for i in range(threads)]
    for thread in workers:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in workers:
        thread.join()
    return time.perf_counter() - began, tally


def run(report):
    postgresql = connection.vendor == "postgresql"
    thread_counts = THREADS if postgresql else (1,)
    if not postgresql:
        report("SQLite: one writer at a time (its write lock)", 1, "thread", "set DATABASE_URL for PostgreSQL")
    actors = [User.objects.create(username=f"T9{n:04d}", full_name=f"压测{n}") for n in range(max(thread_counts))]
    connection.close()  # the threads have their own connections
    for threads in thread_counts:
        total = threads * REQUESTS
        rates = {}
        for way in ("baseline", "before", "after"):
            seconds, tally = run_threads(way, actors, threads)
            rates[way] = total / seconds
            note = f"{total} requests on {threads} threads in {seconds:.2f} s; errors {len(tally['errors'])}"
            if tally["errors"]:
                note += f" (first: {tally['errors'][0][:120]})"
            name = {
                "baseline": "baseline: 3 inserts, no access log",
                "before": "before: + entry under the chain lock",
                "after": "after: + unsealed entry, no lock",
            }[way]
            report(f"{name} ({threads} threads)", rates[way], "req/s", note)
            if way == "before" and postgresql:
                holds = [hold * 1000 for hold in tally["holds"]]
                report(
                    f"before: lock held per request ({threads} threads)",
                    statistics.mean(holds),
                    "ms",
                    f"mean; p50/p99 {percentile(holds, 50):.2f}/{percentile(holds, 99):.2f} ms; "
                    f"the lock serialises every audited request: at most {1000 / statistics.mean(holds):.0f}/s",
                )
            if way == "after" and postgresql:
                report(
                    f"after: lock held per request ({threads} threads)",
                    0,
                    "ms",
                    f"no lock taken; requests that held an advisory lock (pg_locks): {tally['locked_requests']}",
                )
        for way in ("before", "after"):
            if way in rates:
                share = 100 * rates[way] / rates["baseline"]
                report(f"{way}: % of the baseline's rate ({threads} threads)", share, "%")
        unsealed = AuditEntry.objects.filter(seq__isnull=True).count()
        began = time.perf_counter()
        sealing = seal_audit()
        seconds = time.perf_counter() - began
        batches = max(1, -(-sealing.sealed // BATCH))
        report(
            f"sealer: entries sealed ({threads} threads' entries)",
            sealing.sealed / seconds if seconds else 0,
            "/s",
            f"{sealing.sealed} of {unsealed} in {seconds:.2f} s, off the request path; "
            f"its lock held {1000 * seconds / batches:.0f} ms per batch of up to {BATCH}",
        )
        connection.close()
    checked, broken = verify_chain()
    report("verify: the whole chain", checked, "entries", "intact" if broken is None else f"BROKEN at #{broken.seq}")
