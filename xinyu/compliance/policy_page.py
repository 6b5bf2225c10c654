"""The policy in force, in words (read-only): every setting of a policy version as a labelled row in
Chinese, and a readable comparison of two versions built on the same rows (which settings changed,
old → new). Changes are made in the policy file by the technical administrator; this only reads it.
"""

import datetime as dt
from dataclasses import dataclass, fields

from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _

from xinyu.concerns.queries import EVIDENCE_KIND_LABELS, ROLE_LABELS
from xinyu.org.models import Post
from xinyu.policy.calendar import calendar_covers_until
from xinyu.policy.loader import LEVELS, Deadline, Policy
from xinyu.policy.screening import SETTINGS
from xinyu.screening.labels import severity_label
from xinyu.screening.models import Instrument

WEEKDAYS = {
    1: gettext_lazy("Monday"),
    2: gettext_lazy("Tuesday"),
    3: gettext_lazy("Wednesday"),
    4: gettext_lazy("Thursday"),
    5: gettext_lazy("Friday"),
    6: gettext_lazy("Saturday"),
    7: gettext_lazy("Sunday"),
}

# The care rules' settings and the unit their number counts (xinyu.policy.care.CareRules).
DAYS, HOURS, MINUTES, TIMES, YEARS, WORKING_DAY, PEOPLE = "days", "hours", "minutes", "times", "years", "wd", "people"
CARE_SETTINGS = {
    "registry_review_every_days": (gettext_lazy("Key-concern registry: review every"), DAYS),
    "registry_expires_after_overdue_days": (gettext_lazy("Key-concern registry: entry lapses when overdue by"), DAYS),
    "plan_student_contact_every_days": (gettext_lazy("Care plan: talk with the student every"), DAYS),
    "plan_family_contact_every_days": (gettext_lazy("Care plan: contact the family every"), DAYS),
    "plan_review_every_days": (gettext_lazy("Care plan: review every"), DAYS),
    "dorm_check_in_every_days": (gettext_lazy("Dorm leader's check-in every"), DAYS),
    "counselling_note_lock_days": (gettext_lazy("Counselling notes lock after"), DAYS),
    "counselling_reminder_hours": (gettext_lazy("Counselling appointment reminder before"), HOURS),
    "counselling_cancel_before_hours": (gettext_lazy("Students may cancel an appointment up to"), HOURS),
    "return_weekly_follow_ups": (gettext_lazy("After returning to school: weekly follow-ups"), TIMES),
    "return_monthly_follow_ups": (gettext_lazy("After returning to school: monthly follow-ups"), TIMES),
    "break_glass_minutes": (gettext_lazy("Emergency access lasts"), MINUTES),
    "break_glass_review_within_days": (gettext_lazy("Emergency access reviewed by the centre within"), DAYS),
    "case_records_days_after_close": (gettext_lazy("Crisis case records readable after closing for"), DAYS),
    "step_up_minutes": (gettext_lazy("Second sign-in step valid for"), MINUTES),
    "retention_archive_after_years": (gettext_lazy("Files of students who left are archived after"), YEARS),
    "retention_destroy_after_years": (gettext_lazy("Files of students who left are destroyed after"), YEARS),
    "monthly_report_due_working_day": (gettext_lazy("College monthly report due on"), WORKING_DAY),
    "research_k_min": (gettext_lazy("Research extracts: each group holds at least"), PEOPLE),
}

