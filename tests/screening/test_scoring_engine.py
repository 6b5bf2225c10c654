"""The scorer itself: answer forms, errors, reverse scoring, mean scores and bands, rules_version, and a
check of thousands of random vectors against a plain reading of DESIGN.md §5."""

import random

import pytest

from tests.screening.conftest import UPI_LIE, in_order, reparse, scored, upi_answers
from xinyu.policy.screening import DEFAULT_RULES, ScoringRules, ScoringRulesError
from xinyu.screening.scoring import score, scorer_for


def small_instrument(**changes) -> dict:
    """Four items 0–3; item 2 reverse-scored; item 4 optional and unscored; a mean-scored index with bands."""
    options = [{"code": str(n), "label": {"zh": f"{n}分"}, "value": n} for n in range(4)]
    document = {
        "format": "xinyu-instrument/1",
        "code": "TEST-4",
        "version": "2026.1",
        "name": {"zh": "测试量表"},
        "option_sets": [{"code": "zero_to_three", "options": options}],
        "items": [
            {"number": 1, "text": "第一题", "option_set": "zero_to_three"},
            {"number": 2, "text": "第二题", "option_set": "zero_to_three", "reverse": True},
            {"number": 3, "text": "第三题", "option_set": "zero_to_three"},
            {"number": 4, "text": "第四题", "option_set": "zero_to_three", "required": False, "role": "difficulty"},
        ],
        "indices": [
            {"code": "total", "name": "总分", "method": "sum", "items": [1, 2, 3]},
            {"code": "average", "name": "均分", "method": "mean", "items": [1, 2, 3]},
        ],
        "bands": {
            "score": "average",
            "ranges": [
                {"code": "low", "label": "低", "min": 0, "max": 0.99, "severity": "none"},
                {"code": "middle", "label": "中", "min": 1, "max": 1.99, "severity": "mild"},
                {"code": "high", "label": "高", "min": 2, "max": 3, "severity": "severe"},
            ],
        },
        "flags": [{"code": "item2_low", "label": "第二题", "when": {"items": [2], "op": ">=", "value": 3}}],
    }
    return document | changes


def test_a_reverse_scored_item_counts_backwards_and_its_flag_reads_the_score():
    definition = reparse(small_instrument())

    result = scored(definition, {1: 0, 2: 0, 3: 0})

    assert result.indices == {"total": 3, "average": 1.0}
    assert [flag.code for flag in result.flags] == ["item2_low"]
    assert scored(definition, {1: 0, 2: 3, 3: 0}).indices["total"] == 0


def test_bands_on_a_mean_score_fall_by_their_lower_bound():
    definition = reparse(small_instrument())

    def band(*values):
        return scored(definition, in_order(values)).band.code

    assert band(0, 3, 0) == "low"  # 0
    assert band(1, 3, 1) == "low"  # 0.667
    assert band(1, 2, 1) == "middle"  # 1.0
    assert band(2, 1, 2) == "high"  # 2.0
    assert band(3, 0, 3) == "high"  # 3.0


def test_an_optional_item_may_be_left_out_or_given_as_none():
    definition = reparse(small_instrument())

    left_out = scored(definition, {1: 1, 2: 1, 3: 1})
    as_none = scored(definition, {1: 1, 2: 1, 3: 1, 4: None})
    answered = scored(definition, {1: 1, 2: 1, 3: 1, 4: 3})

    assert left_out == as_none == answered
    assert left_out.complete


def test_item_numbers_must_be_integers():
    definition = reparse(small_instrument())

    result = scored(definition, {"1": 1, 2: 1, 3: 1})

    assert [(error.item, error.code) for error in result.errors] == [(1, "missing"), ("1", "unknown_item")]
    assert result.errors[1].message == "题号“1”应为整数"


def test_an_unhashable_answer_is_an_error_not_a_crash(phq9):
    answers = in_order([0] * 9) | {3: [1]}

    assert [(error.item, error.code) for error in scored(phq9, answers).errors] == [(3, "invalid")]


def test_result_as_json(phq9):
    result = scored(phq9, in_order([1, 1, 1, 1, 1, 1, 1, 1, 1]) | {10: 1})

    assert result.to_dict() == {
        "instrument": "PHQ-9",
        "version": "1",
        "rules_version": result.rules_version,
        "complete": True,
        "total": 9,
        "subscales": {},
        "indices": {"total": 9},
        "band": {"code": "mild", "label": "轻度抑郁", "severity": "mild", "min": 5, "max": 9},
        "classification": None,
        "severity": "mild",
        "flags": [
            {"code": "suicidal_ideation", "label": "第 9 题：有不如死掉或伤害自己的念头", "item": 9, "red_flag": True}
        ],
        "errors": [],
    }


