"""Turning the cells of real-world spreadsheets into clean values.

Excel and WPS hand us numbers where we want text (学号 2025000001 as 2025000001.0 or "2.025E+09"),
text where we want dates ("2005/3/7", "20050307"), serial numbers where we want dates (38418),
full-width digits and spaces typed with a Chinese input method, and stray whitespace everywhere.
Each cleaner returns the clean value, or raises CellError with a reason for the user.

Invisible characters: zero-width spaces and joiners (pasted from web pages and chat) are removed; bidi
controls, which make a name or number display differently from what is stored, and other control
characters are refused by the check (`unwanted_character`), naming the cell.
"""

import datetime as dt
import re
import unicodedata
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from openpyxl.utils.datetime import from_excel

from xinyu.roster.problems import CellError

WHITESPACE = re.compile(r"\s+")
INTEGRAL_TEXT = re.compile(r"^([+-]?\d+)\.0*$")
SCIENTIFIC_TEXT = re.compile(r"^\d+(\.\d+)?[eE]\+?\d+$")
DATE_TEXT = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
COMPACT_DATE_TEXT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
TIME_SUFFIX = re.compile(r"[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$")
YEAR_TEXT = re.compile(r"^(\d{4})\s*(级|年|年级|届)?$")
PHONE_SEPARATORS = re.compile(r"[-()（）]")
PHONE = re.compile(r"^\+?\d{5,20}$")
NUMBER_CODE = re.compile(r"^[0-9A-Za-z]+$")
CJK = re.compile(r"[\u3400-\u9fff]")
# Excel's serial day numbers: 10000 is 1927-05-18, 80000 is 2119-01-10.
SERIAL_RANGE = (10000, 80000)
YEAR_RANGE = (1900, 2100)
DATE_RANGE = (dt.date(YEAR_RANGE[0], 1, 1), dt.date(YEAR_RANGE[1], 12, 31))
ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def unwanted_character(value) -> str | None:
    """The first bidi control or control character in a text cell, or None."""
    if not isinstance(value, str):
        return None
    for char in value:
        if char in BIDI_CONTROLS:
            return char
    match = CONTROL.search(value)
    return match.group() if match else None


def is_blank(value) -> bool:
    """An empty cell, or one holding only spaces (str.strip() also removes the full-width space)."""
    return value is None or (isinstance(value, str) and not value.strip())