SCORING_SETTINGS = {
    "upi_class1_min_total": gettext_lazy("UPI class 1: total score at least"),
    "upi_class1_items": gettext_lazy("UPI class 1: any of these items answered yes"),
    "upi_class1_min_auxiliary": gettext_lazy("UPI class 1: auxiliary items answered at least"),
    "upi_class2_min_total": gettext_lazy("UPI class 2: total score at least"),
    "upi_class2_items": gettext_lazy("UPI class 2: any of these items answered yes"),
    "upi_class2_min_auxiliary": gettext_lazy("UPI class 2: auxiliary items answered at least"),
    "upi_item64_request": gettext_lazy("UPI item 64 (a problem the student wants to talk about)"),
    "no_request_answers": gettext_lazy("UPI item 64: answers that mean no request"),
    "scl90_total_above": gettext_lazy("SCL-90: total score above"),
    "scl90_positive_items_above": gettext_lazy("SCL-90: positive items above"),
    "scl90_factor_op": gettext_lazy("SCL-90: factor score comparison"),
    "scl90_factor_threshold": gettext_lazy("SCL-90: factor score threshold"),
    "scl90_other_factor_counts": gettext_lazy("SCL-90: the 'other' factor counts"),
    "scl90_suicide_item_min": gettext_lazy("SCL-90: item 15 (thoughts of ending one's life) scored at least"),
}
ITEM64_MODES = {
    "class_1": gettext_lazy("counts as class 1"),
    "class_2": gettext_lazy("counts as class 2"),
    "flag_only": gettext_lazy("flagged for review only"),
}
OPS = {">=": "≥", ">": ">", "<=": "≤", "<": "<", "==": "="}

WORK_KINDS = {
    "counselling": gettext_lazy("Counselling"),
    "interview": gettext_lazy("Interviews"),
    "supervision_given": gettext_lazy("Supervision given"),
    "supervision_received": gettext_lazy("Supervision received"),
    "training_given": gettext_lazy("Training given"),
    "course": gettext_lazy("Courses (per class period)"),
    "activity": gettext_lazy("Activities"),
}


@dataclass(frozen=True)
class Row:
    key: str  # stable across versions: the diff pairs rows by it (never shown)
    label: str
    value: str


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class Change:
    section: str
    label: str
    old: str  # "" when the setting is new
    new: str  # "" when the setting is gone


def _yes(value: bool) -> str:
    return _("yes") if value else _("no")


def _list(values) -> str:
    return "、".join(str(value) for value in values) or _("none")


def _roles(codes) -> str:
    return _list(ROLE_LABELS.get(code, code) for code in codes)


def duration(minutes: int) -> str:
    """240 → "4 小时", 90 → "1 小时 30 分钟", 4320 → "72 小时"."""
    hours, rest = divmod(minutes, 60)
    if not hours:
        return ngettext("%(n)d minute", "%(n)d minutes", rest) % {"n": rest}
    text = ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours}
    if rest:
        text += " " + ngettext("%(n)d minute", "%(n)d minutes", rest) % {"n": rest}
    return text


def deadline(minutes: int, clock: str) -> str:
    if clock == "office":
        return _("%(time)s of office time") % {"time": duration(minutes)}
    return _("%(time)s round the clock") % {"time": duration(minutes)}


def _amount(value, unit: str) -> str:
    n = {"n": value}
    match unit:
        case "days":
            return ngettext("%(n)s day", "%(n)s days", value) % n
        case "hours":
            return ngettext("%(n)s hour", "%(n)s hours", value) % n
        case "minutes":
            return ngettext("%(n)s minute", "%(n)s minutes", value) % n
        case "times":
            return ngettext("%(n)s time", "%(n)s times", value) % n
        case "years":
            return ngettext("%(n)s year", "%(n)s years", value) % n
        case "wd":
            return _("working day %(n)s of the following month") % n
        case _:
            return ngettext("%(n)s person", "%(n)s people", value) % n


def date_ranges(days) -> str:
    """Dates as runs of consecutive days: "2026-02-15 至 2026-02-23、2026-04-04"."""
    runs: list[list[dt.date]] = []
    for day in sorted(days):
        if runs and day - runs[-1][-1] == dt.timedelta(days=1):
            runs[-1].append(day)
        else:
            runs.append([day])
    parts = [
        run[0].isoformat() if len(run) == 1 else _("%(first)s to %(last)s") % {"first": run[0], "last": run[-1]}
        for run in runs
    ]
    return _list(parts)


def _flag_words(pairs) -> str:
    """(instrument, flag) pairs in words: the flag's label in the instrument's definition in use."""
    words = []
    language = get_language() or "zh-hans"
    for code, flag in sorted(pairs):
        instrument = Instrument.objects.filter(code=code, is_active=True).first()
        label = None
        if instrument is not None:
            rule = next((rule for rule in instrument.parsed().flags if rule.code == flag), None)
            label = rule.label.in_language(language)[0] if rule else None
        words.append(f"{code}：{label or _('a flag its definition in use does not have')}")
    return _list(words)


