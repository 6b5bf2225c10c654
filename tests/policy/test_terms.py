import datetime as dt
import tomllib

import pytest
from django.conf import settings

from xinyu.policy.loader import PolicyError, parse_policy, policy_in_force
from xinyu.policy.terms import Term, TermRules, parse_term_code, parse_terms, term_of


@pytest.mark.parametrize(
    ("day", "code"),
    [
        (dt.date(2026, 9, 7), "2026-2027-1"),
        (dt.date(2026, 8, 1), "2026-2027-1"),
        (dt.date(2026, 7, 31), "2025-2026-2"),
        (dt.date(2027, 1, 20), "2026-2027-1"),  # the winter vacation is counted with the first term
        (dt.date(2027, 2, 1), "2026-2027-2"),
        (dt.date(2027, 1, 31), "2026-2027-1"),
    ],
)
def test_every_day_belongs_to_one_term(day, code):
    term = term_of(day, policy_in_force(dt.date(2026, 12, 7)))
    assert term.code == code
    assert day in term
    assert day not in term.next() and day not in term.previous()


def test_terms_follow_each_other_without_gaps():
    term = Term(2026, 1)
    assert term.start == dt.date(2026, 8, 1)
    assert term.end == term.next().start == dt.date(2027, 2, 1)
    assert term.next().end == dt.date(2027, 8, 1)
    assert term.next().previous() == term
    assert term.label == "2026—2027学年第一学期"
    assert Term(2026, 2).label == "2026—2027学年第二学期"


def test_the_policy_file_sets_the_first_days():
    rules = parse_terms({"first_term_from": "09-01", "second_term_from": "02-20"})
    assert rules == TermRules((9, 1), (2, 20))
    assert term_of(dt.date(2026, 8, 20), type("P", (), {"terms": rules})()).code == "2025-2026-2"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"first_term_from": "13-01"}, "terms.first_term_from"),
        ({"second_term_from": "02-29"}, "terms.second_term_from"),
        ({"first_term_from": "01-15", "second_term_from": "02-01"}, "第二学期的起始日"),
    ],
)
def test_bad_term_days_are_refused_with_where(raw, message):
    policy_raw = _policy_raw()
    policy_raw["terms"] = raw
    with pytest.raises(PolicyError, match=message):
        parse_policy(policy_raw)


@pytest.mark.parametrize("code", ["2026-2027-3", "2026-2028-1", "2026-2027", "abc", "1999-2000-1"])
def test_term_codes_are_checked(code):
    with pytest.raises(ValueError):
        parse_term_code(code)


def test_term_codes_round_trip():
    assert parse_term_code("2026-2027-2") == Term(2026, 2, policy_in_force().terms)


def _policy_raw() -> dict:
    path = settings.XINYU_POLICY_DIR / f"{settings.XINYU_POLICY}.toml"
    return tomllib.loads(path.read_text(encoding="utf-8"))
