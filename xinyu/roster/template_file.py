"""The downloadable import template: the three sheets with their headers and one example row each,
and a 说明 sheet explaining every column."""

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from xinyu.roster.columns import APPOINTMENT_SHEET, EXAMPLES, STAFF_SHEET, STUDENT_SHEET, SheetKind
from xinyu.roster.vocabulary import POST_NAMES

# Columns kept as text so Excel does not eat leading zeros or turn ID numbers into 3.30802E+17.
TEXT_FIELDS = {"student_number", "id_number", "phone", "room", "guardian_phone", "username"}


def _notes() -> dict[str, str]:
    posts = "、".join(names[0] for names in POST_NAMES.values())
    return {
        "student_number": _("The student number; it is the student's sign-in name. Kept as text: leading zeros stay."),
        "name": _("The full name."),
        "gender": _("男 or 女."),
        "date_of_birth": _("A date such as 2007-03-07. Left empty, it is taken from the ID number."),
        "id_number": _("The 18-character resident ID number; the check digit is verified. Stored encrypted."),
        "enrolment_year": _("The year of enrolment, such as 2025."),
        "status": _("One of 在读, 休学, 毕业, 退学, 开除. Left empty: 在读 for a new student."),
        "college": _("The college's name as it is in the system."),
        "class_group": _("The class's name as it is in the system."),
        "major": _("The major; used when a new class is created."),
        "building": _("The dorm building, such as 1号楼. A room not yet in the system is created."),
        "room": _("The room number, such as 101."),
        "phone": _("A mobile or other phone number."),
        "guardian_name": _("A parent or guardian to contact in an emergency."),
        "guardian_relation": _("How the guardian is related to the student, such as 父亲 or 母亲."),
        "guardian_phone": _("The guardian's phone number."),
        "username": _("The staff number; it is the sign-in name. In 任职, a staff number or a student number."),
        "email": _("An e-mail address."),
        "left_on": _("The day the staff member left the school, if they have."),
        "post": _("The post, one of: %(posts)s.") % {"posts": posts},
        "scope": _(
            "What the post covers: 学校 for school posts, a department's name, a college's name, a class's "
            "name, or a dorm room as 1号楼 101."
        ),
        "starts_on": _("The first day in the post. Left empty: today."),
        "ends_on": _("The first day no longer in the post, if it is known."),
    }


def _columns(sheet: SheetKind):
    return [column for column in sheet.columns if column.field != "dorm"]


def build_template() -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    bold = Font(bold=True)
    for sheet_kind in (STUDENT_SHEET, STAFF_SHEET, APPOINTMENT_SHEET):
        sheet = workbook.create_sheet(sheet_kind.sheet_name)
        columns = _columns(sheet_kind)
        example = EXAMPLES[sheet_kind.kind]
        for index, column in enumerate(columns, start=1):
            letter = get_column_letter(index)
            sheet.column_dimensions[letter].width = max(10, len(column.header) * 2 + 4)
            header = sheet.cell(row=1, column=index, value=column.header)
            header.font = bold
            cell = sheet.cell(row=2, column=index, value=example.get(column.field, ""))
            if column.field in TEXT_FIELDS:
                sheet.column_dimensions[letter].number_format = "@"
                cell.number_format = "@"
        sheet.freeze_panes = "A2"
    notes = workbook.create_sheet("说明")
    notes.append([_("Sheet"), _("Column"), _("Required"), _("What to write")])
    for cell in notes[1]:
        cell.font = bold
    explained = _notes()
    for sheet_kind in (STUDENT_SHEET, STAFF_SHEET, APPOINTMENT_SHEET):
        for column in _columns(sheet_kind):
            notes.append(
                [
                    sheet_kind.sheet_name,
                    column.header,
                    _("yes") if column.required else "",
                    explained[column.field],
                ]
            )
    notes.append([])
    notes.append([_("All or nothing: if any row has a problem, nothing is imported and every problem is listed.")])
    notes.append([_("Importing the same file again changes nothing; a changed row updates that student.")])
    notes.append([_("An empty cell leaves what is on file unchanged.")])
    notes.append([_("Rows marked （示例） are examples: they are skipped when the file is imported.")])
    for letter, width in zip("ABCD", (10, 14, 8, 90), strict=True):
        notes.column_dimensions[letter].width = width
    for row in notes.iter_rows(min_row=2):
        row[-1].alignment = Alignment(wrap_text=True, vertical="top")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