def _scoring_value(name: str, value) -> str:
    kind = SETTINGS[name].metadata["kind"]
    if kind == "items":
        return _list(_("item %(n)s") % {"n": n} for n in value)
    if kind == "bool":
        return _yes(value)
    if kind == "op":
        return OPS.get(value, value)
    if kind == "choice":
        return str(ITEM64_MODES.get(value, value))
    if kind == "texts":
        return _list(f"“{text}”" for text in value)
    return f"{value:g}" if isinstance(value, float) else str(value)


def _general(policy: Policy) -> Section:
    return Section(
        "general",
        _("The policy"),
        (
            Row("title", _("Title"), policy.title),
            Row("version", _("Version"), str(policy.version)),
            Row("effective_from", _("In force from"), policy.effective_from.isoformat()),
        ),
    )


def _office(policy: Policy) -> Section:
    periods = _list(f"{start:%H:%M}–{end:%H:%M}" for start, end in policy.office_periods)
    covered = calendar_covers_until(policy)
    return Section(
        "office",
        _("Office hours and the holiday calendar"),
        (
            Row("weekdays", _("Working days"), _list(WEEKDAYS[day] for day in sorted(policy.weekdays))),
            Row("periods", _("Office hours"), periods),
            Row("covered", _("The holiday calendar reaches"), covered.isoformat() if covered else _("no calendar")),
            Row("holidays", _("Public holidays (not office time)"), date_ranges(policy.holidays)),
            Row("working_days", _("Adjusted working days (office time)"), date_ranges(policy.working_days)),
        ),
    )


def _reports(policy: Policy) -> Section:
    return Section(
        "reports",
        _("Concern reports and escalation"),
        (
            Row("receivers", _("Receivers of a report"), _roles(policy.report_receivers)),
            Row("urgent_receivers", _("Receivers of an urgent report"), _roles(policy.urgent_report_receivers)),
            Row("ack", _("A report is acknowledged within"), deadline(*_pair(policy.report_ack))),
            Row("urgent_ack", _("An urgent report is acknowledged within"), deadline(*_pair(policy.urgent_report_ack))),
            Row("renotify", _("Not acknowledged: reminded again after"), duration(policy.renotify_after_minutes)),
            Row("escalate", _("Then escalated one step every"), duration(policy.escalate_every_minutes)),
            Row(
                "chain", _("Escalation chain"), " → ".join(str(ROLE_LABELS.get(r, r)) for r in policy.escalation_chain)
            ),
        ),
    )


def _pair(value: Deadline) -> tuple[int, str]:
    return value.minutes, value.clock


def _level(policy: Policy, code: str) -> Section:
    rule = policy.level(code)
    rows = [
        Row("meaning", _("Meaning"), rule.meaning),
        Row("organiser", _("Organised by"), str(ROLE_LABELS.get(rule.organiser, rule.organiser))),
        Row("collaborators", _("Working with"), _roles(rule.collaborators)),
        Row("urgent", _("Its reports go out as urgent"), _yes(rule.urgent)),
        Row("closing", _("Closed when"), rule.closing),
        Row("centre_review", _("Closing needs the centre's review"), _yes(rule.closing_requires_centre_review)),
    ]
    for n, step in enumerate(rule.steps, 1):
        value = _("%(role)s; done within %(within)s; acknowledged within %(ack)s; records: %(records)s") % {
            "role": ROLE_LABELS.get(step.role, step.role),
            "within": deadline(step.within_minutes, step.clock),
            "ack": deadline(step.ack_minutes, step.clock),
            "records": _list(EVIDENCE_KIND_LABELS.get(kind, kind) for kind in step.evidence),
        }
        rows.append(Row(f"step:{step.code}", _("Step %(n)s: %(title)s") % {"n": n, "title": step.title}, value))
    return Section(f"level:{code}", _("Crisis level %(name)s") % {"name": rule.name}, tuple(rows))


