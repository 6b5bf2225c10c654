"""FHIR R4 Questionnaire export and import, QuestionnaireResponse export."""

import copy
import datetime as dt
import json
import random
from dataclasses import replace

import pytest

from tests.screening.conftest import in_order, scored, upi_answers
from tests.screening.questionnaires import english_phq9
from xinyu.screening.definition import Text, shipped_definitions
from xinyu.screening.fhir import (
    EXT_DEFINITION,
    ITEM_WEIGHT,
    LOINC,
    ORDINAL_VALUE,
    TRANSLATION,
    FhirError,
    definition_to_questionnaire,
    questionnaire_response,
    questionnaire_to_definition,
)


def through_json(resource: dict) -> dict:
    return json.loads(json.dumps(resource, ensure_ascii=False))


def test_phq9_as_a_questionnaire(phq9):
    questionnaire = definition_to_questionnaire(phq9)

    assert (questionnaire["resourceType"], questionnaire["status"], questionnaire["language"]) == (
        "Questionnaire",
        "active",
        "zh-CN",
    )
    assert questionnaire["code"] == [{"system": LOINC, "code": "44249-1"}]
    assert "Pfizer" in questionnaire["copyright"]
    assert questionnaire["title"] == "患者健康问卷抑郁量表（PHQ-9）"
    assert [item["code"][0]["code"] for item in questionnaire["item"]] == [
        "44250-9", "44255-8", "44259-0", "44254-1", "44251-7", "44258-2", "44252-5", "44253-3", "44260-8", "69722-7"
    ]  # fmt: skip
    item9 = questionnaire["item"][8]
    assert (item9["linkId"], item9["prefix"], item9["type"], item9["required"]) == ("9", "9", "choice", True)
    assert item9["text"] == "有不如死掉或用某种方式伤害自己的念头"
    assert item9["_text"]["extension"][0]["url"] == TRANSLATION
    codings = [option["valueCoding"] for option in item9["answerOption"]]
    assert [(c["system"], c["code"], c["display"]) for c in codings] == [
        (LOINC, "LA6568-5", "完全不会"),
        (LOINC, "LA6569-3", "好几天"),
        (LOINC, "LA6570-1", "一半以上的天数"),
        (LOINC, "LA6571-9", "几乎每天"),
    ]
    weights = [[e["valueDecimal"] for e in c["extension"] if e["url"] == ORDINAL_VALUE] for c in codings]
    assert weights == [[0], [1], [2], [3]]
    assert questionnaire["item"][9]["required"] is False


def test_gad7_carries_its_loinc_codes(gad7):
    questionnaire = definition_to_questionnaire(gad7)

    assert questionnaire["code"] == [{"system": LOINC, "code": "69737-5"}]
    assert questionnaire["item"][0]["code"] == [{"system": LOINC, "code": "69725-0"}]


def test_scl90_is_exported_as_a_draft_without_item_texts(scl90):
    questionnaire = definition_to_questionnaire(scl90)

    assert questionnaire["status"] == "draft"
    assert all("text" not in item for item in questionnaire["item"])


@pytest.mark.parametrize("definition", shipped_definitions(), ids=lambda d: d.code)
def test_export_then_import_gives_the_same_definition_and_the_same_scores(definition):
    back = questionnaire_to_definition(through_json(definition_to_questionnaire(definition)))

    assert back == definition
    rng = random.Random(definition.code)
    for _ in range(200):
        answers = {}
        for item in definition.items:
            if item.kind == "text":
                answers[item.number] = rng.choice(["无", "想聊聊"])
            else:
                answers[item.number] = rng.choice(definition.option_set(item.option_set).options).code
        assert scored(back, answers) == scored(definition, answers)


def chinese(text: str, lang: str = "zh-CN") -> dict:
    parts = [{"url": "lang", "valueCode": lang}, {"url": "content", "valueString": text}]
    return {"extension": [{"url": TRANSLATION, "extension": parts}]}


