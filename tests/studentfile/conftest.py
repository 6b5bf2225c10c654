"""Records about a student from screening, concerns and crises and the care records crises start, with texts
that would show a leak."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.concerns.conftest import crisis_world  # noqa: F401  (the crisis cast, as a fixture here)
from tests.helpers import screening_interview
from tests.screening.test_triage import gad7, make_campaign, submit
from xinyu.care.models import FamilyContact, Interview, ReviewSupport
from xinyu.concerns.models import CaseEvent, ConcernReport, CrisisCase
from xinyu.org.scope import Tier
from xinyu.screening.services import load_shipped_instruments
from xinyu.studentfile import timeline
from xinyu.studentfile.timeline import TimelineEntry

# Texts by tier: a T2 viewer must see the first group and none of the second.
T2_TEXTS = ("宿舍里情绪低落-REPORT", "学院约谈-LEVEL-REASON", "钱委")  # the report, a level change, the reporter
T3_TEXTS = (
    "INTERVIEW-NOTE-学业压力",
    "FAMILY-OUTCOME-母亲同意",
    "FOLLOWUP-OUTCOME-情绪好转",
    "REVIEW-ASSESSMENT-稳定",
    "CENTRE-ASSESSMENT-中心评估",
    "FILING-NOTE-归档",
    "GAD-7",
)
DRILL_TEXT = "DRILL-演练-TEXT"
CONFIDENTIAL_TEXT = "COUNSELLING-NOTE-保密"


def make_records(world, student=None, *, serial=0) -> dict:
    """One record of every kind about `student` (张三 by default), and a drill that must never show."""
    student = student or world.in_scope
    cast = world.cast
    now = timezone.now()
    load_shipped_instruments()  # a transactional (browser) test's flush empties the migration's rows
    campaign = make_campaign(world, title=f"2026 秋季心理普查 {serial}")
    _participation, results = submit(campaign, student, {"GAD-7": gad7(12)})
    interview = screening_interview(
        student, campaign=campaign, result=results[0], reason="GAD-7 moderate",
        assignee=cast["mental_health_advisor"], due_on=timezone.localdate() + dt.timedelta(days=3),
        conducted_at=now - dt.timedelta(days=1), conducted_by=cast["mental_health_advisor"],
        method=Interview.Method.IN_PERSON, outcome=Interview.Outcome.WATCH, notes="INTERVIEW-NOTE-学业压力",
    )  # fmt: skip
    open_interview = screening_interview(
        student, reason="UPI 第二类 OPEN-REASON", assignee=cast["mental_health_advisor"],
        due_on=timezone.localdate() + dt.timedelta(days=5),
    )  # fmt: skip
    report = ConcernReport.objects.create(
        student=student, reporter=cast["wellbeing_rep"], category=ConcernReport.Category.EMOTIONAL_CHANGE,
        description="宿舍里情绪低落-REPORT",
    )  # fmt: skip
    ConcernReport.objects.create(
        student=student, reporter=cast["wellbeing_rep"], category=ConcernReport.Category.OTHER,
        description=DRILL_TEXT, is_drill=True,
    )  # fmt: skip
    # One open case per student (a constraint): later sets of records close theirs.
    case = CrisisCase.objects.create(
        student=student, level="B", opened_by=cast["mental_health_advisor"], policy_key="quzhou-2021",
        status=CrisisCase.Status.CLOSED if serial else CrisisCase.Status.OPEN,
        filing_note="FILING-NOTE-归档" if serial else "",
    )  # fmt: skip
    drill = CrisisCase.objects.create(
        student=student, level="D", opened_by=cast["supervisor"], policy_key="quzhou-2021", is_drill=True
    )
    CaseEvent.objects.create(
        case=case, kind=CaseEvent.Kind.LEVEL_RAISED, from_level="A", to_level="B", reason="学院约谈-LEVEL-REASON",
        by_name="吴心理辅导员",
    )  # fmt: skip
    CaseEvent.objects.create(
        case=case, kind=CaseEvent.Kind.CENTRE_ASSESSMENT, reason="CENTRE-ASSESSMENT-中心评估", by_name="卫主任"
    )
    CaseEvent.objects.create(case=drill, kind=CaseEvent.Kind.NOTE, reason=DRILL_TEXT, by_name="卫主任")
    if serial:
        CaseEvent.objects.create(case=case, kind=CaseEvent.Kind.CLOSED, by_name="卫主任")
    FamilyContact.objects.create(
        student=student, case=case, contacted_at=now, contacted_by=cast["advisor"], contact_name="张母",
        relation="母亲", method=FamilyContact.Method.PHONE, outcome="FAMILY-OUTCOME-母亲同意",
    )  # fmt: skip
    FamilyContact.objects.create(
        student=student, case=drill, contacted_at=now, contacted_by=cast["advisor"], contact_name="演练",
        relation="母亲", method=FamilyContact.Method.PHONE, outcome=DRILL_TEXT,
    )  # fmt: skip
    follow_up = Interview.objects.create(
        student=student, case=case, source=Interview.Source.CRISIS_CASE, due_on=timezone.localdate(),
        assignee=cast["advisor"], scheduled_by=cast["mental_health_advisor"], conducted_at=now,
        conducted_by=cast["advisor"], method="phone", outcome="watch", notes="FOLLOWUP-OUTCOME-情绪好转",
    )  # fmt: skip
    ReviewSupport.objects.create(
        student=student, case=case, recorded_by=cast["mental_health_advisor"], assessment="REVIEW-ASSESSMENT-稳定",
        support="每周谈心",
    )  # fmt: skip
    return {
        "case": case, "report": report, "interview": interview, "open_interview": open_interview,
        "follow_up": follow_up,
    }  # fmt: skip


@pytest.fixture
def records(world):
    return make_records(world)


@pytest.fixture
def confidential_source(monkeypatch):
    """A T4 source like counselling's: the supervisor (T4) reads it; nobody else."""

    def source(student, viewer, tier):
        if tier < Tier.T4:
            return []
        return [
            TimelineEntry(
                at=timezone.now(),
                kind="counselling_session",
                kind_label="Counselling",
                title=CONFIDENTIAL_TEXT,
                tier=Tier.T4,
                confidential=True,
            )
        ]

    monkeypatch.setattr(timeline, "TIMELINE_SOURCES", (*timeline.TIMELINE_SOURCES, source))
    return source
