"""Refusing a file before anything in it is parsed, and telling what parsing it would cost.

An .xlsx is a zip archive: its central directory states every member's sizes, so a zip bomb (a small
file that unpacks to gigabytes) is recognised from the directory alone. Python's zipfile then never
returns more bytes than a member's stated size, so the directory cannot lie about it afterwards.

What parsing costs is set by the unpacked XML (time), the shared-string table (held in memory whole) and
the rows kept (memory). All three are known before parsing: the sizes from the directory, the rows by
counting the sheets' `</row>` tags while unpacking them in a stream (no XML is parsed, nothing is kept).
Cells to the right of the last header column are never read (see `parsing`), so a stray cell in column
XFD costs nothing.
"""

import re
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from xinyu.roster.problems import RefusedFile

XLSX = "xlsx"
CSV = "csv"
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # old .xls, and .xlsx files protected by a password
# Worksheets compress well (10-30×); a member that unpacks to more than this many times its packed size
# (once it is large enough to matter) is a zip bomb, not a roster.
MAX_COMPRESSION_RATIO = 200
RATIO_CHECKED_FROM_BYTES = 1024 * 1024
MAX_MEMBERS = 10_000
CSV_ENCODINGS = ("utf-8-sig", "gb18030")
SHARED_STRINGS = "xl/sharedStrings.xml"
WORKSHEETS = re.compile(r"^xl/worksheets/[^/]+\.xml$")
ROW_END = b"</row>"
SCAN_CHUNK = 1 << 20
# Title, header and note rows that may stand above the data rows of each sheet.
SLACK_ROWS_PER_SHEET = 20


@dataclass(frozen=True)
class FileFacts:
    """What a file that passed the checks will cost to parse."""

    kind: str
    rows: int  # rows in the file, counted before parsing (an upper bound on the data rows)
    unpacked: int  # bytes of XML (or text) the parser will read

    @property
    def for_background(self) -> bool:
        """Too much for one web request: parsing it could outlast the web server's timeout."""
        return self.rows > settings.ROSTER_BACKGROUND_ROWS or self.unpacked > settings.ROSTER_WEB_MAX_PARSE_BYTES


def file_kind(name: str) -> str:
    suffix = Path(name).suffix.lower()
    if suffix == ".xlsx":
        return XLSX
    if suffix == ".csv":
        return CSV
    if suffix in {".xls", ".et", ".wps"}:
        raise RefusedFile("old_format", _("Old .xls files are not accepted. In Excel or WPS, save the file as .xlsx."))
    raise RefusedFile("wrong_type", _("Only .xlsx and .csv files can be imported."))


def check_size(size: int) -> None:
    if size > settings.ROSTER_MAX_UPLOAD_BYTES:
        raise RefusedFile(
            "too_large",
            _("The file is larger than %(limit)s MB. Split it into smaller files.")
            % {"limit": _megabytes(settings.ROSTER_MAX_UPLOAD_BYTES)},
        )


def check_file(path: Path, name: str) -> FileFacts:
    """Check a stored upload (`name` is the name the user gave it) without parsing it. Return what
    parsing it will cost, or raise RefusedFile with a reason for the user."""
    kind = file_kind(name)
    check_size(path.stat().st_size)
    with path.open("rb") as handle:
        head = handle.read(4)
        if kind == XLSX:
            return _check_xlsx(handle, head)
        handle.seek(0)
        data = handle.read()
    text = decode_csv(data)
    rows = text.count("\n") + (not text.endswith("\n"))
    _check_rows(rows, 1)
    return FileFacts(CSV, rows, len(data))


