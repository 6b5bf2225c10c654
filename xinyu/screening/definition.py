"""An instrument (量表) as data: items, answer options and weights, subscales, indices, bands, item flags
and classification rules, validated when loaded (DESIGN.md §5).

A definition is a JSON document (the shipped ones are in `instruments/`; a college may load its own), read
by `parse_definition` into frozen dataclasses. Every error says where and what, in Chinese.

Document shape (`"format": "xinyu-instrument/1"`):
- code, version, name {zh, en}, instructions, timeframe, copyright, source (provenance, not displayed),
  loinc (panel code), item_texts ("included", or "pending": the college loads the texts from its licensed
  copy, see item_texts.py);
- option_sets: [{code, options: [{code, label, value, loinc}]}] — `value` is the answer's weight (FHIR
  ordinalValue), null for an unweighted list;
- items: [{number, link_id, text, kind "choice" | "text", option_set, required, reverse, role, loinc,
  heading, note}], numbered 1…N in order. `heading` (optional) is a section title shown before the item (a
  FHIR group's text), `note` (optional) a text shown before it (a FHIR display item); neither is answered.
  Roles: scored, key (scored, and named in rules), lie (never scored), auxiliary
  (only counted), open (free text), difficulty (asked, not scored);
- subscales and indices: [{code, name, method, items, op, value}] — method sum | mean | count (items whose
  score compares with op/value) | mean_where (the mean of those items; null when there are none). Only
  required, weighted items may be scored: missing answers are never pro-rated. The score named "total" is
  the instrument's total;
- bands: {score, ranges: [{code, label, min, max, severity}]} — a value falls in the last range whose min
  it reaches; for whole-number scores the ranges must be contiguous and cover every possible value;
- flags: [{code, label, red_flag, item, when: condition}] — item-level flags; conditions on items are
  evaluated even when the answers are incomplete;
- classification: [{code, label, severity, when_any: [conditions]} …, {code, label, severity,
  otherwise: true}] — the first class whose conditions match wins.

Conditions (exactly one of):
  {"score": CODE, "op", "value"} · {"items": [N…], "op", "value"} (any of the items) ·
  {"count": [N…], "item_op", "item_value", "op", "value"} (how many items match) ·
  {"any_score": [CODE…], "op", "value"} · {"text_request": N} (a free-text answer asking for help),
with an optional "when_setting": {SETTING: value} that switches the condition on. An "op", "value" or
"items" may be {"setting": NAME}: the value then comes from the `ScoringRules` in force (rules.py).
Item conditions compare the item's score (its option's weight, reversed for a reverse-scored item).
"""

import hashlib
import json
import math
import re
from dataclasses import dataclass
from functools import cache, cached_property
from itertools import pairwise
from pathlib import Path

from xinyu.policy.screening import DEFAULT_RULES, OPS, SETTINGS, ScoringRulesError, check_setting, setting_kind

FORMAT = "xinyu-instrument/1"
ROLES = ("scored", "key", "lie", "auxiliary", "open", "difficulty")
KINDS = ("choice", "text")
METHODS = ("sum", "mean", "count", "mean_where")
SEVERITIES = ("none", "mild", "moderate", "moderately_severe", "severe")
ITEM_TEXTS = ("included", "pending")
SHIPPED_DIR = Path(__file__).resolve().parent / "instruments"
# Limits checked before a definition file is parsed, so that a hostile file costs little: the largest
# shipped instrument (SCL-90 as a FHIR Questionnaire) is ~150 kB and 12 levels deep.
MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_JSON_DEPTH = 32
# Longest texts: the instrument's name is stored in a 200-character column.
MAX_NAME_CHARS = 200
MAX_TEXT_CHARS = 2000
MAX_ITEMS = 400

Number = int | float


class DefinitionError(ValueError):
    """An instrument definition that cannot be used; the message says where and what."""


@dataclass(frozen=True)
class Text:
    """A text in Chinese and/or English; at least one of them is there (an instrument imported in English
    may have no Chinese yet)."""

    zh: str
    en: str = ""

    def __str__(self):
        return self.zh or self.en

    def __bool__(self):
        return bool(self.zh or self.en)

    def in_language(self, language: str) -> tuple[str, str]:
        """(text, its language) for a reader of `language`: English for an English reader when there is
        English, otherwise Chinese; the other language when the one wanted is missing."""
        wanted = [("en", self.en), ("zh-hans", self.zh)]
        if not (language or "").lower().startswith("en"):
            wanted.reverse()
        return next(((text, code) for code, text in wanted if text), ("", wanted[0][0]))


@dataclass(frozen=True)
class Setting:
    """A value taken from the ScoringRules in force."""

    name: str


@dataclass(frozen=True)
class Option:
    code: str
    label: Text
    value: Number | None
    loinc: str = ""


@dataclass(frozen=True)
class OptionSet:
    code: str
    options: tuple[Option, ...]

    @property
    def weighted(self) -> bool:
        return self.options[0].value is not None


@dataclass(frozen=True)
class Item:
    number: int
    link_id: str
    text: Text
    kind: str
    option_set: str
    required: bool
    reverse: bool
    role: str
    loinc: str = ""
    heading: Text = Text("")
    note: Text = Text("")