def test_the_rules_version_names_the_instrument_version_and_the_settings(phq9, scl90):
    assert scored(phq9, in_order([0] * 9)).rules_version.startswith("PHQ-9@1:")
    default = scored(scl90, dict.fromkeys(range(1, 91), 1)).rules_version
    strict = score(scl90, dict.fromkeys(range(1, 91), 1), rules=ScoringRules(scl90_factor_op=">")).rules_version
    assert default.startswith("SCL-90@1:") and strict.startswith("SCL-90@1:") and default != strict
    assert ScoringRules(scl90_factor_op=">=") == DEFAULT_RULES
    assert score(scl90, {}, rules=ScoringRules()).rules_version == default


def test_a_definition_is_compiled_once_per_rules(upi):
    assert scorer_for(upi, DEFAULT_RULES) is scorer_for(upi, DEFAULT_RULES)
    other = ScoringRules(upi_class1_min_total=22)
    assert scorer_for(upi, other) is scorer_for(upi, other) is not scorer_for(upi, DEFAULT_RULES)


def test_a_setting_naming_an_item_the_instrument_lacks_is_refused_when_compiled(upi):

    with pytest.raises(ScoringRulesError, match="upi_class1_items: UPI 没有第 99 题"):
        score(upi, upi_answers(), rules=ScoringRules(upi_class1_items=(99,)))


# --- random vectors against a plain reading of the rules -------------------------------------------------


def phq9_band(total):
    if total <= 4:
        return "minimal"
    if total <= 9:
        return "mild"
    if total <= 14:
        return "moderate"
    if total <= 19:
        return "moderately_severe"
    return "severe"


def gad7_band(total):
    return "minimal" if total <= 4 else "mild" if total <= 9 else "moderate" if total <= 14 else "severe"


def upi_class(answers):
    yes = {n for n, value in answers.items() if n <= 63 and value == 1}
    total = len(yes & set(range(1, 61)) - set(UPI_LIE))
    auxiliary = len(yes & {61, 62, 63})
    text = str(answers.get(64, "")).strip().strip("。.").lower()
    request = text not in ("", "无", "没有", "no")
    if total >= 25 or 25 in yes or auxiliary >= 2 or request:
        return "class_1"
    if 20 <= total <= 24 or yes & {8, 16, 26} or auxiliary == 1:
        return "class_2"
    return "class_3"


def scl90_positive(answers, factors):
    total = sum(answers.values())
    positive = sum(1 for value in answers.values() if value >= 2)
    means = [sum(answers[n] for n in items) / len(items) for items in factors]
    return total > 160 or positive > 43 or any(mean >= 2 for mean in means)


def test_random_vectors_agree_with_the_rules(phq9, gad7, upi, scl90):
    rng = random.Random(20260901)
    factors = [score.items for score in scl90.subscales]
    for _ in range(1500):
        answers = in_order(rng.choices(range(4), weights=[5, 3, 2, 1], k=9))
        result = scored(phq9, answers)
        total = sum(answers.values())
        assert (result.total, result.band.code, bool(result.flags)) == (total, phq9_band(total), answers[9] >= 1)

        answers = in_order(rng.choices(range(4), weights=[4, 3, 2, 2], k=7))
        result = scored(gad7, answers)
        assert (result.total, result.band.code) == (sum(answers.values()), gad7_band(sum(answers.values())))

        rate = rng.choice((0.05, 0.2, 0.4))
        answers = {n: int(rng.random() < rate) for n in range(1, 64)}
        answers[64] = rng.choice(("无", "没有", "", "no", "想咨询", "无。"))
        result = scored(upi, answers)
        assert result.classification.code == upi_class(answers), answers
        assert result.red_flag == (answers[25] == 1)

        answers = {n: rng.choices(range(1, 6), weights=[10, 4, 2, 1, 1])[0] for n in range(1, 91)}
        result = scored(scl90, answers)
        assert (result.classification.code == "positive") == scl90_positive(answers, factors)
        assert result.indices["total"] == sum(answers.values())
