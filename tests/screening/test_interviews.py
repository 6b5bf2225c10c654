"""Interview tasks and records: outcomes, the one write path, the pages × the cast."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.screening.test_triage import gad7, make_campaign, phq9, submit
from xinyu.audit.models import AuditEntry
from xinyu.concerns.models import AckRecipient, ConcernReport
from xinyu.screening.interviews import InterviewError, record_interview
from xinyu.screening.models import Interview
from xinyu.screening.triage import triage_submission

LIST = "/screening/interviews/"


def detail(interview) -> str:
    return f"/screening/interviews/{interview.pk}/"


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
    entry = AuditEntry.objects.filter(what="screening.interview").get()
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
    assert referral.campaign == interview.campaign


# Pages. Who reads the record (T3): the assignee, the college working group of 张三's college, the centre.
READERS = ["mental_health_advisor", "college_leader", "counsellor", "supervisor"]
HIDDEN = ["head_teacher", "advisor", "outsider", "student", "student_affairs", "leading_group_member"]


@pytest.mark.parametrize("who", READERS)
def test_interview_detail_readers(world, interview, client_for, who):
    # "screening:interview_detail"
    response = client_for(world.cast[who]).get(detail(interview))
    assert response.status_code == 200
    page = response.content.decode()
    assert "广泛性焦虑量表（GAD-7）: Moderate (moderate)" in page  # the reason, in the words of its day
    assert 'data-testid="interview-score">广泛性焦虑量表（GAD-7） 12 中度焦虑</dd>' in page
    assert f'href="/screening/results/students/{world.in_scope.pk}/"' in response.content.decode()
    assert AuditEntry.objects.filter(what="screening.interview", action="view", tier=3).count() == 1


@pytest.mark.parametrize("who", HIDDEN)
def test_interview_detail_is_404_for_others(world, interview, client_for, who):
    assert client_for(world.cast[who]).get(detail(interview)).status_code == 404


def test_only_the_assignee_sees_the_form_and_records_through_the_page(world, interview, client_for):
    leader = client_for(world.cast["college_leader"])
    assert 'data-testid="interview-form"' not in leader.get(detail(interview)).content.decode()
    refused = leader.post(detail(interview), {"conducted_at": "2026-01-05T10:00", "method": "phone",
                                              "outcome": "no_concern"})  # fmt: skip
    assert refused.status_code == 302
    interview.refresh_from_db()
    assert interview.conducted_at is None

    advisor = client_for(world.cast["mental_health_advisor"])
    assert 'data-testid="interview-form"' in advisor.get(detail(interview)).content.decode()
    when = timezone.localtime() - dt.timedelta(hours=1)
    response = advisor.post(
        detail(interview),
        {"conducted_at": when.strftime("%Y-%m-%dT%H:%M"), "method": "phone", "outcome": "watch", "notes": "电话联系"},
    )
    assert response.status_code == 302
    interview.refresh_from_db()
    assert (interview.method, interview.outcome, interview.notes) == ("phone", "watch", "电话联系")


def test_record_form_errors_show(world, interview, client_for):
    response = client_for(world.cast["mental_health_advisor"]).post(
        detail(interview), {"conducted_at": "2026-01-05T10:00", "method": "phone", "outcome": "concern_report"}
    )
    assert response.status_code == 400
    assert 'data-testid="interview-errors"' in response.content.decode()


def test_interview_list_by_tier(world, interview, client_for):
    # "screening:interview_list"
    mine = client_for(world.cast["mental_health_advisor"]).get(LIST).content.decode()
    assert f'data-testid="interview-item" data-id="{interview.pk}"' in mine
    centre = client_for(world.cast["counsellor"]).get(LIST).content.decode()
    assert f'data-testid="interview-item" data-id="{interview.pk}"' in centre
    # The head teacher (T2) sees nothing of it: that a screening called for an interview is T3.
    head_teacher = client_for(world.cast["head_teacher"]).get(LIST).content.decode()
    assert f'data-id="{interview.pk}"' not in head_teacher
    assert "张三" not in head_teacher and "GAD-7" not in head_teacher
    assert detail(interview) not in head_teacher
    outsider = client_for(world.cast["outsider"]).get(LIST).content.decode()
    assert "张三" not in outsider
    assert client_for(world.cast["student"]).get(LIST).status_code == 404


def test_my_work_shows_interviews_to_their_assignee_only(world, interview, client_for):
    # "core:my_work"
    advisor = client_for(world.cast["mental_health_advisor"]).get("/my-work/").content.decode()
    assert f'data-kind="interview" data-id="{interview.pk}"' in advisor
    # The head teacher (T2) is never told that a student has a screening interview (DESIGN.md §4).
    head_teacher = client_for(world.cast["head_teacher"]).get("/my-work/").content.decode()
    assert f'data-id="{interview.pk}"' not in head_teacher
    assert 'data-testid="work-interviews"' not in head_teacher
    assert "张三" not in head_teacher and "GAD-7" not in head_teacher
    outsider = client_for(world.cast["outsider"]).get("/my-work/").content.decode()
    assert f'data-id="{interview.pk}"' not in outsider


def test_severe_results_reach_the_centre_evaluation_list(world, client_for):
    participation, results = submit(make_campaign(world), world.other_college, {"PHQ-9": phq9(23)})
    evaluation = triage_submission(participation, results).interview
    page = client_for(world.cast["counsellor"]).get(LIST).content.decode()
    assert f'data-testid="interview-item" data-id="{evaluation.pk}"' in page
    assert client_for(world.cast["mental_health_advisor"]).get(detail(evaluation)).status_code == 404
    assert client_for(world.cast["outsider"]).get(detail(evaluation)).status_code == 200  # college B's advisor
