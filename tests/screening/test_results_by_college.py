"""Results and completion open on one row per college and drill down to a college's classes (only the
viewer's); a group or a count of results under 5 shows only the note, never a rate beside it; the pages'
queries do not grow with the number of classes."""

import html
import itertools
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import ClassGroupFactory, CollegeFactory, StudentFactory
from tests.screening.test_results import campaign_page, rows
from tests.screening.test_triage import gad7, make_campaign, phq9, submit
from xinyu.screening.models import Participation

NUMBERS = itertools.count(1)


def completion_page(campaign) -> str:
    return reverse("screening:completion", args=[campaign.pk])


@pytest.fixture
def campaign(world):
    campaign = make_campaign(world)
    world.campaign = campaign
    return campaign


def class_of(world, college, name, targeted, positive=0, other=0, *, positive_score=20):
    group = ClassGroupFactory(college=college, name=name)
    students = [
        StudentFactory(school=world.school, class_group=group, student_number=f"2026{next(NUMBERS):06d}")
        for _ in range(targeted)
    ]
    for index, student in enumerate(students):
        if index < positive:
            submit(world.campaign, student, {"PHQ-9": phq9(positive_score), "GAD-7": gad7(0)})
        elif index < positive + other:
            submit(world.campaign, student, {"PHQ-9": phq9(0), "GAD-7": gad7(0)})
        else:
            Participation.objects.create(campaign=world.campaign, student=student)
    return group


def test_a_rate_over_fewer_than_five_results_shows_only_the_note(world, campaign, client_for):
    # Thirty students, two answered, both positive: never "100% (2/2)".
    class_of(world, world.a1.college, "软件2502班", 30, positive=2)
    page = client_for(world.cast["mental_health_advisor"]).get(campaign_page(campaign)).content.decode()
    found = rows(page)
    assert found["软件2502班"] == ("30", "2", "7%", ["不足 5 人", "不足 5 人"])
    assert found["信息工程学院"] == ("30", "2", "7%", ["不足 5 人", "不足 5 人"])
    assert "(2/2)" not in page and "100%" not in page
    assert page.count('data-suppressed="yes"') == 4
    # Five results: the rate shows.
    # Five results: a rate could show, but beside the college's total it would give 软件2502班's away, so the
    # class with the fewest results after it is hidden too; a third class then shows.
    class_of(world, world.a1.college, "软件2503班", 10, positive=1, other=4)
    found = rows(client_for(world.cast["mental_health_advisor"]).get(campaign_page(campaign)).content.decode())
    assert found["软件2503班"] == ("10", "5", "50%", ["不足 5 人", "不足 5 人"])
    class_of(world, world.a1.college, "软件2504班", 10, positive=1, other=5)
    found = rows(client_for(world.cast["mental_health_advisor"]).get(campaign_page(campaign)).content.decode())
    assert found["软件2503班"][3] == ["不足 5 人", "不足 5 人"]
    assert found["软件2504班"] == ("10", "6", "60%", ["0% (0/6)", "17% (1/6)"])
    assert found["信息工程学院"] == ("50", "13", "26%", ["0% (0/13)", "31% (4/13)"])


def test_the_centre_opens_on_colleges_and_drills_down_to_one(world, campaign, client_for):
    class_of(world, world.a1.college, "软件2502班", 6, other=5)
    class_of(world, world.a1.college, "软件2503班", 5)
    class_of(world, world.b1.college, "机电2502班", 8, positive=5)
    client = client_for(world.cast["counsellor"])
    page = client.get(campaign_page(campaign)).content.decode()
    assert rows(page) == {
        "信息工程学院": ("11", "5", "45%", ["0% (0/5)", "0% (0/5)"]),
        "机电工程学院": ("8", "5", "62%", ["0% (0/5)", "100% (5/5)"]),
        "all": ("19", "10", "53%", ["0% (0/10)", "50% (5/10)"]),
    }
    assert re.findall(r'data-testid="classes">(\d+)<', page) == ["2", "1", "3"]
    assert "软件2502班" not in page
    page = client.get(campaign_page(campaign), {"college": world.b1.college_id}).content.decode()
    assert set(rows(page)) == {"机电2502班", "机电工程学院"}
    assert 'data-testid="results-all-colleges"' in page


