"""Refusing a file before anything in it is unpacked or parsed.

An .xlsx is a zip archive: its central directory states every member's sizes, so a zip bomb (a small
file that unpacks to gigabytes) is recognised from the directory alone. Python's zipfile then never
returns more bytes than a member's stated size, so the directory cannot lie about it afterwards.
"""

import zipfile
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


def check_file(path: Path, name: str) -> str:
    """Check a stored upload (`name` is the name the user gave it). Return XLSX or CSV, or raise
    RefusedFile with a reason for the user."""
    kind = file_kind(name)
    check_size(path.stat().st_size)
    with path.open("rb") as handle:
        head = handle.read(4)
        if kind == XLSX:
            _check_xlsx(handle, head)
        else:
            handle.seek(0)
            decode_csv(handle.read())
    return kind


def _check_xlsx(handle, head: bytes) -> None:
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
    except (zipfile.BadZipFile, OSError, EOFError, ValueError):
        raise RefusedFile("not_xlsx", _("This .xlsx file is damaged and cannot be opened.")) from None
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


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:g}"
