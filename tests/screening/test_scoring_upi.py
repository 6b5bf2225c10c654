"""UPI (DESIGN.md §5): items 1–60 yes/no, lie items 5 20 35 50 never scored, total 0–56.
第一类: total ≥ 25, or item 25 yes, or ≥ 2 of items 61–63 yes, or a counselling request in item 64.
第二类: total 20–24, or one of items 8/16/26 yes, or exactly one of 61–63 yes. Otherwise 第三类.
Item 25 yes is a red flag; an item-64 request is flagged for a person to read. Variants are settings."""

import pytest

from tests.screening.conftest import UPI_AUXILIARY, UPI_KEY, UPI_LIE, UPI_PLAIN, flag_codes, scored, upi_answers
from xinyu.policy.screening import DEFAULT_RULES, ScoringRules
from xinyu.screening.scoring import rules_version


def classify(upi, answers, **settings):
    result = scored(upi, answers, **settings)
    assert result.complete, result.errors
    return result.classification.code


def test_the_four_lie_items_alone_score_nothing(upi):
    result = scored(upi, upi_answers(yes=UPI_LIE))

    assert (result.total, result.classification.code, result.classification.label.zh) == (0, "class_3", "第三类")
    assert (result.flags, result.severity) == ((), "none")


def test_everything_yes_is_56_not_60(upi):
    result = scored(upi, upi_answers(yes=range(1, 61)))

    assert result.total == 56
    assert result.indices == {"total": 56, "key_items_yes": 4, "auxiliary_yes": 0}


def test_the_roles_are_those_of_the_standard_form(upi):
    roles = {}
    for item in upi.items:
        roles.setdefault(item.role, []).append(item.number)
    assert roles["lie"] == list(UPI_LIE)
    assert roles["key"] == list(UPI_KEY)
    assert roles["auxiliary"] == list(UPI_AUXILIARY)
    assert roles["open"] == [64]
    assert len(roles["scored"]) == 52
    assert upi.item(64).kind == "text" and not upi.item(64).required


def test_nothing_at_all_is_class_3(upi):
    assert classify(upi, upi_answers()) == "class_3"


# --- 第一类: each trigger alone ---------------------------------------------------------------------------


def test_a_total_of_25_alone_is_class_1_and_24_is_class_2(upi):
    at_25 = scored(upi, upi_answers(yes=UPI_PLAIN[:25]))
    at_24 = scored(upi, upi_answers(yes=UPI_PLAIN[:24]))

    assert (at_25.total, at_25.classification.code, at_25.severity, at_25.flags) == (25, "class_1", "severe", ())
    assert (at_24.total, at_24.classification.code, at_24.severity) == (24, "class_2", "moderate")


def test_item_25_alone_is_class_1_and_a_red_flag(upi):
    result = scored(upi, upi_answers(yes=[25]))

    assert (result.total, result.classification.code) == (1, "class_1")
    assert [(flag.code, flag.item, flag.red_flag) for flag in result.flags] == [("suicidal_ideation", 25, True)]


@pytest.mark.parametrize(
    "auxiliary,expected",
    [
        ((), "class_3"),
        ((61,), "class_2"),
        ((62,), "class_2"),
        ((63,), "class_2"),
        ((61, 63), "class_1"),
        ((62, 63), "class_1"),
        (UPI_AUXILIARY, "class_1"),
    ],
)
def test_auxiliary_items_61_to_63_counted_0_1_2_3(upi, auxiliary, expected):
    result = scored(upi, upi_answers(yes=auxiliary))

    assert (result.total, result.indices["auxiliary_yes"], result.classification.code) == (0, len(auxiliary), expected)
    assert result.flags == ()


@pytest.mark.parametrize("text", ["无", "没有", "没有。", " 无 ", "no", "No.", "NONE", "N/A", "否", "", "   ", "—"])
def test_item_64_saying_no_is_not_a_request(upi, text):
    result = scored(upi, upi_answers(text=text))

    assert (result.classification.code, result.flags) == ("class_3", ())


def test_item_64_left_out_is_not_a_request(upi):
    assert classify(upi, upi_answers(text=None)) == "class_3"


@pytest.mark.parametrize("text", ["最近总是失眠，想找老师聊聊", "有", "和室友关系紧张", "无法入睡"])
def test_item_64_with_a_request_is_class_1_and_flagged_for_review(upi, text):
    result = scored(upi, upi_answers(text=text))

    assert (result.total, result.classification.code) == (0, "class_1")
    assert [(flag.code, flag.item, flag.red_flag) for flag in result.flags] == [("counselling_request", 64, False)]


