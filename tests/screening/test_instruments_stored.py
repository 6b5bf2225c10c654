"""Instruments in the database: loaded by the data migration and by `load_instruments` (idempotent), a
college's own definitions (JSON or FHIR), licensed item texts, one active version per code."""

import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction

from tests.screening.conftest import raw_document
from xinyu.policy.screening import DEFAULT_RULES
from xinyu.screening.definition import definition_to_json, parse_definition, shipped_definition
from xinyu.screening.fhir import definition_to_questionnaire
from xinyu.screening.models import Instrument
from xinyu.screening.scoring import rules_version

pytestmark = pytest.mark.django_db


def command(name, *args):
    out = io.StringIO()
    call_command(name, *[str(arg) for arg in args], stdout=out, stderr=io.StringIO())
    return out.getvalue()


def stored():
    return {(row.code, row.version): (row.source, row.is_active) for row in Instrument.objects.all()}


SHIPPED = {
    ("GAD-7", "1"): ("shipped", True),
    ("PHQ-9", "1"): ("shipped", True),
    ("SCL-90", "1"): ("shipped", True),
    ("UPI", "1"): ("shipped", True),
}


def test_the_shipped_instruments_are_there_after_migrate():
    assert stored() == SHIPPED
    row = Instrument.objects.get(code="PHQ-9")
    assert row.parsed() == shipped_definition("PHQ-9")
    assert row.name == "患者健康问卷抑郁量表（PHQ-9）"


def test_load_instruments_again_changes_nothing():
    before = {row.pk: (row.digest, row.loaded_at) for row in Instrument.objects.all()}

    out = command("load_instruments")

    assert out.splitlines() == [
        "GAD-7@1：无变化（当前使用）",
        "PHQ-9@1：无变化（当前使用）",
        "SCL-90@1：无变化（当前使用）；题目文字待学校载入（load_instrument_texts）",
        "UPI@1：无变化（当前使用）",
    ]
    assert {row.pk: (row.digest, row.loaded_at) for row in Instrument.objects.all()} == before


def test_load_instruments_into_an_empty_table():
    Instrument.objects.all().delete()

    out = command("load_instruments")

    assert "PHQ-9@1：已载入（当前使用）" in out
    assert stored() == SHIPPED


def write(path, document):
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return path


def test_a_college_loads_its_own_instrument(tmp_path):
    document = raw_document("GAD-7") | {"code": "GAD-7-QZ", "name": {"zh": "本校焦虑量表"}}

    first = command("load_instruments", "--file", write(tmp_path / "mine.json", document))
    again = command("load_instruments", "--file", tmp_path / "mine.json")

    assert (first.strip(), again.strip()) == (
        "GAD-7-QZ@1：已载入（草稿：须由心理中心核对后启用）",
        "GAD-7-QZ@1：无变化（草稿：须由心理中心核对后启用）",
    )
    assert stored()[("GAD-7-QZ", "1")] == ("file", False)
    assert Instrument.objects.get(code="GAD-7-QZ").is_draft


def test_a_changed_definition_under_the_same_version_is_refused(tmp_path):
    document = raw_document("PHQ-9")
    document["bands"]["ranges"][1]["label"]["zh"] = "轻度"

    with pytest.raises(CommandError, match=r"PHQ-9@1: 已有同一版本但内容不同的定义.*请为修改后的定义使用新的版本号"):
        command("load_instruments", "--file", write(tmp_path / "phq.json", document))


def test_a_new_version_from_fhir_waits_until_activated(tmp_path):
    document = raw_document("GAD-7") | {"version": "2"}

    questionnaire = definition_to_questionnaire(parse_definition(document))
    path = write(tmp_path / "gad7-v2.fhir.json", questionnaire)

    assert (
        command("load_instruments", "--file", path).splitlines()[0] == "GAD-7@2：已载入（草稿：须由心理中心核对后启用）"
    )
    assert (stored()[("GAD-7", "1")], stored()[("GAD-7", "2")]) == (("shipped", True), ("fhir", False))

    assert command("load_instruments", "--file", path, "--activate").splitlines()[0] == "GAD-7@2：无变化（当前使用）"

    assert (stored()[("GAD-7", "1")], stored()[("GAD-7", "2")]) == (("shipped", False), ("fhir", True))


