"""The policy file's [care] table: defaults, and a clear Chinese error for each bad input."""

import pytest

from xinyu.policy.care import DEFAULT_CARE, CareRulesError, parse_care


def test_missing_table_and_keys_keep_the_defaults():
    assert parse_care(None) == DEFAULT_CARE
    assert parse_care({}) == DEFAULT_CARE


def test_values_are_read():
    rules = parse_care(
        {
            "registry_review_every_days": 60,
            "student_sees_access_log": False,
            "registry_categories": [{"code": "a", "label": "甲"}, {"code": "b", "label": "乙", "label_en": "B"}],
            "green_channel_hospitals": [{"name": "衢州市第三医院", "phone": "0570-1234567"}],
        }
    )
    assert rules.registry_review_every_days == 60
    assert rules.student_sees_access_log is False
    assert rules.category_choices == [("a", "甲"), ("b", "乙")]
    assert rules.category("a").label_en == "甲"
    assert rules.green_channel_hospitals[0].phone == "0570-1234567"


@pytest.mark.parametrize(
    "raw,message",
    [
        ("x", "care: 应为一个表"),
        ({"colour": 1}, "care: 未知字段“colour”"),
        ({"registry_review_every_days": 0}, "care.registry_review_every_days: 应为大于 0 的整数，而不是 0"),
        ({"dorm_check_in_every_days": -3}, "care.dorm_check_in_every_days: 应为大于 0 的整数，而不是 -3"),
        ({"plan_review_every_days": "30"}, "care.plan_review_every_days: 应为大于 0 的整数，而不是 '30'"),
        ({"step_up_minutes": True}, "care.step_up_minutes: 应为大于 0 的整数，而不是 True"),
        ({"student_sees_access_log": "yes"}, "care.student_sees_access_log: 应为 true 或 false"),
        ({"registry_categories": []}, "care.registry_categories: 至少需要一个类别"),
        ({"registry_categories": "a"}, "care.registry_categories: 应为一个列表"),
        ({"registry_categories": ["a"]}, "care.registry_categories[0]: 应为 { … } 形式的表"),
        (
            {"registry_categories": [{"code": "a", "label": "甲", "colour": "red"}]},
            "care.registry_categories[0]: 未知字段“colour”",
        ),
        ({"registry_categories": [{"code": "a", "label": " "}]}, "care.registry_categories[0]: 缺少“label”"),
        ({"registry_categories": [{"code": "a", "label": 1}]}, "care.registry_categories[0].label: 应为文字"),
        (
            {"registry_categories": [{"code": "a", "label": "甲"}, {"code": "a", "label": "乙"}]},
            "care.registry_categories: 类别代码“a”重复",
        ),
        ({"green_channel_hospitals": [{"address": "x"}]}, "care.green_channel_hospitals[0]: 缺少“name”"),
        (
            {"retention_archive_after_years": 5, "retention_destroy_after_years": 2},
            "care.retention_destroy_after_years: 不能早于归档年限（retention_archive_after_years）",
        ),
    ],
)
def test_bad_input_is_refused_with_where_and_what(raw, message):
    with pytest.raises(CareRulesError) as caught:
        parse_care(raw)
    assert str(caught.value) == message
