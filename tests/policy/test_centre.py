"""The policy file's [centre] table: the shipped file, the defaults, and a clear Chinese error for each bad
input."""

import pytest

from xinyu.policy.centre import DEFAULT_CENTRE, CentreRulesError, parse_centre
from xinyu.policy.loader import policy_in_force


def test_the_shipped_file_names_the_centre_its_rooms_lines_and_hotlines():
    centre = policy_in_force().centre
    assert centre.name == "阳光心理中心"
    assert centre.offers and centre.booking and centre.phone and "@" in centre.email
    assert centre.main_room is not None and centre.main_room.hours
    assert centre.crisis_line is not None and centre.crisis_line.number
    assert [(line.name, line.number) for line in centre.hotlines][:2] == [
        ("全国心理援助热线", "12356"),
        ("希望24热线", "400-161-9995"),
    ]
    assert [line.number for line in centre.emergency] == ["110", "120"]


def test_defaults_keep_the_hotlines_and_110_120_without_a_table():
    assert parse_centre(None) == DEFAULT_CENTRE == parse_centre({})
    lines = DEFAULT_CENTRE.help_lines()
    assert lines[0] == "阳光心理中心"
    assert "全国心理援助热线：12356（24小时）" in lines
    assert lines[-1] == "遇到紧急危险：报警 110，急救 120"


def test_help_lines_name_the_phone_and_the_room():
    centre = parse_centre(
        {
            "phone": "0570-1234567",
            "rooms": [{"name": "接待室", "location": "活动中心三楼", "hours": "工作日"}],
            "crisis_line": {"name": "值班电话", "number": "0570-110"},
        }
    )
    assert centre.help_lines()[:2] == [
        "阳光心理中心：电话 0570-1234567，活动中心三楼接待室（工作日）",
        "值班电话：0570-110",
    ]


@pytest.mark.parametrize(
    "raw,message",
    [
        ("x", "centre: 应为一个表"),
        ({"colour": 1}, "centre: 未知字段“colour”"),
        ({"name": " "}, "centre.name: 不能为空"),
        ({"name": 3}, "centre.name: 应为文字，而不是 3"),
        ({"phone": "打电话"}, "centre.phone: “打电话”不是电话号码"),
        ({"email": "xinli"}, "centre.email: “xinli”不是电子邮箱地址"),
        ({"offers": "咨询"}, "centre.offers: 应为一个列表"),
        ({"offers": ["咨询", ""]}, "centre.offers[1]: 不能为空"),
        ({"rooms": [{"name": "接待室"}]}, "centre.rooms[0]: 缺少“location”"),
        ({"rooms": [{"name": "接待室", "location": "三楼", "floor": 3}]}, "centre.rooms[0]: 未知字段“floor”"),
        ({"rooms": ["接待室"]}, "centre.rooms[0]: 应为 { … } 形式的表"),
        ({"crisis_line": {"name": "值班"}}, "centre.crisis_line: 缺少“number”"),
        ({"hotlines": []}, "centre.hotlines: 至少需要一条心理援助热线"),
        ({"hotlines": [{"name": "热线", "number": "abc"}]}, "centre.hotlines[0].number: “abc”不是电话号码"),
        ({"emergency": [{"name": "报警", "number": 110}]}, "centre.emergency[0].number: 应为文字，而不是 110"),
    ],
)
def test_bad_tables_are_refused_with_where_and_what(raw, message):
    with pytest.raises(CentreRulesError) as caught:
        parse_centre(raw)
    assert str(caught.value) == message