def foreign_phq2(weight_url=ORDINAL_VALUE, on="answerOption") -> dict:
    """A two-item questionnaire as another system might write it: LOINC codings, English, weights on the
    answerOption (as LHC-Forms does) or on the coding, items not marked required."""
    options = []
    for weight, (code, display, zh) in enumerate(
        [
            ("LA6568-5", "Not at all", "完全不会"),
            ("LA6569-3", "Several days", "好几天"),
            ("LA6570-1", "More than half the days", "一半以上的天数"),
        ]
    ):
        coding = {"system": LOINC, "code": code, "display": display, "_display": chinese(zh)}
        option = {"valueCoding": coding}
        (option if on == "answerOption" else coding)["extension"] = [{"url": weight_url, "valueDecimal": weight}]
        options.append(option)
    return {
        "resourceType": "Questionnaire",
        "id": "phq-2",
        "name": "PHQ2",
        "language": "en",
        "title": "PHQ-2",
        "_title": chinese("PHQ-2 抑郁筛查", lang="zh"),
        "status": "active",
        "item": [
            {
                "linkId": f"/4425{n}",
                "type": "choice",
                "text": text,
                "_text": chinese(zh),
                "answerOption": copy.deepcopy(options),
            }
            for n, text, zh in [(0, "Little interest", "做事时提不起劲"), (5, "Feeling down", "感到心情低落")]
        ],
    }


@pytest.mark.parametrize("weight_url", [ORDINAL_VALUE, ITEM_WEIGHT])
@pytest.mark.parametrize("on", ["answerOption", "valueCoding"])
def test_import_a_questionnaire_from_elsewhere(weight_url, on):
    definition = questionnaire_to_definition(foreign_phq2(weight_url, on))

    assert (definition.code, definition.version, definition.name.zh, definition.name.en) == (
        "PHQ2",
        "1",
        "PHQ-2 抑郁筛查",
        "PHQ-2",
    )
    assert [(item.link_id, item.text.zh, item.text.en, item.required, item.role) for item in definition.items] == [
        ("/44250", "做事时提不起劲", "Little interest", True, "scored"),
        ("/44255", "感到心情低落", "Feeling down", True, "scored"),
    ]
    assert [option_set.code for option_set in definition.option_sets] == ["options_1"]
    assert [(o.code, o.value, o.loinc, o.label.zh) for o in definition.option_sets[0].options][1] == (
        "LA6569-3",
        1,
        "LA6569-3",
        "好几天",
    )
    result = scored(definition, {1: "LA6570-1", 2: "LA6569-3"})
    assert (result.total, result.indices) == (3, {"total": 3})


def test_an_item_without_chinese_keeps_its_english_as_english():
    questionnaire = foreign_phq2()
    del questionnaire["item"][1]["_text"]

    definition = questionnaire_to_definition(questionnaire)

    assert [item.text for item in definition.items] == [
        Text("做事时提不起劲", "Little interest"),
        Text("", "Feeling down"),
    ]
    assert definition.source == "FHIR Questionnaire；题目文字为英文（Questionnaire.language 为“en”）"


def test_an_item_with_no_text_at_all_is_refused():
    questionnaire = foreign_phq2()
    del questionnaire["item"][1]["_text"]
    del questionnaire["item"][1]["text"]

    with pytest.raises(FhirError) as caught:
        questionnaire_to_definition(questionnaire)

    assert str(caught.value) == (
        "FHIR Questionnaire PHQ2: 第 2 题（Questionnaire.item[1]（linkId /44255））.text: "
        "中文（zh）和英文（en）不能都为空"
    )


def test_items_inside_one_group_are_taken_and_its_text_heads_the_first(gad7):
    questionnaire = definition_to_questionnaire(gad7)
    questionnaire["item"] = [{"linkId": "g", "type": "group", "text": "焦虑自评", "item": questionnaire["item"]}]

    imported = questionnaire_to_definition(questionnaire)

    assert imported.item(1).heading == Text("焦虑自评")
    assert imported == replace(gad7, items=(replace(gad7.item(1), heading=Text("焦虑自评")), *gad7.items[1:]))


def breaking(change):
    def make(gad7):
        questionnaire = definition_to_questionnaire(gad7)
        change(questionnaire)
        return questionnaire

    return make


def set_item(n, key, value):
    return lambda q: q["item"][n].__setitem__(key, value)