def _check_xlsx(handle, head: bytes) -> FileFacts:
    if head == OLE_MAGIC:
        raise RefusedFile(
            "not_xlsx",
            _(
                "This is not a real .xlsx file: it is an old .xls file renamed, or it is protected by a "
                "password. Open it in Excel or WPS, remove the password and save it as .xlsx."
            ),
        )
    if head != ZIP_MAGIC:
        raise RefusedFile("not_xlsx", _("This is not a real .xlsx file. Save it from Excel or WPS as .xlsx."))
    handle.seek(0)
    try:
        with zipfile.ZipFile(handle) as archive:
            members = archive.infolist()
            _check_directory(members)
            sheets = [member for member in members if WORKSHEETS.match(member.filename)]
            rows = sum(_count_rows(archive, member) for member in sheets)
    except RefusedFile:
        raise
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, zlib.error, NotImplementedError):
        raise RefusedFile("not_xlsx", _("This .xlsx file is damaged and cannot be opened.")) from None
    _check_rows(rows, len(sheets))
    shared = next((member.file_size for member in members if member.filename == SHARED_STRINGS), 0)
    return FileFacts(XLSX, rows, shared + sum(member.file_size for member in sheets))


def _check_directory(members: list[zipfile.ZipInfo]) -> None:
    names = {member.filename for member in members}
    if "xl/workbook.xml" not in names:
        raise RefusedFile("not_xlsx", _("This is not a real .xlsx file. Save it from Excel or WPS as .xlsx."))
    unpacked = sum(member.file_size for member in members)
    if len(members) > MAX_MEMBERS or unpacked > settings.ROSTER_MAX_UNPACKED_BYTES:
        raise RefusedFile(
            "too_large_unpacked",
            _("The file unpacks to more than %(limit)s MB. Split it into smaller files.")
            % {"limit": _megabytes(settings.ROSTER_MAX_UNPACKED_BYTES)},
        )
    for member in members:
        if member.file_size > RATIO_CHECKED_FROM_BYTES and member.file_size > MAX_COMPRESSION_RATIO * max(
            member.compress_size, 1
        ):
            raise RefusedFile(
                "zip_bomb", _("The file is packed in a suspicious way and was not opened. Save it again.")
            )
    shared = next((member for member in members if member.filename == SHARED_STRINGS), None)
    if shared is not None and shared.file_size > settings.ROSTER_MAX_SHARED_STRINGS_BYTES:
        # The shared-string table is read into memory whole before the first row: its size is the cost.
        raise RefusedFile(
            "too_much_text",
            _(
                "The text in this file takes more than %(limit)s MB once unpacked (%(size)s MB); a roster "
                "needs far less. It may hold pasted text or hidden sheets: copy only the roster into a new "
                "workbook and save that."
            )
            % {
                "limit": _megabytes(settings.ROSTER_MAX_SHARED_STRINGS_BYTES),
                "size": _megabytes(shared.file_size, 1),
            },
        )


def _count_rows(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> int:
    """The rows of a sheet that hold cells, counted in the unpacked stream, never more than a few
    bytes over a chunk kept. Stops as soon as the count passes the limit."""
    limit = settings.ROSTER_MAX_ROWS + SLACK_ROWS_PER_SHEET
    count, tail = 0, b""
    with archive.open(member) as stream:
        while chunk := stream.read(SCAN_CHUNK):
            data = tail + chunk
            count += data.count(ROW_END)
            tail = data[-(len(ROW_END) - 1) :]
            if count > limit:
                break
    return count


def _check_rows(rows: int, sheets: int) -> None:
    if rows > settings.ROSTER_MAX_ROWS + SLACK_ROWS_PER_SHEET * max(sheets, 1):
        raise RefusedFile(
            "too_many_rows",
            _("The file has more than %(limit)s rows. Split it into files of at most %(limit)s rows each.")
            % {"limit": settings.ROSTER_MAX_ROWS},
        )


def decode_csv(data: bytes) -> str:
    """The text of a CSV file: UTF-8 (with or without the BOM Excel writes), or GB18030, which covers
    the GBK that Excel on Chinese Windows uses for "CSV (逗号分隔)"."""
    if b"\x00" in data:
        raise RefusedFile(
            "nul_bytes",
            _('This CSV file contains NUL characters; it is not a plain text file. In Excel, save it as "CSV UTF-8".'),
        )
    for encoding in CSV_ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise RefusedFile(
        "encoding", _('The CSV file\'s text encoding is not recognised. In Excel, save it as "CSV UTF-8".')
    )


def _megabytes(size: int, digits: int = 0) -> str:
    return f"{size / 1024 / 1024:.{digits}f}" if digits else f"{size / 1024 / 1024:g}"
