"""Reading an .xlsx or .csv roster into rows, with each sheet's kind and header found.

A workbook holds sheets named 学生 / 教职工 / 任职; a sheet with another name is recognised by its
header row, and a sheet with no recognisable header (说明, notes) is left alone. A CSV holds one kind,
recognised by its header row. The header may sit below a merged title row and may take two rows.

Only the columns up to the last one with a header are read: a stray cell far to the right (column XFD)
would otherwise widen every row to 16,384 cells. Formula cells are read as formulas (never their cached
values) so that the check can refuse them.
"""

import csv
import io
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree.ElementTree import ParseError

import openpyxl
from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula

from xinyu.roster import safety
from xinyu.roster.cells import is_blank
from xinyu.roster.columns import SHEET_KINDS, SHEET_NAME_KEYS, HeaderMatch, find_header, header_key
from xinyu.roster.problems import Problem, RefusedFile

HEADER_SEARCH_ROWS = 20
HEADER_SEARCH_COLUMNS = 64
PROGRESS_EVERY = 2000
IGNORED_SHEETS = {header_key(name) for name in ("说明", "填写说明", "使用说明", "notes")}

Progress = Callable[[int], None]


@dataclass(frozen=True)
class Formula:
    """A cell holding a formula: refused by the check, which names the cell."""

    text: str

    def __str__(self):
        return self.text


@dataclass
class ParsedSheet:
    kind: str
    title: str  # the sheet's name, or the file's name for a CSV
    header: HeaderMatch
    rows: list[tuple[int, tuple]] = field(default_factory=list)  # (row number in Excel, cell values)

    def has(self, name: str) -> bool:
        return name in self.header.fields

    def label(self, name: str) -> str:
        return self.header.labels.get(name) or SHEET_KINDS[self.kind].column(name).header


@dataclass
class ParsedFile:
    sheets: list[ParsedSheet] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def total_rows(self) -> int:
        return sum(len(sheet.rows) for sheet in self.sheets)

    def of_kind(self, kind: str) -> list[ParsedSheet]:
        return [sheet for sheet in self.sheets if sheet.kind == kind]


def parse_file(path: Path, name: str, *, progress: Progress | None = None) -> ParsedFile:
    """Parse a file already passed by `safety.check_file`."""
    kind = safety.file_kind(name)
    parsed = ParsedFile()
    counter = _Counter(progress)
    if kind == safety.XLSX:
        _parse_workbook(path, parsed, counter)
    else:
        text = safety.decode_csv(path.read_bytes())
        _parse_rows(_csv_rows(text, name), name, None, parsed, counter)
    if not parsed.sheets and not parsed.problems:
        parsed.problems.append(
            Problem(
                name,
                None,
                "",
                "",
                "no_sheet",
                _(
                    "No roster was found in the file: there is no sheet named 学生, 教职工 or 任职, and no "
                    "sheet whose first rows hold their column headers. Start from the template."
                ),
            )
        )
    return parsed


class _Counter:
    def __init__(self, progress: Progress | None):
        self.progress, self.done = progress, 0

    def tick(self):
        self.done += 1
        if self.done > settings.ROSTER_MAX_ROWS:
            # The rows were counted before parsing; this holds for files whose rows are long text lines.
            raise RefusedFile(
                "too_many_rows",
                _("The file has more than %(limit)s rows. Split it into files of at most %(limit)s rows each.")
                % {"limit": settings.ROSTER_MAX_ROWS},
            )
        if self.progress and self.done % PROGRESS_EVERY == 0:
            self.progress(self.done)


def _csv_rows(text: str, name: str):
    """The CSV's rows; a malformed file (a cell longer than the csv module reads, a stray quote) is
    refused naming the line, never a traceback."""
    reader = csv.reader(io.StringIO(text, newline=""))
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            line = reader.line_num
            if "field larger than field limit" in str(error):
                reason = _(
                    "Line %(line)s of the CSV file has a cell longer than %(limit)s characters, or a quotation "
                    "mark that is never closed. Check that line in a text editor."
                ) % {"line": line, "limit": f"{csv.field_size_limit():,}"}
            else:
                reason = _("Line %(line)s of the CSV file cannot be read as CSV. Save the file again from Excel.") % {
                    "line": line
                }
            raise RefusedFile("bad_csv", reason) from None
        yield row


