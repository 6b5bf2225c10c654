"""SCL-90's scoring (items 1–5): 10 factors (the mean of their items), 总分, 总均分 (总分 / 90), 阳性项目数
(items ≥ 2), 阴性项目数, 阳性症状均分 ((总分 − 阴性项目数) / 阳性项目数, the mean of the positive items).
Positive if 总分 > 160, or 阳性项目数 > 43, or any factor ≥ 2; the factor comparison (≥ or >) and whether
其他 counts are settings. Item 15 (suicidal ideation) ≥ 2 is a red flag (the threshold is a setting)."""

import pytest

from tests.screening.conftest import flag_codes, scored
from xinyu.screening.definition import Text
from xinyu.screening.item_texts import with_item_texts

FACTORS = {
    "somatization": [1, 4, 12, 27, 40, 42, 48, 49, 52, 53, 56, 58],
    "obsessive_compulsive": [3, 9, 10, 28, 38, 45, 46, 51, 55, 65],
    "interpersonal_sensitivity": [6, 21, 34, 36, 37, 41, 61, 69, 73],
    "depression": [5, 14, 15, 20, 22, 26, 29, 30, 31, 32, 54, 71, 79],
    "anxiety": [2, 17, 23, 33, 39, 57, 72, 78, 80, 86],
    "hostility": [11, 24, 63, 67, 74, 81],
    "phobic_anxiety": [13, 25, 47, 50, 70, 75, 82],
    "paranoid_ideation": [8, 18, 43, 68, 76, 83],
    "psychoticism": [7, 16, 35, 62, 77, 84, 85, 87, 88, 90],
    "other": [19, 44, 59, 60, 64, 66, 89],
}


def vector(raised: dict[int, int] | None = None) -> dict[int, int]:
    """All 90 items at 1 (没有) except those raised."""
    raised = raised or {}
    return {n: raised.get(n, 1) for n in range(1, 91)}


def extra_points_below_every_factor(extra: int) -> dict[int, int]:
    """Raise items by `extra` points in all, keeping every factor's mean below 2 (extra < item count) and
    item 15 at 1."""
    raised = {}
    for items in FACTORS.values():
        budget = len(items) - 1
        for number in items:
            if number == 15:
                continue
            take = min(4, budget, extra)
            if take <= 0:
                break
            raised[number] = 1 + take
            budget -= take
            extra -= take
    assert extra == 0
    return raised


def positive_items_below_every_factor(count: int) -> dict[int, int]:
    """`count` items at 2, no factor with all its items at 2 (so every factor's mean stays below 2)."""
    raised = {}
    for items in FACTORS.values():
        for number in [n for n in items if n != 15][: len(items) - 1]:
            if len(raised) == count:
                return raised
            raised[number] = 2
    assert len(raised) == count
    return raised


def classify(scl90, answers, **settings):
    return scored(scl90, answers, **settings).classification.code


def test_the_factor_map_is_the_standard_one(scl90):
    assert {score.code: list(score.items) for score in scl90.subscales} == FACTORS
    assert all(score.method == "mean" for score in scl90.subscales)
    every = sorted(n for items in FACTORS.values() for n in items)
    assert every == list(range(1, 91))
    assert [len(items) for items in FACTORS.values()] == [12, 10, 9, 13, 10, 6, 7, 6, 10, 7]


def test_nothing_at_all(scl90):
    result = scored(scl90, vector())

    assert result.indices == {
        "total": 90,
        "total_mean": 1.0,
        "positive_items": 0,
        "negative_items": 90,
        "positive_mean": None,
    }
    assert set(result.subscales.values()) == {1.0}
    assert (result.classification.code, result.severity, result.flags) == ("negative", "none", ())


def test_everything_severe(scl90):
    result = scored(scl90, vector(dict.fromkeys(range(1, 91), 5)))

    assert result.indices == {
        "total": 450,
        "total_mean": 5.0,
        "positive_items": 90,
        "negative_items": 0,
        "positive_mean": 5.0,
    }
    assert result.classification.code == "positive"


def test_the_indices_follow_their_definitions(scl90):
    raised = {1: 3, 2: 3, 3: 5, 11: 2, 12: 4, 30: 2, 40: 5}
    result = scored(scl90, vector(raised))

    total = 90 + sum(value - 1 for value in raised.values())
    negative = 90 - len(raised)
    assert result.indices["total"] == total == 107
    assert result.indices["total_mean"] == total / 90
    assert (result.indices["positive_items"], result.indices["negative_items"]) == (7, negative)
    # 阳性症状均分 = (总分 − 阴性项目数) / 阳性项目数 = the mean of the positive items' scores.
    assert result.indices["positive_mean"] == (total - negative) / 7 == sum(raised.values()) / 7
    assert result.subscales["somatization"] == (12 + 2 + 3 + 4) / 12
    assert result.subscales["hostility"] == 7 / 6


