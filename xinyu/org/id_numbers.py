"""Resident identity numbers (居民身份证号码, GB 11643-1999)."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CODES = "10X98765432"


def check_digit(first17: str) -> str:
    total = sum(int(digit) * weight for digit, weight in zip(first17, WEIGHTS, strict=True))
    return CHECK_CODES[total % 11]


def normalise_id_number(value: str) -> str:
    """Validate an 18-character ID number and return it with an upper-case X; raise ValidationError."""
    text = value.strip().upper()
    if len(text) != 18 or not text[:17].isdigit() or not (text[17].isdigit() or text[17] == "X"):
        raise ValidationError(_("An ID number has 18 characters: 17 digits and a final digit or X."))
    try:
        dt.date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except ValueError as exc:
        raise ValidationError(_("The date of birth inside the ID number is not a real date.")) from exc
    if check_digit(text[:17]) != text[17]:
        raise ValidationError(_("The check digit of the ID number is wrong; please check each digit."))
    return text


def mask_id_number(value: str) -> str:
    """Shown to people: the first three and last four characters only."""
    if len(value) < 8:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def birth_date_from_id_number(value: str) -> dt.date:
    return dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
