"""Scoring settings: the variants of the instruments' rules that a college may choose (DESIGN.md §5).

An instrument definition names the settings it uses (`{"setting": "upi_class1_min_total"}` in place of a
number, an operator or an item list; `"when_setting": {"upi_item64_request": "class_1"}` to switch a rule
on); the values come from a `ScoringRules`. The defaults are the rules of DESIGN.md §5:

UPI (大学生人格问卷)
- `upi_class1_min_total` 25: 第一类 when the total (items 1–60 without the lie items, 0–56) is at least this.
- `upi_class1_items` (25,): 第一类 when any of these items is answered yes (item 25, 想轻生).
- `upi_class1_min_auxiliary` 2: 第一类 when at least this many of items 61–63 are answered yes.
- `upi_class2_min_total` 20: 第二类 when the total is at least this (and the student is not 第一类,
  so 20–24 with the defaults: classes are tried in order, the first that matches wins).
- `upi_class2_items` (8, 16, 26): 第二类 when any of these key items is answered yes.
- `upi_class2_min_auxiliary` 1: 第二类 when at least this many of items 61–63 are yes (not 第一类, so exactly
  one with the defaults).
- `upi_item64_request` "class_1": what a counselling request written in item 64 makes of the student:
  "class_1", "class_2", or "flag_only" (no class of its own). It is flagged for human review whatever this
  setting says.

Free-text answers (UPI item 64)
- `no_request_answers`: answers that mean "nothing to ask" ("无", "没有", "no" …). An answer is a request
  when, without spaces and punctuation and case-folded, it is non-empty and not one of these. When in
  doubt it is a request: a person reads it.

SCL-90 (items scored 1–5)
- `scl90_total_above` 160: positive when 总分 is above this.
- `scl90_positive_items_above` 43: positive when 阳性项目数 (items scored ≥ 2) is above this.
- `scl90_factor_op` ">=" and `scl90_factor_threshold` 2: positive when any factor score (the mean of its
  items) compares so; ">" is the variant reading "因子分超过 2 分" literally.
- `scl90_other_factor_counts` True: whether the 其他 factor (items 19 44 59 60 64 66 89: sleep, appetite,
  guilt) counts for "any factor". The Chinese norm (汪向东《心理卫生评定量表手册》) lists ten factors and
  says "任一因子"; Derogatis's SCL-90-R treats these items as additional items, not a dimension.
- `scl90_suicide_item_min` 2: item 15 (the suicidal-ideation item) raises a red flag at this score or above.
"""

import hashlib
import json
import unicodedata
from dataclasses import dataclass, field, fields
from functools import cached_property

OPS = (">=", ">", "<=", "<", "==")
ITEM64_MODES = ("class_1", "class_2", "flag_only")
# Bumped when the meaning of a definition changes in the scorer itself, so that results scored under
# older code carry a different rules_version.
SCORER_VERSION = 1


class ScoringRulesError(ValueError):
    """Settings that cannot be used; the message says which and why, in Chinese."""


def _setting(default, kind: str, **extra):
    return field(default=default, metadata={"kind": kind, **extra})


