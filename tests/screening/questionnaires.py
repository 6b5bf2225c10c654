"""FHIR Questionnaires as other systems write them, built by the tests (no fixture files)."""

import copy
import json

from xinyu.screening.definition import shipped_definition
from xinyu.screening.fhir import LOINC, ORDINAL_VALUE


def english_phq9(**extra) -> dict:
    """PHQ-9 as an English-speaking system exports it: LOINC codes, English texts, weights as ordinalValue
    on each answerOption, no `language`, and none of Xinyu's extensions (so no bands and no red flag)."""
    phq9 = shipped_definition("PHQ-9")
    items = []
    for item in phq9.items[:9]:  # the ninth is the one that must raise a red flag; the tenth is unscored
        options = phq9.option_set(item.option_set).options
        items.append(
            {
                "linkId": f"/{item.loinc}",
                "code": [{"system": LOINC, "code": item.loinc}],
                "text": item.text.en,
                "type": "choice",
                "required": True,
                "answerOption": [
                    {
                        "extension": [{"url": ORDINAL_VALUE, "valueDecimal": option.value}],
                        "valueCoding": {"system": LOINC, "code": option.loinc, "display": option.label.en},
                    }
                    for option in options
                ],
            }
        )
    resource = {
        "resourceType": "Questionnaire",
        "id": "phq-9-en",
        "name": "PHQ9",
        "title": "Patient Health Questionnaire-9",
        "status": "active",
        "code": [{"system": LOINC, "code": "44249-1"}],
        "item": items,
    }
    return resource | extra


def two_items() -> dict:
    """A small, valid Chinese questionnaire for the hostile tests to break one thing at a time."""
    options = [
        {"extension": [{"url": ORDINAL_VALUE, "valueDecimal": weight}], "valueCoding": {"code": code, "display": text}}
        for weight, code, text in [(0, "0", "没有"), (1, "1", "有时"), (2, "2", "经常")]
    ]
    return {
        "resourceType": "Questionnaire",
        "name": "MOOD2",
        "status": "draft",
        "language": "zh-CN",
        "title": "情绪两题",
        "item": [
            {"linkId": "1", "type": "choice", "text": "最近心情低落", "answerOption": copy.deepcopy(options)},
            {"linkId": "2", "type": "choice", "text": "最近睡不好", "answerOption": copy.deepcopy(options)},
        ],
    }


def as_bytes(resource) -> bytes:
    return json.dumps(resource, ensure_ascii=False).encode()
