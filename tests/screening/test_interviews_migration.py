"""The migration that makes every 约谈 one model (care.Interview): the screening's interviews keep their ids
and their campaign and result; the follow-ups get new ids after them (the old one kept), a source and who
recorded them; the crisis cases' history names the new ids. Backwards, every row goes back where it was."""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.concerns.conftest import OFFICE_TIME
from tests.conftest import build_world
from tests.helpers import empty_access_log_for_flush, freeze_time, migrate
from xinyu.audit.models import AuditEntry
from xinyu.care.models import Interview
from xinyu.concerns.models import CaseEvent
from xinyu.concerns.services import cases
from xinyu.org.access_log import Event, record

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("latest_schema_afterwards")]

BEFORE = [("screening", "0006_instrument_drafts_and_activation"), ("care", "0004_interviews")]
AFTER = [("screening", "0007_interviews_move_to_care"), ("care", "0005_follow_ups_are_interviews")]
DAY = dt.date(2026, 12, 2)


def history(case) -> list[dict]:
    return list(case.events.filter(kind__in=("follow_up", "note"), by__isnull=False).values_list("detail", flat=True))


def old_models():
    state = MigrationExecutor(connection).loader.project_state(BEFORE).apps
    return state.get_model("screening", "Interview"), state.get_model("care", "FollowUp")


@pytest.fixture
def before():
    """Before the migration: a screening interview (id 41) and three follow-ups — one of a crisis case,
    recorded as done by the case's organiser, one a return from leave scheduled, one after a report."""
    world = build_world()
    cast = world.cast
    with freeze_time(OFFICE_TIME):
        case = cases.open_case(world.in_scope, "B", by=cast["advisor"], reason="倾向明显")
    organiser = case.organiser
    migrate(BEFORE)
    OldInterview, FollowUp = old_models()
    OldInterview.objects.create(
        id=41, student_id=world.in_scope.pk, kind="interview", reason="GAD-7: 中度焦虑",
        assignee_id=cast["mental_health_advisor"].pk, due_on=DAY, conducted_at=OFFICE_TIME,
        conducted_by_id=cast["mental_health_advisor"].pk, method="phone", outcome="watch", notes="聊了学业",
    )  # fmt: skip
    common = {"assignee_id": cast["advisor"].pk, "scheduled_by_id": organiser.pk, "due_on": DAY}
    of_case = FollowUp.objects.create(id=7, student_id=world.in_scope.pk, case_id=case.pk, done_at=OFFICE_TIME,
                                      outcome="谈话顺利", **common)  # fmt: skip
    CaseEvent.objects.create(case=case, kind="follow_up", by=organiser, detail={"follow_up": 7, "due_on": "2026-12-02"})
    CaseEvent.objects.create(case=case, kind="note", by=organiser, reason="谈话顺利", detail={"follow_up_done": 7})
    returned = FollowUp.objects.create(id=8, student_id=world.other_class.pk, **common)
    record(organiser, Event(AuditEntry.Action.CREATE, "care.follow_up", student=world.other_class, tier=3,
                            detail={"leave": 1, "due_on": DAY.isoformat()}))  # fmt: skip
    after_report = FollowUp.objects.create(id=9, student_id=world.other_college.pk, **common)
    yield world, case, {"case": of_case.pk, "return": returned.pk, "report": after_report.pk}
    migrate(AFTER)
    empty_access_log_for_flush()


def test_every_interview_and_follow_up_becomes_one_interview_and_comes_back(before):
    world, case, old_ids = before
    migrate(AFTER)
    screening = Interview.objects.get(pk=41)
    assert (screening.source, screening.notes, screening.outcome) == ("screening", "聊了学业", "watch")
    assert (screening.screening.campaign, screening.screening.result) == (None, None)
    moved = {row.legacy_follow_up_id: row for row in Interview.objects.exclude(pk=41)}
    assert sorted(row.pk for row in moved.values()) == [42, 43, 44]  # after the screening's, in order
    of_case = moved[old_ids["case"]]
    assert (of_case.source, of_case.case, of_case.notes) == ("crisis_case", case, "谈话顺利")
    assert (of_case.conducted_at, of_case.conducted_by) == (OFFICE_TIME, case.organiser)  # from the history
    assert (moved[old_ids["return"]].source, moved[old_ids["return"]].conducted_at) == ("return_from_leave", None)
    assert moved[old_ids["report"]].source == "concern_report"
    details = list(
        case.events.filter(kind__in=("follow_up", "note"), by__isnull=False).values_list("detail", flat=True)
    )
    assert {"interview": of_case.pk, "due_on": "2026-12-02"} in details and {"interview_done": of_case.pk} in details
    # New interviews are numbered after the moved ones (SQLite's AUTOINCREMENT never reuses a number: one
    # a browser test committed and flushed earlier on this worker can put the next one further on).
    fresh = Interview.objects.create(student=world.in_scope, source="concern_report", due_on=DAY,
                                     assignee=world.cast["advisor"])  # fmt: skip
    assert fresh.pk >= 45

    fresh.delete()
    migrate(BEFORE)
    OldInterview, FollowUp = old_models()
    assert OldInterview.objects.get(pk=41).notes == "聊了学业"
    assert not Interview.objects.exists()
    assert sorted(FollowUp.objects.values_list("pk", "student_id", "outcome")) == [
        (7, world.in_scope.pk, "谈话顺利"), (8, world.other_class.pk, ""), (9, world.other_college.pk, ""),
    ]  # fmt: skip
    details = list(
        case.events.filter(kind__in=("follow_up", "note"), by__isnull=False).values_list("detail", flat=True)
    )
    assert {"follow_up": 7, "due_on": "2026-12-02"} in details and {"follow_up_done": 7} in details
