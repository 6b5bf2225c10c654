"""The interview pages (one queue, one record form) × the cast, at the tier each interview's source reveals."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.screening.test_triage import gad7, make_campaign, phq9, submit
from xinyu.audit.models import AuditEntry
from xinyu.care.interviews import schedule_interview
from xinyu.care.models import Interview
from xinyu.concerns.services.interviews import record_interview
from xinyu.screening.triage import triage_submission

LIST = "/interviews/"


def detail(interview) -> str:
    return f"/interviews/{interview.pk}/"


@pytest.fixture
def interview(world) -> Interview:
    """A moderate GAD-7 for 张三 (A1): an interview for the college's mental-health advisor."""
    participation, results = submit(make_campaign(world), world.in_scope, {"GAD-7": gad7(12)})
    return triage_submission(participation, results).interview


def test_the_page_says_in_words_why_and_by_when_the_interview_is_due(world, interview, client_for):
    html = client_for(world.cast["mental_health_advisor"]).get(detail(interview)).content.decode()
    assert "应约谈日期" in html and "回访日期" not in html
    # The reason is written at triage, outside any request: still in Chinese, not "Moderate (moderate)".
    assert "（GAD-7）：中度焦虑（严重程度：中度）" in html and "moderate" not in html.lower()


# Pages. Who reads the record (T3): the assignee, the college working group of 张三's college, the centre.
READERS = ["mental_health_advisor", "college_leader", "counsellor", "supervisor"]
HIDDEN = ["head_teacher", "advisor", "outsider", "student", "student_affairs", "leading_group_member"]


@pytest.mark.parametrize("who", READERS)
def test_interview_detail_readers(world, interview, client_for, who):
    # "core:interview_detail"
    response = client_for(world.cast[who]).get(detail(interview))
    assert response.status_code == 200
    page = response.content.decode()
    assert "广泛性焦虑量表（GAD-7）：中度焦虑（严重程度：中度）" in page  # the reason, written in Chinese at triage
    assert 'data-testid="interview-score">广泛性焦虑量表（GAD-7） 12 中度焦虑</dd>' in page
    assert f'href="/screening/results/students/{world.in_scope.pk}/"' in response.content.decode()
    assert AuditEntry.objects.filter(what="care.interview", action="view", tier=3).count() == 1


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
    # "core:interview_list"
    mine = client_for(world.cast["mental_health_advisor"]).get(LIST).content.decode()
    assert f'data-kind="interview" data-id="{interview.pk}"' in mine
    centre = client_for(world.cast["counsellor"]).get(LIST).content.decode()
    assert f'data-kind="interview" data-id="{interview.pk}"' in centre
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
    assert "张三" not in head_teacher and "GAD-7" not in head_teacher
    outsider = client_for(world.cast["outsider"]).get("/my-work/").content.decode()
    assert f'data-id="{interview.pk}"' not in outsider


def test_severe_results_reach_the_centre_evaluation_list(world, client_for):
    participation, results = submit(make_campaign(world), world.other_college, {"PHQ-9": phq9(23)})
    evaluation = triage_submission(participation, results).interview
    page = client_for(world.cast["counsellor"]).get(LIST).content.decode()
    assert f'data-kind="interview" data-id="{evaluation.pk}"' in page
    assert client_for(world.cast["mental_health_advisor"]).get(detail(evaluation)).status_code == 404
    assert client_for(world.cast["outsider"]).get(detail(evaluation)).status_code == 200  # college B's advisor


def test_links_of_older_notifications_lead_to_the_interview_pages(world, interview, client_for):
    # "screening:old_interview_list", "screening:old_interview_detail"
    advisor = client_for(world.cast["mental_health_advisor"])
    response = advisor.get(f"/screening/interviews/{interview.pk}/")
    assert (response.status_code, response["Location"]) == (302, detail(interview))
    assert advisor.get("/screening/interviews/")["Location"] == LIST
    # Where it leads, the page decides who may read it; students are not sent anywhere.
    assert client_for(world.cast["head_teacher"]).get(response["Location"]).status_code == 404
    assert client_for(world.cast["student"]).get(f"/screening/interviews/{interview.pk}/").status_code == 404