def _parse_workbook(path: Path, parsed: ParsedFile, counter: _Counter) -> None:
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many kinds of error for broken files
        raise RefusedFile("not_xlsx", _("This .xlsx file is damaged and cannot be opened.")) from exc
    try:
        for sheet in workbook.worksheets:
            title_key = header_key(sheet.title)
            if title_key in IGNORED_SHEETS or not hasattr(sheet, "iter_rows"):
                continue
            # Some programs declare wrong dimensions (A1:A1); read what is really there.
            sheet.reset_dimensions()
            known = SHEET_NAME_KEYS.get(title_key)
            rows = sheet.iter_rows(values_only=True, max_col=HEADER_SEARCH_COLUMNS)
            _parse_rows(rows, sheet.title, known, parsed, counter, formulas=True)
    except (ParseError, ValueError, zipfile.BadZipFile, zlib.error, KeyError, EOFError, OSError) as exc:
        # A sheet's XML is broken or cut short: the file was damaged after it was saved.
        raise RefusedFile("not_xlsx", _("This .xlsx file is damaged and cannot be opened.")) from exc
    finally:
        workbook.close()


def _parse_rows(
    rows, title: str, known_kind: str | None, parsed: ParsedFile, counter: _Counter, *, formulas: bool = False
) -> None:
    iterator = iter(rows)
    head = []
    for values in iterator:
        head.append(tuple(values))
        if len(head) >= HEADER_SEARCH_ROWS:
            break
    kinds = [known_kind] if known_kind else list(SHEET_KINDS)
    found = find_header(head, kinds)
    if found is None or (known_kind is None and not _looks_like_roster(found[1])):
        if known_kind:
            parsed.problems.append(
                Problem(title, None, "", "", "no_header", _("No header row was found in this sheet."))
            )
        return
    index, header = found
    sheet = ParsedSheet(header.kind, title, header)
    _header_problems(sheet, index + 1, parsed)
    parsed.sheets.append(sheet)
    start = index + header.rows
    width = _width(head[index:start])
    keep = _keep_formulas if formulas else _keep
    for number, values in enumerate(head[start:], start=start + 1):
        keep(sheet, number, values[:width], counter)
    for number, values in enumerate(iterator, start=len(head) + 1):
        keep(sheet, number, values[:width], counter)


def _width(header_rows: list[tuple]) -> int:
    """Columns up to the last one with a header; cells to its right are never read."""
    return max((i + 1 for row in header_rows for i, value in enumerate(row) if not is_blank(value)), default=0)


def _looks_like_roster(header: HeaderMatch) -> bool:
    """A sheet with another name counts when it has at least two of our columns, one of them required."""
    return len(header.fields) >= 2 and header.score[1] >= 1


def _keep(sheet: ParsedSheet, number: int, values: tuple, counter: _Counter) -> None:
    if all(is_blank(value) for value in values) or _is_example(values):
        return
    sheet.rows.append((number, values))
    counter.tick()


def _keep_formulas(sheet: ParsedSheet, number: int, values: tuple, counter: _Counter) -> None:
    if any(_is_formula(value) for value in values):
        values = tuple(Formula(str(getattr(v, "text", v) or "=")) if _is_formula(v) else v for v in values)
    _keep(sheet, number, values, counter)


def _is_formula(value) -> bool:
    """openpyxl gives a formula cell's formula (never its cached value), starting with "=", or an
    array or data-table formula object."""
    return isinstance(value, ArrayFormula | DataTableFormula) or (isinstance(value, str) and value.startswith("="))


def _is_example(values: tuple) -> bool:
    return any(isinstance(value, str) and ("示例)" in value or "示例）" in value) for value in values)


def _header_problems(sheet: ParsedSheet, row: int, parsed: ParsedFile) -> None:
    for column in sheet.header.missing:
        parsed.problems.append(
            Problem(
                sheet.title,
                row,
                column.header,
                "",
                "missing_column",
                _("The required column %(column)s is missing.") % {"column": column.header},
            )
        )
    for label, first in sheet.header.duplicates:
        parsed.problems.append(
            Problem(
                sheet.title,
                row,
                label,
                "",
                "duplicate_column",
                _("This column means the same as the column %(column)s; keep only one of them.") % {"column": first},
            )
        )
