"""Settings that keep the background workers going: SQLite waits out the longest import, urgent messages
are held for a short lease."""

import pytest
from django.conf import settings
from django.db import connection


def test_the_urgent_lease_is_short_by_default():
    assert (settings.NOTIFY_URGENT_LEASE_SECONDS, settings.NOTIFY_LEASE_SECONDS) == (30, 300)


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's busy timeout")
def test_sqlite_waits_two_minutes_for_the_write_lock():
    """Well over the longest write (a 50,000-row roster import's database phase, 33 s on a busy machine)."""
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout")
        assert cursor.fetchone()[0] == 120_000
