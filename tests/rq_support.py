"""RQ on Redis in the tests (.ci/run's RQ phase: TASK_BACKEND=rq, REDIS_URL, XINYU_REQUIRE_REDIS=1).

With TASK_BACKEND=rq the test settings send every task through django_tasks_rq to a Redis queue that runs
it synchronously in the test (RQ's `ASYNC: False`: the job is stored in Redis, its arguments pickled, its
result and callbacks handled by RQ as a worker would), and refuse a task enqueued inside a transaction the
code opened itself: a real worker could pick it up before the rows it needs are committed. The tests that
start worker processes start real RQ workers (`manage.py rqworker`) on the same Redis database.

Without TASK_BACKEND=rq their RQ variants are skipped (the regular runs stay as fast as they were); with it
and no Redis answering they are skipped too, unless XINYU_REQUIRE_REDIS=1 (CI) makes that a failure. Only
the test process's own Redis database is ever flushed: REDIS_URL's (CI: /1), and the next one for each further
pytest-xdist process (CI: /2)."""

import contextlib
import os
import signal

import django_rq
import pytest
import redis
from django.conf import settings
from django.db import connections
from django_tasks.utils import get_random_id
from django_tasks_rq.backend import Job, RQBackend, failed_callback, success_callback
from rq.job import Callback


def wanted() -> bool:
    return os.environ.get("TASK_BACKEND") == "rq"


def required() -> bool:
    return os.environ.get("XINYU_REQUIRE_REDIS") == "1"


def redis_url() -> str:
    """This test process's Redis database (xinyu/test_settings.py: REDIS_URL's, one more per xdist worker)."""
    return settings.TEST_REDIS_URL


def redis_problem(url: str | None = None) -> str:
    """Why Redis cannot be used ("" when it answers)."""
    url = url or redis_url()
    try:
        redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2).ping()
    except Exception as exc:  # not installed, refused, timed out, a bad URL: all the same to the caller
        return f"Redis does not answer at {url} ({type(exc).__name__}: {exc})"
    return ""


def need_redis(url: str | None = None) -> None:
    """Skip the calling test without Redis, or fail it when CI requires Redis."""
    if problem := redis_problem(url):
        if required():
            pytest.fail(f"{problem}; XINYU_REQUIRE_REDIS=1 requires it")
        pytest.skip(f"{problem}; start Redis or leave TASK_BACKEND unset")


def use_backend(name: str) -> None:
    """For tests run on both task backends: the RQ variant runs in the RQ phase only (TASK_BACKEND=rq), the
    database variant everywhere else."""
    if name == "rq":
        if not wanted():
            pytest.skip("the RQ variant runs with TASK_BACKEND=rq and Redis (.ci/run's RQ phase)")
        need_redis()
    elif wanted():
        pytest.skip("the database-backend variant runs in the regular phases, not the RQ phase")


def flush() -> None:
    """Empty this test process's own Redis database (never the whole server)."""
    redis.Redis.from_url(redis_url()).flushdb()


def worker_command(*extra: str) -> list[str]:
    """`manage.py` arguments for an RQ worker on the default queue, as README deploys it (the settings give
    it django_tasks_rq's job class)."""
    return ["rqworker", "default", *extra]


def descendants(pid: int) -> list[int]:
    """Every process below `pid`, from /proc (Linux)."""
    found = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return found
    for task in tasks:
        try:
            with open(f"/proc/{pid}/task/{task}/children") as children:
                kids = [int(kid) for kid in children.read().split()]
        except OSError:
            continue
        for kid in kids:
            found += [kid, *descendants(kid)]
    return found


def kill_tree(pid: int) -> None:
    """SIGKILL a process, its process group and everything below it, as a machine dying would. An RQ
    worker's work horse runs in a process group of its own (rq calls setpgrp), so killing the worker's group
    alone leaves the job running."""
    below = descendants(pid)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)
    for kid in below:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(kid, signal.SIGKILL)  # the horse's own group (its pid) ...
        with contextlib.suppress(ProcessLookupError):
            os.kill(kid, signal.SIGKILL)  # ... or the process alone


def enqueue_for_workers(task, *args) -> str:
    """Put `task(*args)` on the Redis queue for worker processes (as RQBackend.enqueue does, but on a queue
    that does not run it here, whatever this process's settings say); returns the job id."""
    queue = django_rq.get_queue(task.queue_name, job_class=Job, is_async=True)
    job = queue.create_job(
        task.module_path,
        args=list(args),
        kwargs={},
        job_id=get_random_id(),
        on_failure=Callback(failed_callback),
        on_success=Callback(success_callback),
        meta={"backend_name": "default"},
    )
    return queue.enqueue_job(job).id


# Per connection, how many transactions were open when the test body began (the test's own wrapping ones:
# pytest-django's, the shared fixtures' of tests/shared.py); None outside a test body.
_OPEN_AT_START: dict[str, int] | None = None


@contextlib.contextmanager
def test_body():
    """Around a test's body (tests/conftest.py): what is open by then is the test's, not the code's."""
    global _OPEN_AT_START
    _OPEN_AT_START = {conn.alias: len(conn.atomic_blocks) for conn in connections.all(initialized_only=True)}
    try:
        yield
    finally:
        _OPEN_AT_START = None


def _in_own_transaction() -> str:
    """The database alias whose connection is inside a transaction the code opened ("" if none)."""
    if _OPEN_AT_START is None:
        return ""
    for conn in connections.all(initialized_only=True):
        if len(conn.atomic_blocks) > _OPEN_AT_START.get(conn.alias, 0):
            return conn.alias
    return ""


class CommitCheckingRQBackend(RQBackend):
    """django_tasks_rq's backend, refusing to enqueue before the commit (see the module's text)."""

    def enqueue(self, task, args, kwargs):
        if alias := _in_own_transaction():
            raise AssertionError(
                f"{task.module_path} enqueued inside a transaction on {alias!r}: a worker could run it before "
                "the commit; enqueue it in transaction.on_commit"
            )
        return super().enqueue(task, args, kwargs)