@dataclass(frozen=True)
class ScoringRules:
    upi_class1_min_total: int = _setting(25, "int")
    upi_class1_items: tuple[int, ...] = _setting((25,), "items")
    upi_class1_min_auxiliary: int = _setting(2, "int")
    upi_class2_min_total: int = _setting(20, "int")
    upi_class2_items: tuple[int, ...] = _setting((8, 16, 26), "items")
    upi_class2_min_auxiliary: int = _setting(1, "int")
    upi_item64_request: str = _setting("class_1", "choice", choices=ITEM64_MODES)
    no_request_answers: tuple[str, ...] = _setting(
        ("无", "没有", "没", "否", "不", "暂无", "无问题", "没有问题", "no", "none", "nothing", "na", "nil"), "texts"
    )
    scl90_total_above: int = _setting(160, "number")
    scl90_positive_items_above: int = _setting(43, "number")
    scl90_factor_op: str = _setting(">=", "op")
    scl90_factor_threshold: float = _setting(2, "number")
    scl90_other_factor_counts: bool = _setting(True, "bool")
    scl90_suicide_item_min: int = _setting(2, "number")

    def __post_init__(self):
        for spec in fields(self):
            value = getattr(self, spec.name)
            fixed = check_setting(spec.name, value)
            if fixed is not value:
                object.__setattr__(self, spec.name, fixed)

    @classmethod
    def from_mapping(cls, raw: dict, where: str = "screening") -> "ScoringRules":
        """Settings from a policy file's table; unknown names are refused, missing ones keep the default."""
        if not isinstance(raw, dict):
            raise ScoringRulesError(f"{where}: 应为一组设置（键 = 值）")
        unknown = sorted(set(raw) - set(SETTINGS))
        if unknown:
            raise ScoringRulesError(f"{where}: 未知设置“{unknown[0]}”")
        try:
            return cls(**raw)
        except ScoringRulesError as exc:
            raise ScoringRulesError(f"{where}.{exc}") from exc

    @cached_property
    def normalised_no_answers(self) -> frozenset[str]:
        return frozenset(normalise_free_text(text) for text in self.no_request_answers)

    def digest(self, names) -> str:
        """A short hash of the named settings' values (and the scorer's version)."""
        chosen = {name: _jsonable(getattr(self, name)) for name in sorted(names)}
        text = json.dumps({"scorer": SCORER_VERSION, "settings": chosen}, ensure_ascii=False, sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:10]


SETTINGS = {spec.name: spec for spec in fields(ScoringRules)}


def setting_kind(name: str) -> str:
    return SETTINGS[name].metadata["kind"]


def check_setting(name: str, value):
    """The value checked (and tuples made of lists); raises ScoringRulesError naming the setting."""
    spec = SETTINGS.get(name)
    if spec is None:
        raise ScoringRulesError(f"未知设置“{name}”")
    kind = spec.metadata["kind"]
    if kind == "int":
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ScoringRulesError(f"{name}: 应为非负整数，而不是 {value!r}")
    elif kind == "number":
        if not isinstance(value, int | float) or isinstance(value, bool) or value < 0:
            raise ScoringRulesError(f"{name}: 应为非负数，而不是 {value!r}")
    elif kind == "bool":
        if not isinstance(value, bool):
            raise ScoringRulesError(f"{name}: 应为 true 或 false，而不是 {value!r}")
    elif kind == "op":
        if value not in OPS:
            raise ScoringRulesError(f"{name}: 比较方式应为 {' '.join(OPS)} 之一，而不是 {value!r}")
    elif kind == "choice":
        if value not in spec.metadata["choices"]:
            raise ScoringRulesError(f"{name}: 应为 {'、'.join(spec.metadata['choices'])} 之一，而不是 {value!r}")
    elif kind == "items":
        if not isinstance(value, list | tuple) or not value:
            raise ScoringRulesError(f"{name}: 应为题号列表，而不是 {value!r}")
        for number in value:
            if not isinstance(number, int) or isinstance(number, bool) or number < 1:
                raise ScoringRulesError(f"{name}: 题号应为正整数，而不是 {number!r}")
        value = tuple(value)
    elif kind == "texts":
        if not isinstance(value, list | tuple) or any(not isinstance(text, str) for text in value):
            raise ScoringRulesError(f"{name}: 应为文字列表，而不是 {value!r}")
        value = tuple(value)
    return value


def normalise_free_text(text: str) -> str:
    """Without spaces, punctuation and symbols, case-folded: "无。" → "无", " N/A " → "na"."""
    kept = (ch for ch in text if not ch.isspace() and unicodedata.category(ch)[0] not in "PSZC")
    return "".join(kept).casefold()


def _jsonable(value):
    return list(value) if isinstance(value, tuple) else value


DEFAULT_RULES = ScoringRules()
