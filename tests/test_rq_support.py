"""The RQ phase's own machinery (tests/rq_support.py): no Redis means a skip with its reason, or a failure
where CI requires Redis; on RQ a task goes through Redis, and one enqueued before its commit is refused."""

import django_rq
import pytest
from django.db import transaction
from django_tasks_rq.backend import Job

from tests import rq_support
from xinyu.concerns import tasks

NOWHERE = "redis://127.0.0.1:1/0"  # nothing listens on port 1


def test_without_redis_the_rq_tests_skip_and_say_why(monkeypatch):
    monkeypatch.delenv("XINYU_REQUIRE_REDIS", raising=False)
    with pytest.raises(pytest.skip.Exception, match=r"Redis does not answer at redis://127\.0\.0\.1:1/0"):
        rq_support.need_redis(NOWHERE)


def test_without_redis_the_rq_tests_fail_where_ci_requires_it(monkeypatch):
    monkeypatch.setenv("XINYU_REQUIRE_REDIS", "1")
    with pytest.raises(pytest.fail.Exception, match="XINYU_REQUIRE_REDIS=1 requires it"):
        rq_support.need_redis(NOWHERE)


@pytest.mark.django_db
def test_on_rq_a_task_goes_through_redis_and_never_before_its_commit():
    rq_support.use_backend("rq")
    with pytest.raises(AssertionError, match="before the commit"), transaction.atomic():
        tasks.crisis_invariants.enqueue()

    result = tasks.crisis_invariants.enqueue()
    result.refresh()
    job = Job.fetch(result.id, connection=django_rq.get_connection())
    assert (job.func_name, result.status.name, result.return_value) == (
        "xinyu.concerns.tasks.crisis_invariants",
        "SUCCESSFUL",
        [],
    )
