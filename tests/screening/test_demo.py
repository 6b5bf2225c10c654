"""The demo college's screening: a finished freshmen census with realistic results, an open semester screening."""

import hashlib
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from xinyu.care.models import Interview
from xinyu.concerns.demo import DEMO_STUDENT_KEYS
from xinyu.org.demo.accounts import ACCOUNT, DEMO_COLLEGE, current_intake, demo_class_name
from xinyu.org.models import Student
from xinyu.org.responsibility import holders_of
from xinyu.policy.loader import policy_in_force
from xinyu.screening.models import Campaign, Participation, Response, Result, Sitting
from xinyu.screening.scoring import scorer_for

STUDENTS, SEED = 600, 11


def screening_digest() -> str:
    """A stable digest of who answered what in which campaign, and which tasks came of it."""
    rows = [
        f"{p.campaign.kind}|{p.student.student_number}|{p.status}"
        for p in Participation.objects.select_related("campaign", "student").order_by("campaign__kind", "student")
    ]
    rows += sorted(
        f"{r.participation.campaign.kind}|{r.participation.student.student_number}|{r.instrument.code}|"
        f"{sorted(r.answers.items())}"
        for r in Response.objects.select_related("participation__campaign", "participation__student", "instrument")
    )
    rows += sorted(
        f"{i.screening.campaign.kind}|{i.student.student_number}|{i.kind}|{i.reason}|{i.assignee.username}"
        for i in Interview.objects.filter(source="screening").select_related(
            "screening__campaign", "student", "assignee"
        )
    )
    return hashlib.sha256("\n".join(rows).encode()).hexdigest()


