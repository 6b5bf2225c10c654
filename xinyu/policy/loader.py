"""The regulation's specifics as data: policy/<id>.toml, validated at start-up (DESIGN.md §3).

A policy file names its id, version and effective date; a case keeps the version it was opened under.
"""

import datetime as dt
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.conf import settings

from xinyu.policy.care import DEFAULT_CARE, CareRules, CareRulesError, parse_care
from xinyu.policy.centre import DEFAULT_CENTRE, CentreRules, CentreRulesError, parse_centre
from xinyu.policy.screening import DEFAULT_RULES, ScoringRules, ScoringRulesError
from xinyu.policy.terms import DEFAULT_TERMS, TermRules, TermRulesError, parse_terms
from xinyu.policy.workforce import DEFAULT_WORKFORCE, WorkforceRules, WorkforceRulesError, parse_workforce

ROLES = frozenset(
    {
        "organiser",
        "advisor",
        "head_teacher",
        "mental_health_advisor",
        "college_leader_in_charge",
        "college_working_group",
        "student_affairs",
        "centre",
        "school_leader",
        "logistics_security",
    }
)
EVIDENCE_KINDS = frozenset({"note", "family_told", "watch_shifts", "hospital"})
CLOCKS = frozenset({"always", "office"})
LEVELS = ("A", "B", "C", "D")
# Levels whose case is urgent (its notices go out as urgent) when a level's `urgent` is not given: C and D,
# where harm has been done or life is at risk (第十二条).
URGENT_LEVELS = ("C", "D")


class PolicyError(Exception):
    """A policy file that cannot be used; the message says where and what."""


@dataclass(frozen=True)
class StepRule:
    code: str
    title: str
    role: str
    within_minutes: int
    clock: str
    ack_minutes: int
    evidence: tuple[str, ...]


@dataclass(frozen=True)
class LevelRule:
    level: str
    name: str
    meaning: str
    organiser: str
    collaborators: tuple[str, ...]
    closing: str
    closing_requires_centre_review: bool
    steps: tuple[StepRule, ...]
    urgent: bool = False


@dataclass(frozen=True)
class Deadline:
    minutes: int
    clock: str


# Severities a screening result can have (xinyu.screening.definition.SEVERITIES, less "none").
SCREENING_SEVERITIES = ("mild", "moderate", "moderately_severe", "severe")


@dataclass(frozen=True)
class ScreeningRules:
    """The [screening] table: how a submitted screening is routed to people (DESIGN.md §5).

    `red_flags` and `review_flags` are (instrument code, flag code) pairs; a red flag raises an urgent
    concern report, a review flag an interview. The defaults apply to policy files without the table.
    """

    red_flags: frozenset[tuple[str, str]] = frozenset(
        {("PHQ-9", "suicidal_ideation"), ("UPI", "suicidal_ideation"), ("SCL-90", "suicidal_ideation")}
    )
    centre_evaluation_severities: frozenset[str] = frozenset({"severe", "moderately_severe"})
    interview_severities: frozenset[str] = frozenset({"mild", "moderate"})
    review_flags: frozenset[tuple[str, str]] = frozenset({("UPI", "counselling_request")})
    interview_within_days: int = 7
    centre_evaluation_within_days: int = 3
    scoring: ScoringRules = DEFAULT_RULES


DEFAULT_SCREENING = ScreeningRules()


@dataclass(frozen=True)
class Policy:
    id: str
    version: int
    effective_from: dt.date
    title: str
    weekdays: frozenset[int]
    office_periods: tuple[tuple[dt.time, dt.time], ...]
    holidays: frozenset[dt.date]
    working_days: frozenset[dt.date]
    report_receivers: tuple[str, ...]
    urgent_report_receivers: tuple[str, ...]
    report_ack: Deadline
    urgent_report_ack: Deadline
    renotify_after_minutes: int
    escalate_every_minutes: int
    escalation_chain: tuple[str, ...]
    levels: dict[str, LevelRule]
    screening: ScreeningRules = DEFAULT_SCREENING
    care: CareRules = DEFAULT_CARE
    terms: TermRules = DEFAULT_TERMS
    workforce: WorkforceRules = DEFAULT_WORKFORCE
    centre: CentreRules = DEFAULT_CENTRE

    @property
    def key(self) -> str:
        return f"{self.id}@{self.version}"

    def level(self, level: str) -> LevelRule:
        return self.levels[level]

    @property
    def urgent_levels(self) -> tuple[str, ...]:
        return tuple(level for level, rule in self.levels.items() if rule.urgent)


