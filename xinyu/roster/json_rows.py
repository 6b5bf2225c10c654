"""A roster sent as JSON (the 学工系统's sync through the API) read into the same rows a file gives.

The API's roster sync is the Excel import with another reader: each list of objects (students, staff,
appointments) becomes a parsed sheet whose columns are the JSON field names, so that `validation.check`,
the plan and the importer's all-or-nothing apply run unchanged, and every problem names the list, the row
(counted from 1 within its list) and the field as the sender wrote them.
"""

from django.utils.translation import gettext as _

from xinyu.roster.columns import SHEET_KINDS, HeaderMatch
from xinyu.roster.parsing import ParsedFile, ParsedSheet
from xinyu.roster.problems import Problem

# Fields holding dates: a number there is the sender's text (20050307), never an Excel serial number.
DATE_FIELDS = frozenset({"date_of_birth", "left_on", "starts_on", "ends_on"})


def fields_of(kind: str) -> tuple[str, ...]:
    return tuple(column.field for column in SHEET_KINDS[kind].columns)


def parse_records(lists: dict[str, list]) -> ParsedFile:
    """`lists` maps a kind (students, staff, appointments) to its rows, each a dict of field → value. A row
    that is not an object, a field that is not ours and a value that is not text, a number or null are
    problems of their row; the row's other values are still checked, as a file's would be."""
    parsed = ParsedFile()
    for kind, rows in lists.items():
        if not rows:
            continue
        names = fields_of(kind)
        index = {name: position for position, name in enumerate(names)}
        header = HeaderMatch(kind, dict(index), {name: name for name in names}, [], [], 1)
        sheet = ParsedSheet(kind, kind, header)
        for number, row in enumerate(rows, start=1):
            values = [None] * len(names)
            if not isinstance(row, dict):
                parsed.problems.append(
                    Problem(kind, number, "", "", "not_an_object", _("Each row must be a JSON object."))
                )
                continue
            for name, value in row.items():
                position = index.get(name)
                if position is None:
                    reason = _("This field is not known. The fields are: %(fields)s.") % {"fields": ", ".join(names)}
                    parsed.problems.append(Problem(kind, number, str(name)[:64], "", "unknown_field", reason))
                elif value is not None and (isinstance(value, bool) or not isinstance(value, str | int | float)):
                    parsed.problems.append(
                        Problem(kind, number, name, "", "invalid_type",
                                _("This field must be text, a number or null."))
                    )  # fmt: skip
                else:
                    values[position] = str(value) if name in DATE_FIELDS and isinstance(value, int | float) else value
            sheet.rows.append((number, tuple(values)))
        parsed.sheets.append(sheet)
    return parsed