def _screening(policy: Policy) -> Section:
    rules = policy.screening
    rows = [
        Row("red_flags", _("Red flags (an urgent report at once)"), _flag_words(rules.red_flags)),
        Row("review_flags", _("Flags someone reviews (an interview)"), _flag_words(rules.review_flags)),
        Row(
            "centre_evaluation",
            _("Evaluated by the centre"),
            _("%(severities)s, within %(days)s")
            % {
                "severities": _list(severity_label(s) for s in sorted(rules.centre_evaluation_severities)),
                "days": _amount(rules.centre_evaluation_within_days, DAYS),
            },
        ),
        Row(
            "interview",
            _("Interviewed by the college's mental-health advisor"),  # 二级学院心理辅导员
            _("%(severities)s, within %(days)s")
            % {
                "severities": _list(severity_label(s) for s in sorted(rules.interview_severities)),
                "days": _amount(rules.interview_within_days, DAYS),
            },
        ),
    ]
    for spec in fields(rules.scoring):
        label = SCORING_SETTINGS.get(spec.name, spec.name)
        rows.append(
            Row(f"scoring:{spec.name}", str(label), _scoring_value(spec.name, getattr(rules.scoring, spec.name)))
        )
    return Section("screening", _("Screening"), tuple(rows))


def _care(policy: Policy) -> Section:
    care = policy.care
    rows = [
        Row("categories", _("Key-concern categories"), _list(category.label for category in care.registry_categories)),
        Row(
            "hospitals",
            _("Green-channel hospitals"),
            _list(f"{h.name}（{h.note}）" if h.note else h.name for h in care.green_channel_hospitals),
        ),
        Row("student_sees_access_log", _("Students see who opened their file"), _yes(care.student_sees_access_log)),
    ]
    for name, (label, unit) in CARE_SETTINGS.items():
        rows.append(Row(f"care:{name}", str(label), _amount(getattr(care, name), unit)))
    return Section("care", _("Care, counselling and privacy"), tuple(rows))


def _terms(policy: Policy) -> Section:
    terms = policy.terms

    def day(month_day) -> str:
        return _("%(month)s/%(day)s") % {"month": month_day[0], "day": month_day[1]}

    return Section(
        "terms",
        _("Terms"),
        (
            Row("first", _("The first (autumn) term begins on"), day(terms.first_term_from)),
            Row("second", _("The second (spring) term begins on"), day(terms.second_term_from)),
        ),
    )


def _workforce(policy: Policy) -> Section:
    workforce = policy.workforce
    rows = [Row("period", _("A class period lasts"), _amount(workforce.class_period_minutes, MINUTES))]
    for post, hours in workforce.training_minimum_hours.items():
        label = _("Yearly training at least: %(post)s") % {"post": Post(post).label if post in Post.values else post}
        rows.append(Row(f"training:{post}", label, _amount(hours, HOURS)))
    for kind, rate in workforce.class_hours_per_hour.items():
        label = _("Class hours per hour: %(kind)s") % {"kind": WORK_KINDS.get(kind, kind)}
        rows.append(Row(f"class_hours:{kind}", label, f"{rate:g}"))
    return Section("workforce", _("Workforce minimums and workload"), tuple(rows))


def render_policy(policy: Policy) -> list[Section]:
    """Every setting of `policy` as labelled rows, section by section, in the reader's language."""
    return [
        _general(policy),
        _office(policy),
        _reports(policy),
        *(_level(policy, code) for code in LEVELS),
        _screening(policy),
        _care(policy),
        _terms(policy),
        _workforce(policy),
    ]


def compare(old: Policy, new: Policy) -> list[Change]:
    """The settings whose words differ between two versions, in the newer one's order; a setting only one
    of them has shows as added or removed."""
    before = {(s.key, r.key): (s.title, r) for s in render_policy(old) for r in s.rows}
    changes = []
    seen = set()
    for section in render_policy(new):
        for row in section.rows:
            key = (section.key, row.key)
            seen.add(key)
            if key not in before:
                changes.append(Change(section.title, row.label, "", row.value))
            elif before[key][1].value != row.value:
                changes.append(Change(section.title, row.label, before[key][1].value, row.value))
    for key, (title, row) in before.items():
        if key not in seen:
            changes.append(Change(title, row.label, row.value, ""))
    return changes
