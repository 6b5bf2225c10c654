"""Recording an interview (约谈), whatever raised it: outcomes, errors, the one write path."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.concerns.conftest import OFFICE_TIME
from tests.screening.test_triage import gad7, make_campaign, submit
from xinyu.audit.models import AuditEntry
from xinyu.care.models import Interview
from xinyu.concerns.errors import ConcernError
from xinyu.concerns.models import AckRecipient, CaseEvent, ConcernReport
from xinyu.concerns.services import case_records, cases, interviews
from xinyu.concerns.services.interviews import InterviewError, record_interview
from xinyu.notify.models import Notification
from xinyu.screening.triage import triage_submission


@pytest.fixture
def interview(world) -> Interview:
    """A moderate GAD-7 for 张三 (A1): an interview for the college's mental-health advisor."""
    participation, results = submit(make_campaign(world), world.in_scope, {"GAD-7": gad7(12)})
    return triage_submission(participation, results).interview


def record(interview, by, outcome="no_concern", notes="聊了学业压力，情绪平稳", **extra):
    return record_interview(
        interview, by=by, conducted_at=timezone.now() - dt.timedelta(hours=1), method="in_person", outcome=outcome,
        notes=notes, **extra,
    )  # fmt: skip


def test_recording_an_interview(world, interview):
    advisor = world.cast["mental_health_advisor"]
    saved = record(interview, advisor, outcome="watch")
    assert saved.conducted_by == advisor
    assert saved.outcome == Interview.Outcome.WATCH
    assert saved.method == Interview.Method.IN_PERSON
    assert saved.notes == "聊了学业压力，情绪平稳"
    entry = AuditEntry.objects.filter(what="care.interview").get()
    assert (entry.action, entry.tier, entry.actor_username) == ("update", 3, "T10003")
    assert ConcernReport.objects.count() == 0


def test_only_the_assignee_records_and_only_once(world, interview):
    with pytest.raises(InterviewError) as caught:
        record(interview, world.cast["counsellor"])
    assert str(caught.value) == "Only the person it is assigned to can record this interview."
    record(interview, world.cast["mental_health_advisor"])
    with pytest.raises(InterviewError) as caught:
        record(interview, world.cast["mental_health_advisor"])
    assert str(caught.value) == "This interview has already been recorded."


@pytest.mark.parametrize(
    "changes,message",
    [
        ({"conducted_at": None}, "Please say when the interview took place."),
        ({"method": "video"}, "Please choose how the interview took place."),
        ({"outcome": "fine"}, "Please choose the outcome of the interview."),
        ({"outcome": "concern_report", "notes": " "}, "Please write what you noticed: it becomes the concern report."),
    ],
)
def test_record_errors(world, interview, changes, message):
    arguments = {"conducted_at": timezone.now(), "method": "phone", "outcome": "no_concern", "notes": "", **changes}
    with pytest.raises(InterviewError) as caught:
        record_interview(interview, by=world.cast["mental_health_advisor"], **arguments)
    assert str(caught.value) == message
    interview.refresh_from_db()
    assert interview.conducted_at is None


def test_an_interview_in_the_future_is_refused(world, interview):
    with pytest.raises(InterviewError) as caught:
        record_interview(
            interview, by=world.cast["mental_health_advisor"], conducted_at=timezone.now() + dt.timedelta(hours=2),
            method="phone", outcome="no_concern",
        )  # fmt: skip
    assert str(caught.value) == "The interview cannot have taken place in the future."


def test_concern_report_outcome_raises_a_report_by_the_interviewer(world, interview):
    advisor = world.cast["mental_health_advisor"]
    record(interview, advisor, outcome="concern_report", notes="说最近常失眠，想休学", urgent=True)
    report = ConcernReport.objects.get()
    assert report.reporter == advisor
    assert report.student == world.in_scope
    assert report.urgency == ConcernReport.Urgency.URGENT
    assert report.description == "说最近常失眠，想休学"
    recipients = set(AckRecipient.objects.filter(ack__report=report).values_list("person__username", flat=True))
    assert recipients == {"T10002", "T10003", "T10005", "T10008"}


def test_refer_centre_outcome_creates_a_centre_evaluation(world, interview):
    record(interview, world.cast["mental_health_advisor"], outcome="refer_centre")
    referral = Interview.objects.exclude(pk=interview.pk).get()
    assert referral.kind == Interview.Kind.CENTRE_EVALUATION
    assert referral.assignee == world.cast["counsellor"]
    assert referral.due_on == timezone.localdate() + dt.timedelta(days=3)
    assert referral.reason == "Referred after an interview"
    assert referral.follows == interview and referral.source == Interview.Source.SCREENING


# A crisis case's follow-ups (跟踪回访) are interviews too: scheduled on the case, recorded through the one form.


@pytest.fixture
def case(crisis_world, office_time):
    return cases.open_case(crisis_world.in_scope, "B", by=crisis_world.cast["advisor"], reason="倾向明显")


def schedule(case, by, due_on, assignee):
    return interviews.schedule_follow_up(case, by=by, due_on=due_on, assignee=assignee)