@dataclass(frozen=True)
class Score:
    """A subscale (factor) or an index: a number computed from items."""

    code: str
    name: Text
    method: str
    items: tuple[int, ...]
    op: str = ""
    value: Number | None = None
    loinc: str = ""


@dataclass(frozen=True)
class Band:
    code: str
    label: Text
    min: Number
    max: Number
    severity: str


@dataclass(frozen=True)
class Bands:
    score: str
    ranges: tuple[Band, ...]


@dataclass(frozen=True)
class Condition:
    kind: str  # score | items | count | any_score | text_request
    score: str = ""
    scores: tuple[str, ...] = ()
    items: tuple[int, ...] | Setting = ()
    op: str | Setting = ""
    value: Number | Setting | None = None
    item_op: str = ""
    item_value: Number | None = None
    when_setting: tuple[tuple[str, object], ...] = ()


@dataclass(frozen=True)
class FlagRule:
    code: str
    label: Text
    red_flag: bool
    item: int | None
    when: Condition


@dataclass(frozen=True)
class ClassRule:
    code: str
    label: Text
    severity: str
    when_any: tuple[Condition, ...]
    otherwise: bool = False


@dataclass(frozen=True)
class Definition:
    code: str
    version: str
    name: Text
    instructions: Text
    timeframe: Text
    copyright: str
    source: str
    loinc: str
    item_texts: str
    option_sets: tuple[OptionSet, ...]
    items: tuple[Item, ...]
    subscales: tuple[Score, ...]
    indices: tuple[Score, ...]
    bands: Bands | None
    flags: tuple[FlagRule, ...]
    classification: tuple[ClassRule, ...]

    @property
    def key(self) -> str:
        return f"{self.code}@{self.version}"

    @property
    def administrable(self) -> bool:
        """False while the item texts are still to be loaded by the college (SCL-90 as shipped)."""
        return self.item_texts == "included"

    def item(self, number: int) -> Item:
        return self.items[number - 1]

    def option_set(self, code: str) -> OptionSet:
        return self._option_sets[code]

    def score(self, code: str) -> Score:
        return self._scores[code]

    @property
    def scores(self) -> tuple[Score, ...]:
        return self.subscales + self.indices

    @cached_property
    def _option_sets(self) -> dict[str, OptionSet]:
        return {option_set.code: option_set for option_set in self.option_sets}

    @cached_property
    def _scores(self) -> dict[str, Score]:
        return {score.code: score for score in self.scores}

    @cached_property
    def settings_used(self) -> frozenset[str]:
        """The ScoringRules settings this definition's rules read: they make up its rules_version."""
        names = set()
        conditions = [flag.when for flag in self.flags]
        conditions += [condition for rule in self.classification for condition in rule.when_any]
        for condition in conditions:
            names.update(name for name, _value in condition.when_setting)
            for part in (condition.items, condition.op, condition.value):
                if isinstance(part, Setting):
                    names.add(part.name)
            if condition.kind == "text_request":
                names.add("no_request_answers")
        return frozenset(names)

    @cached_property
    def _plans(self) -> dict:
        """Compiled scorers by ScoringRules (filled by scoring.py; not part of the definition)."""
        return {}


# --- reading -------------------------------------------------------------------------------------------


def _need(table: dict, key: str, kind, where: str, *, default=...):
    if key not in table or table[key] is None:
        if default is not ...:
            return default
        raise DefinitionError(f"{where}: 缺少“{key}”")
    value = table[key]
    if not isinstance(value, kind) or (isinstance(value, bool) and bool not in _kinds(kind)):
        raise DefinitionError(f"{where}.{key}: 类型不对（{_brief(value)}）")
    return value


def _brief(value) -> str:
    """A value as an error message quotes it: its repr, cut short (a hostile file may hold a huge one)."""
    text = repr(value)
    return text if len(text) <= 60 else f"{text[:57]}…"


def _kinds(kind) -> tuple:
    return kind if isinstance(kind, tuple) else (kind,)


def _dict(raw, where: str) -> dict:
    if not isinstance(raw, dict):
        raise DefinitionError(f"{where}: 应为一个对象（{{…}}），而不是 {_brief(raw)}")
    return raw


def _text(raw, where: str, *, required: bool = True, max_chars: int = MAX_TEXT_CHARS) -> Text:
    if isinstance(raw, str):
        raw = {"zh": raw}
    if raw is None:
        if not required:
            return Text("")
        raise DefinitionError(f"{where}: 缺少文字")
    raw = _dict(raw, where)
    unknown = set(raw) - {"zh", "en"}
    if unknown:
        raise DefinitionError(f"{where}: 只能有 zh 和 en 两种语言，而不是“{sorted(unknown)[0]}”")
    zh = _need(raw, "zh", str, where, default="")
    en = _need(raw, "en", str, where, default="")
    if required and not zh.strip() and not en.strip():
        raise DefinitionError(f"{where}: 中文（zh）和英文（en）不能都为空")
    for language, text in (("zh", zh), ("en", en)):
        if len(text) > max_chars:
            raise DefinitionError(f"{where}.{language}: 文字过长（{len(text)} 个字符，最多 {max_chars} 个）")
        if bad := _control_character(text):
            raise DefinitionError(f"{where}.{language}: 含有不可见的控制字符 {bad}，请删去")
    return Text(zh, en)


