"""The policy file's [workforce] table (第十三条, 第十五条): each post's yearly minimum of training hours,
and how an hour of each kind of work converts to 课时 for the workload statement. Parsed and checked by
`parse_workforce`; defaults below."""

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

# The posts' codes as `xinyu.org.models.Post` names them (the policy sits below org, so they are spelled
# out here; `tests/policy/test_workforce.py` checks they are posts).
DEFAULT_TRAINING_MINIMUM_HOURS = {
    "centre_supervisor": 40,
    "centre_counsellor": 40,
    "centre_part_time_counsellor": 16,
    "mental_health_advisor": 24,
    "college_consultant": 16,
    "advisor": 16,
    "head_teacher": 8,
}

# The kinds of work on the workload statement (`xinyu.workforce.statement`).
WORK_KINDS = (
    "counselling",
    "interview",
    "supervision_given",
    "supervision_received",
    "training_given",
    "course",
    "activity",
)
DEFAULT_CLASS_HOURS_PER_HOUR = {
    "counselling": Decimal("1"),
    "interview": Decimal("1"),
    "supervision_given": Decimal("1"),
    "supervision_received": Decimal("0"),
    "training_given": Decimal("1"),
    "course": Decimal("1"),  # per class period (class_period_minutes), not per clock hour
    "activity": Decimal("0.5"),
}


class WorkforceRulesError(Exception):
    """A [workforce] table that cannot be used; the message says where and what, in Chinese."""


@dataclass(frozen=True)
class WorkforceRules:
    training_minimum_hours: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_TRAINING_MINIMUM_HOURS))
    class_period_minutes: int = 45
    interview_minutes: int = 30  # an interview record has no length: each counts this long
    class_hours_per_hour: dict[str, Decimal] = field(default_factory=lambda: dict(DEFAULT_CLASS_HOURS_PER_HOUR))

    def minimum_hours(self, posts) -> int | None:
        """The highest minimum among `posts` (a person with two posts trains for the more demanding one);
        None when none of them has a minimum."""
        minimums = [self.training_minimum_hours[post] for post in posts if post in self.training_minimum_hours]
        return max(minimums) if minimums else None

    def class_hours(self, kind: str, minutes: int) -> Decimal:
        """课时 for `minutes` of `kind` work: a course counts its class periods, the others their hours."""
        per = self.class_period_minutes if kind == "course" else 60
        return (Decimal(minutes) / per * self.class_hours_per_hour[kind]).quantize(Decimal("0.1"))


DEFAULT_WORKFORCE = WorkforceRules()


def parse_workforce(raw: dict | None) -> WorkforceRules:
    if not raw:
        return DEFAULT_WORKFORCE
    minimums = dict(DEFAULT_TRAINING_MINIMUM_HOURS)
    for post, hours in (raw.get("training_minimum_hours") or {}).items():
        if not isinstance(hours, int) or isinstance(hours, bool) or hours < 0:
            raise WorkforceRulesError(f"workforce.training_minimum_hours.{post}: 应为不小于 0 的整数（学时）")
        minimums[post] = hours
    period = raw.get("class_period_minutes", 45)
    if not isinstance(period, int) or isinstance(period, bool) or not 30 <= period <= 60:
        raise WorkforceRulesError("workforce.class_period_minutes: 一节课应为 30 到 60 分钟")
    interview = raw.get("interview_minutes", 30)
    if not isinstance(interview, int) or isinstance(interview, bool) or not 10 <= interview <= 120:
        raise WorkforceRulesError("workforce.interview_minutes: 每次约谈计 10 到 120 分钟")
    factors = dict(DEFAULT_CLASS_HOURS_PER_HOUR)
    for kind, value in (raw.get("class_hours_per_hour") or {}).items():
        if kind not in WORK_KINDS:
            raise WorkforceRulesError(
                f"workforce.class_hours_per_hour.{kind}: 未知的工作类型（可用：{'、'.join(WORK_KINDS)}）"
            )
        try:
            factor = Decimal(str(value))
        except InvalidOperation:
            factor = Decimal(-1)
        if not Decimal(0) <= factor <= Decimal(10):
            raise WorkforceRulesError(f"workforce.class_hours_per_hour.{kind}: 应为 0 到 10 之间的数")
        factors[kind] = factor
    return WorkforceRules(minimums, period, interview, factors)
