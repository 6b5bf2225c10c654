"""Checking every row of a parsed roster on its own and against the other rows; no database.

Each row becomes a record of clean values, or problems. The database is consulted later, by the
importer's plan, for what needs it (known classes, existing students, ID numbers already on file).
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from xinyu.common import crypto
from xinyu.org.id_numbers import birth_date_from_id_number, mask_id_number, normalise_id_number
from xinyu.roster import cells, vocabulary
from xinyu.roster.columns import APPOINTMENTS, STAFF, STUDENTS
from xinyu.roster.parsing import Formula, ParsedFile, ParsedSheet
from xinyu.roster.problems import CellError, Problem

PROGRESS_EVERY = 2000


@dataclass
class Record:
    sheet: ParsedSheet
    row: int

    def label(self, name: str) -> str:
        return self.sheet.label(name)


@dataclass
class StudentRecord(Record):
    student_number: str = ""
    name: str = ""
    gender: str = ""
    date_of_birth: dt.date | None = None
    id_number: str = ""
    id_digest: str = ""
    enrolment_year: int = 0
    status: str | None = None
    college: str = ""
    class_group: str = ""
    major: str = ""
    building: str = ""
    room: str = ""
    phone: str = ""
    guardian: tuple[str, str, str] | None = None  # name, relation, phone


@dataclass
class StaffRecord(Record):
    username: str = ""
    name: str = ""
    phone: str = ""
    email: str = ""
    left_on: dt.date | None = None


@dataclass
class AppointmentRecord(Record):
    username: str = ""
    post: str = ""
    scope: str = ""
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None


@dataclass
class Checked:
    """A file's rows, checked on their own: the valid records and every problem."""

    students: list[StudentRecord] = field(default_factory=list)
    # Rows with problems, kept so their college and class can still be checked: one report, all problems.
    rejected_students: list[StudentRecord] = field(default_factory=list)
    staff: list[StaffRecord] = field(default_factory=list)
    appointments: list[AppointmentRecord] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    total_rows: int = 0
    ignored_columns: dict[str, list[str]] = field(default_factory=dict)


class _Row:
    """One row being read: cleaned values, with every problem noted.

    A cell nobody would mean (a formula, an invisible control character, thousands of characters) is
    reported once and then read as absent, so that it is not reported again as empty or invalid.
    """

    def __init__(self, sheet: ParsedSheet, number: int, values: tuple, problems: list[Problem]):
        self.sheet, self.number, self.values, self.problems = sheet, number, values, problems
        self.ok = True
        self.refused: set[str] = set()
        for name, index in sheet.header.fields.items():
            if index < len(values) and (reason := _unwanted(values[index])):
                self.problem(name, values[index], *reason)
                self.refused.add(name)

    def raw(self, name: str):
        index = self.sheet.header.fields.get(name)
        if index is None or index >= len(self.values) or name in self.refused:
            return None
        return self.values[index]

    def get(self, name: str, clean: Callable, *, required: bool = False):
        raw = self.raw(name)
        if cells.is_blank(raw):
            if required and name not in self.refused:
                self.problem(name, raw, "required", _("This cell must not be empty."))
            return None
        try:
            return clean(raw)
        except CellError as error:
            self.problem(name, raw, error.code, error.reason)
            return None

    def problem(self, name: str, raw, code: str, reason: str) -> None:
        self.ok = False
        value = cells.shown(raw)
        if name == "id_number":
            value = mask_id_number(value)  # reports are stored and shown: never an ID number in clear
        self.problems.append(Problem(self.sheet.title, self.number, self.sheet.label(name), value, code, reason))


def _unwanted(value) -> tuple[str, str] | None:
    """(code, reason) for a cell that must be refused whatever its column, or None."""
    if isinstance(value, Formula):
        return "formula", _(
            "This cell holds a formula; values must be typed. Copy the column and paste it back with "
            "Paste Special → Values (选择性粘贴 → 数值)."
        )
    if char := cells.unwanted_character(value):
        return "unwanted_character", _(
            "This cell contains an invisible control character (U+%(code)s) that can make text display "
            "differently from what is stored. Type the value again."
        ) % {"code": f"{ord(char):04X}"}
    if isinstance(value, str) and len(value) > settings.ROSTER_MAX_CELL_CHARS:
        return "too_long", _("This is longer than %(n)s characters.") % {"n": settings.ROSTER_MAX_CELL_CHARS}
    return None


def _birth_date(raw) -> dt.date:
    return cells.date_value(raw, latest=timezone.localdate())


def _word(words: dict, reason: str) -> Callable:
    def clean(raw):
        value = words.get(vocabulary.word_key(cells.text(raw)))
        if value is None:
            raise CellError("invalid_choice", reason)
        return value

    return clean


def _limited(clean: Callable, max_length: int) -> Callable:
    return lambda raw: cells.limited(clean(raw), max_length)


