"""Hostile and broken definition files: each is refused with a message in Chinese naming the file and the
element (path, linkId), never a traceback; nothing is stored. Every file is generated here."""

import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from tests.screening.questionnaires import as_bytes, english_phq9, two_items
from xinyu.screening.definition import MAX_FILE_BYTES, DefinitionError
from xinyu.screening.fhir import EXT_DEFINITION, FhirError, questionnaire_to_definition
from xinyu.screening.models import Instrument
from xinyu.screening.services import read_definition_file, read_definition_upload


def changed(change) -> bytes:
    resource = two_items()
    change(resource)
    return as_bytes(resource)


def item(n, **values):
    return lambda q: q["item"][n].update(values)


def deep(depth: int) -> bytes:
    return b'{"resourceType": "Questionnaire", "item": ' + b"[" * depth + b"]" * depth + b"}"


def carried(value: str):
    return lambda q: q.setdefault("extension", []).append({"url": EXT_DEFINITION, "valueString": value})


def group_reusing_an_item_link_id(q):
    q["item"] = [{"linkId": "1", "type": "group", "text": "第一部分", "item": q["item"]}]


def many_items(q):
    q["item"] = [q["item"][0] | {"linkId": str(n)} for n in range(401)]


HOSTILE = {
    "deep-nesting": (deep(100_000), "JSON 嵌套过深（第 1 行达到 100001 层，最多 32 层）"),
    "deep-nesting-in-xinyu-extension": (
        changed(carried("[" * 50_000 + "]" * 50_000)),
        f"Questionnaire.extension（{EXT_DEFINITION}）: JSON 嵌套过深",
    ),
    "item-not-an-object": (
        changed(lambda q: q["item"].append("第三题")),
        "Questionnaire.item[2]: 应为对象（{…}），而不是文字“第三题”",
    ),
    "items-not-a-list": (
        changed(lambda q: q.update(item={"linkId": "1"})),
        "Questionnaire.item: 应为列表（[…]），而不是对象（{…}）",
    ),
    "answer-option-not-an-object": (
        changed(item(0, answerOption=[0, 1])),
        "Questionnaire.item[0]（linkId 1）.answerOption[0]: 应为对象（{…}），而不是数字 0",
    ),
    "duplicate-link-id": (
        changed(item(1, linkId="1")),
        "Questionnaire.item[1]（linkId 1）: linkId“1”与 Questionnaire.item[0] 重复；每道题的 linkId 必须唯一",
    ),
    "duplicate-link-id-of-a-group": (
        changed(group_reusing_an_item_link_id),
        "Questionnaire.item[0]（linkId 1）.item[0]（linkId 1）: linkId“1”与 Questionnaire.item[0] 重复",
    ),
    "patient-not-questionnaire": (
        as_bytes({"resourceType": "Patient", "id": "x"}),
        "不是 FHIR Questionnaire：resourceType 为“Patient”，应为“Questionnaire”",
    ),
    "a-response-not-the-questionnaire": (
        as_bytes({"resourceType": "QuestionnaireResponse", "status": "completed"}),
        "resourceType 为“QuestionnaireResponse”，应为“Questionnaire”（这是一份作答记录，不是量表本身）",
    ),
    "a-bundle": (
        as_bytes({"resourceType": "Bundle", "entry": []}),
        "（这是资源包，请从中取出单个 Questionnaire 再导入）",
    ),
    "resource-type-not-a-string": (as_bytes({"resourceType": 7}), "resourceType 应为“Questionnaire”，而不是数字 7"),
    "top-level-list": (b"[" + b"1," * 10_000 + b"1]", "量表定义: 应为一个对象（{…}），而不是 [1, 1, 1"),
    "empty": (b"", "文件是空的"),
    "not-utf-8": ('{"title": "情绪量表"}'.encode("gbk"), "不是 UTF-8 编码的文本（第 12 个字节处），请另存为 UTF-8"),
    "not-json": (
        b'{"resourceType": "Questionnaire",\n  item: []}',
        "不是有效的 JSON（第 2 行第 3 列）：属性名应写在双引号中",
    ),
    "nan-weight": (
        changed(lambda q: q["item"][0]["answerOption"][0]["extension"][0].update(valueDecimal="NaN")).replace(
            b'"NaN"', b"NaN"
        ),
        "JSON 中不能有 NaN，数值必须是有限的数字",
    ),
    "weight-with-5000-digits": (
        changed(lambda q: q["item"][0]["answerOption"][0]["extension"][0].update(valueDecimal="HUGE")).replace(
            b'"HUGE"', b"9" * 5000
        ),
        "JSON 中有位数过多的数字",
    ),
    "weight-as-text": (
        changed(lambda q: q["item"][0]["answerOption"][1]["extension"][0].update(valueDecimal="1")),
        "Questionnaire.item[0]（linkId 1）.answerOption[1].extension[0]: ordinalValue 应为数字，而不是文字“1”",
    ),
    "nul-in-text": (
        changed(item(1, text="睡不好\u0000")),
        "item[1].text: 文字中含有无法保存的字符（NUL 或不成对的代理字符）",
    ),
    "lone-surrogate-in-link-id": (
        changed(lambda q: q["item"][0].update(linkId="SURROGATE")).replace(b"SURROGATE", b"\\ud800"),
        "item[0].linkId: 文字中含有无法保存的字符",
    ),
    "bidi-override-in-text": (
        changed(item(0, text="最近心情\u202e低落")),
        "第 1 题（Questionnaire.item[0]（linkId 1））.text.zh: 含有不可见的控制字符 U+202E",
    ),
    "link-id-a-number": (changed(item(0, linkId=1)), "Questionnaire.item[0].linkId: 应为文字，而不是数字 1"),
    "required-as-text": (
        changed(item(0, required="yes")),
        "Questionnaire.item[0]（linkId 1）.required: 应为 true 或 false，而不是文字“yes”",
    ),
    "coding-code-a-number": (
        changed(lambda q: q["item"][0]["answerOption"][2]["valueCoding"].update(code=2)),
        "Questionnaire.item[0]（linkId 1）.answerOption[2].valueCoding.code: 应为文字，而不是数字 2",
    ),
    "translation-holder-a-string": (
        changed(item(0, _text="Feeling down")),
        "Questionnaire.item[0]（linkId 1）._text: 应为对象（{…}），而不是文字“Feeling down”",
    ),
    "extensions-not-a-list": (
        changed(lambda q: q["item"][0]["answerOption"][0].update(extension={"url": "x"})),
        "Questionnaire.item[0]（linkId 1）.answerOption[0].extension: 应为列表（[…]），而不是对象（{…}）",
    ),
    "identifier-an-object": (
        changed(lambda q: q.update(identifier={"value": "MOOD2"})),
        "Questionnaire.identifier: 应为列表（[…]），而不是对象（{…}）",
    ),
    "missing-type": (
        changed(lambda q: q["item"][1].pop("type")),
        "Questionnaire.item[1]（linkId 2）: 缺少 type（题型）",
    ),
    "german": (
        changed(lambda q: q.update(language="de-DE")),
        "Questionnaire.language: 为“de-DE”；心育只能保存中文（zh）和英文（en）的文字",
    ),
    "declared-chinese-but-english": (
        changed(item(1, text="Trouble sleeping")),
        "Questionnaire.item[1]（linkId 2）.text: 这道题的文字是英文，但这份 Questionnaire 的文字是中文"
        "（Questionnaire.language 为“zh-CN”）",
    ),
    "title-too-long": (
        changed(lambda q: q.update(title="很" * 300)),
        "FHIR Questionnaire MOOD2: name.zh: 文字过长（300 个字符，最多 200 个）",
    ),
    "too-many-items": (changed(many_items), "Questionnaire.item[400]（linkId 400）: 题目超过 400 道，不能导入"),
    "too-many-options": (
        changed(lambda q: q["item"][0].update(answerOption=q["item"][0]["answerOption"] * 17)),
        "Questionnaire.item[0]（linkId 1）: 选项有 51 个，最多 50 个",
    ),
    "duplicate-options": (
        changed(lambda q: q["item"][0]["answerOption"].append(q["item"][0]["answerOption"][0])),
        "Questionnaire.item[0]（linkId 1）.answerOption: 选项代码“0”出现了不止一次",
    ),
    "xinyu-extension-not-an-object": (
        changed(carried("[1, 2]")),
        f"Questionnaire.extension（{EXT_DEFINITION}）: 应为对象",
    ),
    "too-large": (b" " * (MAX_FILE_BYTES + 1), "文件过大（2.0 MB），量表定义文件最大 2 MB"),
}


