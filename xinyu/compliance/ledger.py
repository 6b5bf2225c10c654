"""Importing the finance office's ledger of the special fund (第十三条) for one year.

The same rules as the roster import (`xinyu.roster`): the file is checked before it is read (type, size,
a real .xlsx, no zip bomb), formulas are refused, and the import is all or nothing: one problem anywhere
and nothing changes; every problem names its sheet, row and column as the user sees them in Excel, with a
reason in Chinese. A good file replaces that year's lines, and the import keeps a summary of what it
changed (lines added, changed, removed; totals before and after), matched by voucher number.
"""

import csv
import io
import re
import tempfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

import openpyxl
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from xinyu.audit.models import AuditEntry
from xinyu.compliance.models import COUNTS_TOWARD_FLOOR, Category, LedgerImport, LedgerLine
from xinyu.org.access_log import Event, record
from xinyu.roster import cells, safety
from xinyu.roster.columns import header_key
from xinyu.roster.parsing import Formula
from xinyu.roster.problems import CellError, Problem, RefusedFile

HEADER_SEARCH_ROWS = 10
MAX_LINES = 20_000
MAX_AMOUNT = Decimal("9999999999.99")
MONEY_NOISE = re.compile(r"[,，\s¥￥元]")


@dataclass(frozen=True)
class Column:
    field: str
    header: str
    synonyms: tuple[str, ...] = ()


COLUMNS = (
    Column("date", "日期", ("记账日期", "凭证日期", "发生日期", "支出日期")),
    Column("category", "类别", ("支出类别", "经费类别", "用途类别", "费用类别")),
    Column("description", "摘要", ("说明", "事由", "用途", "内容")),
    Column("amount", "金额（元）", ("金额", "支出金额", "发生额", "借方金额")),
    Column("document_number", "凭证号", ("凭证编号", "单据号", "原始凭证号", "凭证字号")),
)
HEADER_KEYS = {header_key(name): column.field for column in COLUMNS for name in (column.header, *column.synonyms)}


@dataclass
class Line:
    row: int
    date: object
    category: str
    description: str
    amount: Decimal
    document_number: str

    def key(self):
        return (self.date, self.category, self.description, self.amount)


@dataclass
class Parsed:
    lines: list[Line] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


class LedgerRefused(Exception):
    """The file is refused: nothing was imported. `problems` says where and why."""

    def __init__(self, problems: list[Problem]):
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = sorted(problems, key=lambda problem: problem.sort_key)


def category_names() -> dict[str, str]:
    """The words a ledger may write for each category: its Chinese name, its English name and its code."""
    names = {}
    for category in Category:
        for language in ("zh-hans", "en"):
            with translation.override(language):
                names[header_key(str(category.label))] = category.value
        names[header_key(category.value)] = category.value
    return names


def _rows_of(path: Path, name: str):
    """(sheet title, rows) of the first sheet of a workbook, or of a CSV; formula cells as `Formula`."""
    if safety.file_kind(name) == safety.CSV:
        text = safety.decode_csv(path.read_bytes())
        try:
            return name, [tuple(row) for row in csv.reader(io.StringIO(text, newline=""))]
        except csv.Error:
            raise RefusedFile("bad_csv", _("The CSV file cannot be read. Save it again from Excel.")) from None
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many kinds of error for broken files
        raise RefusedFile("not_xlsx", _("This .xlsx file is damaged and cannot be opened.")) from exc
    try:
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()
        rows = []
        for values in sheet.iter_rows(values_only=True, max_col=len(COLUMNS) * 4):
            rows.append(tuple(Formula(v) if isinstance(v, str) and v.startswith("=") else v for v in values))
            if len(rows) > MAX_LINES + HEADER_SEARCH_ROWS:
                raise RefusedFile(
                    "too_many_rows", _("The ledger has more than %(n)s lines. Import it in parts.") % {"n": MAX_LINES}
                )
        return sheet.title, rows
    except RefusedFile:
        raise
    except Exception as exc:  # a sheet's XML broken or cut short
        raise RefusedFile("not_xlsx", _("This .xlsx file is damaged and cannot be opened.")) from exc
    finally:
        workbook.close()


def _find_header(rows) -> tuple[int, dict[str, int], dict[str, str]] | None:
    """The header row's index, each field's column index and the header as written."""
    for index, values in enumerate(rows[:HEADER_SEARCH_ROWS]):
        found, labels = {}, {}
        for position, value in enumerate(values):
            column = HEADER_KEYS.get(header_key(value))
            if column and column not in found:
                found[column], labels[column] = position, str(value).strip()
        if len(found) >= 3:
            return index, found, labels
    return None


def amount_value(value) -> Decimal:
    """An amount in 元: a number cell, or text such as 1,234.50, ¥1234.5 or 1234.50元; at most two decimals."""
    if isinstance(value, bool):
        raise CellError("invalid_amount", _("This is not an amount of money."))
    raw = str(value) if isinstance(value, int | float) else MONEY_NOISE.sub("", cells.text(value))
    try:
        amount = Decimal(raw)
    except InvalidOperation:
        raise CellError("invalid_amount", _("This is not an amount of money. Write it as 1234.50.")) from None
    if not amount.is_finite():
        raise CellError("invalid_amount", _("This is not an amount of money. Write it as 1234.50."))
    if isinstance(value, float):
        amount = amount.quantize(Decimal("0.01"))  # a float cell holding 12.3 comes as 12.300000000000001
    if amount != amount.quantize(Decimal("0.01")):
        raise CellError("too_precise", _("An amount has at most two decimal places (fen)."))
    if amount == 0:
        raise CellError("zero_amount", _("The amount is zero."))
    if abs(amount) > MAX_AMOUNT:
        raise CellError("too_large", _("This amount is too large."))
    return amount.quantize(Decimal("0.01"))


