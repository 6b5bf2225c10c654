"""Lists as .xlsx or .csv files, safe to open in Excel or WPS.

A cell that starts with = + - @ (or a tab or carriage return) would be run as a formula by the
spreadsheet program, e.g. a student named "=HYPERLINK(...)". Every such cell gets a leading apostrophe,
so it is shown as the text it is (OWASP: CSV injection).
"""

import csv
import io
from collections.abc import Iterable, Iterator

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from xinyu.roster.vocabulary import GENDER_NAMES, STATUS_NAMES

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
STUDENT_HEADERS = ["学号", "姓名", "性别", "学院", "班级", "入学年份", "学籍状态", "宿舍", "手机"]
STUDENT_WIDTHS = [14, 10, 6, 20, 18, 10, 10, 14, 14]
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"


def neutralise(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def student_rows(students) -> Iterator[list[str]]:
    """The roster tier only: no ID numbers, no guardians."""
    for student in students.iterator(chunk_size=2000):
        room = student.dorm_room
        yield [
            student.student_number,
            student.name,
            GENDER_NAMES.get(student.gender, student.gender),
            student.class_group.college.name,
            student.class_group.name,
            str(student.enrolment_year),
            STATUS_NAMES.get(student.status, student.status),
            f"{room.building} {room.room}" if room else "",
            student.phone,
        ]


def to_xlsx(title: str, headers: list[str], rows: Iterable[list], widths: list[int] | None = None) -> tuple[bytes, int]:
    """A one-sheet workbook, every cell written as text; returns the bytes and the number of rows."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title)
    for index, width in enumerate(widths or []):
        sheet.column_dimensions[get_column_letter(index + 1)].width = width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    sheet.append([_text_cell(sheet, header, bold) for header in headers])
    count = 0
    for row in rows:
        sheet.append([_text_cell(sheet, value) for value in row])
        count += 1
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue(), count


def _text_cell(sheet, value, font=None) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=neutralise(value))
    cell.data_type = "s"  # never a formula, whatever the text
    if font:
        cell.font = font
    return cell


def to_csv(headers: list[str], rows: Iterable[list]) -> tuple[bytes, int]:
    """UTF-8 with a BOM, so Excel on Chinese Windows opens it with the right characters."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([neutralise(header) for header in headers])
    count = 0
    for row in rows:
        writer.writerow([neutralise(value) for value in row])
        count += 1
    return ("\ufeff" + buffer.getvalue()).encode("utf-8"), count
