"""Supervision hours for the workload statement (第十三条, 第十五条): who gave and who received how many
minutes of supervision in a period. Counts sessions, not cases: a group session of 90 minutes gives the
supervisor 90 minutes and each counsellor present 90 minutes. Not student data."""

import datetime as dt
from collections import defaultdict

from django.utils import timezone

from xinyu.workforce.models import SupervisionSession


def _start_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())


def supervision_minutes(start: dt.date, end: dt.date) -> tuple[dict[int, int], dict[int, int]]:
    """(user id → minutes given as supervisor, user id → minutes received as a counsellor present), for the
    sessions held in [start, end) (local days, `end` exclusive)."""
    sessions = SupervisionSession.objects.filter(held_at__gte=_start_of(start), held_at__lt=_start_of(end))
    given: dict[int, int] = defaultdict(int)
    for supervisor_id, minutes in sessions.values_list("supervisor_id", "duration_minutes"):
        given[supervisor_id] += minutes
    received: dict[int, int] = defaultdict(int)
    present = SupervisionSession.counsellors.through.objects.filter(supervisionsession__in=sessions)
    for person_id, minutes in present.values_list("user_id", "supervisionsession__duration_minutes"):
        received[person_id] += minutes
    return dict(given), dict(received)
