"""Files refused as a whole, before anything in them is unpacked or parsed."""

import zipfile

import pytest
from django.test import override_settings

from tests.roster.files import STUDENT_HEADER, rows_of, student, students_xlsx, write_csv
from xinyu.roster import importer, safety
from xinyu.roster.problems import RefusedFile


def refusal(path, name=None) -> str:
    with pytest.raises(RefusedFile) as refused:
        safety.check_file(path, name or path.name)
    assert refused.value.reason
    return refused.value.code


def zip_bomb(path, *, zeros: int = 20 * 1024 * 1024):
    """A valid-looking .xlsx whose one sheet unpacks to `zeros` bytes from a few kilobytes."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            chunk = b"0" * (1024 * 1024)
            for _ in range(zeros // len(chunk)):
                sheet.write(chunk)
    return path


def test_a_real_workbook_and_csv_are_accepted(tmp_path):
    workbook = safety.check_file(students_xlsx(tmp_path / "r.xlsx", [student("1", "陈一", 1)]), "r.xlsx")
    assert (workbook.kind, workbook.rows, workbook.for_background) == ("xlsx", 2, False)
    rows = [STUDENT_HEADER, *rows_of([student("1", "陈一", 1)], STUDENT_HEADER)]
    assert safety.check_file(write_csv(tmp_path / "r.csv", rows), "r.csv").kind == "csv"
    assert safety.check_file(write_csv(tmp_path / "g.csv", rows, encoding="gbk"), "g.csv").kind == "csv"


def test_a_text_file_named_xlsx_is_refused(tmp_path):
    path = tmp_path / "roster.xlsx"
    path.write_text("学号,姓名\n2025000001,张三\n")
    assert refusal(path) == "not_xlsx"


def test_an_old_xls_or_password_protected_file_named_xlsx_is_refused(tmp_path):
    path = tmp_path / "roster.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512)
    assert refusal(path) == "not_xlsx"


def test_a_zip_that_is_not_a_workbook_is_refused(tmp_path):
    path = tmp_path / "roster.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("word/document.xml", "<document/>")
    assert refusal(path) == "not_xlsx"


def test_a_zip_bomb_is_refused_from_its_directory(tmp_path):
    path = zip_bomb(tmp_path / "roster.xlsx")
    assert path.stat().st_size < 100_000
    assert refusal(path) == "zip_bomb"


@override_settings(ROSTER_MAX_UNPACKED_BYTES=1024 * 1024)
def test_a_workbook_that_unpacks_too_large_is_refused(tmp_path):
    path = zip_bomb(tmp_path / "roster.xlsx", zeros=2 * 1024 * 1024)
    assert refusal(path) == "too_large_unpacked"


@override_settings(ROSTER_MAX_UPLOAD_BYTES=1000)
def test_a_file_too_large_is_refused(tmp_path):
    path = students_xlsx(tmp_path / "r.xlsx", [student("1", "陈一", 1)])
    assert refusal(path) == "too_large"


def test_a_csv_with_nul_bytes_is_refused(tmp_path):
    path = tmp_path / "roster.csv"
    path.write_bytes("学号,姓名\n".encode("utf-16"))  # "Unicode text" from Excel: NUL in every other byte
    assert refusal(path) == "nul_bytes"


def test_a_csv_in_an_unknown_encoding_is_refused(tmp_path):
    path = tmp_path / "roster.csv"
    path.write_bytes(b"\xe5\xad\xa6\xe5\x8f,\xff\xfe\x81")
    assert refusal(path) == "encoding"


@pytest.mark.parametrize(
    ("name", "code"), [("roster.xls", "old_format"), ("roster.txt", "wrong_type"), ("roster", "wrong_type")]
)
def test_other_kinds_of_file_are_refused_by_name(tmp_path, name, code):
    path = tmp_path / name
    path.write_bytes(b"PK\x03\x04")
    assert refusal(path) == code


def test_a_workbook_damaged_inside_is_refused_when_read(tmp_path):

    good = students_xlsx(tmp_path / "good.xlsx", [student("2025100001", "陈一", 1)])
    damaged = tmp_path / "damaged.xlsx"
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(damaged, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                data = data[: len(data) // 2]  # the sheet's XML cut short
            target.writestr(item, data)
    assert safety.check_file(damaged, damaged.name).kind == "xlsx"  # the archive itself is fine

    with pytest.raises(RefusedFile) as refused:
        importer.read_roster(damaged, damaged.name)
    assert refused.value.code == "not_xlsx"