def _control_character(text: str) -> str:
    """The first control character (other than tab and line breaks), bidirectional override or isolate (which
    can make a text read differently from what it is), or lone surrogate in `text`, as U+XXXX."""
    for ch in text:
        if (
            (ch < " " and ch not in "\t\n\r")
            or "\x7f" <= ch <= "\x9f"
            or "\u202a" <= ch <= "\u202e"
            or "\u2066" <= ch <= "\u2069"
            or "\ud800" <= ch <= "\udfff"
        ):
            return f"U+{ord(ch):04X}"
    return ""


def _number(value, where: str) -> Number:
    if not isinstance(value, int | float) or isinstance(value, bool) or not math.isfinite(value):
        raise DefinitionError(f"{where}: 应为数字，而不是 {_brief(value)}")
    return value


def _code(value, where: str) -> str:
    if not isinstance(value, str) or not value or len(value) > 32:
        raise DefinitionError(f"{where}: 代码应为 1–32 个字符，而不是 {_brief(value)}")
    if any(ch.isspace() for ch in value):
        raise DefinitionError(f"{where}: 代码“{value}”不能含空格")
    return value


def _op(value, where: str) -> str | Setting:
    if isinstance(value, dict):
        return _setting_ref(value, where, "op")
    if value not in OPS:
        raise DefinitionError(f"{where}: 比较方式应为 {' '.join(OPS)} 之一，而不是 {_brief(value)}")
    return value


def _setting_ref(raw: dict, where: str, kind: str | tuple[str, ...]) -> Setting:
    if set(raw) != {"setting"} or not isinstance(raw["setting"], str):
        raise DefinitionError(f'{where}: 引用设置应写作 {{"setting": 名称}}')
    name = raw["setting"]
    if name not in SETTINGS:
        raise DefinitionError(f"{where}: 未知设置“{name}”")
    kinds = _kinds(kind)
    if setting_kind(name) not in kinds:
        raise DefinitionError(f"{where}: 设置“{name}”的类型（{setting_kind(name)}）不能用在这里")
    return Setting(name)


def _value(raw, where: str) -> Number | Setting:
    if isinstance(raw, dict):
        return _setting_ref(raw, where, ("int", "number"))
    return _number(raw, where)


def _numbers(raw, where: str) -> tuple[int, ...]:
    if not isinstance(raw, list) or not raw:
        raise DefinitionError(f"{where}: 应为非空的题号列表")
    for number in raw:
        if not isinstance(number, int) or isinstance(number, bool):
            raise DefinitionError(f"{where}: 题号应为整数，而不是 {_brief(number)}")
    if len(set(raw)) != len(raw):
        raise DefinitionError(f"{where}: 题号重复")
    return tuple(raw)


def _option_set(raw, where: str) -> OptionSet:
    raw = _dict(raw, where)
    code = _code(_need(raw, "code", str, where), f"{where}.code")
    where = f"选项集“{code}”"
    options = []
    for n, option in enumerate(_need(raw, "options", list, where)):
        here = f"{where}.options[{n}]"
        option = _dict(option, here)
        value = option.get("value")
        options.append(
            Option(
                code=_code(_need(option, "code", str, here), f"{here}.code"),
                label=_text(_need(option, "label", (str, dict), here), f"{here}.label"),
                value=None if value is None else _number(value, f"{here}.value"),
                loinc=_need(option, "loinc", str, here, default=""),
            )
        )
    if len(options) < 2:
        raise DefinitionError(f"{where}: 至少需要两个选项")
    codes = [option.code for option in options]
    if len(set(codes)) != len(codes):
        raise DefinitionError(f"{where}: 选项代码重复")
    if len({option.value is None for option in options}) != 1:
        raise DefinitionError(f"{where}: 要么每个选项都有分值（value），要么都没有")
    return OptionSet(code, tuple(options))


def _item(raw, n: int, option_sets: dict, pending: bool) -> Item:
    where = f"items[{n}]"
    raw = _dict(raw, where)
    number = _need(raw, "number", int, where)
    if number != n + 1:
        raise DefinitionError(f"{where}: 题号应从 1 起依次编号，这里应为 {n + 1}，而不是 {number}")
    where = f"第 {number} 题"
    kind = _need(raw, "kind", str, where, default="choice")
    if kind not in KINDS:
        raise DefinitionError(f"{where}.kind: 题型应为 choice（选择）或 text（文字），而不是“{kind}”")
    role = _need(raw, "role", str, where, default="open" if kind == "text" else "scored")
    if role not in ROLES:
        raise DefinitionError(f"{where}.role: 未知角色“{role}”（可用：{'、'.join(ROLES)}）")
    if (kind == "text") != (role == "open"):
        raise DefinitionError(f"{where}: 文字题的角色应为 open，open 角色只能用于文字题")
    option_set = _need(raw, "option_set", str, where, default="")
    if kind == "choice" and option_set not in option_sets:
        raise DefinitionError(f"{where}.option_set: 未知选项集“{option_set}”")
    if kind == "text" and option_set:
        raise DefinitionError(f"{where}.option_set: 文字题没有选项集")
    reverse = _need(raw, "reverse", bool, where, default=False)
    if reverse and (kind != "choice" or not option_sets[option_set].weighted):
        raise DefinitionError(f"{where}.reverse: 只有带分值的选择题才能反向计分")
    text = _text(raw.get("text"), f"{where}.text", required=not pending)
    return Item(
        number=number,
        link_id=_need(raw, "link_id", str, where, default=str(number)) or str(number),
        text=text,
        kind=kind,
        option_set=option_set,
        required=_need(raw, "required", bool, where, default=True),
        reverse=reverse,
        role=role,
        loinc=_need(raw, "loinc", str, where, default=""),
        heading=_text(raw.get("heading"), f"{where}.heading", required=False, max_chars=MAX_NAME_CHARS),
        note=_text(raw.get("note"), f"{where}.note", required=False),
    )


