"""Creating a campaign and materialising who it asks."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories import ClassGroupFactory, StudentFactory
from tests.policy.centre_policy import other_centre  # noqa: F401 - a fixture
from xinyu.org.models import Student
from xinyu.screening.campaigns import (
    campaign_instruments,
    create_campaign,
    help_lines,
    materialise_participations,
)
from xinyu.screening.models import Campaign, Participation
from xinyu.screening.services import get_instrument, load_shipped_instruments


def make_campaign(world, *, codes=("PHQ-9",), **overrides) -> Campaign:
    """An open campaign of the world's school, by the centre's counsellor (imported by the other tests)."""
    load_shipped_instruments()  # a transactional (browser) test's flush empties the migration's rows
    now = timezone.now()
    arguments = {
        "school": world.school,
        "kind": Campaign.Kind.SEMESTER,
        "title": "2025秋季心理普查",
        "instruments": [get_instrument(code) for code in codes],
        "opens_at": now - dt.timedelta(hours=1),
        "closes_at": now + dt.timedelta(days=7),
        "consent_text": "我已了解本次测评的目的与保密规则。",
        "consent_version": "v1",
        "by": world.cast["counsellor"],
    }
    arguments.update(overrides)
    return create_campaign(**arguments)


def participant_ids(campaign) -> set:
    return set(Participation.objects.filter(campaign=campaign).values_list("student_id", flat=True))


def test_whole_school_campaign_asks_every_enrolled_student(world):
    campaign = make_campaign(world)
    students = set(Student.objects.filter(school=world.school).values_list("pk", flat=True))
    assert participant_ids(campaign) == students
    assert len(students) == 5
    assert set(Participation.objects.filter(campaign=campaign).values_list("status", flat=True)) == {"pending"}


def test_instruments_kept_in_the_order_given(world):
    campaign = make_campaign(world, codes=("GAD-7", "PHQ-9"))
    assert [instrument.code for instrument in campaign_instruments(campaign)] == ["GAD-7", "PHQ-9"]


def test_target_by_college_class_year_and_status(world):
    world.other_class.status = Student.Status.ON_LEAVE
    world.other_class.save()
    by_college = make_campaign(world, colleges=[world.college_b])
    assert participant_ids(by_college) == {world.other_college.pk}
    by_class = make_campaign(world, class_groups=[world.a2], student_statuses=[Student.Status.ON_LEAVE])
    assert participant_ids(by_class) == {world.other_class.pk}
    enrolled_only = make_campaign(world, colleges=[world.college_a])
    assert world.other_class.pk not in participant_ids(enrolled_only)
    assert world.in_scope.pk in participant_ids(enrolled_only)
    none_of_2024 = make_campaign(world, enrolment_years=[2024])
    assert participant_ids(none_of_2024) == set()


def test_the_help_is_the_policy_centres_after_the_campaigns_own_lines(world):
    campaign = make_campaign(world)
    assert campaign.resources_text == ""  # no copy: the centre's help is read from the policy when shown
    lines = help_lines(campaign)
    assert lines[0].startswith("阳光心理中心：电话 ") and "接待室" in lines[0]
    text = "\n".join(lines)
    assert "12356" in text and "400-161-9995" in text
    assert "110" in text and "120" in text
    own = make_campaign(world, resources_text="本校中心电话 0570-1234567")
    assert own.resources_text == "本校中心电话 0570-1234567"
    assert help_lines(own)[0] == "本校中心电话 0570-1234567"
    assert help_lines(own)[1:] == lines


@pytest.mark.usefixtures("other_centre")
def test_the_help_changes_with_the_policy_file(world):
    lines = help_lines(make_campaign(world))
    assert lines[0] == "阳光心理中心：电话 0570-7654321（测试时段），测试楼九层测试接待室（周三 9:00—10:00）"
    assert "测试值班电话：0570-7777777" in lines
    assert "测试热线：400-000-1234（夜间）" in lines
    assert not any("12356" in line for line in lines)


def test_refusals(world):
    with pytest.raises(ValidationError, match="at least one instrument"):
        make_campaign(world, codes=())
    with pytest.raises(ValidationError, match="listed twice"):
        make_campaign(world, codes=("PHQ-9", "PHQ-9"))
    with pytest.raises(ValidationError, match="not loaded"):
        make_campaign(world, codes=("SCL-90",))
    now = timezone.now()
    with pytest.raises(ValidationError, match="close after it opens"):
        make_campaign(world, opens_at=now, closes_at=now)
    with pytest.raises(ValidationError, match="consent text"):
        make_campaign(world, consent_version=" ")
    with pytest.raises(ValidationError, match="Unknown student status: expelled"):
        make_campaign(world, student_statuses=["expelled"])
    assert Campaign.objects.count() == 0


def test_materialising_again_adds_only_newcomers(world):
    campaign = make_campaign(world, class_groups=[world.a1])
    late = StudentFactory(school=world.school, class_group=world.a1)
    assert materialise_participations(campaign) == 1
    assert materialise_participations(campaign) == 0
    assert late.pk in participant_ids(campaign)


def test_fifteen_thousand_students_in_a_few_queries(world):
    group = ClassGroupFactory(college=world.college_a)
    Student.objects.bulk_create(
        Student(
            school=world.school,
            student_number=f"2026{n:06d}",
            name=f"新生{n}",
            gender=Student.Gender.FEMALE,
            enrolment_year=2026,
            class_group=group,
        )
        for n in range(15_000)
    )
    with CaptureQueriesContext(connection) as queries:
        campaign = make_campaign(world, kind=Campaign.Kind.CENSUS, enrolment_years=[2026])
    assert Participation.objects.filter(campaign=campaign).count() == 15_000
    assert len(queries) < 40


# --- The centre's pages ---

NOT_CENTRE = [
    "head_teacher",
    "advisor",
    "mental_health_advisor",
    "college_leader",
    "leading_group_member",
    "outsider",
    "student_affairs",
    "student",
    "dorm_leader",
]


@pytest.mark.parametrize("who", ["counsellor", "supervisor"])
def test_centre_lists_and_creates_campaigns(world, client_for, who):
    client = client_for(world.cast[who])
    existing = make_campaign(world)
    assert existing.title in client.get(reverse("screening:campaign_list")).content.decode()
    assert client.get(reverse("screening:campaign_new")).status_code == 200
    phq = get_instrument("PHQ-9")
    created = client.post(
        reverse("screening:campaign_new"),
        {
            "kind": "special",
            "title": "信息学院专项筛查",
            "instruments": [phq.pk],
            "opens_at": "2026-01-01T08:00",
            "closes_at": "2026-01-08T08:00",
            "enrolment_years": "2025",
            "colleges": [world.college_a.pk],
            "student_statuses": ["enrolled"],
            "consent_text": "同意",
            "consent_version": "v2",
        },
    )
    campaign = Campaign.objects.get(title="信息学院专项筛查")
    assert created.url == reverse("screening:completion", args=[campaign.pk])
    assert participant_ids(campaign) == set(
        Student.objects.filter(class_group__college=world.college_a).values_list("pk", flat=True)
    )
    assert campaign.created_by == world.cast[who]


def test_campaign_form_shows_service_refusals(world, client_for):
    client = client_for(world.cast["counsellor"])
    page = client.post(
        reverse("screening:campaign_new"),
        {
            "kind": "special",
            "title": "x",
            "instruments": [get_instrument("PHQ-9").pk],
            "opens_at": "2026-01-08T08:00",
            "closes_at": "2026-01-01T08:00",
            "consent_text": "同意",
            "consent_version": "v2",
        },
    )
    assert page.status_code == 200
    assert 'data-testid="form-errors"' in page.content.decode()
    assert not Campaign.objects.exists()


# Staff responsible for students list the campaigns (to reach completion and results); only the centre creates.
LISTS_CAMPAIGNS = {"head_teacher", "advisor", "mental_health_advisor", "college_leader", "outsider", "student_affairs"}


@pytest.mark.parametrize("who", NOT_CENTRE)
def test_others_get_404_on_campaign_pages(world, client_for, who):
    client = client_for(world.cast[who])
    listing = client.get(reverse("screening:campaign_list"))
    assert listing.status_code == (200 if who in LISTS_CAMPAIGNS else 404)
    if listing.status_code == 200:
        assert 'data-testid="campaign-new"' not in listing.content.decode()
    assert client.get(reverse("screening:campaign_new")).status_code == 404
    assert client.post(reverse("screening:campaign_new"), {"title": "x"}).status_code == 404