def parse(path: Path, name: str, year: int) -> Parsed:
    """Read and check a ledger file already passed by `safety.check_file`. Nothing is written."""
    title, rows = _rows_of(path, name)
    parsed = Parsed()
    header = _find_header(rows)
    if header is None:
        parsed.problems.append(
            Problem(title, None, "", "", "no_header", _(
                "No header row was found. The ledger needs the columns 日期, 类别, 摘要, 金额（元） and 凭证号 "
                "in one of its first rows."
            ))
        )  # fmt: skip
        return parsed
    index, positions, labels = header
    for column in COLUMNS:
        if column.field not in positions:
            parsed.problems.append(
                Problem(title, index + 1, column.header, "", "missing_column", _("This column is missing."))
            )
    if parsed.problems:
        return parsed
    names = category_names()
    seen: dict[str, int] = {}
    for number, values in enumerate(rows[index + 1 :], start=index + 2):
        row = {name: values[at] if at < len(values) else None for name, at in positions.items()}
        if all(cells.is_blank(value) for value in row.values()):
            continue
        clean, problems = _clean_row(title, number, row, labels, names, year)
        parsed.problems.extend(problems)
        if problems:
            continue
        if clean["document_number"] in seen:
            parsed.problems.append(
                Problem(title, number, labels["document_number"], clean["document_number"], "duplicate", _(
                    "This voucher number is already on row %(row)s. Each line needs its own voucher number."
                ) % {"row": seen[clean["document_number"]]})
            )  # fmt: skip
            continue
        seen[clean["document_number"]] = number
        parsed.lines.append(Line(row=number, **clean))
    if not parsed.lines and not parsed.problems:
        parsed.problems.append(Problem(title, None, "", "", "empty", _("The ledger has no lines.")))
    return parsed


def _clean_row(title, number, row, labels, names, year) -> tuple[dict, list[Problem]]:
    clean, problems = {}, []

    def problem(name, code, reason):
        problems.append(Problem(title, number, labels[name], cells.shown(row[name]), code, reason))

    for name, value in row.items():
        if isinstance(value, Formula):
            problem(name, "formula", _("This cell holds a formula. Paste the values only (Paste Special → Values)."))
            continue
        if cells.unwanted_character(value):
            problem(name, "unwanted_character", _("This cell holds an invisible control character. Type it again."))
            continue
        if cells.is_blank(value):
            problem(name, "required", _("This cell is empty."))
            continue
        try:
            if name == "date":
                day = cells.date_value(value)
                if day.year != year:
                    raise CellError("wrong_year", _("This date is not in %(year)s.") % {"year": year})
                clean[name] = day
            elif name == "category":
                category = names.get(header_key(value))
                if category is None:
                    allowed = "、".join(str(label) for label in _chinese_labels())
                    raise CellError("unknown_category", _("Unknown category. Write one of: %(names)s.") % {
                        "names": allowed
                    })  # fmt: skip
                clean[name] = category
            elif name == "description":
                clean[name] = cells.limited(cells.text(value), 200)
            elif name == "amount":
                clean[name] = amount_value(value)
            else:
                clean[name] = cells.limited(cells.code_text(value), 64)
        except CellError as error:
            problem(name, error.code, error.reason)
    return clean, problems


def _chinese_labels() -> list[str]:
    with translation.override("zh-hans"):
        return [str(category.label) for category in Category]


def _totals(lines) -> dict:
    total = sum((line.amount for line in lines), Decimal(0))
    counted = sum((line.amount for line in lines if COUNTS_TOWARD_FLOOR[line.category]), Decimal(0))
    return {"total": str(total), "counted": str(counted)}


def summarise(old: list[LedgerLine], new: list[Line]) -> dict:
    before = {line.document_number: line for line in old}
    after = {line.document_number: line for line in new}
    changed = [
        number for number in before.keys() & after.keys()
        if (before[number].date, before[number].category, before[number].description, before[number].amount)
        != after[number].key()
    ]  # fmt: skip
    return {
        "added": len(after.keys() - before.keys()),
        "changed": len(changed),
        "removed": len(before.keys() - after.keys()),
        "unchanged": len(before.keys() & after.keys()) - len(changed),
        "lines": len(new),
        "before": _totals(old),
        "after": _totals(new),
    }


def import_ledger(school, year: int, upload, *, by, address: str | None = None) -> LedgerImport:
    """Check the uploaded ledger and, if it holds no problem, replace `year`'s lines with it (one
    transaction, with its access-log entry). Raises RefusedFile (the whole file) or LedgerRefused."""
    name = upload.name or "ledger.xlsx"
    safety.file_kind(name)
    safety.check_size(upload.size)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / ("upload" + Path(name).suffix.lower())
        with path.open("wb") as handle:
            for chunk in upload.chunks():
                handle.write(chunk)
        safety.check_file(path, name)
        parsed = parse(path, name, year)
    if parsed.problems:
        raise LedgerRefused(parsed.problems)
    with transaction.atomic():
        existing = LedgerLine.objects.select_for_update().filter(school=school, date__year=year)
        old = list(existing)
        summary = summarise(old, parsed.lines)
        done = LedgerImport.objects.create(school=school, year=year, file_name=name[:255], imported_by=by,
                                           summary=summary)  # fmt: skip
        existing.delete()
        LedgerLine.objects.bulk_create(
            LedgerLine(school=school, source=done, date=line.date, category=line.category,
                       description=line.description, amount=line.amount, document_number=line.document_number)
            for line in parsed.lines
        )  # fmt: skip
        record(
            by,
            Event(AuditEntry.Action.IMPORT, "compliance.ledger", detail={"year": year, "file": name[:255], **summary}),
            address=address,
        )
    return done
