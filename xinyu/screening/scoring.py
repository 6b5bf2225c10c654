"""Exact scoring of one answer vector: a pure function of (definition, answers, rules), no database.

    result = score(definition, {1: 0, 2: 1, …, 9: 1}, rules=DEFAULT_RULES)

Answers map item numbers to option codes ("0", "1" …; the integer 1 matches the code "1") or, for a
free-text item, a string; a missing or None answer is unanswered. The result holds the total, subscales,
indices, band, class, item flags and `rules_version` (the instrument version and a hash of the settings its
rules read), so re-scoring can tell which rules produced which result.

When a required item is unanswered, an answer is not one of the item's options, or an item number is
unknown, the result is incomplete: `errors` says which item and what, and there are no scores, band or
class. Item flags are still evaluated on the answers given: a student who answers PHQ-9 item 9 and
nothing else is flagged all the same.

Speed: a definition is compiled once per ScoringRules (`scorer_for`, cached on the definition): lookup
tables from option code to item score (shared by items with the same options), one `itemgetter` per run of
such items, `itemgetter`s for each score, and count tables for conditions. A complete vector is then
fetched in C (answers given as integer codes that are their own weights are checked by one set inclusion
and used as they are), scored with C-level sums and counts, and returned as a named tuple: no per-answer
objects. Anything unusual (a missing, unknown or invalid answer) goes to a careful path that names it.
"""

import bisect
import operator
import re
from dataclasses import dataclass
from functools import partial
from operator import itemgetter
from typing import NamedTuple

from xinyu.policy.screening import DEFAULT_RULES, ScoringRules, ScoringRulesError, normalise_free_text
from xinyu.screening.definition import (
    SEVERITIES,
    Band,
    ClassRule,
    Condition,
    Definition,
    FlagRule,
    Item,
    Number,
    Score,
    Setting,
    score_range,
)

__all__ = ["DEFAULT_RULES", "AnswerError", "Result", "Scorer", "ScoringRules", "score", "scorer_for"]

OP_FUNCS = {">=": operator.ge, ">": operator.gt, "<=": operator.le, "<": operator.lt, "==": operator.eq}
SEVERITY_RANK = {severity: rank for rank, severity in enumerate(SEVERITIES)}
_INTEGER = re.compile(r"-?\d+")


class _Missing:
    __slots__ = ()

    def __repr__(self):
        return "MISSING"


MISSING = _Missing()  # an optional item left unanswered, in the per-item score list


@dataclass(frozen=True, slots=True)
class AnswerError:
    item: object  # the item number (or the key given, when it is not one)
    code: str  # missing | invalid | unknown_item
    message: str


class Result(NamedTuple):
    """The outcome of scoring one answer vector (a named tuple: immutable and cheap to make a million of)."""

    instrument: str
    version: str
    rules_version: str
    complete: bool
    total: Number | None
    subscales: dict
    indices: dict
    band: Band | None
    classification: ClassRule | None
    flags: tuple[FlagRule, ...]
    errors: tuple[AnswerError, ...]

    @property
    def severity(self) -> str | None:
        """The higher of the band's and the class's severity ("none" when neither applies); None when
        the answers are incomplete."""
        if not self.complete:
            return None
        levels = [rule.severity for rule in (self.band, self.classification) if rule is not None]
        return max(levels, key=SEVERITY_RANK.__getitem__, default="none")

    @property
    def red_flag(self) -> bool:
        return any(flag.red_flag for flag in self.flags)

    def to_dict(self) -> dict:
        return {
            "instrument": self.instrument,
            "version": self.version,
            "rules_version": self.rules_version,
            "complete": self.complete,
            "total": self.total,
            "subscales": dict(self.subscales),
            "indices": dict(self.indices),
            "band": None
            if self.band is None
            else {
                "code": self.band.code,
                "label": str(self.band.label),
                "severity": self.band.severity,
                "min": self.band.min,
                "max": self.band.max,
            },
            "classification": None
            if self.classification is None
            else {
                "code": self.classification.code,
                "label": str(self.classification.label),
                "severity": self.classification.severity,
            },
            "severity": self.severity,
            "flags": [
                {"code": flag.code, "label": str(flag.label), "item": flag.item, "red_flag": flag.red_flag}
                for flag in self.flags
            ],
            "errors": [{"item": error.item, "code": error.code, "message": error.message} for error in self.errors],
        }


def score(definition: Definition, answers: dict, *, rules: ScoringRules) -> Result:
    """Score one answer vector under the given rules (see the module's docstring)."""
    return scorer_for(definition, rules).score(answers)


