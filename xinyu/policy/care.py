"""The policy file's [care] table: the registry, care plans, counselling, referral, leave and return,
and the privacy settings around the student file. Parsed and checked by `parse_care`, defaults below."""

from dataclasses import dataclass


class CareRulesError(Exception):
    """A [care] table that cannot be used; the message says where and what, in Chinese."""


@dataclass(frozen=True)
class Category:
    code: str
    label: str  # Chinese, as the college writes it
    label_en: str


@dataclass(frozen=True)
class Hospital:
    """A green-channel hospital (绿色通道医院) for referral."""

    name: str
    address: str = ""
    phone: str = ""
    note: str = ""


DEFAULT_CATEGORIES = (
    Category("financial_hardship", "家庭经济困难", "Family financial hardship"),
    Category("family_change", "家庭重大变故", "Major family change"),
    Category("psychological_difficulty", "心理困扰或心理疾病", "Psychological difficulty"),
    Category("internet_dependence", "网络依赖", "Internet dependence"),
    Category("physical_illness", "身患重病", "Serious physical illness"),
    Category("academic_difficulty", "学业困难", "Academic difficulty"),
    Category("relationship_difficulty", "人际关系或恋爱受挫", "Relationship difficulty"),
    Category("other", "其他", "Other"),
)


@dataclass(frozen=True)
class CareRules:
    # Key-concern registry (重点关注学生库): categories, review cadence, expiry.
    registry_categories: tuple[Category, ...] = DEFAULT_CATEGORIES
    registry_review_every_days: int = 30
    registry_expires_after_overdue_days: int = 14
    # Care plans (一人一策): default contact frequencies; the plan may set its own.
    plan_student_contact_every_days: int = 14
    plan_family_contact_every_days: int = 30
    plan_review_every_days: int = 30
    dorm_check_in_every_days: int = 7
    # Counselling: note locking and reminders.
    counselling_note_lock_days: int = 3
    counselling_reminder_hours: int = 24
    counselling_cancel_before_hours: int = 2
    # Referral and leave.
    green_channel_hospitals: tuple[Hospital, ...] = ()
    return_weekly_follow_ups: int = 4
    return_monthly_follow_ups: int = 5
    # Privacy.
    break_glass_minutes: int = 60
    break_glass_review_within_days: int = 3
    # A crisis case's organiser and collaborators read its records until this many days after it closes.
    case_records_days_after_close: int = 30
    step_up_minutes: int = 10
    student_sees_access_log: bool = True
    retention_archive_after_years: int = 1
    retention_destroy_after_years: int = 5
    # A college's monthly report (第十一条) is due on this working day of the following month.
    monthly_report_due_working_day: int = 5
    # Research extracts: every combination of quasi-identifiers holds at least this many people (DESIGN §10).
    research_k_min: int = 5

    def category(self, code: str) -> Category | None:
        return next((category for category in self.registry_categories if category.code == code), None)

    @property
    def category_choices(self) -> list[tuple[str, str]]:
        return [(category.code, category.label) for category in self.registry_categories]


DEFAULT_CARE = CareRules()

_POSITIVE_INTS = (
    "registry_review_every_days",
    "registry_expires_after_overdue_days",
    "plan_student_contact_every_days",
    "plan_family_contact_every_days",
    "plan_review_every_days",
    "dorm_check_in_every_days",
    "counselling_note_lock_days",
    "counselling_reminder_hours",
    "counselling_cancel_before_hours",
    "return_weekly_follow_ups",
    "return_monthly_follow_ups",
    "break_glass_minutes",
    "break_glass_review_within_days",
    "case_records_days_after_close",
    "step_up_minutes",
    "retention_archive_after_years",
    "retention_destroy_after_years",
    "monthly_report_due_working_day",
    "research_k_min",
)
_KEYS = frozenset({*_POSITIVE_INTS, "registry_categories", "green_channel_hospitals", "student_sees_access_log"})


def _table_list(raw, key: str, fields: dict[str, bool]) -> list[dict]:
    """A list of inline tables with only the given fields (name → required)."""
    values = raw[key]
    if not isinstance(values, list):
        raise CareRulesError(f"care.{key}: 应为一个列表")
    rows = []
    for n, row in enumerate(values):
        where = f"care.{key}[{n}]"
        if not isinstance(row, dict):
            raise CareRulesError(f"{where}: 应为 {{ … }} 形式的表")
        unknown = sorted(set(row) - set(fields))
        if unknown:
            raise CareRulesError(f"{where}: 未知字段“{unknown[0]}”")
        for name, required in fields.items():
            value = row.get(name, "")
            if not isinstance(value, str):
                raise CareRulesError(f"{where}.{name}: 应为文字")
            if required and not value.strip():
                raise CareRulesError(f"{where}: 缺少“{name}”")
        rows.append(row)
    return rows


def parse_care(raw: dict | None) -> CareRules:
    """The [care] table checked; a missing table or key keeps the default."""
    if raw is None:
        return DEFAULT_CARE
    if not isinstance(raw, dict):
        raise CareRulesError("care: 应为一个表")
    unknown = sorted(set(raw) - _KEYS)
    if unknown:
        raise CareRulesError(f"care: 未知字段“{unknown[0]}”")
    values: dict = {}
    for key in _POSITIVE_INTS:
        if key not in raw:
            continue
        value = raw[key]
        if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
            raise CareRulesError(f"care.{key}: 应为大于 0 的整数，而不是 {value!r}")
        values[key] = value
    if "student_sees_access_log" in raw:
        if not isinstance(raw["student_sees_access_log"], bool):
            raise CareRulesError("care.student_sees_access_log: 应为 true 或 false")
        values["student_sees_access_log"] = raw["student_sees_access_log"]
    if "registry_categories" in raw:
        rows = _table_list(raw, "registry_categories", {"code": True, "label": True, "label_en": False})
        categories = tuple(Category(row["code"], row["label"], row.get("label_en", "") or row["label"]) for row in rows)
        codes = [category.code for category in categories]
        if not categories:
            raise CareRulesError("care.registry_categories: 至少需要一个类别")
        if len(set(codes)) != len(codes):
            duplicate = next(code for code in codes if codes.count(code) > 1)
            raise CareRulesError(f"care.registry_categories: 类别代码“{duplicate}”重复")
        values["registry_categories"] = categories
    if "green_channel_hospitals" in raw:
        rows = _table_list(
            raw, "green_channel_hospitals", {"name": True, "address": False, "phone": False, "note": False}
        )
        values["green_channel_hospitals"] = tuple(Hospital(**row) for row in rows)
    rules = CareRules(**values)
    if rules.retention_destroy_after_years < rules.retention_archive_after_years:
        raise CareRulesError("care.retention_destroy_after_years: 不能早于归档年限（retention_archive_after_years）")
    return rules
