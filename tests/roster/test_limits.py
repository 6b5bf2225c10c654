"""Limits checked before parsing, parsing once per request, and cells nobody would mean: each refused with
a message naming where, never a traceback."""

import io
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.urls import reverse

from tests.roster.conftest import table_counts
from tests.roster.files import STUDENT_HEADER, rows_of, student, students_xlsx, three_students, write_csv
from xinyu.org.models import Student
from xinyu.roster import importer, jobs, parsing, safety
from xinyu.roster.models import ImportJob
from xinyu.roster.problems import RefusedFile

pytestmark = pytest.mark.django_db


def refused(path) -> RefusedFile:
    with pytest.raises(RefusedFile) as caught:
        safety.check_file(path, path.name)
    return caught.value


def with_member(source, target, name: str, data: bytes):
    """A copy of a workbook with one member added or replaced."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for item in old.infolist():
            if item.filename != name:
                new.writestr(item, old.read(item.filename))
        new.writestr(name, data)
    return target


@override_settings(ROSTER_MAX_SHARED_STRINGS_BYTES=64 * 1024)
def test_a_shared_string_table_too_large_is_refused_before_parsing(tmp_path):
    good = students_xlsx(tmp_path / "good.xlsx", three_students())
    strings = b"<sst>" + b"<si><t>" + "名".encode() * 40_000 + b"</t></si></sst>"
    path = with_member(good, tmp_path / "text.xlsx", "xl/sharedStrings.xml", strings)

    error = refused(path)

    assert error.code == "too_much_text" and "MB" in error.reason


@override_settings(ROSTER_MAX_ROWS=30)
def test_too_many_rows_are_refused_before_parsing_in_both_kinds(tmp_path):
    rows = [student(f"20251{i:05d}", "陈一", i) for i in range(60)]
    assert refused(students_xlsx(tmp_path / "r.xlsx", rows)).code == "too_many_rows"
    csv_path = write_csv(tmp_path / "r.csv", [STUDENT_HEADER, *rows_of(rows, STUDENT_HEADER)])
    assert refused(csv_path).code == "too_many_rows"
    assert "30" in refused(csv_path).reason


def test_cells_right_of_the_last_header_are_never_read(world, tmp_path):
    path = students_xlsx(tmp_path / "r.xlsx", three_students())
    workbook = openpyxl.load_workbook(path)
    for row in range(1, 5):
        workbook["学生"].cell(row=row, column=16384, value="stray")  # column XFD
    workbook.save(path)

    parsed = parsing.parse_file(path, path.name)

    assert [len(values) for _number, values in parsed.sheets[0].rows] == [len(STUDENT_HEADER)] * 3
    assert importer.import_file(path, path.name).problems == []


@pytest.mark.parametrize(
    ("column", "formula"),
    [("姓名", '=HYPERLINK("http://example.com","y")'), ("出生日期", "=DATE(2007,3,7)"), ("学号", "=A1")],
)
def test_a_formula_cell_is_refused_naming_the_cell(world, tmp_path, column, formula):
    path = students_xlsx(tmp_path / "r.xlsx", [student("2025100001", "陈一", 101, **{column: formula})])
    before = table_counts()

    plan = importer.import_file(path, path.name)

    assert [(p.row, p.column, p.value, p.code) for p in plan.problems] == [(2, column, formula, "formula")]
    assert "Paste Special" in plan.problems[0].reason
    assert table_counts() == before


@pytest.mark.parametrize(
    ("column", "value", "code"),
    [
        ("姓名", "陈\u202e一", "unwanted_character"),  # right-to-left override
        ("姓名", "陈\u2066一", "unwanted_character"),  # left-to-right isolate
        ("学号", "2025100001\u202d", "unwanted_character"),
        ("手机", "13800000101\u2069", "unwanted_character"),  # a pop directional isolate
        ("姓名", "陈" * 1001, "too_long"),
    ],
)
def test_invisible_controls_and_huge_cells_are_refused_naming_the_cell(world, tmp_path, column, value, code):
    path = students_xlsx(tmp_path / "r.xlsx", [student("2025100001", "陈一", 101, **{column: value})])

    plan = importer.import_file(path, path.name)

    assert [(p.row, p.column, p.code) for p in plan.problems] == [(2, column, code)]
    if code == "unwanted_character":
        assert "<U+" in plan.problems[0].value and "\u202e" not in plan.problems[0].value


def test_zero_width_characters_are_removed(world, tmp_path):
    path = students_xlsx(tmp_path / "r.xlsx", [student("2025100001", "陈\u200b一\ufeff", 101, 学号="2025100001\u200d")])

    assert importer.import_file(path, path.name).problems == []
    assert Student.objects.get(student_number="2025100001").name == "陈一"


def huge_cell_csv(tmp_path):
    rows = [STUDENT_HEADER, *rows_of([student("2025100001", "陈一", 101)], STUDENT_HEADER)]
    rows[1][1] = "陈" * 140_000  # past the csv module's 131,072 characters
    return write_csv(tmp_path / "huge.csv", rows)


def test_a_csv_cell_too_long_for_the_csv_reader_names_the_line_on_the_command_line(world, tmp_path):
    err = io.StringIO()
    with pytest.raises(CommandError) as failed:
        call_command("import_roster", str(huge_cell_csv(tmp_path)), "--dry-run", stdout=io.StringIO(), stderr=err)

    assert "huge.csv" in str(failed.value) and "第 2 行" in str(failed.value) and "131,072" in str(failed.value)


def test_a_csv_cell_too_long_for_the_csv_reader_names_the_line_on_the_web(world, client_for, tmp_path):
    client = client_for(world.cast["student_affairs"])
    with huge_cell_csv(tmp_path).open("rb") as handle:
        client.post(reverse("roster:import"), {"file": handle})

    job = ImportJob.objects.get()
    assert (job.status, [p["code"] for p in job.problems], job.stored_path) == ("failed", ["bad_csv"], "")
    assert "第 2 行" in job.problems[0]["reason"]


def test_a_csv_with_a_long_cell_under_the_reader_limit_is_a_cell_problem(world, tmp_path):
    rows = [STUDENT_HEADER, *rows_of([student("2025100001", "陈" * 5000, 101, 监护人姓名="陈父")], STUDENT_HEADER)]
    path = write_csv(tmp_path / "long.csv", rows)

    plan = importer.import_file(path, path.name)

    assert [(p.row, p.column, p.code) for p in plan.problems] == [(2, "姓名", "too_long")]


@override_settings(ROSTER_WEB_MAX_PARSE_BYTES=1000)
def test_a_file_costly_to_parse_goes_to_the_background_whatever_its_rows(world, tmp_path):
    path = students_xlsx(tmp_path / "r.xlsx", three_students())

    job = jobs.start(
        world.cast["student_affairs"], SimpleUploadedFile("r.xlsx", path.read_bytes()), create_missing=False
    )

    assert job.in_background and job.total_rows == 3 and job.status == "succeeded"


def test_a_request_parses_the_file_once(world, client_for, tmp_path, monkeypatch):
    opened = []
    real = openpyxl.load_workbook
    monkeypatch.setattr(parsing.openpyxl, "load_workbook", lambda *a, **k: opened.append(a) or real(*a, **k))
    client = client_for(world.cast["student_affairs"])
    with students_xlsx(tmp_path / "r.xlsx", three_students()).open("rb") as handle:
        client.post(reverse("roster:import"), {"file": handle})
    assert len(opened) == 1

    client.post(reverse("roster:confirm", args=[ImportJob.objects.get().pk]))

    assert len(opened) == 2 and ImportJob.objects.get().imported


def test_a_control_character_in_a_csv_cell_is_refused(world, tmp_path):
    rows = [STUDENT_HEADER, *rows_of([student("2025100001", "陈\x07一", 101, 监护人姓名="陈父")], STUDENT_HEADER)]

    plan = importer.import_file(write_csv(tmp_path / "r.csv", rows), "r.csv")

    assert [(p.row, p.column, p.value, p.code) for p in plan.problems] == [
        (2, "姓名", "陈<U+0007>一", "unwanted_character")
    ]
