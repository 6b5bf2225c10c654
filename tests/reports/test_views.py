"""The monthly report pages × the cast: who reads, drafts, approves, returns; the grid and the month summary
for 学工部, the centre and the leading group; the Word file; the command."""

import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from docx import Document

from tests.reports.conftest import NOVEMBER
from xinyu.audit.models import AuditEntry
from xinyu.reports import monthly
from xinyu.reports.models import MonthlyReport

pytestmark = pytest.mark.usefixtures("now")

READERS = {"mental_health_advisor", "college_leader", "student_affairs", "supervisor", "leading_group_member"}
OVERSEERS = {"student_affairs", "supervisor", "leading_group_member"}
OTHERS = {"head_teacher", "advisor", "counsellor", "outsider", "student", "dorm_leader", "wellbeing_rep"}
NARRATIVE = {"activities": "ACTIVITIES-心理委员培训", "problems": "无", "concerns": "CONCERNS-一名学生情绪低落",
             "next_focus": "期末心理疏导"}  # fmt: skip


def page(world, college=None, month="2026-11") -> str:
    return reverse("reports:monthly", args=[(college or world.college_a).pk, month])


def sent_report(world):
    advisor = world.cast["mental_health_advisor"]
    report = monthly.start_report(world.college_a, NOVEMBER, by=advisor)
    monthly.save_narrative(report, by=advisor, **NARRATIVE)
    monthly.submit_report(report, by=advisor)
    return monthly.approve_and_send(report, by=world.cast["college_leader"])


@pytest.mark.parametrize("who", sorted(READERS | OTHERS))
def test_a_colleges_report_page_in_scope_and_out(world, client_for, who):
    # "reports:monthly"
    sent_report(world)
    response = client_for(world.cast[who]).get(page(world))
    assert response.status_code == (200 if who in READERS else 404)
    if who in READERS:
        body = response.content.decode()
        assert "ACTIVITIES-心理委员培训" in body and 'data-status="sent"' in body
        assert AuditEntry.objects.filter(what="reports.monthly", action="view", tier=0, student=None).exists()
        assert (
            'data-testid="return-form"' in body if who == "student_affairs" else 'data-testid="return-form"' not in body
        )


def test_the_other_colleges_advisor_reads_their_own_college_only(world, client_for):
    client = client_for(world.cast["outsider"])
    assert client.get(page(world, world.college_b)).status_code == 200
    assert client.get(page(world)).status_code == 404


def test_the_flow_through_the_page(world, client_for):
    advisor = client_for(world.cast["mental_health_advisor"])
    assert 'data-testid="start-report"' in advisor.get(page(world)).content.decode()
    assert advisor.post(page(world), {"action": "start"}).status_code == 302
    refused = advisor.post(page(world), {"action": "submit", **NARRATIVE, "problems": ""})
    assert refused.status_code == 400 and 'data-testid="message"' in refused.content.decode()
    assert advisor.post(page(world), {"action": "submit", **NARRATIVE}).status_code == 302
    report = MonthlyReport.objects.get()
    assert report.status == "awaiting_approval" and report.concerns == NARRATIVE["concerns"]
    # The head teacher cannot reach it; the leader in charge approves and sends it.
    assert client_for(world.cast["head_teacher"]).post(page(world), {"action": "approve"}).status_code == 404
    assert client_for(world.cast["student_affairs"]).post(page(world), {"action": "approve"}).status_code == 400
    leader = client_for(world.cast["college_leader"])
    assert 'data-testid="approve-report"' in leader.get(page(world)).content.decode()
    assert leader.post(page(world), {"action": "approve"}).status_code == 302
    report.refresh_from_db()
    assert report.status == "sent" and report.figures["college"] == "A"
    # 学工部 returns it; the office answers with a new version.
    affairs = client_for(world.cast["student_affairs"])
    assert affairs.post(page(world), {"action": "return", "note": "请补充活动情况"}).status_code == 302
    assert advisor.post(page(world), {"action": "new_version", "reason": "补充活动情况"}).status_code == 302
    assert MonthlyReport.objects.get(version=2).status == "draft"