def test_a_college_outside_the_viewers_scope_is_404(world, campaign, client_for):
    class_of(world, world.a1.college, "软件2502班", 6, other=5)
    class_of(world, world.b1.college, "机电2502班", 8, positive=5)
    client = client_for(world.cast["college_leader"])
    # One college seen: the page goes straight to its classes.
    page = client.get(campaign_page(campaign)).content.decode()
    assert set(rows(page)) == {"软件2502班", "信息工程学院"}
    assert 'data-testid="results-all-colleges"' not in page
    for college in (world.b1.college_id, "x", 99999):
        assert client.get(campaign_page(campaign), {"college": college}).status_code == 404
        assert client.get(completion_page(campaign), {"college": college}).status_code == 404
    page = client.get(completion_page(campaign)).content.decode()
    assert "机电" not in page


def test_completion_opens_on_colleges_without_names_and_lists_names_in_a_college(world, campaign, client_for):
    class_of(world, world.a1.college, "软件2502班", 6, other=5)
    waiting = class_of(world, world.b1.college, "机电2502班", 3)
    client = client_for(world.cast["supervisor"])
    page = client.get(completion_page(campaign)).content.decode()
    summary = re.findall(
        r'data-testid="completion-college" data-college="(\d+)">.*?data-testid="classes">(\d+)<.*?'
        r'data-testid="targeted">(\d+)<.*?data-testid="submitted">(\d+)<.*?data-testid="completion">([^<]*)<',
        page,
        flags=re.S,
    )
    assert summary == [
        (str(world.a1.college_id), "1", "6", "5", "83%"),
        (str(world.b1.college_id), "1", "3", "0", "0%"),
    ]
    names = list(waiting.students.values_list("name", flat=True))
    assert not any(name in page for name in names)
    page = client.get(completion_page(campaign), {"college": world.b1.college_id}).content.decode()
    assert all(name in page for name in names)
    assert "软件2502班" not in page


def test_queries_do_not_grow_with_classes(world, campaign, client_for):
    class_of(world, world.a1.college, "软件2502班", 5, other=5)
    client = client_for(world.cast["counsellor"])
    for url in (campaign_page(campaign), completion_page(campaign)):
        client.get(url)
        with CaptureQueriesContext(connection) as few:
            client.get(url)
        for number in range(3):
            class_of(world, CollegeFactory(school=world.school), f"新班{url[-8:]}{number}", 5, other=2)
        with CaptureQueriesContext(connection) as many:
            client.get(url)
        assert len(few) == len(many), url


def bands_of(page: str, label: str) -> list[str]:
    wanted = 'data-kind="all" data-label=""' if label == "all" else rf'data-kind="\w+" data-label="{label}"'
    row = re.search(rf'data-testid="results-row" {wanted}.*?</tr>', page, re.S).group(0)
    cells = re.findall(r'data-testid="bands">(.*?)</div>', row, re.S)
    return [html.unescape(re.sub(r"\s+", " ", cell)).strip() for cell in cells]


def test_a_colleges_row_summarises_its_bands_and_hides_small_counts(world, campaign, client_for):
    class_of(world, world.b1.college, "机电2502班", 8, positive=6)  # 6 severe
    class_of(world, world.b1.college, "机电2503班", 7, positive=7, positive_score=7)  # 7 mild
    class_of(world, world.a1.college, "软件2502班", 10, positive=6)  # 6 severe
    class_of(world, world.a1.college, "软件2503班", 5, positive=2, positive_score=7)  # 2 mild
    client = client_for(world.cast["counsellor"])
    page = client.get(campaign_page(campaign)).content.decode()
    assert bands_of(page, "机电工程学院") == ["轻度 7 · 重度 6"]
    # One small count would follow from the positive count beside it: the next smallest is hidden too.
    assert bands_of(page, "信息工程学院") == ["轻度 <5 · 重度 <5"]
    assert bands_of(page, "all") == ["轻度 9 · 重度 12"]
    # No bands for a class, nor for the head teacher's page (no results there).
    page = client.get(campaign_page(campaign), {"college": world.b1.college_id}).content.decode()
    assert bands_of(page, "机电2502班") == []
    page = client_for(world.cast["head_teacher"]).get(campaign_page(campaign)).content.decode()
    assert 'data-testid="bands"' not in page


def test_completion_of_a_campaign_nobody_of_the_viewers_takes_says_so(world, campaign, client_for):
    page = client_for(world.cast["supervisor"]).get(completion_page(campaign)).content.decode()
    assert 'data-testid="completion-none"' in page and "您负责的班级均未参加本次测评。" in page