def _score(raw, where: str, items: dict[int, Item], option_sets: dict) -> Score:
    raw = _dict(raw, where)
    code = _code(_need(raw, "code", str, where), f"{where}.code")
    where = f"{where}（{code}）"
    method = _need(raw, "method", str, where)
    if method not in METHODS:
        raise DefinitionError(f"{where}.method: 计算方式应为 {'、'.join(METHODS)} 之一，而不是“{method}”")
    numbers = _numbers(raw.get("items"), f"{where}.items")
    for number in numbers:
        item = items.get(number)
        if item is None:
            raise DefinitionError(f"{where}.items: 没有第 {number} 题")
        if item.kind != "choice" or not option_sets[item.option_set].weighted:
            raise DefinitionError(f"{where}.items: 第 {number} 题没有分值，不能计分")
        if not item.required:
            raise DefinitionError(f"{where}.items: 第 {number} 题不是必答题，计分题必须必答（缺答不折算）")
        if item.role in ("lie", "open", "difficulty"):
            raise DefinitionError(f"{where}.items: 第 {number} 题的角色是 {item.role}，不计分")
        if item.role == "auxiliary" and method != "count":
            raise DefinitionError(f"{where}.items: 第 {number} 题是辅助题，只能计数（count），不能加入总分或均分")
    op, value = "", None
    if method in ("count", "mean_where"):
        op = _op(raw.get("op"), f"{where}.op")
        if isinstance(op, Setting):
            raise DefinitionError(f"{where}.op: 分数的计算方式不能引用设置")
        value = _number(raw.get("value"), f"{where}.value")
    elif "op" in raw or "value" in raw:
        raise DefinitionError(f"{where}: {method} 不需要 op 和 value")
    return Score(
        code=code,
        name=_text(_need(raw, "name", (str, dict), where), f"{where}.name"),
        method=method,
        items=numbers,
        op=op,
        value=value,
        loinc=_need(raw, "loinc", str, where, default=""),
    )


def _item_scores(score: Score, items: dict[int, Item], option_sets: dict) -> list[set]:
    result = []
    for number in score.items:
        weights = {option.value for option in option_sets[items[number].option_set].options}
        result.append(weights)
    return result


def score_range(score: Score, definition_items: dict[int, Item], option_sets: dict) -> tuple[Number, Number, bool]:
    """(lowest, highest, whole numbers only) for a score; used to check that bands cover it."""
    weights = _item_scores(score, definition_items, option_sets)
    whole = all(float(w).is_integer() for ws in weights for w in ws)
    if score.method == "sum":
        return sum(min(ws) for ws in weights), sum(max(ws) for ws in weights), whole
    if score.method == "count":
        return 0, len(weights), True
    low, high = min(min(ws) for ws in weights), max(max(ws) for ws in weights)
    if score.method == "mean":
        n = len(weights)
        return sum(min(ws) for ws in weights) / n, sum(max(ws) for ws in weights) / n, False
    return low, high, False


def _bands(raw, scores: dict[str, Score], items: dict[int, Item], option_sets: dict) -> Bands:
    where = "bands"
    raw = _dict(raw, where)
    code = _need(raw, "score", str, where)
    if code not in scores:
        raise DefinitionError(f"{where}.score: 没有名为“{code}”的分数")
    ranges = []
    for n, band in enumerate(_need(raw, "ranges", list, where)):
        here = f"{where}.ranges[{n}]"
        band = _dict(band, here)
        band_code = _code(_need(band, "code", str, here), f"{here}.code")
        here = f"{where}（{band_code}）"
        low, high = _number(band.get("min"), f"{here}.min"), _number(band.get("max"), f"{here}.max")
        if high < low:
            raise DefinitionError(f"{here}: 上限 {high} 小于下限 {low}")
        severity = _need(band, "severity", str, here)
        if severity not in SEVERITIES:
            raise DefinitionError(f"{here}.severity: 应为 {'、'.join(SEVERITIES)} 之一，而不是“{severity}”")
        ranges.append(Band(band_code, _text(band.get("label"), f"{here}.label"), low, high, severity))
    if not ranges:
        raise DefinitionError(f"{where}.ranges: 至少需要一个分段")
    if len({band.code for band in ranges}) != len(ranges):
        raise DefinitionError(f"{where}.ranges: 分段代码重复")
    lowest, highest, whole = score_range(scores[code], items, option_sets)
    for before, after in pairwise(ranges):
        if after.min <= before.max:
            raise DefinitionError(
                f"{where}: 分段 {before.code}（至 {before.max}）与 {after.code}（自 {after.min}）重叠或顺序颠倒"
            )
        if whole and after.min != before.max + 1:
            raise DefinitionError(
                f"{where}: 分段 {before.code}（至 {before.max}）与 {after.code}（自 {after.min}）之间有空档"
            )
    if ranges[0].min > lowest or ranges[-1].max < highest:
        raise DefinitionError(
            f"{where}: 分段 {ranges[0].min}–{ranges[-1].max} 未覆盖“{code}”的全部可能值 {lowest:g}–{highest:g}"
        )
    return Bands(code, tuple(ranges))


