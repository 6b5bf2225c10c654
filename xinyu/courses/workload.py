"""Teaching hours for the workload statement (第十三条, 第十五条 按学校有关规定计算工作量): each teacher's class
periods in the sections of the terms that begin in [start, end), in minutes of the policy's class period.
`xinyu.workforce.statement` sums it beside the other kinds of work."""

import datetime as dt
from collections import defaultdict

from django.db.models import Sum

from xinyu.courses.models import SectionTeacher
from xinyu.policy.loader import policy_in_force
from xinyu.policy.terms import parse_term_code


def _terms_starting_in(codes, start: dt.date, end: dt.date) -> list[str]:
    chosen = []
    for code in codes:
        try:
            term = parse_term_code(code)
        except ValueError:
            continue  # a section's term is checked when it is saved; an unreadable one counts nowhere
        if start <= term.start < end:
            chosen.append(code)
    return chosen


def teaching_minutes(start: dt.date, end: dt.date) -> dict[int, int]:
    """User id → class periods taught × `policy_in_force().workforce.class_period_minutes`, credited to the
    sections whose term starts in [start, end)."""
    codes = SectionTeacher.objects.order_by().values_list("section__term", flat=True).distinct()
    terms = _terms_starting_in(set(codes), start, end)
    if not terms:
        return {}
    period = policy_in_force().workforce.class_period_minutes
    minutes: dict[int, int] = defaultdict(int)
    rows = (
        SectionTeacher.objects.filter(section__term__in=terms)
        .values("teacher_id")
        .annotate(periods=Sum("class_periods"))
    )
    for row in rows:
        minutes[row["teacher_id"]] += row["periods"] * period
    return dict(minutes)
