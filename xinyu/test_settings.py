"""Settings for the test suite: the real settings, with fast hashing, fixed keys and tasks run at once."""

import os

os.environ["XINYU_ENV"] = "test"
for _name in ("SECRET_KEY", "AUDIT_HMAC_KEY", "FIELD_ENCRYPTION_KEY", "FIELD_HASH_KEY"):
    os.environ.setdefault(_name, f"test-only-{_name.lower()}-not-for-production")

from xinyu.settings import *  # noqa: E402, F403

# Two-factor sign-in and step-up re-authentication are switched on by the tests that are about them
# (tests/accounts/test_two_factor.py and each view's step-up test); the rest sign in with force_login.
XINYU_ENFORCE_TWO_FACTOR = False

# .ci/run's RQ phase (TASK_BACKEND=rq, tests/rq_support.py): tasks go through django_tasks_rq to REDIS_URL's
# database and run at once in the test; a task enqueued before its transaction commits fails the test.
if TASK_BACKEND == "rq":  # noqa: F405
    RQ_QUEUES = {
        "default": {"URL": os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/1", "ASYNC": False},
    }
    TASKS = {"default": {"BACKEND": "tests.rq_support.CommitCheckingRQBackend", "QUEUES": ["default"]}}