def check(parsed: ParsedFile, *, progress: Callable[[int], None] | None = None) -> Checked:
    checked = Checked(problems=list(parsed.problems), total_rows=parsed.total_rows)
    readers = {STUDENTS: _student, STAFF: _staff, APPOINTMENTS: _appointment}
    targets = {STUDENTS: checked.students, STAFF: checked.staff, APPOINTMENTS: checked.appointments}
    done = 0
    for sheet in parsed.sheets:
        if sheet.header.ignored:
            checked.ignored_columns[sheet.title] = sheet.header.ignored
        if sheet.header.missing:
            continue  # reported once for the sheet, not once per row
        for number, values in sheet.rows:
            row = _Row(sheet, number, values, checked.problems)
            record = readers[sheet.kind](row)
            if row.ok:
                targets[sheet.kind].append(record)
            elif sheet.kind == STUDENTS:
                checked.rejected_students.append(record)
            done += 1
            if progress and done % PROGRESS_EVERY == 0:
                progress(done)
        # The records keep what they need; the raw cells (a tuple per row) would otherwise stay in memory,
        # through each record's sheet, until the import ends.
        sheet.rows = []
    rejected = list(checked.rejected_students)  # repeats count also when the other row has a problem
    checked.students = _unique(
        checked.students,
        lambda r: r.student_number,
        "student_number",
        lambda r: r.student_number,
        checked,
        others=rejected,
    )
    checked.students = _unique(
        checked.students,
        lambda r: r.id_digest or None,
        "id_number",
        lambda r: mask_id_number(r.id_number),
        checked,
        code="duplicate_id_number",
        others=rejected,
    )
    checked.staff = _unique(checked.staff, lambda r: r.username, "username", lambda r: r.username, checked)
    checked.appointments = _unique(
        checked.appointments,
        lambda r: (r.username, r.post, vocabulary.word_key(r.scope), r.starts_on),
        "username",
        lambda r: r.username,
        checked,
    )
    _usernames_apart(checked)
    return checked


def _student(row: _Row) -> StudentRecord:
    record = StudentRecord(row.sheet, row.number)
    record.student_number = row.get("student_number", cells.number_code, required=True)
    record.name = row.get("name", _limited(cells.name_text, 64), required=True)
    record.gender = row.get("gender", _word(vocabulary.GENDER_WORDS, _("Write 男 or 女.")), required=True)
    record.date_of_birth = row.get("date_of_birth", _birth_date)
    record.enrolment_year = row.get("enrolment_year", cells.year_value, required=True)
    record.status = row.get("status", _word(vocabulary.STATUS_WORDS, _("Write one of 在读, 休学, 毕业, 退学, 开除.")))
    record.college = row.get("college", _limited(cells.label_text, 100), required=True)
    record.class_group = row.get("class_group", _limited(cells.label_text, 100), required=True)
    record.major = row.get("major", _limited(cells.label_text, 100)) or ""
    record.phone = row.get("phone", _limited(cells.phone_value, 32)) or ""
    _id_number(row, record)
    _dorm(row, record)
    _guardian(row, record)
    return record


def _id_number(row: _Row, record: StudentRecord) -> None:
    raw = row.raw("id_number")
    if cells.is_blank(raw):
        return
    if cells.looks_like_lost_digits(raw):
        row.problem(
            "id_number",
            raw,
            "id_number_as_number",
            _(
                "The ID number was stored as a number, so Excel has lost its last digits. Format the "
                "column as text and type the number again."
            ),
        )
        return
    try:
        record.id_number = normalise_id_number(cells.code_text(raw))
    except ValidationError as error:
        row.problem("id_number", raw, "id_number", " ".join(error.messages))
        return
    record.id_digest = crypto.keyed_digest(record.id_number)
    from_id = birth_date_from_id_number(record.id_number)
    try:
        _birth_date(from_id)
    except CellError as error:
        row.problem(
            "id_number",
            raw,
            "id_number",
            _("The date of birth in the ID number: %(reason)s") % {"reason": error.reason},
        )
        record.id_number = record.id_digest = ""
        return
    id_gender = gender_from_id_number(record.id_number)
    if record.gender and record.gender != id_gender:
        row.problem(
            "gender",
            row.raw("gender"),
            "gender_mismatch",
            _("The gender differs from the one in the ID number (its 17th digit means %(gender)s).")
            % {"gender": vocabulary.GENDER_NAMES[id_gender]},
        )
    if record.date_of_birth is None:
        record.date_of_birth = from_id
    elif record.date_of_birth != from_id:
        row.problem(
            "date_of_birth",
            row.raw("date_of_birth"),
            "birth_date_mismatch",
            _("The date of birth differs from the one in the ID number (%(date)s).") % {"date": from_id.isoformat()},
        )