def _condition(raw, where: str, items: dict[int, Item], scores: dict[str, Score], option_sets: dict) -> Condition:
    raw = _dict(raw, where)
    kinds = [kind for kind in ("score", "items", "count", "any_score", "text_request") if kind in raw]
    if len(kinds) != 1:
        raise DefinitionError(f"{where}: 条件应恰好含 score、items、count、any_score、text_request 之一")
    kind = kinds[0]
    when = _dict(raw.get("when_setting", {}), f"{where}.when_setting")
    checked = {}
    for name, value in when.items():
        try:
            checked[name] = check_setting(name, value)
        except ScoringRulesError as exc:
            raise DefinitionError(f"{where}.when_setting: {exc}") from exc
    when_setting = tuple(sorted(checked.items()))
    allowed = {kind, "when_setting"}

    def item_refs(numbers, here):
        for number in numbers:
            if number not in items:
                raise DefinitionError(f"{here}: 没有第 {number} 题")
            if items[number].kind != "choice" or not option_sets[items[number].option_set].weighted:
                raise DefinitionError(f"{here}: 第 {number} 题没有分值，不能比较")

    if kind == "text_request":
        number = raw["text_request"]
        if not isinstance(number, int) or number not in items or items[number].kind != "text":
            raise DefinitionError(f"{where}.text_request: 应为一道文字题的题号，而不是 {_brief(number)}")
        if set(raw) - allowed:
            raise DefinitionError(f"{where}: text_request 条件不能有“{sorted(set(raw) - allowed)[0]}”")
        return Condition("text_request", items=(number,), when_setting=when_setting)
    op = _op(raw.get("op"), f"{where}.op")
    value = _value(raw.get("value"), f"{where}.value")
    allowed |= {"op", "value"}
    condition = {"kind": kind, "op": op, "value": value, "when_setting": when_setting}
    if kind == "score":
        code = _need(raw, "score", str, where)
        if code not in scores:
            raise DefinitionError(f"{where}.score: 没有名为“{code}”的分数")
        condition["score"] = code
    elif kind == "any_score":
        codes = raw["any_score"]
        if not isinstance(codes, list) or not codes or any(code not in scores for code in codes):
            raise DefinitionError(f"{where}.any_score: 应为已定义分数的代码列表，而不是 {_brief(codes)}")
        condition["scores"] = tuple(codes)
    elif kind == "items":
        refs = raw["items"]
        if isinstance(refs, dict):
            setting = _setting_ref(refs, f"{where}.items", "items")
            item_refs(getattr(DEFAULT_RULES, setting.name), f"{where}.items（设置 {setting.name} 的默认值）")
            condition["items"] = setting
        else:
            condition["items"] = _numbers(refs, f"{where}.items")
            item_refs(condition["items"], f"{where}.items")
    else:
        condition["items"] = _numbers(raw["count"], f"{where}.count")
        item_refs(condition["items"], f"{where}.count")
        condition["item_op"] = _op(raw.get("item_op"), f"{where}.item_op")
        if isinstance(condition["item_op"], Setting):
            raise DefinitionError(f"{where}.item_op: 不能引用设置")
        condition["item_value"] = _number(raw.get("item_value"), f"{where}.item_value")
        allowed |= {"item_op", "item_value"}
    if set(raw) - allowed:
        raise DefinitionError(f"{where}: 条件中有无法识别的“{sorted(set(raw) - allowed)[0]}”")
    return Condition(**condition)


def _flag(raw, n: int, items, scores, option_sets) -> FlagRule:
    where = f"flags[{n}]"
    raw = _dict(raw, where)
    code = _code(_need(raw, "code", str, where), f"{where}.code")
    where = f"flags（{code}）"
    when = _condition(raw.get("when"), f"{where}.when", items, scores, option_sets)
    item = raw.get("item")
    if item is None and when.kind in ("items", "text_request") and isinstance(when.items, tuple):
        item = when.items[0] if len(when.items) == 1 else None
    if item is not None and (not isinstance(item, int) or item not in items):
        raise DefinitionError(f"{where}.item: 没有第 {_brief(item)} 题")
    return FlagRule(
        code=code,
        label=_text(raw.get("label"), f"{where}.label"),
        red_flag=_need(raw, "red_flag", bool, where, default=False),
        item=item,
        when=when,
    )


