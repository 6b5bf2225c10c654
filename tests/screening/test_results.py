"""Results pages at the right tiers: a student's results (T3, audited), a campaign's
aggregate (completion for T2, positive rates for T3, groups under 5 suppressed), the audited,
formula-safe export."""

import io
import re

import pytest
from openpyxl import load_workbook

from tests.factories import student_with_account
from tests.screening.test_triage import gad7, make_campaign, phq9, submit
from xinyu.audit.models import AuditEntry
from xinyu.screening.models import Participation


def student_page(student) -> str:
    return f"/screening/results/students/{student.pk}/"


def campaign_page(campaign) -> str:
    return f"/screening/results/campaigns/{campaign.pk}/"


def export_page(campaign) -> str:
    return f"/screening/results/campaigns/{campaign.pk}/export/"


@pytest.fixture
def campaign(world):
    """A1 has six targeted students (five submitted: two positive on PHQ-9), A2 one (submitted), B1 none."""
    campaign = make_campaign(world)
    extra = [
        student_with_account(name=name, student_number=number, class_group=world.a1, school=world.school)
        for name, number in [('=HYPERLINK("http://x")', "2025000006"), ("孔六", "2025000007"), ("曹七", "2025000008")]
    ]
    a1 = [world.in_scope, world.cast["wellbeing_rep"].student, *extra]
    scores = [12, 3, 0, 22, 1]
    for student, total in zip(a1, scores, strict=True):
        submit(campaign, student, {"PHQ-9": phq9(total), "GAD-7": gad7(0)})
    Participation.objects.create(campaign=campaign, student=world.cast["dorm_leader"].student)
    submit(campaign, world.other_class, {"PHQ-9": phq9(15)})
    return campaign


def rows(page: str) -> dict:
    """{label: (targeted, submitted, completion, [rates])} from the campaign page."""

    found = {}
    for match in re.finditer(r'data-testid="results-row" data-kind="(\w+)" data-label="([^"]*)".*?</tr>', page, re.S):
        cells = re.findall(r'data-testid="(?:targeted|submitted|completion|rate)"[^>]*>([^<]*)<', match.group(0))
        found[match.group(2) or match.group(1)] = (*cells[:3], cells[3:])
    return found


@pytest.mark.parametrize("who", ["college_leader", "mental_health_advisor"])
def test_college_working_group_sees_rates_with_small_groups_suppressed(world, campaign, client_for, who):
    # "screening:campaign_results"
    page = client_for(world.cast[who]).get(campaign_page(campaign)).content.decode()
    assert rows(page) == {
        # 网络2501班's one PHQ-9 result would follow from the college's less 软件2501班's: both are hidden.
        "软件2501班": ("6", "5", "83%", ["0% (0/5)", "不足 5 人"]),
        "网络2501班": ("1", "1", "100%", ["不足 5 人", "不足 5 人"]),
        "信息工程学院": ("7", "6", "86%", ["0% (0/5)", "50% (3/6)"]),
    }


def test_centre_sees_every_college(world, campaign, client_for):
    submit(campaign, world.other_college, {"GAD-7": gad7(2)})
    client = client_for(world.cast["counsellor"])
    page = client.get(campaign_page(campaign)).content.decode()
    found = rows(page)
    # The page opens on one row per college, each a link to its classes.
    assert set(found) == {"信息工程学院", "机电工程学院", "all"}
    assert found["all"] == ("8", "7", "88%", ["0% (0/6)", "50% (3/6)"])
    assert found["机电工程学院"] == ("1", "1", "100%", ["不足 5 人", "不足 5 人"])
    assert re.findall(r'data-testid="classes">(\d+)<', page) == ["2", "1", "3"]
    assert f'href="?college={world.a1.college_id}" data-testid="results-college-link"' in page
    page = client.get(campaign_page(campaign), {"college": world.a1.college_id}).content.decode()
    assert set(rows(page)) == {"软件2501班", "网络2501班", "信息工程学院"}
    page = client.get(campaign_page(campaign), {"college": world.b1.college_id}).content.decode()
    assert set(rows(page)) == {"机电2501班", "机电工程学院"}


@pytest.mark.parametrize("who", ["head_teacher", "advisor"])
def test_head_teacher_and_advisor_see_their_class_completion_only(world, campaign, client_for, who):
    page = client_for(world.cast[who]).get(campaign_page(campaign)).content.decode()
    assert rows(page) == {"软件2501班": ("6", "5", "83%", [])}
    assert "PHQ-9" not in page
    assert 'data-testid="results-export"' not in page


def test_student_affairs_sees_completion_of_every_class_and_no_results(world, campaign, client_for):
    page = client_for(world.cast["student_affairs"]).get(campaign_page(campaign)).content.decode()
    assert rows(page) == {"软件2501班": ("6", "5", "83%", []), "网络2501班": ("1", "1", "100%", [])}


@pytest.mark.parametrize("who", ["outsider", "student", "leading_group_member", "dorm_leader"])
def test_campaign_results_404_out_of_scope(world, campaign, client_for, who):
    assert client_for(world.cast[who]).get(campaign_page(campaign)).status_code == 404


@pytest.mark.parametrize("who", ["mental_health_advisor", "college_leader", "counsellor", "supervisor"])
def test_student_results_for_t3(world, campaign, client_for, who):
    # "screening:student_results"
    response = client_for(world.cast[who]).get(student_page(world.in_scope))
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-instrument="PHQ-9"' in page
    assert '<td data-testid="result-total">12.0</td>' in page
    entry = AuditEntry.objects.get(what="screening.results")
    assert (entry.action, entry.tier, entry.student_id) == ("view", 3, world.in_scope.pk)


@pytest.mark.parametrize("who", ["head_teacher", "advisor", "outsider", "student", "student_affairs", "dorm_leader"])
def test_student_results_404_below_t3(world, campaign, client_for, who):
    assert client_for(world.cast[who]).get(student_page(world.in_scope)).status_code == 404
    assert not AuditEntry.objects.filter(what="screening.results").exists()


def test_export_is_audited_and_formula_safe(world, campaign, client_for):
    # "screening:campaign_results_export"
    response = client_for(world.cast["college_leader"]).get(export_page(campaign))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0][:5] == ["学号", "姓名", "学院", "班级", "量表"]
    assert len(values) == 1 + 11  # five A1 students × two instruments, one A2 student × one
    names = {row[1] for row in values[1:]}
    assert '\'=HYPERLINK("http://x")' in names
    assert all(cell.data_type == "s" for row in sheet.iter_rows() for cell in row if cell.value is not None)
    assert not any(str(value).startswith("=") for row in values for value in row if value is not None)
    entries = AuditEntry.objects.filter(what="screening.results_export", action="export", tier=3)
    assert entries.count() == 6


@pytest.mark.parametrize("who", ["head_teacher", "advisor", "outsider", "student"])
def test_export_404_without_t3(world, campaign, client_for, who):
    assert client_for(world.cast[who]).get(export_page(campaign)).status_code == 404
    assert not AuditEntry.objects.filter(what="screening.results_export").exists()