def record_family_contact(w, case, by):
    return case_records.record_family_contact(
        w.in_scope, by=by, case=case, contact_name="张母", relation="母亲", method="phone", outcome="已知情",
        contacted_at=OFFICE_TIME - dt.timedelta(minutes=30),
    )  # fmt: skip


@pytest.mark.usefixtures("office_time")
def test_a_follow_up_goes_to_someone_on_the_case_and_reminds_them(crisis_world, case):
    w = crisis_world
    organiser = w.cast["college_leader"]
    assert set(interviews.follow_up_assignees(case)) == {
        organiser, w.cast["advisor"], w.cast["student_affairs"], w.cast["mental_health_advisor"], w.cast["counsellor"],
    }  # fmt: skip
    with pytest.raises(ConcernError, match="someone working on the case"):
        interviews.schedule_follow_up(case, by=organiser, due_on=dt.date(2026, 12, 2), assignee=w.cast["head_teacher"])
    with pytest.raises(ConcernError, match="past"):
        interviews.schedule_follow_up(case, by=organiser, due_on=dt.date(2026, 11, 24), assignee=w.cast["advisor"])
    with pytest.raises(ConcernError):
        interviews.schedule_follow_up(case, by=organiser, due_on=None, assignee=w.cast["advisor"])
    follow_up = interviews.schedule_follow_up(
        case, by=organiser, due_on=dt.date(2026, 12, 2), assignee=w.cast["advisor"]
    )
    assert (follow_up.student, follow_up.scheduled_by, follow_up.conducted_at) == (w.in_scope, organiser, None)
    assert (follow_up.source, follow_up.case) == (Interview.Source.CRISIS_CASE, case)
    event = case.events.last()
    assert (event.kind, event.detail) == (
        CaseEvent.Kind.FOLLOW_UP, {"interview": follow_up.pk, "due_on": "2026-12-02", "assignee": "T10002"},
    )  # fmt: skip
    reminder = Notification.objects.get(
        recipient=w.cast["advisor"], dedupe_key__startswith=f"interview.crisis_case:{follow_up.pk}"
    )
    assert reminder.link == f"/interviews/{follow_up.pk}/"
    assert w.in_scope.name not in reminder.title  # nothing about the student leaves in the title
    # Scheduling one for yourself sends you nothing.
    mine = interviews.schedule_follow_up(case, by=organiser, due_on=dt.date(2026, 12, 9), assignee=organiser)
    assert not Notification.objects.filter(dedupe_key__contains=f":{mine.pk}").exists()


@pytest.mark.usefixtures("office_time")
def test_completing_a_follow_up(crisis_world, case):
    w = crisis_world
    organiser = w.cast["college_leader"]
    follow_up = interviews.schedule_follow_up(
        case, by=organiser, due_on=dt.date(2026, 12, 2), assignee=w.cast["advisor"]
    )
    with pytest.raises(InterviewError, match="history"):
        record(follow_up, w.cast["advisor"], notes=" ")
    with pytest.raises(InterviewError):
        record(follow_up, w.cast["outsider"], notes="谈了")
    # Anyone working on the open case may record it (the head teacher is in the student's chain).
    record(follow_up, w.cast["advisor"], notes="谈话顺利")
    follow_up.refresh_from_db()
    assert (follow_up.notes, follow_up.conducted_by, follow_up.outcome) == ("谈话顺利", w.cast["advisor"], "no_concern")
    with pytest.raises(InterviewError, match="already"):
        record(follow_up, w.cast["advisor"], notes="again")
    event = case.events.last()
    assert (event.kind, event.by, event.reason, event.detail) == (
        CaseEvent.Kind.NOTE, w.cast["advisor"], "谈话顺利", {"interview_done": follow_up.pk},
    )  # fmt: skip


@pytest.mark.usefixtures("office_time")
def test_follow_ups_run_on_after_the_case_is_closed(crisis_world):
    w = crisis_world
    case = cases.open_case(w.in_scope, "A", by=w.cast["advisor"], reason="适应问题")
    organiser = w.cast["mental_health_advisor"]
    for open_step in case.steps.all():
        cases.complete_step(open_step, by=organiser, evidence={
            "note": "已谈话", "family_who": "张母", "family_relation": "母亲", "family_when": "2026-11-25 09:30",
            "family_how": "phone", "family_outcome": "已知情",
        })  # fmt: skip
    record_family_contact(w, case, organiser)
    later = interviews.schedule_follow_up(case, by=organiser, due_on=dt.date(2026, 12, 9), assignee=w.cast["advisor"])
    case_records.record_review_support(w.in_scope, by=organiser, case=case, assessment="稳定", support="每周谈话")
    cases.record_centre_assessment(case, by=w.cast["counsellor"], summary="可结案")
    cases.close_case(case, by=organiser, filing_note="已备案")
    # Closed: no new records on it, but the scheduled follow-up is still done by its assignee.
    with pytest.raises(ConcernError, match="closed"):
        record_family_contact(w, case, organiser)
    with pytest.raises(InterviewError):
        record(later, organiser, notes="我来记")  # not theirs, and the case is closed
    record(later, w.cast["advisor"], notes="情况稳定")
    assert case.events.last().detail == {"interview_done": later.pk}
