"""Triage of a submitted screening: red flag → urgent report to the chain, severe → centre
evaluation, mild/moderate → interview due in N days, one task per student per campaign."""

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone

from tests.screening.conftest import in_order, spread, upi_answers
from xinyu.accounts.models import User
from xinyu.care.models import Interview
from xinyu.concerns.models import AckRecipient, ConcernReport
from xinyu.notify.models import Notification
from xinyu.policy.loader import DEFAULT_SCREENING, PolicyError, parse_screening, policy_in_force
from xinyu.screening.models import Campaign, Participation, Response, Result
from xinyu.screening.scoring import score
from xinyu.screening.services import get_instrument
from xinyu.screening.triage import SYSTEM_USERNAME, system_account, triage_submission


def phq9(total: int, item9: int = 0) -> dict:
    return in_order([*spread(total - item9, 8, 3), item9])


def gad7(total: int) -> dict:
    return in_order(spread(total, 7, 3))


def make_campaign(world, title="2026 秋季心理普查") -> Campaign:
    now = timezone.now()
    return Campaign.objects.create(
        school=world.school,
        kind=Campaign.Kind.SEMESTER,
        title=title,
        opens_at=now - dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=7),
        consent_text="同意",
        consent_version="1",
        created_by=world.cast["supervisor"],
    )


def submit(campaign, student, answers_by_code: dict) -> tuple[Participation, list[Result]]:
    """What the submission service stores: the participation, one response and one result per instrument."""
    rules = policy_in_force(timezone.localdate()).screening.scoring
    now = timezone.now()
    participation = Participation.objects.create(
        campaign=campaign, student=student, status=Participation.Status.SUBMITTED, submitted_at=now
    )
    results = []
    for code, answers in answers_by_code.items():
        instrument = get_instrument(code)
        response = Response.objects.create(
            participation=participation, instrument=instrument, answers={str(k): v for k, v in answers.items()},
            completed_at=now,
        )  # fmt: skip
        outcome = score(instrument.parsed(), answers, rules=rules).to_dict()
        results.append(
            Result.objects.create(
                response=response,
                student=student,
                campaign=campaign,
                instrument=instrument,
                total=outcome["total"],
                band=(outcome["band"] or {}).get("code", ""),
                classification=(outcome["classification"] or {}).get("code", ""),
                severity=outcome["severity"] or "",
                flags=outcome["flags"],
                detail={"subscales": outcome["subscales"]},
                rules_version=outcome["rules_version"],
                scored_at=now,
            )
        )
    return participation, results


def test_red_flag_raises_an_urgent_report_to_the_chain_in_the_same_transaction(world):
    campaign = make_campaign(world)
    with transaction.atomic():
        participation, results = submit(campaign, world.in_scope, {"PHQ-9": phq9(3, item9=1)})
        outcome = triage_submission(participation, results)
        assert ConcernReport.objects.filter(pk=outcome.report.pk).exists()
    report = outcome.report
    assert report.urgency == ConcernReport.Urgency.URGENT
    assert report.category == ConcernReport.Category.SELF_HARM
    assert report.student == world.in_scope
    assert report.reporter.username == SYSTEM_USERNAME
    # Why (the screening, the item) is T3; the description, which the whole chain reads, says what to do.
    # Both are stored, so both are in the school's language even though triage runs outside any request.
    assert report.restricted_detail == (
        "测评“2026 秋季心理普查”出现高危提示：\n"
        "患者健康问卷抑郁量表（PHQ-9）：第 9 题：有不如死掉或伤害自己的念头\n"
        "根据学生的作答自动上报，请当面与学生谈话了解情况。"
    )
    assert report.description == "该生需要紧急关注：请于今天与其当面谈心谈话，并与学院心理辅导员保持联系。"
    recipients = set(AckRecipient.objects.filter(ack__report=report).values_list("person__username", flat=True))
    assert recipients == {"T10002", "T10003", "T10005", "T10008"}  # advisor, mental-health advisor, centre
    # A total of 3 is no severity of its own: the report is the whole response; people decide the rest.
    assert outcome.interview is None
    assert Interview.objects.count() == 0


def test_red_flag_rolls_back_with_the_submission(world):
    campaign = make_campaign(world)
    with pytest.raises(RuntimeError), transaction.atomic():
        participation, results = submit(campaign, world.in_scope, {"UPI": upi_answers(yes=[25])})
        triage_submission(participation, results)
        raise RuntimeError("submission failed later")
    assert ConcernReport.objects.count() == 0
    assert Interview.objects.count() == 0


def test_upi_item25_and_scl_style_flags_each_named_once_in_one_report(world):
    campaign = make_campaign(world)
    participation, results = submit(
        campaign, world.in_scope, {"PHQ-9": phq9(21, item9=2), "UPI": upi_answers(yes=[25])}
    )
    outcome = triage_submission(participation, results)
    assert ConcernReport.objects.count() == 1
    assert "患者健康问卷抑郁量表（PHQ-9）：第 9 题：有不如死掉或伤害自己的念头" in outcome.report.restricted_detail
    assert "大学生人格问卷（UPI）：第 25 题：想轻生" in outcome.report.restricted_detail
    assert "suicidal_ideation" not in outcome.report.restricted_detail
    assert "PHQ-9" not in outcome.report.description and "UPI" not in outcome.report.description
    # Severe PHQ-9 and UPI 第一类 (severe): one centre evaluation, not one per instrument.
    assert Interview.objects.count() == 1
    assert outcome.interview.kind == Interview.Kind.CENTRE_EVALUATION


