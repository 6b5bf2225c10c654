"""Terms (学期): each academic year (学年) has two, and every day belongs to exactly one of them, the
vacation after a term counted with it. The policy file's [terms] table says on which day of the year
each term begins (defaults below); a course section, a workload statement or a plan item names a term.
"""

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

DEFAULT_FIRST_TERM_FROM = (8, 1)  # 第一学期（秋季）自 8 月 1 日起，含寒假
DEFAULT_SECOND_TERM_FROM = (2, 1)  # 第二学期（春季）自 2 月 1 日起，含暑假


class TermRulesError(Exception):
    """A [terms] table that cannot be used; the message says where and what, in Chinese."""


@dataclass(frozen=True)
class TermRules:
    first_term_from: tuple[int, int] = DEFAULT_FIRST_TERM_FROM
    second_term_from: tuple[int, int] = DEFAULT_SECOND_TERM_FROM


DEFAULT_TERMS = TermRules()


def _month_day(text, where: str) -> tuple[int, int]:
    try:
        month, day = (int(part) for part in str(text).split("-"))
        dt.date(2001, month, day)  # not a leap year: 02-29 is refused
    except (ValueError, TypeError):
        raise TermRulesError(f"{where}: 应为“月-日”，如 08-01，而不是 {text!r}") from None
    return month, day


def parse_terms(raw: dict | None) -> TermRules:
    if not raw:
        return DEFAULT_TERMS
    first = _month_day(raw.get("first_term_from", "08-01"), "terms.first_term_from")
    second = _month_day(raw.get("second_term_from", "02-01"), "terms.second_term_from")
    if not second < first:
        raise TermRulesError("terms: 第二学期的起始日应早于第一学期的起始日（同一年内，先春季后秋季）")
    return TermRules(first, second)


@dataclass(frozen=True, order=True)
class Term:
    """The `number`th term (1 or 2) of the academic year that begins in `year`."""

    year: int
    number: int
    rules: TermRules = DEFAULT_TERMS

    @property
    def start(self) -> dt.date:
        if self.number == 1:
            return dt.date(self.year, *self.rules.first_term_from)
        return dt.date(self.year + 1, *self.rules.second_term_from)

    @property
    def end(self) -> dt.date:
        """The first day of the next term (exclusive)."""
        return self.next().start

    def next(self) -> "Term":
        return Term(self.year, 2, self.rules) if self.number == 1 else Term(self.year + 1, 1, self.rules)

    def previous(self) -> "Term":
        return Term(self.year - 1, 2, self.rules) if self.number == 1 else Term(self.year, 1, self.rules)

    @property
    def code(self) -> str:
        """As URLs and files name it: 2026-2027-1."""
        return f"{self.year}-{self.year + 1}-{self.number}"

    @property
    def label(self) -> str:
        return f"{self.year}—{self.year + 1}学年第{'一' if self.number == 1 else '二'}学期"

    def __str__(self) -> str:
        return self.label

    def __contains__(self, day: dt.date) -> bool:
        return self.start <= day < self.end


def _rules(policy) -> TermRules:
    return getattr(policy, "terms", None) or DEFAULT_TERMS


def term_of(day: dt.date | None = None, policy=None) -> Term:
    """The term `day` (default: today in Asia/Shanghai) belongs to."""
    if policy is None:
        from xinyu.policy.loader import policy_in_force  # noqa: PLC0415 - loader imports this module

        policy = policy_in_force()
    rules = _rules(policy)
    day = day or timezone.localdate()
    if day >= dt.date(day.year, *rules.first_term_from):
        return Term(day.year, 1, rules)
    if day >= dt.date(day.year, *rules.second_term_from):
        return Term(day.year - 1, 2, rules)
    return Term(day.year - 1, 1, rules)


def parse_term_code(code: str, policy=None) -> Term:
    """`2026-2027-1` → the term; ValueError for anything else."""
    parts = code.split("-")
    if len(parts) != 3 or not all(part.isdigit() for part in parts):
        raise ValueError(code)
    year, following, number = (int(part) for part in parts)
    if following != year + 1 or number not in (1, 2) or not 2000 <= year <= 2098:
        raise ValueError(code)
    if policy is None:
        from xinyu.policy.loader import policy_in_force  # noqa: PLC0415

        policy = policy_in_force()
    return Term(year, number, _rules(policy))