def scorer_for(definition: Definition, rules: ScoringRules) -> "Scorer":
    """The compiled scorer for (definition, rules), built once and kept on the definition."""
    plans = definition._plans
    entry = plans.get(id(rules))
    if entry is None or entry[0] is not rules:
        if len(plans) >= 16:
            plans.clear()
        entry = plans[id(rules)] = (rules, Scorer(definition, rules))
    return entry[1]


def rules_version(definition: Definition, rules: ScoringRules) -> str:
    """ "PHQ-9@1:3f9a…": the instrument version and a hash of the settings its rules read."""
    return f"{definition.key}:{rules.digest(definition.settings_used)}"


def is_request(value, no_answers: frozenset[str]) -> bool:
    """A free-text answer asks for help when it is not empty and not a plain "no" (无, 没有, no …)."""
    if not isinstance(value, str):
        return False
    text = normalise_free_text(value)
    return bool(text) and text not in no_answers


class Scorer:
    """A definition compiled for one ScoringRules."""

    def __init__(self, definition: Definition, rules: ScoringRules):
        self.definition = definition
        self.rules = rules
        self.rules_version = rules_version(definition, rules)
        choice = tuple(item for item in definition.items if item.kind == "choice")
        self._choice = choice
        self._numbers = tuple(item.number for item in choice)
        self._position = {number: k for k, number in enumerate(self._numbers)}
        shared: dict[tuple, dict] = {}
        self._luts = tuple(self._lookup(item, shared) for item in choice)
        self._fetchers = self._segments()
        self._texts = tuple(item for item in definition.items if item.kind == "text")
        self._n_choice = len(choice)
        self._optional = any(not item.required for item in choice)
        self._plain = not self._optional and not self._texts
        self._subscale_codes = frozenset(score.code for score in definition.subscales)
        self._subscales = tuple((score.code, self._score_fn(score)) for score in definition.subscales)
        self._indices = tuple((score.code, self._score_fn(score)) for score in definition.indices)
        index_codes = {score.code for score in definition.indices}
        # Where the total and the banded score live: True for subscales, False for indices, None if absent.
        self._total_in_subscales = "total" in self._subscale_codes if "total" in definition._scores else None
        self._band = self._band_fn()
        self._band_score = definition.bands.score if definition.bands else None
        self._band_in_subscales = self._band_score is not None and self._band_score not in index_codes
        self._flags = tuple(
            (flag, self._condition_fn(flag.when)) for flag in definition.flags if self._active(flag.when)
        )
        self._classes = tuple(
            (rule, tuple(self._condition_fn(c) for c in rule.when_any if self._active(c)))
            for rule in definition.classification
        )

    # --- compiling -----------------------------------------------------------------------------------

    def _lookup(self, item: Item, shared: dict) -> dict:
        """Option code (and its integer, if the code is one) → the item's score; None → MISSING for an
        optional item. Items with the same options, direction and requiredness share one table."""
        key = (item.option_set, item.reverse, item.required)
        if key in shared:
            return shared[key]
        options = self.definition.option_set(item.option_set).options
        values = [option.value for option in options if option.value is not None]
        low, high = (min(values), max(values)) if values else (0, 0)
        table = {}
        for option in options:
            weight = option.value
            if item.reverse and weight is not None:
                weight = low + high - weight
            table[option.code] = weight
            if _INTEGER.fullmatch(option.code):
                table.setdefault(int(option.code), weight)
        if not item.required:
            table[None] = MISSING
        shared[key] = table
        return table

    def _segments(self) -> tuple:
        """Functions that each return the scores of a run of consecutive items sharing one lookup table,
        raising KeyError or TypeError for anything that is not a valid answer (the careful path then says
        what). For required items the answers are fetched by one C-level itemgetter; where the option codes
        are their own weights (PHQ-9 0–3, UPI 0/1, SCL-90 1–5) answers given as those integers are checked
        by one set inclusion and used as they are."""
        runs: list[tuple[dict, list[int]]] = []
        for item, table in zip(self._choice, self._luts, strict=True):
            if runs and runs[-1][0] is table:
                runs[-1][1].append(item.number)
            else:
                runs.append((table, [item.number]))
        fetchers = []
        for table, numbers in runs:
            convert = table.__getitem__
            if None in table:  # optional items: a missing answer is MISSING
                fetchers.append(partial(_fetch_optional, tuple(numbers), convert))
                continue
            getter = itemgetter(*numbers) if len(numbers) > 1 else partial(_fetch_one, numbers[0])
            identity = frozenset(weight for code, weight in table.items() if isinstance(code, int) and code == weight)
            if len(identity) * 2 == len(table):  # every option's code is its weight
                fetchers.append(partial(_fetch_identity, getter, identity.issuperset, convert))
            else:
                fetchers.append(partial(_fetch_mapped, getter, convert))
        return tuple(fetchers)

    def _resolve(self, value):
        if isinstance(value, Setting):
            return getattr(self.rules, value.name)
        return value

    def _active(self, condition: Condition) -> bool:
        return all(getattr(self.rules, name) == value for name, value in condition.when_setting)

    def _getter(self, numbers):
        positions = [self._position[number] for number in numbers]
        if positions == list(range(self._n_choice)):
            return lambda ws: ws
        if len(positions) == 1:
            position = positions[0]
            return lambda ws: (ws[position],)
        return itemgetter(*positions)

    def _weights(self, numbers) -> set:
        found = set()
        for number in numbers:
            found.update(w for w in self._luts[self._position[number]].values() if w is not MISSING)
        return found

    def _indicator(self, numbers, op: str, value) -> dict:
        compare = OP_FUNCS[op]
        table = {weight: int(compare(weight, value)) for weight in self._weights(numbers) if weight is not None}
        table[MISSING] = 0
        table[None] = 0
        return table

    def _score_fn(self, score: Score):
        get = self._getter(score.items)
        n = len(score.items)
        if score.method == "sum":
            return lambda ws: sum(get(ws))
        if score.method == "mean":
            return lambda ws: sum(get(ws)) / n
        # Counted with tuple.count over the item scores (C speed), from whichever side is shorter: for
        # SCL-90's 阳性项目数 that is 90 − (items scored 1), and its 阳性症状均分 comes out as
        # (总分 − 阴性项目数) / 阳性项目数, the textbook formula.
        compare = OP_FUNCS[score.op]
        weights = sorted(w for w in self._weights(score.items) if w is not None)
        matching = tuple(w for w in weights if compare(w, score.value))
        other = tuple(w for w in weights if not compare(w, score.value))
        complement = len(other) < len(matching)
        counted = other if complement else matching
        if score.method == "count":
            if len(counted) == 1:
                (only,) = counted
                if complement:
                    return lambda ws: n - get(ws).count(only)
                return lambda ws: get(ws).count(only)
            if complement:
                return lambda ws: n - sum(map(get(ws).count, other))
            return lambda ws: sum(map(get(ws).count, matching))

        def mean_where(ws):
            chosen = get(ws)
            counts = tuple(map(chosen.count, counted))
            weighted = sum(map(operator.mul, counted, counts))
            if complement:
                count, total = n - sum(counts), sum(chosen) - weighted
            else:
                count, total = sum(counts), weighted
            return total / count if count else None

        return mean_where

    def _band_fn(self):
        bands = self.definition.bands
        if bands is None:
            return None
        items = {item.number: item for item in self.definition.items}
        option_sets = {option_set.code: option_set for option_set in self.definition.option_sets}
        lowest, highest, whole = score_range(self.definition.score(bands.score), items, option_sets)
        ranges = bands.ranges
        mins = [band.min for band in ranges]

        def find(value):
            if value is None or value < mins[0] or value > ranges[-1].max:
                return None
            return ranges[bisect.bisect_right(mins, value) - 1]

        if whole:
            table = {value: find(value) for value in range(int(lowest), int(highest) + 1)}
            return table.get
        return find

    def _check_items(self, numbers, where: str):
        for number in numbers:
            if number not in self._position:
                raise ScoringRulesError(f"{where}: {self.definition.code} 没有第 {number} 题（或该题不是选择题）")

    def _condition_fn(self, condition: Condition):
        kind = condition.kind
        if kind == "text_request":
            number, no_answers = condition.items[0], self.rules.normalised_no_answers
            return lambda ws, subs, idxs, answers: is_request(answers.get(number), no_answers)
        compare = OP_FUNCS[self._resolve(condition.op)]
        value = self._resolve(condition.value)
        if kind == "score":
            code = condition.score
            in_subscales = code in self._subscale_codes

            def score_condition(ws, subs, idxs, answers):
                found = (subs if in_subscales else idxs).get(code)
                return found is not None and compare(found, value)

            return score_condition
        if kind == "any_score":
            codes = tuple((code, code in self._subscale_codes) for code in condition.scores)

            def any_score(ws, subs, idxs, answers):
                for code, in_subscales in codes:
                    found = (subs if in_subscales else idxs).get(code)
                    if found is not None and compare(found, value):
                        return True
                return False

            return any_score
        numbers = self._resolve(condition.items)
        where = condition.items.name if isinstance(condition.items, Setting) else "条件"
        self._check_items(numbers, where)
        get = self._getter(numbers)
        if kind == "items":
            hit = self._indicator(numbers, self._resolve(condition.op), value).__getitem__
            return lambda ws, subs, idxs, answers: any(map(hit, get(ws)))
        hit = self._indicator(numbers, condition.item_op, condition.item_value).__getitem__
        return lambda ws, subs, idxs, answers: compare(sum(map(hit, get(ws))), value)

    # --- scoring -------------------------------------------------------------------------------------

    def score(self, answers: dict) -> Result:
        get = answers.get
        try:
            if len(self._fetchers) == 1:
                ws = self._fetchers[0](answers)
            else:
                ws = ()
                for fetch in self._fetchers:
                    ws += fetch(answers)
        except (KeyError, TypeError):
            return self._checked(answers)
        if self._plain:
            if len(answers) != self._n_choice:
                return self._checked(answers)
        else:
            answered = self._n_choice - ws.count(MISSING) if self._optional else self._n_choice
            for item in self._texts:
                value = get(item.number)
                if value is None:
                    if item.required:
                        return self._checked(answers)
                elif value.__class__ is str:
                    answered += 1
                else:
                    return self._checked(answers)
            if len(answers) != answered:
                return self._checked(answers)
        return self._complete(ws, answers)

    def _complete(self, ws: list, answers: dict) -> Result:
        subscales = {code: fn(ws) for code, fn in self._subscales}
        indices = {code: fn(ws) for code, fn in self._indices}
        total = None
        if self._total_in_subscales is not None:
            total = (subscales if self._total_in_subscales else indices)["total"]
        band = None
        if self._band is not None:
            band = self._band((subscales if self._band_in_subscales else indices)[self._band_score])
        flags = tuple(flag for flag, fn in self._flags if fn(ws, subscales, indices, answers))
        found = None
        for rule, conditions in self._classes:
            if rule.otherwise:
                found = rule
                break
            for condition in conditions:
                if condition(ws, subscales, indices, answers):
                    found = rule
                    break
            if found is not None:
                break
        definition = self.definition
        return Result(
            definition.code,
            definition.version,
            self.rules_version,
            True,
            total,
            subscales,
            indices,
            band,
            found,
            flags,
            (),
        )

    def _checked(self, answers: dict) -> Result:
        """The careful path: every problem named; flags on what was answered."""
        errors = []
        ws = []
        for item, lut in zip(self._choice, self._luts, strict=True):
            value = answers.get(item.number)
            if value is None:
                ws.append(MISSING)
                if item.required:
                    errors.append(AnswerError(item.number, "missing", f"第 {item.number} 题：必答题未作答"))
                continue
            try:
                ws.append(lut[value])
            except (KeyError, TypeError):
                ws.append(MISSING)
                errors.append(AnswerError(item.number, "invalid", self._invalid(item, value)))
        for item in self._texts:
            value = answers.get(item.number)
            if value is None:
                if item.required:
                    errors.append(AnswerError(item.number, "missing", f"第 {item.number} 题：必答题未作答"))
            elif not isinstance(value, str):
                errors.append(AnswerError(item.number, "invalid", f"第 {item.number} 题：应填文字，而不是 {value!r}"))
        count = len(self.definition.items)
        for key in answers:
            if not isinstance(key, int) or isinstance(key, bool):
                errors.append(AnswerError(key, "unknown_item", f"题号“{key}”应为整数"))
            elif not 1 <= key <= count:
                errors.append(
                    AnswerError(key, "unknown_item", f"没有第 {key} 题（{self.definition.code} 共 {count} 题）")
                )
        if not errors:
            return self._complete(ws, answers)
        errors.sort(key=_error_order)
        flags = tuple(flag for flag, fn in self._flags if fn(ws, {}, {}, answers))
        definition = self.definition
        return Result(
            definition.code,
            definition.version,
            self.rules_version,
            False,
            None,
            {},
            {},
            None,
            None,
            flags,
            tuple(errors),
        )

    def _invalid(self, item: Item, value) -> str:
        options = self.definition.option_set(item.option_set).options
        choices = "、".join(f"{option.code} {option.label}" for option in options)
        return f"第 {item.number} 题：答案“{value}”不在选项中（可选：{choices}）"


def _fetch_one(number, answers):
    return (answers[number],)


def _fetch_optional(numbers, convert, answers):
    return tuple(map(convert, map(answers.get, numbers)))


def _fetch_mapped(getter, convert, answers):
    return tuple(map(convert, getter(answers)))


def _fetch_identity(getter, valid, convert, answers):
    values = getter(answers)
    return values if valid(values) else tuple(map(convert, values))


def _error_order(error: AnswerError):
    if isinstance(error.item, int) and not isinstance(error.item, bool):
        return (0, error.item)
    return (1, str(error.item))