# Interviews not raised by a screening: what their existence reveals is T2 (after a report, a crisis case's
# follow-up) or T3 (after a return from leave); what came of them is T3 and the assignee's own.
NOTES = "REPORT-TALK-说最近睡不好"
OPENS_T2 = {"head_teacher", "advisor", "student_affairs", "mental_health_advisor", "college_leader", "counsellor",
            "supervisor"}  # fmt: skip
READS_NOTES = {"advisor", "mental_health_advisor", "college_leader", "counsellor", "supervisor"}
EVERYONE = sorted(OPENS_T2 | {"outsider", "student", "leading_group_member", "dorm_leader", "wellbeing_rep"})


def talk(world, source, by="advisor"):
    """An interview `by` scheduled for themselves about 张三, held and recorded."""
    interview = schedule_interview(world.in_scope, by=world.cast[by], source=source,
                                   due_on=timezone.localdate() + dt.timedelta(days=2))  # fmt: skip
    return record_interview(interview, by=world.cast[by], conducted_at=timezone.now() - dt.timedelta(hours=1),
                            method="in_person", outcome="watch", notes=NOTES)  # fmt: skip


@pytest.mark.parametrize("who", EVERYONE)
def test_a_talk_after_a_report_is_t2_and_its_record_t3(world, client_for, who):
    # "core:interview_detail"
    interview = talk(world, Interview.Source.CONCERN_REPORT)
    response = client_for(world.cast[who]).get(detail(interview))
    assert response.status_code == (200 if who in OPENS_T2 else 404)
    if response.status_code == 200:
        page = response.content.decode()
        assert 'data-source="concern_report"' in page
        assert (NOTES in page) == (who in READS_NOTES)
        entry = AuditEntry.objects.filter(what="care.interview", action="view").get()
        assert entry.tier == (3 if who in READS_NOTES else 2)


@pytest.mark.parametrize("who", EVERYONE)
def test_a_follow_up_after_a_return_from_leave_is_t3(world, client_for, who):
    interview = talk(world, Interview.Source.RETURN_FROM_LEAVE, by="mental_health_advisor")
    response = client_for(world.cast[who]).get(detail(interview))
    assert response.status_code == (200 if who in READS_NOTES - {"advisor"} else 404)


def test_the_queue_holds_every_source_at_its_tier(world, interview, client_for):
    # "core:interview_list"
    after_report = schedule_interview(world.in_scope, by=world.cast["advisor"], source="concern_report",
                                      due_on=timezone.localdate())  # fmt: skip
    advisor = client_for(world.cast["advisor"]).get(LIST).content.decode()
    assert f'data-id="{after_report.pk}" data-source="concern_report"' in advisor
    assert f'data-id="{interview.pk}"' not in advisor  # the screening's (T3) is not theirs to see
    mha = client_for(world.cast["mental_health_advisor"]).get(LIST).content.decode()
    assert f'data-id="{interview.pk}" data-source="screening"' in mha  # theirs
    assert f'data-id="{after_report.pk}" data-source="concern_report"' in mha  # of a student they see
    outsider = client_for(world.cast["outsider"]).get(LIST).content.decode()
    assert "张三" not in outsider


def test_only_the_assignee_records_a_talk_outside_a_case(world, client_for):
    interview = schedule_interview(world.in_scope, by=world.cast["advisor"], source="concern_report",
                                   due_on=timezone.localdate())  # fmt: skip
    record = {"conducted_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"), "method": "phone",
              "outcome": "no_concern", "notes": "电话了解"}  # fmt: skip
    head_teacher = client_for(world.cast["head_teacher"])
    assert 'data-testid="interview-form"' not in head_teacher.get(detail(interview)).content.decode()
    assert head_teacher.post(detail(interview), record).status_code == 302
    interview.refresh_from_db()
    assert interview.conducted_at is None
    assert client_for(world.cast["advisor"]).post(detail(interview), record).status_code == 302
    interview.refresh_from_db()
    assert (interview.conducted_by, interview.outcome) == (world.cast["advisor"], "no_concern")