def _need(table: dict, key: str, kind, where: str):
    if key not in table:
        raise PolicyError(f"{where}: 缺少“{key}”")
    value = table[key]
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise PolicyError(f"{where}.{key}: 类型不对（{value!r}）")
    return value


def _time(text: str, where: str) -> dt.time:
    try:
        return dt.time.fromisoformat(text)
    except (TypeError, ValueError) as exc:
        raise PolicyError(f"{where}: “{text}”不是时间（应为 HH:MM）") from exc


def _date(text, where: str) -> dt.date:
    if isinstance(text, dt.date):
        return text
    try:
        return dt.date.fromisoformat(text)
    except (TypeError, ValueError) as exc:
        raise PolicyError(f"{where}: “{text}”不是日期（应为 YYYY-MM-DD）") from exc


def _roles(values, where: str, *, allow_organiser: bool = True) -> tuple[str, ...]:
    for value in values:
        if value not in ROLES or (value == "organiser" and not allow_organiser):
            raise PolicyError(f"{where}: 未知角色“{value}”")
    return tuple(values)


def _clock(value: str, where: str) -> str:
    if value not in CLOCKS:
        raise PolicyError(f"{where}: 计时方式应为 always 或 office，而不是“{value}”")
    return value


def _step(raw: dict, where: str) -> StepRule:
    evidence = tuple(_need(raw, "evidence", list, where))
    for kind in evidence:
        if kind not in EVIDENCE_KINDS:
            raise PolicyError(f"{where}.evidence: 未知记录类型“{kind}”")
    within = _need(raw, "within_minutes", int, where)
    ack = _need(raw, "ack_minutes", int, where)
    if within <= 0 or ack <= 0:
        raise PolicyError(f"{where}: 时限必须大于 0")
    return StepRule(
        code=_need(raw, "code", str, where),
        title=_need(raw, "title", str, where),
        role=_roles([_need(raw, "role", str, where)], f"{where}.role")[0],
        within_minutes=within,
        clock=_clock(_need(raw, "clock", str, where), f"{where}.clock"),
        ack_minutes=ack,
        evidence=evidence,
    )


def _level(level: str, raw: dict) -> LevelRule:
    where = f"levels.{level}"
    steps = tuple(_step(step, f"{where}.steps[{n}]") for n, step in enumerate(_need(raw, "steps", list, where)))
    codes = [step.code for step in steps]
    if len(set(codes)) != len(codes):
        raise PolicyError(f"{where}.steps: 步骤代码重复")
    if not steps:
        raise PolicyError(f"{where}.steps: 至少需要一个步骤")
    return LevelRule(
        level=level,
        name=_need(raw, "name", str, where),
        meaning=_need(raw, "meaning", str, where),
        organiser=_roles([_need(raw, "organiser", str, where)], f"{where}.organiser", allow_organiser=False)[0],
        collaborators=_roles(_need(raw, "collaborators", list, where), f"{where}.collaborators"),
        closing=_need(raw, "closing", str, where),
        closing_requires_centre_review=_need(raw, "closing_requires_centre_review", bool, where),
        steps=steps,
        urgent=_need(raw, "urgent", bool, where) if "urgent" in raw else level in URGENT_LEVELS,
    )


def _flag_pairs(values, where: str) -> frozenset[tuple[str, str]]:
    pairs = set()
    for n, raw in enumerate(values):
        here = f"{where}[{n}]"
        if not isinstance(raw, dict):
            raise PolicyError(f"{here}: 应为 {{ instrument = …, flag = … }}")
        unknown = sorted(set(raw) - {"instrument", "flag"})
        if unknown:
            raise PolicyError(f"{here}: 未知字段“{unknown[0]}”")
        instrument = _need(raw, "instrument", str, here)
        flag = _need(raw, "flag", str, here)
        if not instrument.strip() or not flag.strip():
            raise PolicyError(f"{here}: 量表代码和提示代码不能为空")
        pairs.add((instrument, flag))
    return frozenset(pairs)


