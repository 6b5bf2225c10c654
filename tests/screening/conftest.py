"""The shipped instruments and small helpers to write answer vectors. Scoring tests need no database."""

import copy
import json

import pytest

from xinyu.policy.screening import DEFAULT_RULES, ScoringRules
from xinyu.screening.definition import SHIPPED_DIR, parse_definition, shipped_definition
from xinyu.screening.scoring import score

UPI_LIE = (5, 20, 35, 50)
UPI_KEY = (8, 16, 25, 26)
UPI_AUXILIARY = (61, 62, 63)
# UPI items that add to the total and are in no rule of their own: a total can be built from these alone.
UPI_PLAIN = tuple(n for n in range(1, 61) if n not in UPI_LIE + UPI_KEY)


@pytest.fixture(scope="session")
def phq9():
    return shipped_definition("PHQ-9")


@pytest.fixture(scope="session")
def gad7():
    return shipped_definition("GAD-7")


@pytest.fixture(scope="session")
def upi():
    return shipped_definition("UPI")


@pytest.fixture(scope="session")
def scl90():
    return shipped_definition("SCL-90")


def raw_document(code: str) -> dict:
    """A fresh copy of a shipped JSON document, to break in a test."""
    name = {"PHQ-9": "phq-9", "GAD-7": "gad-7", "UPI": "upi", "SCL-90": "scl-90"}[code]
    return copy.deepcopy(json.loads((SHIPPED_DIR / f"{name}.json").read_text(encoding="utf-8")))


def in_order(values) -> dict[int, object]:
    """[a, b, c] → {1: a, 2: b, 3: c}"""
    return dict(enumerate(values, start=1))


def spread(total: int, count: int, highest: int) -> list[int]:
    """`count` item scores of at most `highest` adding up to `total`, front-loaded: spread(5, 4, 3) → [3, 2, 0, 0]."""
    assert 0 <= total <= count * highest
    values = []
    for _ in range(count):
        values.append(min(highest, total))
        total -= values[-1]
    return values


def upi_answers(yes=(), text=None) -> dict[int, object]:
    """Items 1–63 answered: "yes" (1) for the listed items, "no" (0) for the others; item 64 if given."""
    answers = {n: 1 if n in set(yes) else 0 for n in range(1, 64)}
    if text is not None:
        answers[64] = text
    return answers


def rules(**settings) -> ScoringRules:
    return ScoringRules(**settings)


def scored(definition, answers, **settings):
    return score(definition, answers, rules=ScoringRules(**settings) if settings else DEFAULT_RULES)


def flag_codes(result) -> set[str]:
    return {flag.code for flag in result.flags}


def reparse(document: dict):
    return parse_definition(document)