def _classification(raw, items, scores, option_sets) -> tuple[ClassRule, ...]:
    where = "classification"
    if not isinstance(raw, list):
        raise DefinitionError(f"{where}: 应为分类列表")
    rules = []
    for n, rule in enumerate(raw):
        here = f"{where}[{n}]"
        rule = _dict(rule, here)
        code = _code(_need(rule, "code", str, here), f"{here}.code")
        here = f"{where}（{code}）"
        otherwise = _need(rule, "otherwise", bool, here, default=False)
        conditions = rule.get("when_any", [])
        if otherwise != (n == len(raw) - 1):
            raise DefinitionError(f'{here}: 最后一类（且只有最后一类）应为 "otherwise": true（其余情况）')
        if otherwise and conditions:
            raise DefinitionError(f"{here}: “其余情况”一类不能再有条件")
        if not otherwise and (not isinstance(conditions, list) or not conditions):
            raise DefinitionError(f"{here}.when_any: 至少需要一个条件")
        severity = _need(rule, "severity", str, here)
        if severity not in SEVERITIES:
            raise DefinitionError(f"{here}.severity: 应为 {'、'.join(SEVERITIES)} 之一，而不是“{severity}”")
        rules.append(
            ClassRule(
                code=code,
                label=_text(rule.get("label"), f"{here}.label"),
                severity=severity,
                when_any=tuple(
                    _condition(condition, f"{here}.when_any[{k}]", items, scores, option_sets)
                    for k, condition in enumerate(conditions)
                ),
                otherwise=otherwise,
            )
        )
    if len({rule.code for rule in rules}) != len(rules):
        raise DefinitionError(f"{where}: 分类代码重复")
    return tuple(rules)


TOP_KEYS = {
    "format", "code", "version", "name", "instructions", "timeframe", "copyright", "source", "loinc",
    "item_texts", "option_sets", "items", "subscales", "indices", "bands", "flags", "classification",
}  # fmt: skip


def parse_definition(raw) -> Definition:
    """A Definition from a JSON document (already decoded); raises DefinitionError saying where and what."""
    raw = _dict(raw, "量表定义")
    if raw.get("format") != FORMAT:
        raise DefinitionError(f"format: 应为“{FORMAT}”，而不是 {_brief(raw.get('format'))}")
    unknown = set(raw) - TOP_KEYS
    if unknown:
        raise DefinitionError(f"量表定义: 无法识别的字段“{sorted(unknown)[0]}”")
    code = _code(_need(raw, "code", str, "量表定义"), "code")
    version = _need(raw, "version", str, code)
    if not version or len(version) > 32 or any(ch.isspace() for ch in version):
        raise DefinitionError(f"{code}.version: 版本号应为 1–32 个非空白字符，而不是 {_brief(version)}")
    item_texts = _need(raw, "item_texts", str, code, default="included")
    if item_texts not in ITEM_TEXTS:
        raise DefinitionError(f"{code}.item_texts: 应为 included 或 pending，而不是“{item_texts}”")
    option_sets = {}
    for n, option_set in enumerate(_need(raw, "option_sets", list, code)):
        parsed = _option_set(option_set, f"option_sets[{n}]")
        if parsed.code in option_sets:
            raise DefinitionError(f"option_sets[{n}]: 选项集代码“{parsed.code}”重复")
        option_sets[parsed.code] = parsed
    raw_items = _need(raw, "items", list, code)
    if not raw_items:
        raise DefinitionError(f"{code}.items: 至少需要一道题")
    if len(raw_items) > MAX_ITEMS:
        raise DefinitionError(f"{code}.items: 共 {len(raw_items)} 道题，超过上限 {MAX_ITEMS} 道")
    items = [_item(item, n, option_sets, item_texts == "pending") for n, item in enumerate(raw_items)]
    used = {item.option_set for item in items if item.kind == "choice"}
    for unused in option_sets.keys() - used:
        raise DefinitionError(f"选项集“{unused}”: 没有题目使用它")
    numbers_by_link: dict[str, list[int]] = {}
    for item in items:
        numbers_by_link.setdefault(item.link_id, []).append(item.number)
    for link_id, numbers in numbers_by_link.items():
        if len(numbers) > 1:
            shown = "、".join(str(number) for number in numbers)
            raise DefinitionError(f"{code}.items: link_id“{link_id}”重复（第 {shown} 题）")
    by_number = {item.number: item for item in items}
    scores: dict[str, Score] = {}
    groups = {}
    for group in ("subscales", "indices"):
        parsed_group = []
        for n, score in enumerate(_need(raw, group, list, code, default=[])):
            parsed = _score(score, f"{group}[{n}]", by_number, option_sets)
            if parsed.code in scores:
                raise DefinitionError(f"{group}[{n}]: 分数代码“{parsed.code}”重复")
            scores[parsed.code] = parsed
            parsed_group.append(parsed)
        groups[group] = tuple(parsed_group)
    bands = None if raw.get("bands") is None else _bands(raw["bands"], scores, by_number, option_sets)
    flags = tuple(
        _flag(flag, n, by_number, scores, option_sets)
        for n, flag in enumerate(_need(raw, "flags", list, code, default=[]))
    )
    if len({flag.code for flag in flags}) != len(flags):
        raise DefinitionError(f"{code}.flags: 标记代码重复")
    classification = _classification(raw.get("classification", []), by_number, scores, option_sets)
    return Definition(
        code=code,
        version=version,
        name=_text(raw.get("name"), "name", max_chars=MAX_NAME_CHARS),
        instructions=_text(raw.get("instructions"), "instructions", required=False),
        timeframe=_text(raw.get("timeframe"), "timeframe", required=False),
        copyright=_need(raw, "copyright", str, code, default=""),
        source=_need(raw, "source", str, code, default=""),
        loinc=_need(raw, "loinc", str, code, default=""),
        item_texts=item_texts,
        option_sets=tuple(option_sets.values()),
        items=tuple(items),
        subscales=groups["subscales"],
        indices=groups["indices"],
        bands=bands,
        flags=flags,
        classification=classification,
    )


