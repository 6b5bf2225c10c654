"""The downloadable template, and how sheets and CSV files are recognised."""

import openpyxl
import pytest
from django.urls import reverse

from tests.roster.files import STAFF_HEADER, STUDENT_HEADER, rows_of, student, write_csv, write_xlsx
from xinyu.accounts.models import User
from xinyu.org.models import Student
from xinyu.roster import importer
from xinyu.roster.parsing import parse_file

pytestmark = pytest.mark.django_db


def download_template(client, tmp_path):
    response = client.get(reverse("roster:template"))
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    path = tmp_path / "template.xlsx"
    path.write_bytes(response.content)
    return path


def test_the_template_has_three_sheets_with_headers_an_example_and_notes(world, client_for, tmp_path):
    workbook = openpyxl.load_workbook(download_template(client_for(world.cast["student_affairs"]), tmp_path))

    assert workbook.sheetnames == ["学生", "教职工", "任职", "说明"]
    headers = {name: [c.value for c in workbook[name][1]] for name in ["学生", "教职工", "任职"]}
    assert headers == {
        "学生": STUDENT_HEADER,
        "教职工": STAFF_HEADER,
        "任职": ["工号或学号", "岗位", "范围", "开始日期", "结束日期"],
    }
    for name in ["学生", "教职工", "任职"]:
        assert workbook[name].max_row == 2  # one example row
    assert workbook["学生"]["A2"].number_format == "@"  # 学号 kept as text
    explained = {(row[0], row[1]) for row in workbook["说明"].iter_rows(min_row=2, values_only=True) if row[1]}
    assert {(sheet, column) for sheet, columns in headers.items() for column in columns} <= explained


def test_the_unchanged_template_imports_nothing(world, client_for, tmp_path):
    path = download_template(client_for(world.cast["student_affairs"]), tmp_path)

    plan = importer.import_file(path, path.name)

    assert plan.problems == []
    assert plan.counts["students"] == {"new": 0, "changed": 0, "unchanged": 0}
    assert plan.counts["staff"]["new"] == 0 and plan.counts["appointments"]["new"] == 0


def test_a_filled_in_template_imports(world, client_for, tmp_path):
    path = download_template(client_for(world.cast["student_affairs"]), tmp_path)
    workbook = openpyxl.load_workbook(path)
    workbook["学生"].append(rows_of([student("2025100001", "陈一", 101)], STUDENT_HEADER)[0])
    workbook["教职工"].append(["T20009", "王老师", "", "", ""])
    workbook["任职"].append(["T20009", "班主任", "软件2501班", "2025-09-01", ""])
    workbook.save(path)

    plan = importer.import_file(path, path.name, actor=world.cast["student_affairs"])

    assert plan.problems == []
    assert (plan.counts["students"]["new"], plan.counts["staff"]["new"], plan.counts["appointments"]["new"]) == (
        1,
        1,
        1,
    )
    assert Student.objects.filter(student_number="2025100001").exists()


def test_a_csv_is_recognised_by_its_header(world, tmp_path):
    path = write_csv(tmp_path / "staff.csv", [STAFF_HEADER, ["T20009", "王老师", "13700000009", "", ""]])

    parsed = parse_file(path, path.name)
    plan = importer.import_file(path, path.name)

    assert [(sheet.kind, sheet.title) for sheet in parsed.sheets] == [("staff", "staff.csv")]
    assert plan.problems == [] and User.objects.get(username="T20009").phone == "13700000009"


def test_sheets_with_other_names_are_recognised_or_ignored(world, tmp_path):
    rows = rows_of([student("2025100001", "陈一", 101)], STUDENT_HEADER)
    path = write_xlsx(
        tmp_path / "r.xlsx",
        {
            "封面": [["2025级新生名单"], ["制表人：张老师"]],
            "Sheet1": [STUDENT_HEADER, *rows],
            "说明": [["学号", "姓名"]],
        },
    )

    parsed = parse_file(path, path.name)

    assert [(sheet.kind, sheet.title, len(sheet.rows)) for sheet in parsed.sheets] == [("students", "Sheet1", 1)]
    assert parsed.problems == []


def test_a_file_with_no_roster_is_a_problem(world, tmp_path):
    path = write_xlsx(tmp_path / "r.xlsx", {"Sheet1": [["名称", "数量"], ["苹果", 3]]})

    plan = importer.import_file(path, path.name)

    assert [(p.row, p.code) for p in plan.problems] == [(None, "no_sheet")]


def test_columns_that_are_not_ours_are_listed_in_the_preview(world, tmp_path):
    header = [*STUDENT_HEADER, "民族", "政治面貌"]
    rows = [[*rows_of([student("2025100001", "陈一", 101)], STUDENT_HEADER)[0], "汉族", "共青团员"]]
    path = write_xlsx(tmp_path / "r.xlsx", {"学生": [header, *rows]})

    plan = importer.import_file(path, path.name, dry_run=True)

    assert plan.counts["ignored_columns"] == {"学生": ["民族", "政治面貌"]}