def test_a_bad_file_is_refused_naming_it(tmp_path):
    document = raw_document("UPI")
    document["indices"][0]["items"].append(5)

    with pytest.raises(CommandError, match=r"upi\.json: indices\[0\]（total）\.items: 第 5 题的角色是 lie，不计分"):
        command("load_instruments", "--file", write(tmp_path / "upi.json", document))
    assert stored() == SHIPPED


def test_at_most_one_active_version_per_code():
    row = Instrument.objects.get(code="PHQ-9")
    with pytest.raises(IntegrityError), transaction.atomic():
        Instrument.objects.create(
            code="PHQ-9", version="2", name="x", definition=row.definition, digest=row.digest, is_active=True
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Instrument.objects.create(code="PHQ-9", version="1", name="x", definition=row.definition, digest=row.digest)


def scl90_texts(tmp_path):
    rows = "\n".join(f"{n}\t第{n}题（授权文本）\tItem {n}" for n in range(1, 91))
    path = tmp_path / "scl90-licensed.tsv"
    path.write_text("number\ttext_zh\ttext_en\n" + rows + "\n", encoding="utf-8")
    return path


def test_the_college_loads_scl90_item_texts(tmp_path):
    row = Instrument.objects.get(code="SCL-90")
    version_before = rules_version(row.parsed(), DEFAULT_RULES)

    out = command("load_instrument_texts", scl90_texts(tmp_path), "--instrument", "SCL-90")

    row.refresh_from_db()
    assert out.strip() == "SCL-90@1：已载入 90 题的文字，可以用于测评。"
    assert row.parsed().administrable
    assert row.parsed().item(15).text.zh == "第15题（授权文本）"
    assert rules_version(row.parsed(), DEFAULT_RULES) == version_before
    # The shipped placeholder loaded again leaves the college's texts alone.
    assert "SCL-90@1：无变化（当前使用）" in command("load_instruments")
    row.refresh_from_db()
    assert row.parsed().administrable


def test_texts_are_not_replaced_unless_asked(tmp_path):
    command("load_instrument_texts", scl90_texts(tmp_path), "--instrument", "SCL-90", "--version", "1")

    with pytest.raises(CommandError, match="题目文字已经齐全"):
        command("load_instrument_texts", scl90_texts(tmp_path), "--instrument", "SCL-90")
    command("load_instrument_texts", scl90_texts(tmp_path), "--instrument", "SCL-90", "--replace")


def test_texts_for_an_unknown_instrument(tmp_path):
    with pytest.raises(CommandError, match="找不到量表 SCL-91 的当前版本"):
        command("load_instrument_texts", scl90_texts(tmp_path), "--instrument", "SCL-91")


# --- instrument_check ---------------------------------------------------------------------------------


def check(*args):
    return json.loads(command("instrument_check", *args))


def test_check_a_phq9_vector_in_order():
    result = check("--instrument", "PHQ-9", "--answers", "0,0,0,0,0,0,0,0,1")

    assert (result["total"], result["band"]["code"], result["severity"]) == (1, "minimal", "none")
    assert result["flags"] == [
        {"code": "suicidal_ideation", "label": "第 9 题：有不如死掉或伤害自己的念头", "item": 9, "red_flag": True}
    ]
    assert result["rules_version"] == rules_version(shipped_definition("PHQ-9"), DEFAULT_RULES)


def test_check_by_number_and_as_json():
    by_number = check("--instrument", "GAD-7", "--version", "1", "--answers", "1:1 2:1 3:1 4:1 5:1 6:0 7:0")
    as_json = check("--instrument", "GAD-7", "--answers", "[1, 1, 1, 1, 1, 0, 0]")

    assert by_number == as_json
    assert (by_number["total"], by_number["band"]["code"]) == (5, "mild")


def test_check_upi_with_its_class_and_a_setting():
    answers = ",".join(["0"] * 63) + ",想咨询人际关系"

    default = check("--instrument", "UPI", "--answers", answers)
    variant = check("--instrument", "UPI", "--answers", answers, "--setting", "upi_item64_request=flag_only")

    assert (default["classification"]["label"], variant["classification"]["label"]) == ("第一类", "第三类")
    assert default["flags"][0]["code"] == variant["flags"][0]["code"] == "counselling_request"
    assert default["rules_version"] != variant["rules_version"]


def test_check_scl90_indices():
    result = check("--instrument", "SCL-90", "--answers", ",".join(["2"] * 6 + ["1"] * 84))

    assert result["indices"] == {
        "total": 96,
        "total_mean": 96 / 90,
        "positive_items": 6,
        "negative_items": 84,
        "positive_mean": 2.0,
    }
    assert set(result["subscales"]) == {
        "somatization", "obsessive_compulsive", "interpersonal_sensitivity", "depression", "anxiety",
        "hostility", "phobic_anxiety", "paranoid_ideation", "psychoticism", "other",
    }  # fmt: skip


def test_check_a_definition_file_before_loading_it(tmp_path):
    document = raw_document("GAD-7") | {"code": "GAD-7-QZ"}

    result = check("--file", write(tmp_path / "mine.json", document), "--answers", "3,3,3,3,3,3,3")

    assert (result["instrument"], result["total"], result["band"]["code"]) == ("GAD-7-QZ", 21, "severe")


def test_check_a_fhir_questionnaire_file(tmp_path):
    path = write(tmp_path / "phq9.fhir.json", definition_to_questionnaire(shipped_definition("PHQ-9")))

    result = check("--file", path, "--answers", "0,0,0,0,0,0,0,0,1")

    assert (result["total"], result["flags"][0]["code"]) == (1, "suicidal_ideation")


def test_check_falls_back_to_the_shipped_definition_when_nothing_is_stored():
    Instrument.objects.all().delete()

    assert check("--instrument", "GAD-7", "--answers", "0,0,0,0,0,0,0")["total"] == 0


@pytest.mark.parametrize(
    "args,message",
    [
        (
            ["--instrument", "PHQ-9", "--answers", "0,0,0,4,0,0,0,0,0"],
            "第 4 题：答案“4”不在选项中（可选：0 完全不会、1 好几天",
        ),
        (["--instrument", "PHQ-9", "--answers", "0,0,0,0,0,0,0,0"], "必答题未作答：第 9 题"),
        (["--instrument", "UPI", "--answers", "25:1"], "必答题未作答：第 1–24、26–63 题"),
        (["--instrument", "PHQ-9", "--answers", "1:0 12:1"], "没有第 12 题（PHQ-9 共 10 题）"),
        (["--instrument", "PHQ-9", "--answers", "0,0,0,0,0,0,0,0,0,0,0"], "给出了 11 个答案，但 PHQ-9 只有 10 题"),
        (["--instrument", "PHQ-9", "--answers", "1:0 2"], "“2”：应写作 题号:答案"),
        (
            ["--instrument", "BDI", "--answers", "0"],
            "找不到量表 BDI 的当前版本（已载入：GAD-7@1、PHQ-9@1、SCL-90@1、UPI@1）",
        ),
        (["--instrument", "PHQ-9", "--version", "7", "--answers", "0"], "找不到量表 PHQ-9@7"),
        (
            ["--instrument", "UPI", "--answers", "0", "--setting", "upi_item64_request=never"],
            "--setting.upi_item64_request: 应为",
        ),
        (["--instrument", "UPI", "--answers", "0", "--setting", "upi_class1_items"], "应写作 名称=值"),
        (["--answers", "0"], "请用 --instrument 指定量表代码"),
    ],
)
def test_check_refuses_bad_input_naming_the_item(args, message):
    with pytest.raises(CommandError) as caught:
        command("instrument_check", *args)

    assert message in str(caught.value)


def test_stored_definitions_are_the_json_document():
    row = Instrument.objects.get(code="UPI")

    assert row.definition == definition_to_json(shipped_definition("UPI"))
    assert row.parsed() is row.parsed()