def load_definition_file(path: Path) -> Definition:
    raw = read_json_file(path)
    try:
        return parse_definition(raw)
    except DefinitionError as exc:
        raise DefinitionError(f"{Path(path).name}: {exc}") from exc


# --- reading JSON that may be hostile ------------------------------------------------------------------

# A string (possibly unterminated: then it runs to the end) or a bracket; one pass, linear in the text.
_JSON_TOKENS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"?|[\[\]{}]', re.S)
_JSON_MESSAGES = {
    "Expecting value": "此处应为一个值",
    "Expecting property name enclosed in double quotes": "属性名应写在双引号中",
    "Expecting ',' delimiter": "此处缺少逗号",
    "Expecting ':' delimiter": "此处缺少冒号",
    "Unterminated string starting at": "字符串缺少结尾的引号",
    "Extra data": "JSON 结束之后还有多余的内容",
    "Invalid control character at": "字符串中有未转义的控制字符",
    "Invalid \\escape": "无效的转义序列",
    "Invalid \\uXXXX escape": "无效的 \\u 转义序列",
    "Illegal trailing comma": "最后一项之后多了逗号",
}


def json_depth(text: str) -> tuple[int, int]:
    """(deepest nesting of [ and {, the offset where it is first reached), brackets inside strings not
    counted; computed without parsing, so that nesting too deep for the parser is refused first."""
    depth = deepest = at = 0
    for token in _JSON_TOKENS.finditer(text):
        mark = text[token.start()]
        if mark in "[{":
            depth += 1
            if depth > deepest:
                deepest, at = depth, token.start()
        elif mark in "]}":
            depth -= 1
    return deepest, at


def check_size(size: int, where: str) -> None:
    """Refuse a file larger than MAX_FILE_BYTES, before reading it."""
    if size > MAX_FILE_BYTES:
        raise DefinitionError(
            f"{where}: 文件过大（{size / 1024 / 1024:.1f} MB），量表定义文件最大 {MAX_FILE_BYTES // 1024 // 1024} MB"
        )


def _refuse_constant(name: str):
    raise ValueError(f"constant {name}")