def test_total_above_160_alone_is_positive_and_160_is_not(scl90):
    at_161 = scored(scl90, vector(extra_points_below_every_factor(71)))
    at_160 = scored(scl90, vector(extra_points_below_every_factor(70)))

    for result, total in ((at_161, 161), (at_160, 160)):
        assert result.indices["total"] == total
        assert result.indices["positive_items"] <= 43
        assert max(result.subscales.values()) < 2
    assert (at_161.classification.code, at_160.classification.code) == ("positive", "negative")


def test_44_positive_items_alone_is_positive_and_43_is_not(scl90):
    at_44 = scored(scl90, vector(positive_items_below_every_factor(44)))
    at_43 = scored(scl90, vector(positive_items_below_every_factor(43)))

    for result, count in ((at_44, 44), (at_43, 43)):
        assert result.indices["positive_items"] == count
        assert result.indices["total"] == 90 + count <= 160
        assert max(result.subscales.values()) < 2
    assert (at_44.classification.code, at_43.classification.code) == ("positive", "negative")


@pytest.mark.parametrize("factor", [code for code in FACTORS if code != "other"])
def test_any_one_factor_at_2_alone_is_positive_and_just_below_is_not(scl90, factor):
    items = FACTORS[factor]
    at_2 = scored(scl90, vector(dict.fromkeys(items, 2)))
    below = scored(scl90, vector(dict.fromkeys(items[:-1], 2)))

    assert at_2.subscales[factor] == 2.0
    assert below.subscales[factor] < 2
    for result in (at_2, below):
        assert result.indices["total"] <= 160 and result.indices["positive_items"] <= 43
        assert sorted(result.subscales.values())[-2] < 2  # no other factor reaches 2
    assert (at_2.classification.code, below.classification.code) == ("positive", "negative")


def test_the_factor_comparison_may_be_strictly_above(scl90):
    at_2 = vector(dict.fromkeys(FACTORS["hostility"], 2))
    above_2 = vector(dict.fromkeys(FACTORS["hostility"], 2) | {11: 3})

    assert classify(scl90, at_2) == "positive"
    assert classify(scl90, at_2, scl90_factor_op=">") == "negative"
    assert classify(scl90, above_2, scl90_factor_op=">") == "positive"


def test_the_factor_threshold_is_a_setting(scl90):
    answers = vector(dict.fromkeys(FACTORS["hostility"], 2))

    assert classify(scl90, answers, scl90_factor_threshold=2.5) == "negative"


def test_whether_the_other_factor_counts_is_a_setting(scl90):
    answers = vector(dict.fromkeys(FACTORS["other"], 2))

    assert scored(scl90, answers).subscales["other"] == 2.0
    assert classify(scl90, answers) == "positive"
    assert classify(scl90, answers, scl90_other_factor_counts=False) == "negative"


def test_the_total_and_count_thresholds_are_settings(scl90):
    assert classify(scl90, vector(extra_points_below_every_factor(61)), scl90_total_above=150) == "positive"
    assert classify(scl90, vector(positive_items_below_every_factor(41)), scl90_positive_items_above=40) == "positive"


@pytest.mark.parametrize("value,flagged", [(1, False), (2, True), (3, True), (5, True)])
def test_item_15_at_2_or_more_is_a_red_flag(scl90, value, flagged):
    result = scored(scl90, vector({15: value}))

    assert flag_codes(result) == ({"suicidal_ideation"} if flagged else set())
    assert result.red_flag is flagged


def test_the_item_15_threshold_is_a_setting(scl90):
    assert scored(scl90, vector({15: 2}), scl90_suicide_item_min=3).flags == ()
    assert flag_codes(scored(scl90, vector({15: 3}), scl90_suicide_item_min=3)) == {"suicidal_ideation"}


def test_scores_1_to_5_only(scl90):
    result = scored(scl90, vector({7: 0}))

    assert [(error.item, error.code) for error in result.errors] == [(7, "invalid")]


def test_shipped_without_item_texts_until_the_college_loads_them(scl90):

    assert scl90.item_texts == "pending" and not scl90.administrable
    assert {item.text for item in scl90.items} == {Text("", "")}
    assert "Derogatis" in scl90.copyright

    loaded = with_item_texts(scl90, {n: Text(f"第{n}题文字") for n in range(1, 91)})

    assert loaded.administrable and loaded.item(15).text.zh == "第15题文字"
    assert scored(loaded, vector({15: 2})) == scored(scl90, vector({15: 2}))