def _severities(values, where: str) -> frozenset[str]:
    for value in values:
        if value not in SCREENING_SEVERITIES:
            raise PolicyError(f"{where}: 严重程度应为 {'、'.join(SCREENING_SEVERITIES)} 之一，而不是“{value}”")
    return frozenset(values)


SCREENING_KEYS = frozenset(
    {
        "red_flags",
        "centre_evaluation_severities",
        "interview_severities",
        "review_flags",
        "interview_within_days",
        "centre_evaluation_within_days",
        "scoring",
    }
)


def parse_screening(raw: dict | None) -> ScreeningRules:
    """The [screening] table checked; a missing table or key keeps the default."""
    if raw is None:
        return DEFAULT_SCREENING
    if not isinstance(raw, dict):
        raise PolicyError("screening: 应为一个表")
    unknown = sorted(set(raw) - SCREENING_KEYS)
    if unknown:
        raise PolicyError(f"screening: 未知字段“{unknown[0]}”")
    default = DEFAULT_SCREENING
    values = {}
    for key in ("red_flags", "review_flags"):
        if key in raw:
            values[key] = _flag_pairs(_need(raw, key, list, "screening"), f"screening.{key}")
    for key in ("centre_evaluation_severities", "interview_severities"):
        if key in raw:
            values[key] = _severities(_need(raw, key, list, "screening"), f"screening.{key}")
    centre = values.get("centre_evaluation_severities", default.centre_evaluation_severities)
    interview = values.get("interview_severities", default.interview_severities)
    if centre & interview:
        raise PolicyError(f"screening: 严重程度“{sorted(centre & interview)[0]}”不能既交中心评估又安排约谈")
    for key in ("interview_within_days", "centre_evaluation_within_days"):
        if key in raw and _need(raw, key, int, "screening") <= 0:
            raise PolicyError(f"screening.{key}: 必须大于 0")
        if key in raw:
            values[key] = raw[key]
    if "scoring" in raw:
        try:
            values["scoring"] = ScoringRules.from_mapping(raw["scoring"], "screening.scoring")
        except ScoringRulesError as exc:
            raise PolicyError(str(exc)) from exc
    return ScreeningRules(**values)


def parse_policy(raw: dict) -> Policy:
    head = _need(raw, "policy", dict, "文件")
    hours = _need(raw, "office_hours", dict, "文件")
    calendar = raw.get("calendar", {})
    reports = _need(raw, "reports", dict, "文件")
    escalation = _need(raw, "escalation", dict, "文件")
    levels = _need(raw, "levels", dict, "文件")
    if sorted(levels) != list(LEVELS):
        raise PolicyError(f"levels: 应恰好定义 A、B、C、D 四级，而不是 {sorted(levels)}")
    weekdays = _need(hours, "weekdays", list, "office_hours")
    if not weekdays or any(day not in range(1, 8) for day in weekdays):
        raise PolicyError("office_hours.weekdays: 应为 1（周一）到 7（周日）")
    periods = []
    for n, period in enumerate(_need(hours, "periods", list, "office_hours")):
        start, end = (_time(value, f"office_hours.periods[{n}]") for value in period)
        if end <= start or (periods and start < periods[-1][1]):
            raise PolicyError(f"office_hours.periods[{n}]: 时段应按时间先后排列且不重叠")
        periods.append((start, end))
    if not periods:
        raise PolicyError("office_hours.periods: 至少需要一个时段")
    chain = _roles(_need(escalation, "chain", list, "escalation"), "escalation.chain", allow_organiser=False)
    if not chain:
        raise PolicyError("escalation.chain: 至少需要一个角色")
    for key in ("renotify_after_minutes", "escalate_every_minutes"):
        if _need(escalation, key, int, "escalation") <= 0:
            raise PolicyError(f"escalation.{key}: 必须大于 0")
    for key in ("ack_minutes", "urgent_ack_minutes"):
        if _need(reports, key, int, "reports") <= 0:
            raise PolicyError(f"reports.{key}: 必须大于 0")
    return Policy(
        id=_need(head, "id", str, "policy"),
        version=_need(head, "version", int, "policy"),
        effective_from=_date(_need(head, "effective_from", (str, dt.date), "policy"), "policy.effective_from"),
        title=_need(head, "title", str, "policy"),
        weekdays=frozenset(weekdays),
        office_periods=tuple(periods),
        holidays=frozenset(_date(d, "calendar.holidays") for d in calendar.get("holidays", [])),
        working_days=frozenset(_date(d, "calendar.working_days") for d in calendar.get("working_days", [])),
        report_receivers=_roles(
            _need(reports, "receivers", list, "reports"), "reports.receivers", allow_organiser=False
        ),
        urgent_report_receivers=_roles(
            _need(reports, "urgent_receivers", list, "reports"), "reports.urgent_receivers", allow_organiser=False
        ),
        report_ack=Deadline(
            _need(reports, "ack_minutes", int, "reports"),
            _clock(_need(reports, "ack_clock", str, "reports"), "reports"),
        ),
        urgent_report_ack=Deadline(
            _need(reports, "urgent_ack_minutes", int, "reports"),
            _clock(_need(reports, "urgent_ack_clock", str, "reports"), "reports"),
        ),
        renotify_after_minutes=_need(escalation, "renotify_after_minutes", int, "escalation"),
        escalate_every_minutes=_need(escalation, "escalate_every_minutes", int, "escalation"),
        escalation_chain=chain,
        levels={level: _level(level, levels[level]) for level in LEVELS},
        screening=parse_screening(raw.get("screening")),
        care=_care(raw.get("care")),
        terms=_terms(raw.get("terms")),
        workforce=_workforce(raw.get("workforce")),
        centre=_centre(raw.get("centre")),
    )


