""" "Who opened this file" for the centre opens with one line per person and day above the full entries;
the same person under one line whatever post each entry named; the query count does not grow."""

import datetime as dt
import re

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from tests.helpers import freeze_time
from xinyu.audit.models import AuditEntry
from xinyu.audit.reads import what_label
from xinyu.audit.services import Event, record
from xinyu.org.scope import Tier
from xinyu.studentfile.readers import readers_by_day

MORNING = timezone.make_aware(dt.datetime(2026, 3, 2, 9, 0))


def read(world, who, what, *, post="", times=1, at=MORNING, student=None, action=AuditEntry.Action.VIEW):
    with freeze_time(at):
        for _ in range(times):
            record(world.cast[who], Event(action, what, student=student or world.in_scope, tier=Tier.T3, post=post))


def log_url(student) -> str:
    return reverse("studentfile:access_log", args=[student.pk])


def test_one_line_per_person_and_day(world, client_for):
    read(world, "mental_health_advisor", "studentfile.file", post="mental_health_advisor", times=20)
    read(world, "mental_health_advisor", "screening.results", times=5)
    read(world, "mental_health_advisor", "studentfile.file", at=MORNING + dt.timedelta(days=1))
    read(world, "head_teacher", "studentfile.file", student=world.other_class)
    with translation.override("zh-hans"):
        lines = [(r.day, r.name, r.count, r.posts, r.whats, r.actions) for r in readers_by_day(world.in_scope)]
        file, results = what_label("studentfile.file"), what_label("screening.results")
    assert lines == [
        (MORNING.date() + dt.timedelta(days=1), "吴心理辅导员", 1, [], [file], ["查看"]),
        (MORNING.date(), "吴心理辅导员", 25, ["心理辅导员"], sorted([file, results]), ["查看"]),
    ]
    page = client_for(world.cast["supervisor"]).get(log_url(world.in_scope)).content.decode()
    assert re.findall(
        r'data-testid="file-reader" data-day="([\d-]+)" data-username="(\w+)" data-count="(\d+)"', page
    ) == [
        ("2026-03-03", "T10003", "1"),
        ("2026-03-02", "T10003", "25"),
    ]
    assert "孙班主任" not in page  # another student's file
    # Below it, every entry as before.
    assert page.count('data-testid="file-access-row"') == 26


def test_the_short_view_is_the_centres_only_and_its_queries_fixed(world, client_for):
    read(world, "mental_health_advisor", "studentfile.file")
    for who in ("head_teacher", "mental_health_advisor", "student"):
        assert client_for(world.cast[who]).get(log_url(world.in_scope)).status_code == 404
    with CaptureQueriesContext(connection) as one:
        readers_by_day(world.in_scope)
    for who in ("head_teacher", "advisor", "counsellor"):
        read(world, who, "studentfile.file", times=3, at=MORNING + dt.timedelta(days=2))
    with CaptureQueriesContext(connection) as many:
        assert len(readers_by_day(world.in_scope)) == 4
    assert len(one) == len(many) == 1
