"""Settings for the test suite: the real settings, with fast hashing, fixed keys and tasks run at once."""

import os

os.environ["XINYU_ENV"] = "test"
for _name in ("SECRET_KEY", "AUDIT_HMAC_KEY", "FIELD_ENCRYPTION_KEY", "FIELD_HASH_KEY"):
    os.environ.setdefault(_name, f"test-only-{_name.lower()}-not-for-production")

from xinyu.settings import *  # noqa: E402, F403

# Two-factor sign-in and step-up re-authentication are switched on by the tests that are about them
# (tests/accounts/test_two_factor.py and each view's step-up test); the rest sign in with force_login.
XINYU_ENFORCE_TWO_FACTOR = False