def write(tmp_path, name, data: bytes):
    path = tmp_path / f"{name}.json"
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("name", HOSTILE)
def test_a_hostile_file_is_refused_naming_where(tmp_path, name):
    data, message = HOSTILE[name]
    path = write(tmp_path, name, data)

    with pytest.raises(DefinitionError) as caught:
        read_definition_file(path)

    assert str(caught.value).startswith(f"{name}.json: ")
    assert message in str(caught.value)


def test_there_are_enough_hostile_files():
    assert len(HOSTILE) >= 15


def test_the_deep_file_would_crash_a_plain_parser():
    """The reason for the depth check: the JSON parser itself runs out of stack on this file."""
    with pytest.raises(RecursionError):
        json.loads(HOSTILE["deep-nesting"][0])


def test_a_deep_resource_built_in_code_is_refused_too():
    resource = two_items()
    node = resource["item"][0]
    for _ in range(5000):
        node["extension"] = [{"url": "x", "extension": []}]
        node = node["extension"][0]

    with pytest.raises(FhirError, match="嵌套过深（超过 32 层）"):
        questionnaire_to_definition(resource)


@pytest.mark.parametrize("value", [None, "Questionnaire", ["Questionnaire"], 5])
def test_something_that_is_not_an_object_is_refused(value):
    with pytest.raises(FhirError, match="不是 FHIR Questionnaire：应为一个 JSON 对象"):
        questionnaire_to_definition(value)


