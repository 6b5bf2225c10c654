"""supervision_minutes: minutes given and received, for sessions held in [start, end)."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.helpers import freeze_time
from tests.workforce.conftest import counsel
from xinyu.workforce import services
from xinyu.workforce.supervision import supervision_minutes

pytestmark = pytest.mark.django_db


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=timezone.get_current_timezone())


def test_minutes_given_and_received_in_the_period(world, other_counsellor):
    supervisor, counsellor = world.cast["supervisor"], world.cast["counsellor"]
    with freeze_time(_at(dt.date(2026, 12, 1))):
        counsel(world, counsellor)
        group = dict(kind="group", counsellors=[counsellor, other_counsellor])
        services.record_session(world.school, by=supervisor, held_at=_at(dt.date(2026, 9, 1), 0),
                                duration_minutes=90, **group)  # fmt: skip
        services.record_session(world.school, by=supervisor, kind="individual", held_at=_at(dt.date(2026, 10, 15)),
                                duration_minutes=50, counsellors=[counsellor])  # fmt: skip
        # The last day is outside the period (end exclusive), the day before is inside.
        services.record_session(world.school, by=supervisor, held_at=_at(dt.date(2026, 11, 30), 23),
                                duration_minutes=30, **group)  # fmt: skip
        services.record_session(world.school, by=supervisor, held_at=_at(dt.date(2026, 12, 1), 0),
                                duration_minutes=45, **group)  # fmt: skip
        services.record_session(world.school, by=supervisor, held_at=_at(dt.date(2026, 8, 31), 23),
                                duration_minutes=20, **group)  # fmt: skip
    given, received = supervision_minutes(dt.date(2026, 9, 1), dt.date(2026, 12, 1))
    assert given == {supervisor.pk: 90 + 50 + 30}
    assert received == {counsellor.pk: 90 + 50 + 30, other_counsellor.pk: 90 + 30}


def test_an_empty_period(world):
    assert supervision_minutes(dt.date(2026, 1, 1), dt.date(2026, 2, 1)) == ({}, {})
