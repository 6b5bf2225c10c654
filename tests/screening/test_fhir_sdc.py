"""Real-world SDC Questionnaires (PHQ-9 as LHC-Forms publishes it, GAD-7 with a contained ValueSet), the
FHIR R4 model check on what goes in and out, and the round trip of every shipped instrument."""

import copy
import io
import json
import random
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.screening.conftest import scored
from xinyu.screening.definition import Text, shipped_definition, shipped_definitions
from xinyu.screening.fhir import (
    HIDDEN,
    FhirError,
    definition_to_questionnaire,
    questionnaire_response,
    questionnaire_to_definition,
    validate,
)

FIXTURES = Path(__file__).parent / "fhir"


def fixture(name: str) -> dict:
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


def through_json(resource: dict) -> dict:
    return json.loads(json.dumps(resource, ensure_ascii=False))


def patterns(definition, count: int = 30) -> list[dict]:
    """All-minimum, all-maximum and `count` random answer vectors (fixed seed) for every item."""

    def vector(pick) -> dict:
        answers = {}
        for item in definition.items:
            if item.kind == "text":
                answers[item.number] = pick(["无", "想聊聊"])
            else:
                answers[item.number] = pick(list(definition.option_set(item.option_set).options)).code
        return answers

    rng = random.Random(f"round-trip {definition.key}")
    return [vector(lambda xs: xs[0]), vector(lambda xs: xs[-1])] + [vector(rng.choice) for _ in range(count)]


def by_loinc(shipped, imported, answers: dict) -> dict:
    """The shipped instrument's answers as the imported one's options (matched on LOINC answer codes)."""
    out = {}
    for number, code in answers.items():
        item = shipped.item(number)
        option = next(o for o in shipped.option_set(item.option_set).options if o.code == code)
        target = next(i for i in imported.items if i.loinc == item.loinc)
        out[target.number] = next(
            o.code for o in imported.option_set(target.option_set).options if o.loinc == option.loinc
        )
    return out


# --- a published PHQ-9 (LHC-Forms, SDC) ----------------------------------------------------------------


def test_the_published_phq9_imports_with_its_total_computed_not_asked():
    definition = questionnaire_to_definition(fixture("phq-9-lhc-sdc"))

    assert len(definition.items) == 10
    assert "/44261-6" not in [item.link_id for item in definition.items]
    (total,) = definition.indices
    assert (total.code, total.method, total.items, total.loinc) == ("total", "sum", tuple(range(1, 10)), "44261-6")
    assert "总分题 linkId /44261-6" in definition.source
    assert definition.item(1).note.en.startswith("Over the last 2 weeks")
    difficulty = definition.item(10)
    assert (difficulty.role, difficulty.required, difficulty.loinc) == ("difficulty", False, "69722-7")
    assert difficulty.note == Text("", "If you checked off any problems on this questionnaire:")
    assert definition.option_set(difficulty.option_set).weighted is False


def test_the_published_phq9_scores_as_the_shipped_one(phq9):
    imported = questionnaire_to_definition(fixture("phq-9-lhc-sdc"))
    nine = [{n: a for n, a in answers.items() if n <= 9} for answers in patterns(phq9)]

    for answers in nine:
        shipped_result = scored(phq9, answers)
        imported_result = scored(imported, by_loinc(phq9, imported, answers))
        assert imported_result.indices == shipped_result.indices
        assert imported_result.total == shipped_result.total
    assert [scored(phq9, answers).total for answers in nine[:2]] == [0, 27]


def test_the_difficulty_answer_is_kept_and_does_not_change_the_score():
    imported = questionnaire_to_definition(fixture("phq-9-lhc-sdc"))
    answers = {n: "LA6570-1" for n in range(1, 10)}

    assert scored(imported, answers | {10: "LA6574-3"}).total == scored(imported, answers).total == 18
    response = questionnaire_response(imported, answers | {10: "LA6574-3"})
    assert response["item"][-1]["answer"][0]["valueCoding"]["code"] == "LA6574-3"


# --- GAD-7 with a contained ValueSet and itemWeight --------------------------------------------------------


def test_gad7_with_a_contained_value_set_scores_as_the_shipped_one(gad7):
    imported = questionnaire_to_definition(fixture("gad-7-sdc-contained"))

    assert imported.item(1).heading.en.startswith("Over the last 2 weeks")
    assert [o.value for o in imported.option_sets[0].options] == [0, 1, 2, 3]
    assert imported.indices[0].loinc == "70274-6"
    for answers in patterns(gad7):
        assert scored(imported, by_loinc(gad7, imported, answers)).total == scored(gad7, answers).total


def test_a_value_set_listing_its_concepts_in_compose_is_understood():
    resource = fixture("gad-7-sdc-contained")
    del resource["contained"][0]["expansion"]

    imported = questionnaire_to_definition(resource)

    assert [(o.code, o.value) for o in imported.option_sets[0].options][3] == ("LA6571-9", 3)


def breaking(name, change):
    resource = fixture(name)
    change(resource)
    return resource


def phq9_item(n, key, value):
    return lambda q: q["item"][n].__setitem__(key, value)


