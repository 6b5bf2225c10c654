"""Answer vectors typed for instrument_check."""

import pytest

from xinyu.screening.answers import AnswerInputError, parse_answers


@pytest.mark.parametrize(
    "text,expected",
    [
        ("0,0,0,0,0,0,0,0,1", {1: "0", 2: "0", 3: "0", 4: "0", 5: "0", 6: "0", 7: "0", 8: "0", 9: "1"}),
        ("0 1  2、3 1", {1: "0", 2: "1", 3: "2", 4: "3", 5: "1"}),
        ("0，1, 2", {1: "0", 2: "1", 3: "2"}),
        ("0,,1", {1: "0", 3: "1"}),
        ("1:0 2:1 9:3", {1: "0", 2: "1", 9: "3"}),
        ("1：0，9:2; 10:1", {1: "0", 9: "2", 10: "1"}),
        ("[0, 1, null, 3]", {1: 0, 2: 1, 4: 3}),
        ('{"1": 0, "9": 1, "10": null}', {1: 0, 9: 1}),
    ],
)
def test_three_ways_to_type_answers(phq9, text, expected):
    assert parse_answers(phq9, text) == expected


def test_free_text_by_number(upi):
    assert parse_answers(upi, "25:1 64:想找老师聊聊") == {25: "1", 64: "想找老师聊聊"}


@pytest.mark.parametrize(
    "text,message",
    [
        ("", "没有给出答案"),
        ("0,0,0,0,0,0,0,0,0,0,0", "给出了 11 个答案，但 PHQ-9 只有 10 题"),
        ("1:0 2 3:1", "“2”：应写作 题号:答案（如 9:1）"),
        ("1:0 x:1", "“x:1”：题号“x”不是数字"),
        ("1:0 1:1", "第 1 题给了两次答案"),
        ('{"a": 1}', "“a”：题号应为数字"),
        ("[0, 1", "答案不是有效的 JSON"),
    ],
)
def test_mistakes_in_the_vector_are_named(phq9, text, message):
    with pytest.raises(AnswerInputError) as caught:
        parse_answers(phq9, text)

    assert message in str(caught.value)