@pytest.mark.parametrize(
    "change,message",
    [
        (
            set_item(2, "enableWhen", [{"question": "1", "operator": "exists", "answerBoolean": True}]),
            "item[2]（linkId 3）: 不支持条件显示",
        ),
        (set_item(2, "repeats", True), "item[2]（linkId 3）: 不支持可重复作答"),
        (
            lambda q: (
                q["item"][2].pop("answerOption")
                and q["item"][2].__setitem__("answerValueSet", "http://loinc.org/vs/LL358-3")
            ),
            "item[2]（linkId 3）.answerValueSet: 引用的是外部值集“http://loinc.org/vs/LL358-3”",
        ),
        (set_item(2, "answerValueSet", "#frequency"), "item[2]（linkId 3）: 不能同时有 answerOption 和 answerValueSet"),
        (set_item(2, "type", "decimal"), "item[2]（linkId 3）: 不支持题型“decimal”"),
        (
            lambda q: q["item"].append({"linkId": "end", "type": "display", "text": "谢谢"}),
            "item[7]（linkId end）: 说明文字（display）之后没有题目",
        ),
        (
            set_item(2, "answerOption", [{"valueInteger": 0}, {"valueInteger": 1}]),
            "answerOption[0]: 只支持 valueCoding，而不是 valueInteger",
        ),
        (set_item(2, "answerOption", []), "选择题没有 answerOption"),
        (
            set_item(2, "modifierExtension", [{"url": "http://example.org/x", "valueBoolean": True}]),
            "含有 modifierExtension",
        ),
        (
            lambda q: q.__setitem__("contained", [{"resourceType": "Library", "id": "x"}]),
            "Questionnaire.contained[0]: 只支持内含值集（ValueSet）",
        ),
        (
            lambda q: q.__setitem__(
                "item", [{"linkId": "g", "type": "group", "item": [{"linkId": "h", "type": "group"}]}]
            ),
            "不支持嵌套分组",
        ),
        (
            lambda q: q["item"][0]["answerOption"][0]["valueCoding"]["extension"].append(
                {"url": ITEM_WEIGHT, "valueDecimal": 5}
            ),
            "同一选项有不同的分值",
        ),
        (
            lambda q: q["item"][0].pop("text") and q["item"][0].pop("_text"),
            "第 1 题（Questionnaire.item[0]（linkId 1））.text: 中文",
        ),
        (lambda q: q.__setitem__("resourceType", "ValueSet"), "不是 FHIR Questionnaire"),
        (lambda q: q["extension"][0].__setitem__("valueString", "{"), f"（{EXT_DEFINITION}）: 不是有效的 JSON"),
    ],
)
def test_what_cannot_be_represented_is_refused(gad7, change, message):
    with pytest.raises(FhirError) as caught:
        questionnaire_to_definition(breaking(change)(gad7))

    assert message in str(caught.value)


def test_a_questionnaire_response_for_phq9(phq9):
    answers = in_order([0, 1, 2, 3, 0, 0, 0, 0, 1]) | {10: "2"}
    authored = dt.datetime(2026, 9, 8, 10, 30, tzinfo=dt.UTC)

    response = questionnaire_response(phq9, answers, authored=authored, subject={"identifier": {"value": "2025000001"}})

    assert (response["resourceType"], response["status"], response["questionnaire"]) == (
        "QuestionnaireResponse",
        "completed",
        "urn:xinyu:fhir:instrument:PHQ-9|1",
    )
    assert response["authored"] == "2026-09-08T10:30:00+00:00"
    assert response["subject"] == {"identifier": {"value": "2025000001"}}
    assert [item["linkId"] for item in response["item"]] == [str(n) for n in range(1, 11)]
    assert response["item"][8]["answer"] == [
        {"valueCoding": {"system": LOINC, "code": "LA6569-3", "display": "好几天"}}
    ]
    assert response["item"][9]["answer"][0]["valueCoding"]["code"] == "2"


def test_a_response_with_free_text_and_missing_answers(upi):
    answers = upi_answers(yes=[25], text="想咨询")
    del answers[3]

    response = questionnaire_response(upi, answers)

    assert response["status"] == "in-progress"
    assert response["item"][-1] == {
        "linkId": "64",
        "text": "你有健康或心理方面想咨询的问题吗？如果有请写下来。",
        "answer": [{"valueString": "想咨询"}],
    }
    assert len(response["item"]) == 63


@pytest.mark.parametrize(
    "answers,message", [({3: 7}, "第 3 题：答案“7”不在选项中"), ({11: 0}, "没有第 11 题（PHQ-9 共 10 题）")]
)
def test_a_response_refuses_answers_that_are_not_options(phq9, answers, message):
    with pytest.raises(FhirError, match=message):
        questionnaire_response(phq9, answers)


def test_an_instrument_imported_in_english_is_exported_in_english_and_back_unchanged():

    definition = questionnaire_to_definition(english_phq9())

    exported = through_json(definition_to_questionnaire(definition))

    assert (exported["language"], exported["title"], "_title" not in exported) == (
        "en",
        "Patient Health Questionnaire-9",
        True,
    )
    assert exported["item"][8]["text"] == shipped_definitions()[1].item(9).text.en
    assert questionnaire_to_definition(exported) == definition