def _care(raw) -> CareRules:
    try:
        return parse_care(raw)
    except CareRulesError as exc:
        raise PolicyError(str(exc)) from exc


def _terms(raw) -> TermRules:
    try:
        return parse_terms(raw)
    except TermRulesError as exc:
        raise PolicyError(str(exc)) from exc


def _workforce(raw) -> WorkforceRules:
    try:
        return parse_workforce(raw)
    except WorkforceRulesError as exc:
        raise PolicyError(str(exc)) from exc


def _centre(raw) -> CentreRules:
    try:
        return parse_centre(raw)
    except CentreRulesError as exc:
        raise PolicyError(str(exc)) from exc


def load_policy_file(path: Path) -> Policy:
    try:
        with path.open("rb") as handle:
            raw = tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(f"{path.name}: 不是有效的 TOML 文件：{exc}") from exc
    try:
        return parse_policy(raw)
    except PolicyError as exc:
        raise PolicyError(f"{path.name}: {exc}") from exc


@cache
def _all_versions(directory: str, family: str) -> tuple[Policy, ...]:
    policies = [load_policy_file(path) for path in sorted(Path(directory).glob("*.toml"))]
    policies = [policy for policy in policies if policy.id == family]
    if not policies:
        raise PolicyError(f"{directory} 中没有 id 为“{family}”的政策文件")
    keys = [policy.key for policy in policies]
    if len(set(keys)) != len(keys):
        raise PolicyError(f"{directory}: “{family}”有重复的版本号")
    return tuple(sorted(policies, key=lambda policy: (policy.effective_from, policy.version)))


def policy_in_force(on: dt.date | None = None) -> Policy:
    """The policy version in force on `on` (today by default): the latest one already effective."""
    day = on or dt.date.today()
    versions = _all_versions(str(settings.XINYU_POLICY_DIR), settings.XINYU_POLICY)
    effective = [policy for policy in versions if policy.effective_from <= day]
    if not effective:
        raise PolicyError(f"{day} 没有生效的政策版本")
    return effective[-1]


def policy_versions() -> tuple[Policy, ...]:
    """Every version of the configured policy, oldest first (by effective date)."""
    return _all_versions(str(settings.XINYU_POLICY_DIR), settings.XINYU_POLICY)


def policy_version(key: str) -> Policy:
    """A past version by its key ("quzhou-2021@1"), for cases opened under it."""
    for policy in _all_versions(str(settings.XINYU_POLICY_DIR), settings.XINYU_POLICY):
        if policy.key == key:
            return policy
    raise PolicyError(f"找不到政策版本“{key}”")


def clear_cache() -> None:
    _all_versions.cache_clear()