def text(value) -> str:
    """A cell as text: NFKC-normalised (full-width digits and spaces become ASCII), trimmed."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return unicodedata.normalize("NFKC", str(value).translate(ZERO_WIDTH)).strip()


def shown(value) -> str:
    """The value as the user sees it in their file, for the error report; an invisible control character
    is written as its code (<U+202E>) so that the report reads in the right order."""
    result = text(value)[:200]
    if unwanted_character(result):
        result = "".join(f"<U+{ord(c):04X}>" if unwanted_character(c) else c for c in result)
    return result


def code_text(value) -> str:
    """学号, 工号, room numbers: text with every space removed and numbers put back to digits.

    Leading zeros survive when the cell is text; a number cell (2025000001.0) or text written by
    Excel from one ("2025000001.0", "2.025E+09") goes back to its digits.
    """
    result = WHITESPACE.sub("", text(value))
    if match := INTEGRAL_TEXT.match(result):
        return match.group(1)
    if SCIENTIFIC_TEXT.match(result):
        try:
            number = Decimal(result)
        except InvalidOperation:
            return result
        if number == number.to_integral_value():
            return str(int(number))
    return result


def name_text(value) -> str:
    """A person's name: spaces typed to align two-character Chinese names are removed; names in Latin
    letters keep single spaces."""
    result = text(value)
    if CJK.search(result) and not re.search(r"[A-Za-z]", result):
        return WHITESPACE.sub("", result)
    return WHITESPACE.sub(" ", result)


def label_text(value) -> str:
    """College, class, building and major names: trimmed, inner runs of spaces removed."""
    return WHITESPACE.sub("", text(value))


def number_code(value, *, max_length: int = 32) -> str:
    result = code_text(value)
    if not NUMBER_CODE.match(result):
        raise CellError("invalid", _("Only digits and Latin letters are allowed here."))
    if len(result) > max_length:
        raise CellError("too_long", _("This is longer than %(n)s characters.") % {"n": max_length})
    return result


def limited(result: str, max_length: int) -> str:
    if len(result) > max_length:
        raise CellError("too_long", _("This is longer than %(n)s characters.") % {"n": max_length})
    return result


def date_value(value, *, latest: dt.date | None = None) -> dt.date:
    """A real date cell, an Excel serial number, or text like 2005/3/7, 2005-03-07, 2005.3.7, 20050307;
    between 1900-01-01 and `latest` (default 2100-12-31)."""
    day = _date(value)
    first, last = DATE_RANGE[0], latest or DATE_RANGE[1]
    if not first <= day <= last:
        raise CellError(
            "date_out_of_range",
            _("This date is out of range: it must be between %(first)s and %(last)s.")
            % {"first": first.isoformat(), "last": last.isoformat()},
        )
    return day


def _date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, dt.time):
        # A date cell before 1900-01-01: Excel has no such dates and stores day 0, read as a time of day.
        return dt.date(YEAR_RANGE[0] - 1, 12, 31)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _from_serial(value)
    raw = TIME_SUFFIX.sub("", text(value))
    raw = WHITESPACE.sub("", raw)
    match = DATE_TEXT.match(raw) or COMPACT_DATE_TEXT.match(raw)
    if match:
        try:
            return dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        except ValueError:
            raise CellError("invalid_date", _("This date does not exist.")) from None
    if raw.isdigit() and len(raw) == 5:
        return _from_serial(int(raw))
    if INTEGRAL_TEXT.match(raw):
        return _from_serial(int(INTEGRAL_TEXT.match(raw).group(1)))
    raise CellError("invalid_date", _("This is not a date. Write it as 2005-03-07, 2005/3/7 or 20050307."))


def _from_serial(number) -> dt.date:
    if not SERIAL_RANGE[0] <= number <= SERIAL_RANGE[1]:
        raise CellError("invalid_date", _("This is not a date. Write it as 2005-03-07, 2005/3/7 or 20050307."))
    return from_excel(number).date()


def year_value(value) -> int:
    """入学年份: 2025, 2025.0, "2025", "2025级", or a date in that year."""
    if isinstance(value, dt.date):
        year = value.year
    else:
        raw = code_text(value)
        match = YEAR_TEXT.match(raw)
        if not match:
            raise CellError("invalid_year", _("This is not a year. Write four digits, such as 2025."))
        year = int(match.group(1))
    if not YEAR_RANGE[0] <= year <= YEAR_RANGE[1]:
        raise CellError("invalid_year", _("This is not a year. Write four digits, such as 2025."))
    return year


def phone_value(value) -> str:
    raw = PHONE_SEPARATORS.sub("", code_text(value))
    if not PHONE.match(raw):
        raise CellError("invalid_phone", _("A phone number has only digits, with an optional + at the start."))
    return raw


def email_value(value) -> str:
    raw = WHITESPACE.sub("", text(value))
    try:
        validate_email(raw)
    except ValidationError:
        raise CellError("invalid_email", _("This is not an e-mail address.")) from None
    return raw


def looks_like_lost_digits(value) -> bool:
    """An 18-digit ID number typed into an Excel number cell keeps only 15 significant digits: it comes
    as a float, or as text Excel wrote from one ("3.30802E+17"). Whole numbers written exactly by a
    program come as int and are kept."""
    if isinstance(value, float):
        return True
    return isinstance(value, str) and bool(SCIENTIFIC_TEXT.match(WHITESPACE.sub("", text(value))))
