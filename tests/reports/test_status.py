"""The year's status report: participation, results by band (school-wide, by college, grade, gender) with
small cells hidden, red flags, crises by month, the registry's size; its page with charts for the leading
group, 学工部 and the centre's supervisor; its Word file with the charts as images; the command."""

import io
import itertools

import pytest
from django.core.management import call_command
from django.urls import reverse
from docx import Document

from tests.factories import StudentFactory
from tests.screening.test_triage import gad7, make_campaign, phq9, submit
from xinyu.reports.status import status_report
from xinyu.reports.word import status_to_docx

NUMBERS = itertools.count(1)
READERS = {"student_affairs", "supervisor", "leading_group_member"}
OTHERS = {"mental_health_advisor", "college_leader", "counsellor", "head_teacher", "student"}


@pytest.fixture
def screened(world):
    """A semester round of 2026: fifteen students of college A answered PHQ-9 (six minimal, seven moderate,
    two severe), and three of college B (minimal)."""
    campaign = make_campaign(world)
    for college_group, count, total in ((world.a1, 6, 2), (world.a1, 7, 12), (world.a1, 2, 22), (world.b1, 3, 2)):
        for _n in range(count):
            student = StudentFactory(school=world.school, class_group=college_group,
                                     student_number=f"S{next(NUMBERS):06d}")  # fmt: skip
            submit(campaign, student, {"PHQ-9": phq9(total), "GAD-7": gad7(1)})
    return campaign


@pytest.mark.django_db
def test_bands_by_college_with_small_cells_hidden(world, screened):
    report = status_report(world.school, 2026)
    assert report.participation == [(screened.title, 18, 18)]
    by_college = next(
        table
        for table in report.tables
        if "PHQ-9" in table.title and ("college" in table.title or "学院" in table.title)
    )
    rows = dict(by_college.rows)
    # College A's 2 severe and college B's 3 minimal are hidden; so is A's 6 minimal, which with the row's
    # other counts would give the 2 away. A's 7 moderate shows.
    assert sorted(rows["信息工程学院"], key=lambda v: v or 0) == [None, None, 7]
    assert rows["机电工程学院"].count(None) == 1 and 3 not in rows["机电工程学院"]
    chart = next(chart for chart in report.charts if chart.key == "bands-PHQ-9")
    assert sorted(chart.series[0][1], key=lambda v: v or 0) == [None, None, 9]  # 2 severe hidden, and the 7
    keys = {chart.key for chart in report.charts}
    assert {"crisis-by-month", "registry-by-month"} <= keys


@pytest.mark.django_db
@pytest.mark.parametrize("who", sorted(READERS | OTHERS))
def test_the_status_page_and_word_file_in_scope_and_out(world, screened, client_for, who):
    # "reports:status", "reports:status_docx"
    client = client_for(world.cast[who])
    page = client.get(reverse("reports:status", args=[2026]))
    assert page.status_code == (200 if who in READERS else 404)
    if who == "student_affairs":
        body = page.content.decode()
        assert 'data-testid="chart" data-key="bands-PHQ-9"' in body and 'id="chart-bands-PHQ-9"' in body
        assert "echarts.min.js" in body
        docx = client.get(reverse("reports:status_docx", args=[2026]))
        document = Document(io.BytesIO(docx.content))
        assert docx.status_code == 200 and len(document.inline_shapes) == len(status_report(world.school, 2026).charts)
    elif who not in READERS:
        assert client.get(reverse("reports:status_docx", args=[2026])).status_code == 404


@pytest.mark.django_db
def test_the_command_writes_the_word_file(world, screened, tmp_path):
    out = tmp_path / "status.docx"
    call_command("status_report", year=2026, out=str(out), stdout=io.StringIO())
    assert "2026" in Document(str(out)).paragraphs[0].text
    assert status_to_docx(status_report(world.school, 2025))  # a year without rounds still makes a file