@pytest.mark.parametrize(
    "name,change,message",
    [
        (
            "gad-7-sdc-contained",
            lambda q: q["item"][0]["item"][2].__setitem__("answerValueSet", "http://loinc.org/vs/LL358-3"),
            "item[0]（linkId gad7）.item[2]（linkId gad7-q3）.answerValueSet: 引用的是外部值集",
        ),
        (
            "gad-7-sdc-contained",
            lambda q: q["item"][0]["item"][2].__setitem__("answerValueSet", "#nowhere"),
            "（linkId gad7-q3）.answerValueSet: 找不到内含值集“#nowhere”",
        ),
        (
            "gad-7-sdc-contained",
            lambda q: q["contained"][0]["expansion"]["contains"][1]["extension"].clear(),
            "contains[1]: 有的选项有分值、有的没有",
        ),
        (
            "phq-9-lhc-sdc",
            lambda q: q["item"][10].update(
                text="Sleep subscale", code=[{"system": "http://loinc.org", "code": "0000-0"}]
            ),
            "item[10]（linkId /44261-6）: 这是计算或只读题",
        ),
        (
            "phq-9-lhc-sdc",
            lambda q: q["item"][1].__setitem__("readOnly", True),
            "item[1]（linkId /44250-9）: 这是计算或只读题",
        ),
        (
            "phq-9-lhc-sdc",
            lambda q: q["item"].append(copy.deepcopy(q["item"][10]) | {"linkId": "again"}),
            "item[13]（linkId again）: 有不止一道总分题",
        ),
        (
            "phq-9-lhc-sdc",
            phq9_item(1, "hint", "not FHIR"),
            "Questionnaire.item[1]（linkId /44250-9）.hint: 不是 FHIR R4 在此处定义的元素，不是有效的 FHIR R4 资源",
        ),
        (
            "phq-9-lhc-sdc",
            lambda q: q["item"][1]["answerOption"][0]["valueCoding"].__setitem__("system", 7),
            "Questionnaire.item[1]（linkId /44250-9）.answerOption[0].valueCoding.system: 应为文字",
        ),
        ("phq-9-lhc-sdc", lambda q: q.pop("status"), "Questionnaire.status: 缺少必需的元素"),
        (
            "phq-9-lhc-sdc",
            phq9_item(2, "extension", [{"url": HIDDEN, "valueBoolean": True}]),
            "item[2]（linkId /44255-8）: 这道题是隐藏的",
        ),
        (
            "phq-9-lhc-sdc",
            phq9_item(
                3,
                "extension",
                [
                    {
                        "url": "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-enableWhenExpression",
                        "valueExpression": {"language": "text/fhirpath", "expression": "true"},
                    }
                ],
            ),
            "item[3]（linkId /44259-0）: 不支持按表达式条件显示（enableWhenExpression）",
        ),
        (
            "phq-9-lhc-sdc",
            lambda q: q["item"].__setitem__(
                12, q["item"][12] | {"type": "group", "item": [{"linkId": "x", "type": "group"}]}
            ),
            "不支持嵌套分组",
        ),
    ],
)
def test_what_cannot_be_honoured_is_refused_naming_the_link_id(name, change, message):
    with pytest.raises(FhirError) as caught:
        questionnaire_to_definition(breaking(name, change))

    assert message in str(caught.value)


# --- the FHIR R4 model check ---------------------------------------------------------------------------


@pytest.mark.parametrize("definition", shipped_definitions(), ids=lambda d: d.code)
def test_every_export_is_valid_fhir(definition):
    questionnaire = definition_to_questionnaire(definition)
    answers = patterns(definition, count=1)[-1]

    validate(questionnaire)
    validate(questionnaire_response(definition, answers))


def test_an_invalid_resource_is_refused_by_the_model_check():
    with pytest.raises(FhirError, match=r"QuestionnaireResponse.status: 缺少必需的元素"):
        validate({"resourceType": "QuestionnaireResponse"})


# --- round trip ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "definition",
    [*shipped_definitions(), questionnaire_to_definition(fixture("phq-9-lhc-sdc"))],
    ids=lambda d: d.code,
)
def test_round_trip_keeps_the_definition_and_the_scores(definition):
    exported = through_json(definition_to_questionnaire(definition))
    validate(exported)

    back = questionnaire_to_definition(exported)

    assert back == definition
    for answers in patterns(definition):
        assert scored(back, answers).to_dict() == scored(definition, answers).to_dict()


def test_headings_and_notes_travel_as_groups_and_display_items():
    definition = questionnaire_to_definition(fixture("gad-7-sdc-contained"))
    exported = definition_to_questionnaire(definition)

    assert [(item["linkId"], item["type"]) for item in exported["item"]] == [("heading-gad7-q1", "group")]
    assert exported["item"][0]["text"].startswith("Over the last 2 weeks")
    assert len(exported["item"][0]["item"]) == 7
    phq = definition_to_questionnaire(questionnaire_to_definition(fixture("phq-9-lhc-sdc")))
    assert [item["type"] for item in phq["item"]][:2] == ["display", "choice"]
    assert [item["type"] for item in phq["item"]][-2:] == ["display", "choice"]
    assert shipped_definition("PHQ-9").item(1).heading == Text("")


def test_instrument_check_scores_a_published_sdc_file():
    out = io.StringIO()
    answers = ",".join(["LA6571-9"] * 9)

    call_command("instrument_check", "--file", str(FIXTURES / "phq-9-lhc-sdc.json"), "--answers", answers, stdout=out)

    result = json.loads(out.getvalue())
    assert (result["total"], result["indices"]) == (27, {"total": 27})
