"""Scoring settings: documented defaults, checked values, reading them from a policy table."""

import pytest

from xinyu.policy.screening import DEFAULT_RULES, ScoringRules, ScoringRulesError, normalise_free_text


def test_the_defaults_are_the_rules_of_design_section_5():
    assert (DEFAULT_RULES.upi_class1_min_total, DEFAULT_RULES.upi_class2_min_total) == (25, 20)
    assert (DEFAULT_RULES.upi_class1_items, DEFAULT_RULES.upi_class2_items) == ((25,), (8, 16, 26))
    assert (DEFAULT_RULES.upi_class1_min_auxiliary, DEFAULT_RULES.upi_class2_min_auxiliary) == (2, 1)
    assert DEFAULT_RULES.upi_item64_request == "class_1"
    assert (DEFAULT_RULES.scl90_total_above, DEFAULT_RULES.scl90_positive_items_above) == (160, 43)
    assert (DEFAULT_RULES.scl90_factor_op, DEFAULT_RULES.scl90_factor_threshold) == (">=", 2)
    assert DEFAULT_RULES.scl90_other_factor_counts is True
    assert DEFAULT_RULES.scl90_suicide_item_min == 2


def test_from_a_policy_table_lists_become_tuples():
    rules = ScoringRules.from_mapping({"upi_class2_items": [8, 16], "scl90_factor_op": ">"})

    assert (rules.upi_class2_items, rules.scl90_factor_op) == ((8, 16), ">")
    assert rules == ScoringRules(upi_class2_items=(8, 16), scl90_factor_op=">")
    assert ScoringRules.from_mapping({}) == DEFAULT_RULES


@pytest.mark.parametrize(
    "raw,message",
    [
        ({"upi_class1_min_totl": 25}, "screening: 未知设置“upi_class1_min_totl”"),
        ({"upi_class1_min_total": -1}, "screening.upi_class1_min_total: 应为非负整数"),
        ({"upi_class1_min_total": True}, "screening.upi_class1_min_total: 应为非负整数"),
        ({"upi_item64_request": "class_4"}, "screening.upi_item64_request: 应为 class_1、class_2、flag_only 之一"),
        ({"scl90_factor_op": "≥"}, "screening.scl90_factor_op: 比较方式应为"),
        ({"scl90_other_factor_counts": "yes"}, "screening.scl90_other_factor_counts: 应为 true 或 false"),
        ({"upi_class1_items": []}, "screening.upi_class1_items: 应为题号列表"),
        ({"upi_class1_items": [25, "26"]}, "screening.upi_class1_items: 题号应为正整数"),
        ({"no_request_answers": ["无", 0]}, "screening.no_request_answers: 应为文字列表"),
    ],
)
def test_bad_settings_are_refused_by_name(raw, message):
    with pytest.raises(ScoringRulesError) as caught:
        ScoringRules.from_mapping(raw)

    assert message in str(caught.value)


def test_the_digest_reads_only_the_named_settings():
    other = ScoringRules(scl90_factor_op=">")

    assert other.digest({"upi_class1_min_total"}) == DEFAULT_RULES.digest({"upi_class1_min_total"})
    assert other.digest({"scl90_factor_op"}) != DEFAULT_RULES.digest({"scl90_factor_op"})


@pytest.mark.parametrize(
    "text,normal", [("无。", "无"), (" N/A ", "na"), ("没有！", "没有"), ("No thanks", "nothanks"), ("—", "")]
)
def test_free_text_is_compared_without_spaces_and_punctuation(text, normal):
    assert normalise_free_text(text) == normal
