"""Answer vectors typed by a person (instrument_check): "0,1,2,…", "1:0 2:1 …", or JSON.

- In order: values separated by commas (or, without commas, by spaces or 、), the first for item 1; an
  empty value between commas leaves the item unanswered ("0,,1"). A free-text item takes its value as
  written (use JSON if it has commas).
- By number: "题号:答案" pairs separated by spaces, commas or semicolons ("1:0 2:1", "64:无").
- JSON: a list (in order; null leaves an item unanswered) or an object {"1": 0, "64": "…"}.
Values stay as typed (option codes); scoring says which are not options. Mistakes in the vector itself
(too many values, a pair without a number, an item given twice) raise AnswerInputError, in Chinese.
"""

import json
import re

from xinyu.screening.definition import Definition


class AnswerInputError(ValueError):
    pass


_PAIR_SEPARATORS = re.compile(r"[\s,，、;；]+")


def parse_answers(definition: Definition, text: str) -> dict[int, object]:
    text = (text or "").strip()
    if not text:
        raise AnswerInputError("没有给出答案")
    if text[0] in "[{":
        try:
            raw = json.loads(text)
        except json.JSONDecodeError as exc:
            raise AnswerInputError(f"答案不是有效的 JSON（第 {exc.colno} 个字符）：{exc.msg}") from exc
        if isinstance(raw, list):
            return _in_order(definition, raw)
        answers = {}
        for key, value in raw.items():
            if not str(key).strip().isdigit():
                raise AnswerInputError(f"“{key}”：题号应为数字")
            if value is not None:
                answers[int(key)] = value
        return answers
    if re.search(r"\d\s*[:：]", text):
        return _by_number(text)
    if re.search(r"[,，]", text):  # commas mark every slot, so "0,,1" leaves item 2 unanswered
        return _in_order(definition, re.split(r"[,，]", text))
    return _in_order(definition, re.split(r"[\s、;；]+", text))


def _in_order(definition: Definition, values: list) -> dict[int, object]:
    count = len(definition.items)
    if len(values) > count:
        raise AnswerInputError(f"给出了 {len(values)} 个答案，但 {definition.code} 只有 {count} 题")
    answers = {}
    for number, value in enumerate(values, start=1):
        if isinstance(value, str):
            value = value.strip()
        if value is None or value == "":
            continue
        answers[number] = value
    return answers


def _by_number(text: str) -> dict[int, object]:
    answers = {}
    for token in _PAIR_SEPARATORS.split(text.strip()):
        if not token:
            continue
        number, colon, value = token.replace("：", ":").partition(":")
        if not colon:
            raise AnswerInputError(f"“{token}”：应写作 题号:答案（如 9:1）")
        if not number.strip().isdigit():
            raise AnswerInputError(f"“{token}”：题号“{number}”不是数字")
        item = int(number)
        if item in answers:
            raise AnswerInputError(f"第 {item} 题给了两次答案")
        if value.strip():
            answers[item] = value.strip()
    return answers