def _line(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def parse_json(data: bytes | str, where: str):
    """JSON from an uploaded or read file, refusing before parsing what would be costly or crash the
    parser (too large, nested too deep), and after parsing what no database can store (NUL characters,
    lone surrogates). Every error says where, in Chinese."""
    check_size(len(data), where)
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise DefinitionError(
                f"{where}: 不是 UTF-8 编码的文本（第 {exc.start + 1} 个字节处），请另存为 UTF-8"
            ) from None
    else:
        text = data.removeprefix("\ufeff")
    if not text.strip():
        raise DefinitionError(f"{where}: 文件是空的")
    depth, at = json_depth(text)
    if depth > MAX_JSON_DEPTH:
        raise DefinitionError(
            f"{where}: JSON 嵌套过深（第 {_line(text, at)} 行达到 {depth} 层，最多 {MAX_JSON_DEPTH} 层）；"
            "量表定义不会这样深，请检查文件是否正确"
        )
    try:
        raw = json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        reason = next((zh for en, zh in _JSON_MESSAGES.items() if exc.msg.startswith(en)), f"格式错误（{exc.msg}）")
        raise DefinitionError(f"{where}: 不是有效的 JSON（第 {exc.lineno} 行第 {exc.colno} 列）：{reason}") from None
    except ValueError as exc:  # NaN or Infinity; an integer too long to convert
        if str(exc).startswith("constant "):
            raise DefinitionError(f"{where}: JSON 中不能有 {str(exc)[9:]}，数值必须是有限的数字") from None
        raise DefinitionError(f"{where}: JSON 中有位数过多的数字") from None
    except RecursionError:  # not reached after the depth check; kept so that nothing escapes as a traceback
        raise DefinitionError(f"{where}: JSON 嵌套过深") from None
    _check_strings(raw, where)
    return raw


def _check_strings(raw, where: str) -> None:
    """Refuse NUL characters and lone surrogates anywhere (keys too): PostgreSQL cannot store them."""
    stack = [(raw, "")]
    while stack:
        node, path = stack.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                if "\x00" in key or _has_surrogate(key):
                    raise DefinitionError(
                        f"{where}: {path or '顶层'} 有一个属性名含有无法保存的字符（NUL 或不成对的代理字符）"
                    )
                stack.append((value, f"{path}.{key}" if path else key))
        elif isinstance(node, list):
            stack.extend((value, f"{path}[{n}]") for n, value in enumerate(node))
        elif isinstance(node, str) and ("\x00" in node or _has_surrogate(node)):
            raise DefinitionError(f"{where}: {path or '顶层'}: 文字中含有无法保存的字符（NUL 或不成对的代理字符）")


def _has_surrogate(text: str) -> bool:
    return any("\ud800" <= ch <= "\udfff" for ch in text)


def read_json_file(path: Path):
    """parse_json for a file on disk, naming the file; the size is checked before anything is read."""
    path = Path(path)
    try:
        check_size(path.stat().st_size, path.name)
        data = path.read_bytes()
    except OSError as exc:
        raise DefinitionError(f"{path.name}: 无法读取：{exc.strerror or exc}") from None
    return parse_json(data, path.name)


# --- writing -------------------------------------------------------------------------------------------


def _text_json(text: Text) -> dict:
    return {"zh": text.zh, "en": text.en}


def _ref_json(value):
    return {"setting": value.name} if isinstance(value, Setting) else value


def _condition_json(condition: Condition) -> dict:
    if condition.kind == "text_request":
        out = {"text_request": condition.items[0]}
    else:
        if condition.kind == "score":
            out = {"score": condition.score}
        elif condition.kind == "any_score":
            out = {"any_score": list(condition.scores)}
        elif condition.kind == "items":
            out = {
                "items": _ref_json(condition.items) if isinstance(condition.items, Setting) else list(condition.items)
            }
        else:
            out = {"count": list(condition.items), "item_op": condition.item_op, "item_value": condition.item_value}
        out |= {"op": _ref_json(condition.op), "value": _ref_json(condition.value)}
    if condition.when_setting:
        out["when_setting"] = {name: _jsonable(value) for name, value in condition.when_setting}
    return out


def _jsonable(value):
    return list(value) if isinstance(value, tuple) else value


def _score_json(score: Score) -> dict:
    out = {"code": score.code, "name": _text_json(score.name), "method": score.method, "items": list(score.items)}
    if score.method in ("count", "mean_where"):
        out |= {"op": score.op, "value": score.value}
    if score.loinc:
        out["loinc"] = score.loinc
    return out


def definition_to_json(definition: Definition) -> dict:
    """The JSON document for a definition: parse_definition(definition_to_json(d)) == d."""
    return {
        "format": FORMAT,
        "code": definition.code,
        "version": definition.version,
        "name": _text_json(definition.name),
        "instructions": _text_json(definition.instructions),
        "timeframe": _text_json(definition.timeframe),
        "copyright": definition.copyright,
        "source": definition.source,
        "loinc": definition.loinc,
        "item_texts": definition.item_texts,
        "option_sets": [
            {
                "code": option_set.code,
                "options": [
                    {"code": o.code, "label": _text_json(o.label), "value": o.value}
                    | ({"loinc": o.loinc} if o.loinc else {})
                    for o in option_set.options
                ],
            }
            for option_set in definition.option_sets
        ],
        "items": [
            {
                "number": item.number,
                "link_id": item.link_id,
                "text": _text_json(item.text),
                "kind": item.kind,
                "option_set": item.option_set,
                "required": item.required,
                "reverse": item.reverse,
                "role": item.role,
            }
            | ({"loinc": item.loinc} if item.loinc else {})
            | ({"heading": _text_json(item.heading)} if item.heading else {})
            | ({"note": _text_json(item.note)} if item.note else {})
            for item in definition.items
        ],
        "subscales": [_score_json(score) for score in definition.subscales],
        "indices": [_score_json(score) for score in definition.indices],
        "bands": None
        if definition.bands is None
        else {
            "score": definition.bands.score,
            "ranges": [
                {"code": b.code, "label": _text_json(b.label), "min": b.min, "max": b.max, "severity": b.severity}
                for b in definition.bands.ranges
            ],
        },
        "flags": [
            {
                "code": flag.code,
                "label": _text_json(flag.label),
                "red_flag": flag.red_flag,
                "item": flag.item,
                "when": _condition_json(flag.when),
            }
            for flag in definition.flags
        ],
        "classification": [
            {"code": rule.code, "label": _text_json(rule.label), "severity": rule.severity}
            | (
                {"otherwise": True}
                if rule.otherwise
                else {"when_any": [_condition_json(condition) for condition in rule.when_any]}
            )
            for rule in definition.classification
        ],
    }


def definition_digest(definition: Definition) -> str:
    text = json.dumps(definition_to_json(definition), ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


# --- the instruments shipped with Xinyu ----------------------------------------------------------------


@cache
def shipped_definitions() -> tuple[Definition, ...]:
    """PHQ-9, GAD-7, SCL-90 (scoring only) and UPI, from instruments/*.json (read once per process)."""
    return tuple(load_definition_file(path) for path in sorted(SHIPPED_DIR.glob("*.json")))


def shipped_definition(code: str) -> Definition:
    for definition in shipped_definitions():
        if definition.code == code:
            return definition
    raise DefinitionError(f"没有随附代码为“{code}”的量表")