def gender_from_id_number(number: str) -> str:
    """The 17th character of an ID number (or of its mask, which keeps the last four): odd for men."""
    return vocabulary.GENDER_WORDS["男"] if int(number[16]) % 2 else vocabulary.GENDER_WORDS["女"]


def _dorm(row: _Row, record: StudentRecord) -> None:
    building = row.get("building", _limited(cells.label_text, 50)) or ""
    room = row.get("room", _limited(cells.code_text, 20)) or ""
    combined = row.raw("dorm")
    if not building and not room and not cells.is_blank(combined):
        parts = cells.text(combined).rsplit(maxsplit=1)
        if len(parts) != 2:
            row.problem("dorm", combined, "invalid_dorm", _("Write the building and the room with a space: 1号楼 101."))
            return
        building, room = cells.label_text(parts[0])[:50], cells.code_text(parts[1])[:20]
    if bool(building) != bool(room):
        name = "room" if building else "building"
        row.problem(name, row.raw(name), "required", _("Give both the building and the room, or neither."))
        return
    record.building, record.room = building, room


def _guardian(row: _Row, record: StudentRecord) -> None:
    name = row.get("guardian_name", _limited(cells.name_text, 64)) or ""
    relation = row.get("guardian_relation", _limited(cells.label_text, 32)) or ""
    phone = row.get("guardian_phone", _limited(cells.phone_value, 32)) or ""
    if not (name or relation or phone):
        return
    if not name:
        row.problem("guardian_name", "", "required", _("Give the guardian's name with their phone number."))
    elif not phone:
        row.problem("guardian_phone", "", "required", _("Give the guardian's phone number with their name."))
    else:
        record.guardian = (name, relation, phone)


def _staff(row: _Row) -> StaffRecord:
    record = StaffRecord(row.sheet, row.number)
    record.username = row.get("username", cells.number_code, required=True)
    record.name = row.get("name", _limited(cells.name_text, 64), required=True)
    record.phone = row.get("phone", _limited(cells.phone_value, 32)) or ""
    record.email = row.get("email", _limited(cells.email_value, 254)) or ""
    record.left_on = row.get("left_on", cells.date_value)
    return record


def _appointment(row: _Row) -> AppointmentRecord:
    record = AppointmentRecord(row.sheet, row.number)
    record.username = row.get("username", cells.number_code, required=True)
    record.post = row.get(
        "post",
        _word(vocabulary.POST_WORDS, _("This post is not known. Use a post name from the template.")),
        required=True,
    )
    record.scope = row.get("scope", cells.text, required=True)
    record.starts_on = row.get("starts_on", cells.date_value)
    record.ends_on = row.get("ends_on", cells.date_value)
    if record.ends_on and record.ends_on < (record.starts_on or record.ends_on):
        row.problem("ends_on", row.raw("ends_on"), "ends_before_start", _("The end date is before the start date."))
    return record


def _unique(
    records: list,
    key: Callable,
    column: str,
    shown: Callable,
    checked: Checked,
    *,
    code: str = "duplicate",
    others: list | tuple = (),
) -> list:
    """Keep records whose key appears once (among `records` and `others`, rows already refused);
    report every row of a repeated key, naming the others."""
    groups = defaultdict(list)
    for record in [*records, *others]:
        if (value := key(record)) is not None:
            groups[value].append(record)
    repeated = {value: group for value, group in groups.items() if len(group) > 1}
    if not repeated:
        return records
    for group in repeated.values():
        many_sheets = len({record.sheet.title for record in group}) > 1
        for record in group:
            others = ", ".join(
                f"{other.sheet.title} {other.row}" if many_sheets else str(other.row)
                for other in group
                if other is not record
            )
            reason = (
                _("The same ID number is also given in row %(rows)s.")
                if code == "duplicate_id_number"
                else _("This also appears in row %(rows)s; each may appear only once.")
            )
            checked.problems.append(
                Problem(
                    record.sheet.title,
                    record.row,
                    record.label(column),
                    shown(record),
                    code,
                    reason % {"rows": others},
                )
            )
    dropped = {id(record) for group in repeated.values() for record in group}
    if records and isinstance(records[0], StudentRecord):
        checked.rejected_students.extend(record for record in records if id(record) in dropped)
    return [record for record in records if id(record) not in dropped]


def _usernames_apart(checked: Checked) -> None:
    """A 工号 in the staff sheet cannot also be a 学号 in the student sheet: both become sign-in names."""
    numbers = {record.student_number: record for record in checked.students}
    clashing = [record for record in checked.staff if record.username in numbers]
    for record in clashing:
        student = numbers[record.username]
        checked.problems.append(
            Problem(
                record.sheet.title,
                record.row,
                record.label("username"),
                record.username,
                "username_taken",
                _("This staff number is also a student number in sheet %(sheet)s, row %(row)s.")
                % {"sheet": student.sheet.title, "row": student.row},
            )
        )
    if clashing:
        checked.staff = [record for record in checked.staff if record.username not in numbers]
