"""The board as Excel (formula-safe) and Word: both open, hold the rows, and are recorded in the access log."""

import io

from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from tests.compliance.conftest import YEAR, budget, spend
from xinyu.audit.models import AuditEntry
from xinyu.compliance import board as bd
from xinyu.compliance import exports
from xinyu.compliance.models import Category
from xinyu.org.models import College


def test_the_excel_export_opens_with_every_row_and_is_formula_safe(world, client_for):
    budget(world.school, YEAR, 100)
    budget(world.school, YEAR - 1, 100)
    spend(world.school, YEAR, Category.ACTIVITIES, "2500", "V-1")
    College.objects.filter(pk=world.college_a.pk).update(name="=cmd|' /C calc'!A0")
    response = client_for(world.cast["supervisor"]).get(reverse("compliance:board_xlsx") + f"?year={YEAR}")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    rows = [[cell.value for cell in row] for row in load_workbook(io.BytesIO(response.content)).active.iter_rows()]
    assert rows[0] == ["年度", "条款", "指标", "要求", "实际", "状态"]
    assert len(rows) == 1 + 2 * len(bd.board(world.school, YEAR))
    assert rows[1] == [str(YEAR), "第13条", "生均专项经费（元）", "20.00", "25.00", "达标"]
    assert [str(YEAR - 1), "第13条", "生均专项经费（元）", "20.00", "0.00", "还差 2000.00 元"] in rows
    entry = AuditEntry.objects.get(what="compliance.board", action="export")
    assert entry.detail == {"year": YEAR, "format": "xlsx"}


def test_cells_starting_like_a_formula_are_prefixed(world):
    rows = [["=SUM(A1)", "+1", "-1", "@x", "plain"]]
    content, _count = exports.export.to_xlsx("t", ["a", "b", "c", "d", "e"], rows)
    values = [cell.value for cell in list(load_workbook(io.BytesIO(content)).active.iter_rows())[1]]
    assert values == ["'=SUM(A1)", "'+1", "'-1", "'@x", "plain"]


def test_the_word_export_opens(world, client_for):
    budget(world.school, YEAR, 100)
    response = client_for(world.cast["leading_group_member"]).get(reverse("compliance:board_docx") + f"?year={YEAR}")
    assert response.status_code == 200
    document = Document(io.BytesIO(response.content))
    text = "\n".join(paragraph.text for paragraph in document.paragraphs)
    assert f"{world.school.name} {YEAR} 年度心理健康教育工作达标情况" in text
    assert "在籍学生数" in text and "100 人" in text
    table = document.tables[0]
    assert [cell.text for cell in table.rows[0].cells] == ["年度", "条款", "指标", "要求", "实际", "状态"]
    assert table.rows[1].cells[5].text == "还差 2000.00 元"
    assert AuditEntry.objects.get(what="compliance.board", action="export").detail["format"] == "docx"