def test_the_well_formed_starting_point_is_accepted(tmp_path):
    """Each hostile file changes one thing in this one, which imports."""
    definition, source = read_definition_file(write(tmp_path, "ok", as_bytes(two_items())))

    assert (definition.code, [item.text.zh for item in definition.items], source) == (
        "MOOD2",
        ["最近心情低落", "最近睡不好"],
        "fhir",
    )


def test_a_byte_order_mark_is_accepted():
    definition, _source = read_definition_upload(b"\xef\xbb\xbf" + as_bytes(english_phq9()), "phq9.json")

    assert definition.loinc == "44249-1"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name", ["deep-nesting", "item-not-an-object", "duplicate-link-id", "patient-not-questionnaire"]
)
def test_the_command_refuses_them_and_stores_nothing(tmp_path, name):
    data, message = HOSTILE[name]
    before = set(Instrument.objects.values_list("pk", flat=True))

    with pytest.raises(CommandError) as caught:
        call_command("load_instruments", "--file", str(write(tmp_path, name, data)), stdout=io.StringIO())

    assert message in str(caught.value)
    assert set(Instrument.objects.values_list("pk", flat=True)) == before


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["deep-nesting", "item-not-an-object", "not-utf-8", "too-large"])
def test_the_web_import_refuses_them_and_stores_nothing(world, client_for, name):
    data, message = HOSTILE[name]
    before = Instrument.objects.count()
    upload = io.BytesIO(data)
    upload.name = f"{name}.json"

    response = client_for(world.cast["counsellor"]).post(reverse("screening:instrument_import"), {"file": upload})

    assert response.status_code == 400
    assert message in response.content.decode()
    assert Instrument.objects.count() == before
