"""Settings for the test suite: the real settings, with fast hashing, fixed keys and tasks run at once."""

import os

os.environ["XINYU_ENV"] = "test"
for _name in ("SECRET_KEY", "AUDIT_HMAC_KEY", "FIELD_ENCRYPTION_KEY", "FIELD_HASH_KEY"):
    os.environ.setdefault(_name, f"test-only-{_name.lower()}-not-for-production")

from xinyu.settings import *  # noqa: E402, F403

# Two-factor sign-in and step-up re-authentication are switched on by the tests that are about them
# (tests/accounts/test_two_factor.py and each view's step-up test); the rest sign in with force_login.
XINYU_ENFORCE_TWO_FACTOR = False


# .ci/run's RQ phase (TASK_BACKEND=rq, tests/rq_support.py): tasks go through django_tasks_rq to Redis and
# run at once in the test; a task enqueued before its transaction commits fails the test. Each test process
# has a Redis database of its own: REDIS_URL's (default /1) for the first, the next one for the second, …
def _test_redis_url() -> str:
    url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/1"
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")  # gw0, gw1, … under pytest-xdist
    if worker.startswith("gw"):
        base, _, number = url.rpartition("/")
        url = f"{base}/{int(number or 0) + int(worker[2:])}"
    return url


TEST_REDIS_URL = _test_redis_url()
if TASK_BACKEND == "rq":  # noqa: F405
    RQ_QUEUES = {"default": {"URL": TEST_REDIS_URL, "ASYNC": False}}
    TASKS = {"default": {"BACKEND": "tests.rq_support.CommitCheckingRQBackend", "QUEUES": ["default"]}}