def test_the_word_file_is_the_offices_layout(world, client_for):
    # "reports:monthly_docx"
    sent_report(world)
    url = reverse("reports:monthly_docx", args=[world.college_a.pk, "2026-11"])
    assert client_for(world.cast["head_teacher"]).get(url).status_code == 404
    response = client_for(world.cast["student_affairs"]).get(url)
    assert response.status_code == 200
    text = "\n".join(p.text for p in Document(io.BytesIO(response.content)).paragraphs)
    assert "信息工程学院" in text and "ACTIVITIES-心理委员培训" in text
    assert AuditEntry.objects.filter(what="reports.monthly", action="export").count() == 1


@pytest.mark.parametrize("who", sorted(READERS | OTHERS))
def test_the_grid_and_the_summary_are_for_those_who_oversee(world, client_for, who):
    # "reports:monthly_grid", "reports:month_summary", "reports:monthly_index"
    sent_report(world)
    client = client_for(world.cast[who])
    grid = client.get(reverse("reports:monthly_grid") + "?year=2026")
    summary = client.get(reverse("reports:month_summary", args=["2026-11"]))
    assert grid.status_code == summary.status_code == (200 if who in OVERSEERS else 404)
    index = client.get(reverse("reports:monthly_index"))
    assert index.status_code == (200 if who in READERS or who == "outsider" else 404)
    if who in OVERSEERS:
        body = grid.content.decode()
        row_a = body.split('data-college="A"')[1].split("</tr>")[0]
        assert 'data-month="2026-11"><a' in row_a and 'data-state="sent"' in row_a
        row_b = body.split('data-college="B"')[1].split("</tr>")[0]
        assert 'data-state="not_due"' in row_b  # due on the 7th; today is the 3rd
        assert 'data-state="missing"' in row_b  # October's was never sent


def test_a_year_out_of_range_shows_this_year(world, client_for):
    client = client_for(world.cast["student_affairs"])
    for year in ("99999", "-1", "1999", "abc"):
        response = client.get(reverse("reports:monthly_grid") + f"?year={year}")
        assert response.status_code == 200 and response.context["year"] == 2026


def test_the_leading_group_reads_small_counts_as_under_five(world, client_for):
    report = sent_report(world)
    figures = report.figures
    figures["concern_reports"].update(total=9, by_source={"dorm": 3, "class": 6, "self": 0, "screening": 0, "other": 0})
    MonthlyReport.objects.filter(pk=report.pk).update(figures=figures)
    url = reverse("reports:month_summary", args=["2026-11"])
    affairs = client_for(world.cast["student_affairs"]).get(url).context["summary"]
    values = {tuple(row.path): row.value for row in affairs.rows}
    assert values[("concern_reports", "by_source", "dorm")] == 3
    leading = client_for(world.cast["leading_group_member"]).get(url).context["summary"]
    values = {tuple(row.path): row.value for row in leading.rows}
    assert values[("concern_reports", "total")] == 9
    # 3 is hidden, and so is 6, which would give it away as 9 − 6.
    assert values[("concern_reports", "by_source", "dorm")] is None
    assert values[("concern_reports", "by_source", "class")] is None
    assert values[("concern_reports", "by_source", "self")] == 0


def test_the_command_prints_the_figures_and_writes_the_word_file(world, tmp_path):
    out = io.StringIO()
    call_command("monthly_report", college="A", month="2026-11", stdout=out)
    figures = json.loads(out.getvalue())
    target = tmp_path / "figures.json"
    call_command("monthly_report", college="A", month="2026-11", out=str(target))
    assert json.loads(target.read_text()) == figures
    assert figures["college"] == "A" and figures["month"] == "2026-11"
    assert set(figures["concern_reports"]["by_source"]) == {"dorm", "class", "self", "screening", "other"}
    sent_report(world)
    docx = tmp_path / "report.docx"
    call_command("monthly_report", college="A", month="2026-11", format="docx", out=str(docx))
    assert "信息工程学院" in Document(str(docx)).paragraphs[0].text
    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("monthly_report", college="A", month="11/2026")
    with pytest.raises(CommandError, match="Z"):
        call_command("monthly_report", college="Z", month="2026-11")