def test_severe_result_goes_to_the_centre_for_evaluation_within_the_policy_days(world):
    campaign = make_campaign(world)
    participation, results = submit(campaign, world.in_scope, {"PHQ-9": phq9(22)})
    outcome = triage_submission(participation, results)
    interview = outcome.interview
    assert outcome.report is None
    assert interview.kind == Interview.Kind.CENTRE_EVALUATION
    assert interview.assignee == world.cast["counsellor"]
    assert interview.due_on == timezone.localdate() + dt.timedelta(days=3)
    assert interview.screening.result == results[0]
    assert interview.screening.campaign == campaign
    assert interview.reason == "患者健康问卷抑郁量表（PHQ-9）：重度抑郁（严重程度：重度）"  # the band, then severity
    note = Notification.objects.get(recipient=world.cast["counsellor"])
    assert note.title == "有一项测评结果待阳光心理中心评估"
    assert note.link == f"/interviews/{interview.pk}/"
    assert "张三" not in note.title + note.body


@pytest.mark.parametrize("total,band", [(6, "轻度焦虑（严重程度：轻度）"), (12, "中度焦虑（严重程度：中度）")])
def test_mild_or_moderate_result_makes_an_interview_for_the_mental_health_advisor(world, total, band):
    campaign = make_campaign(world)
    participation, results = submit(campaign, world.in_scope, {"GAD-7": gad7(total)})
    interview = triage_submission(participation, results).interview
    assert interview.kind == Interview.Kind.INTERVIEW
    assert interview.assignee == world.cast["mental_health_advisor"]
    assert interview.due_on == timezone.localdate() + dt.timedelta(days=7)
    assert interview.reason == f"广泛性焦虑量表（GAD-7）：{band}"
    assert Notification.objects.filter(recipient=world.cast["mental_health_advisor"]).count() == 1


def test_upi_class2_makes_an_interview(world):
    campaign = make_campaign(world)
    participation, results = submit(campaign, world.in_scope, {"UPI": upi_answers(yes=[8])})
    assert results[0].classification == "class_2"
    assert triage_submission(participation, results).interview.kind == Interview.Kind.INTERVIEW


def test_a_counselling_request_is_read_by_a_person_even_without_a_class(world):
    campaign = make_campaign(world)
    participation, results = submit(campaign, world.in_scope, {"UPI": upi_answers(text="我最近睡不好")})
    Result.objects.filter(pk=results[0].pk).update(severity="none", classification="class_3")
    results = [Result.objects.select_related("instrument").get(pk=results[0].pk)]
    assert [flag["code"] for flag in results[0].flags] == ["counselling_request"]
    interview = triage_submission(participation, results).interview
    assert interview.kind == Interview.Kind.INTERVIEW
    assert interview.assignee == world.cast["mental_health_advisor"]


def test_nothing_for_a_result_without_severity_or_flag(world):
    campaign = make_campaign(world)
    participation, results = submit(campaign, world.in_scope, {"PHQ-9": phq9(2), "GAD-7": gad7(1)})
    outcome = triage_submission(participation, results)
    assert outcome.report is None
    assert outcome.interview is None
    assert Notification.objects.count() == 0


def test_one_task_per_student_per_campaign(world):
    campaign = make_campaign(world)
    participation, results = submit(campaign, world.in_scope, {"PHQ-9": phq9(12), "GAD-7": gad7(16)})
    first = triage_submission(participation, results)
    again = triage_submission(participation, results)
    assert first.interview.kind == Interview.Kind.CENTRE_EVALUATION  # the highest needed: GAD-7 severe
    assert again.interview is None
    assert Interview.objects.filter(student=world.in_scope, screening__campaign=campaign).count() == 1
    # Another campaign is another task.
    later = make_campaign(world, title="2027 春季")
    participation, results = submit(later, world.in_scope, {"PHQ-9": phq9(12)})
    assert triage_submission(participation, results).interview.kind == Interview.Kind.INTERVIEW
    assert Interview.objects.filter(student=world.in_scope).count() == 2


def test_system_account_is_created_once_and_cannot_sign_in(world):
    first = system_account()
    assert system_account() == first
    assert User.objects.filter(username=SYSTEM_USERNAME).count() == 1
    assert first.kind == User.Kind.STAFF
    assert not first.has_usable_password()


def test_screening_table_of_the_policy_in_force():
    rules = policy_in_force(dt.date(2026, 9, 1)).screening
    assert ("PHQ-9", "suicidal_ideation") in rules.red_flags
    assert ("UPI", "suicidal_ideation") in rules.red_flags
    assert ("SCL-90", "suicidal_ideation") in rules.red_flags
    assert rules.centre_evaluation_severities == {"severe", "moderately_severe"}
    assert rules.interview_severities == {"mild", "moderate"}
    assert rules.interview_within_days == 7
    assert rules.centre_evaluation_within_days == 3


def test_screening_table_defaults_when_absent():
    assert parse_screening(None) == DEFAULT_SCREENING


@pytest.mark.parametrize(
    "raw,message",
    [
        ({"colour": 1}, "screening: 未知字段“colour”"),
        ({"red_flags": [{"instrument": "PHQ-9"}]}, "screening.red_flags[0]: 缺少“flag”"),
        ({"interview_severities": ["bad"]}, "screening.interview_severities: 严重程度应为"),
        ({"interview_within_days": 0}, "screening.interview_within_days: 必须大于 0"),
        ({"interview_severities": ["severe"]}, "screening: 严重程度“severe”不能既交中心评估又安排约谈"),
        ({"scoring": {"upi_class1_min_total": -1}}, "screening.scoring.upi_class1_min_total: 应为非负整数"),
        ({"scoring": {"nope": 1}}, "screening.scoring: 未知设置“nope”"),
    ],
)
def test_screening_table_errors(raw, message):
    with pytest.raises(PolicyError) as caught:
        parse_screening(raw)
    assert str(caught.value).startswith(message)