# --- 第二类: each trigger alone ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "total,expected", [(19, "class_3"), (20, "class_2"), (22, "class_2"), (24, "class_2"), (25, "class_1")]
)
def test_totals_around_class_2(upi, total, expected):
    result = scored(upi, upi_answers(yes=UPI_PLAIN[:total]))

    assert (result.total, result.classification.code) == (total, expected)


@pytest.mark.parametrize("item", [8, 16, 26])
def test_each_of_items_8_16_26_alone_is_class_2(upi, item):
    result = scored(upi, upi_answers(yes=[item]))

    assert (result.total, result.classification.code, result.flags) == (1, "class_2", ())


def test_class_1_wins_over_class_2(upi):
    assert classify(upi, upi_answers(yes=[*UPI_PLAIN[:21], 8, 25])) == "class_1"
    assert classify(upi, upi_answers(yes=[16, 61, 62])) == "class_1"


def test_lie_items_do_not_tip_a_total_over_a_boundary(upi):
    result = scored(upi, upi_answers(yes=[*UPI_PLAIN[:19], *UPI_LIE]))

    assert (result.total, result.classification.code) == (19, "class_3")


def test_a_yes_no_answer_may_be_given_as_true_or_false(upi):
    answers = {n: n == 25 for n in range(1, 64)}

    result = scored(upi, answers)

    assert (result.total, result.classification.code) == (1, "class_1")


def test_item_64_must_be_text(upi):
    result = scored(upi, upi_answers(text=7))

    assert [(error.item, error.code) for error in result.errors] == [(64, "invalid")]


# --- variants (settings) --------------------------------------------------------------------------------


def test_item_64_request_may_make_class_2_or_only_a_flag(upi):
    request = upi_answers(text="想咨询学习压力")

    as_class_2 = scored(upi, request, upi_item64_request="class_2")
    flag_only = scored(upi, request, upi_item64_request="flag_only")

    assert (as_class_2.classification.code, flag_codes(as_class_2)) == ("class_2", {"counselling_request"})
    assert (flag_only.classification.code, flag_codes(flag_only)) == ("class_3", {"counselling_request"})


def test_other_class_1_threshold(upi):
    assert classify(upi, upi_answers(yes=UPI_PLAIN[:22]), upi_class1_min_total=22) == "class_1"
    assert classify(upi, upi_answers(yes=UPI_PLAIN[:21]), upi_class1_min_total=22) == "class_2"


def test_other_class_2_threshold(upi):
    assert classify(upi, upi_answers(yes=UPI_PLAIN[:18]), upi_class2_min_total=18) == "class_2"
    assert classify(upi, upi_answers(yes=UPI_PLAIN[:17]), upi_class2_min_total=18) == "class_3"


def test_other_key_items(upi):
    assert classify(upi, upi_answers(yes=[26]), upi_class2_items=(8, 16)) == "class_3"
    assert classify(upi, upi_answers(yes=[26]), upi_class1_items=(25, 26)) == "class_1"


def test_other_auxiliary_counts(upi):
    assert classify(upi, upi_answers(yes=[61, 62]), upi_class1_min_auxiliary=3) == "class_2"
    assert classify(upi, upi_answers(yes=[61]), upi_class2_min_auxiliary=2) == "class_3"


def test_the_words_that_mean_no_are_a_setting(upi):
    answers = upi_answers(text="没有")

    assert classify(upi, answers, no_request_answers=("无",)) == "class_1"
    assert classify(upi, answers) == "class_3"


def test_the_red_flag_does_not_depend_on_the_class_settings(upi):
    result = scored(upi, upi_answers(yes=[25]), upi_class1_items=(26,))

    assert (result.classification.code, flag_codes(result)) == ("class_3", {"suicidal_ideation"})


def test_each_variant_has_its_own_rules_version(upi, phq9):
    variants = [
        DEFAULT_RULES,
        ScoringRules(upi_item64_request="flag_only"),
        ScoringRules(upi_class1_min_total=22),
        ScoringRules(upi_class2_items=(8, 16)),
    ]
    versions = {rules_version(upi, rules) for rules in variants}

    assert len(versions) == 4
    assert all(version.startswith("UPI@1:") for version in versions)
    # Settings UPI reads do not change the rules_version of PHQ-9 results, and vice versa.
    assert {rules_version(phq9, rules) for rules in variants} == {rules_version(phq9, DEFAULT_RULES)}
    assert rules_version(upi, ScoringRules(scl90_factor_op=">")) == rules_version(upi, DEFAULT_RULES)
    assert scored(upi, upi_answers(), upi_class1_min_total=22).rules_version == rules_version(
        upi, ScoringRules(upi_class1_min_total=22)
    )
