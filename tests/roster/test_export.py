"""Exporting the student list: the viewer's scope only, safe from formula injection, audited."""

import csv
import io

import openpyxl
import pytest
from django.urls import reverse

from tests.factories import StudentFactory
from tests.roster.files import read_xlsx
from xinyu.audit.models import AuditEntry
from xinyu.roster.export import STUDENT_HEADERS, neutralise

pytestmark = pytest.mark.django_db
A1_NUMBERS = {"2025000001", "2025000004", "2025000005"}  # 张三, the dorm leader and the wellbeing rep


def export(client, **params):
    response = client.get(reverse("roster:export_students"), params)
    assert response.status_code == 200
    return response


def test_a_head_teacher_exports_exactly_their_class(world, client_for, tmp_path):
    response = export(client_for(world.cast["head_teacher"]))

    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    rows = read_xlsx(response.content, tmp_path)
    assert rows[0] == STUDENT_HEADERS
    assert {row[0] for row in rows[1:]} == A1_NUMBERS
    first = next(row for row in rows[1:] if row[0] == "2025000001")
    assert first == [
        "2025000001",
        "张三",
        "男",
        "信息工程学院",
        "软件2501班",
        "2025",
        "在读",
        "1号楼 101",
        "13800000000",
    ]


def test_the_export_holds_no_id_numbers_or_guardians(world, client_for, tmp_path):
    rows = read_xlsx(export(client_for(world.cast["student_affairs"])).content, tmp_path)

    text = repr(rows)
    assert world.in_scope.reveal_id_number() not in text and world.in_scope.id_number_masked not in text
    assert "母亲" not in text
    assert {row[0] for row in rows[1:]} == {
        "2025000001", "2025000002", "2025000003", "2025000004", "2025000005",
    }  # fmt: skip


def test_the_list_filters_apply(world, client_for, tmp_path):
    client = client_for(world.cast["student_affairs"])

    rows = read_xlsx(export(client, class_group=world.a2.pk).content, tmp_path)

    assert [row[0] for row in rows[1:]] == ["2025000002"]


def test_formula_cells_are_neutralised(world, client_for, tmp_path):
    StudentFactory(
        school=world.school,
        class_group=world.a1,
        student_number="2025000099",
        name='=HYPERLINK("http://evil.example","点我")',
        phone="+8613800000000",
    )
    client = client_for(world.cast["head_teacher"])

    path = tmp_path / "e.xlsx"
    path.write_bytes(export(client).content)
    sheet = openpyxl.load_workbook(path).worksheets[0]
    cells = {row[0].value: row for row in sheet.iter_rows(min_row=2)}
    evil = cells["2025000099"]
    assert evil[1].value == '\'=HYPERLINK("http://evil.example","点我")' and evil[1].data_type == "s"
    assert evil[8].value == "'+8613800000000"
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)

    text = export(client, format="csv").content.decode("utf-8-sig")
    evil_row = next(row for row in csv.reader(io.StringIO(text)) if row[0] == "2025000099")
    assert evil_row[1].startswith("'=") and evil_row[8] == "'+8613800000000"


@pytest.mark.parametrize(
    ("value", "safe"),
    [("=1+1", "'=1+1"), ("+86", "'+86"), ("-2", "'-2"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"),
     ("\rx", "'\rx"), ("张三", "张三"), ("a=b", "a=b"), ("", ""), (None, "")],
)  # fmt: skip
def test_neutralise(value, safe):
    assert neutralise(value) == safe


def test_csv_has_a_bom_for_excel(world, client_for):
    response = export(client_for(world.cast["advisor"]), format="csv")

    assert response["Content-Type"].startswith("text/csv")
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == STUDENT_HEADERS and {row[0] for row in rows[1:]} == A1_NUMBERS


def test_an_export_is_audited(world, client_for):
    client = client_for(world.cast["head_teacher"])
    before = AuditEntry.objects.count()

    export(client, q="张", format="csv")

    entries = list(AuditEntry.objects.order_by("id")[before:])
    assert [(e.action, e.what, e.actor_username, e.detail) for e in entries] == [
        (AuditEntry.Action.EXPORT, "student.export", "T10001", {"count": 1, "filters": {"q": "张"}, "format": "csv"})
    ]


@pytest.mark.parametrize("who", ["dorm_leader", "student", "leading_group_member", "wellbeing_rep"])
def test_no_export_for_students_and_aggregate_posts(world, client_for, who):
    before = AuditEntry.objects.count()
    assert client_for(world.cast[who]).get(reverse("roster:export_students")).status_code == 404
    assert AuditEntry.objects.count() == before