def seed(seed_value):
    call_command("demo_accounts", stdout=StringIO())
    call_command("seed_demo", f"--students={STUDENTS}", f"--seed={seed_value}", stdout=StringIO())


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo seeded twice with the same seed (the first rolled back); the second stays for the module."""
    with django_db_blocker.unblock():
        with transaction.atomic():
            seed(SEED)
            first = screening_digest()
            transaction.set_rollback(True)
        with transaction.atomic():
            seed(SEED)
            yield first
            transaction.set_rollback(True)


def census():
    return Campaign.objects.get(kind=Campaign.Kind.CENSUS)


def share(part, whole):
    return part / whole


def test_the_census_is_finished_for_the_freshmen(demo, db):
    campaign = census()
    now = timezone.now()
    freshmen = Student.objects.order_by("-enrolment_year").values_list("enrolment_year", flat=True).first()
    assert campaign.enrolment_years == [freshmen]
    assert not campaign.is_open(now)
    assert 14 <= (now - campaign.closes_at).days <= 35
    assert [link.instrument.code for link in campaign.campaigninstrument_set.order_by("position")] == [
        "PHQ-9",
        "GAD-7",
        "UPI",
    ]
    participations = Participation.objects.filter(campaign=campaign)
    targeted = Student.objects.filter(enrolment_year=freshmen, status=Student.Status.ENROLLED).count()
    assert participations.count() == targeted
    statuses = {status: participations.filter(status=status).count() for status in Participation.Status.values}
    assert statuses[Participation.Status.IN_PROGRESS] == 0
    assert share(statuses[Participation.Status.SUBMITTED], targeted) >= 0.93
    assert 1 <= statuses[Participation.Status.PENDING] <= 0.08 * targeted
    assert statuses[Participation.Status.DECLINED] <= 0.03 * targeted
    submitted = participations.filter(status=Participation.Status.SUBMITTED)
    assert (
        submitted.filter(submitted_at__gte=campaign.opens_at, submitted_at__lt=campaign.closes_at).count()
        == (statuses[Participation.Status.SUBMITTED])
    )
    assert Result.objects.filter(campaign=campaign).count() == 3 * statuses[Participation.Status.SUBMITTED]
    assert Response.objects.filter(participation__campaign=campaign, completed_at__isnull=True).count() == 0


def test_the_census_results_are_distributed_as_designed(demo, db):
    campaign = census()
    results = Result.objects.filter(campaign=campaign)
    phq = list(results.filter(instrument__code="PHQ-9").values_list("total", flat=True))
    gad = list(results.filter(instrument__code="GAD-7").values_list("total", flat=True))
    upi = list(results.filter(instrument__code="UPI").values_list("classification", flat=True))
    n = len(phq)
    assert n == len(gad) == len(upi) > 100
    assert 0.04 <= share(sum(total >= 10 for total in phq), n) <= 0.18
    assert 0.005 <= share(sum(total >= 15 for total in phq), n) <= 0.08
    assert share(sum(total <= 9 for total in phq), n) >= 0.8
    assert 0.02 <= share(sum(total >= 10 for total in gad), n) <= 0.16
    assert 0.03 <= share(upi.count("class_1"), n) <= 0.14
    assert 0.06 <= share(upi.count("class_2"), n) <= 0.2
    phq_answers = Response.objects.filter(participation__campaign=campaign, instrument__code="PHQ-9")
    item9 = [answers for answers in phq_answers.values_list("answers", flat=True) if answers["9"] != "0"]
    assert share(len(item9), n) <= 0.06


def test_every_result_is_its_answers_rescored_under_the_policy(demo, db):
    rules = policy_in_force(timezone.localdate()).screening.scoring
    checked = 0
    for result in Result.objects.select_related("response", "instrument"):
        outcome = scorer_for(result.instrument.parsed(), rules).score(
            {int(number): value for number, value in result.response.answers.items()}
        )
        assert outcome.complete
        assert (result.total, result.band, result.classification, result.severity, result.flags) == (
            outcome.total,
            outcome.band.code if outcome.band else "",
            outcome.classification.code if outcome.classification else "",
            outcome.severity or "",
            outcome.to_dict()["flags"],
        )
        assert result.rules_version == outcome.rules_version
        assert result.detail == outcome.to_dict()
        assert result.student_id == result.response.participation.student_id
        checked += 1
    assert checked > 300


def test_tasks_go_to_the_students_own_mental_health_advisor_or_the_centre(demo, db):
    interviews = list(
        Interview.objects.filter(source="screening").select_related(
            "student", "screening__result", "screening__campaign"
        )
    )
    assert interviews
    kinds = {interview.kind for interview in interviews}
    assert kinds == {Interview.Kind.INTERVIEW, Interview.Kind.CENTRE_EVALUATION}
    for interview in interviews:
        role = "centre" if interview.kind == Interview.Kind.CENTRE_EVALUATION else "mental_health_advisor"
        assert interview.assignee_id == holders_of(role, interview.student)[0].pk
        assert interview.screening.result.student_id == interview.student_id
        assert interview.screening.result.campaign_id == interview.screening.campaign_id
        assert interview.conducted_at is None
    one_per_student = {(interview.screening.campaign_id, interview.student_id) for interview in interviews}
    assert len(one_per_student) == len(interviews)


def test_red_flags_go_to_the_centre_and_never_touch_the_demo_accounts(demo, db):
    campaign = census()
    phq = Result.objects.filter(campaign=campaign, instrument__code="PHQ-9").values_list(
        "student_id", "response__answers"
    )
    students = {student_id for student_id, answers in phq if answers["9"] != "0"}
    assert students
    tasks = Interview.objects.filter(screening__campaign=campaign, student_id__in=students)
    assert set(tasks.values_list("student_id", flat=True)) == students
    assert set(tasks.values_list("kind", flat=True)) == {Interview.Kind.CENTRE_EVALUATION}
    intake = current_intake(timezone.localdate())
    own = [ACCOUNT[key].username.format(intake=intake) for key in DEMO_STUDENT_KEYS]
    assert Student.objects.filter(student_number__in=own).count() == len(own)
    demo_results = Result.objects.filter(student__student_number__in=own)
    assert not [result.flags for result in demo_results if result.flags]


def test_the_semester_screening_is_open_with_a_few_classes_answering(demo, db):
    campaign = Campaign.objects.get(kind=Campaign.Kind.SEMESTER)
    now = timezone.now()
    assert campaign.is_open(now)
    assert (campaign.closes_at - campaign.opens_at).days == 14
    assert [link.instrument.code for link in campaign.campaigninstrument_set.order_by("position")] == [
        "PHQ-9",
        "GAD-7",
    ]
    enrolled = Student.objects.filter(status=Student.Status.ENROLLED).count()
    participations = Participation.objects.filter(campaign=campaign)
    assert participations.count() == enrolled
    submitted = participations.filter(status=Participation.Status.SUBMITTED)
    classes = set(submitted.values_list("student__class_group_id", flat=True))
    assert 1 <= len(classes) <= 6
    for class_group_id in classes:
        in_class = participations.filter(student__class_group_id=class_group_id)
        assert 0 < submitted.filter(student__class_group_id=class_group_id).count() < in_class.count()
    assert Result.objects.filter(campaign=campaign).count() == 2 * submitted.count()
    intake = current_intake(timezone.localdate())
    sitting = Sitting.objects.get(campaign=campaign)
    assert sitting.class_group.name == demo_class_name(intake)
    assert sitting.class_group.college.name == DEMO_COLLEGE
    assert sitting.opened_by.username == ACCOUNT["head_teacher"].username
    assert sitting.closes_at > now
    assert not submitted.filter(student__class_group=sitting.class_group).exists()


def test_the_same_seed_gives_the_same_screening(demo, db):
    assert screening_digest() == demo


def test_the_census_shows_freshmen_a_summary_and_the_semester_one_question_per_screen(demo, db):
    census = Campaign.objects.get(kind=Campaign.Kind.CENSUS)
    semester = Campaign.objects.get(kind=Campaign.Kind.SEMESTER)
    assert census.show_summary_to_student
    assert semester.one_item_per_screen
    assert semester.reminder_text
