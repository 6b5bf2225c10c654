"""Whole numbers from URLs, query strings and forms, bounded so that they always fit the database.

A row id in a path is matched by the `id` converter (every URL pattern uses it instead of `int`): one to
18 digits, so anything larger is simply no match (404) and never reaches the database, where a number
beyond 64 bits raises OverflowError (SQLite) or fails the query. Query strings and form fields that carry
an id go through `id_param`, which answers None for anything that is not such a number; the view treats
None as "nothing chosen" or "not found". A form that lets people pick several rows uses
`IdMultipleChoiceField`, which refuses such a value as an invalid choice (Django's own single choice field
already does).
"""

from django import forms
from django.urls import register_converter

# 18 digits always fit a signed 64-bit column (its largest value has 19).
ID_DIGITS = 18
MAX_ID = 10**ID_DIGITS - 1


class IdConverter:
    regex = f"[0-9]{{1,{ID_DIGITS}}}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return str(int(value))


class YearConverter:
    """A year in a path: 2000 to 2099 (the years Xinyu keeps records of)."""

    regex = "20[0-9]{2}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return str(int(value))


FIRST_YEAR, LAST_YEAR = 2000, 2099


def register() -> None:
    register_converter(IdConverter, "id")
    register_converter(YearConverter, "year")


def id_param(raw) -> int | None:
    """`raw` as an id (1 to 18 ASCII digits, no sign, no spaces inside), or None."""
    text = str(raw).strip() if raw is not None else ""
    if not text or len(text) > ID_DIGITS or not (text.isascii() and text.isdigit()):
        return None
    return int(text)


class IdMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Several rows by id; a value that is no id in range is an invalid choice, before any query."""

    def _check_values(self, value):
        if self.to_field_name is None:
            for pk in value if isinstance(value, list | tuple) else []:
                if id_param(pk) is None:
                    raise forms.ValidationError(
                        self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": pk}
                    )
        return super()._check_values(value)
