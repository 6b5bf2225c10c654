"""FHIR R4: an instrument as a Questionnaire (export and import), answers as a QuestionnaireResponse.

Export. Items carry linkId, prefix (the item number), text in Chinese (the resource's language is zh-CN)
with the English in the standard `translation` extension, type (choice / text), required, and LOINC codes
where the instrument has them (PHQ-9, GAD-7). Each answerOption is a valueCoding — the LOINC answer code
where known (LA6568-5 …), otherwise the option's own code in a Xinyu code system — carrying its weight as
the `ordinalValue` extension. An item's heading becomes a group (holding it and the items after it, up to
the next heading), its note a display item before it. What FHIR has no element for (item roles, reverse
scoring, option-set names, subscales, indices, bands, flags, classification rules, time frame) travels in
Xinyu extensions, so that export → import gives back the same definition, and so the same scores. Every
resource exported is checked against the FHIR R4 model (`fhir.resources`, R4B, whose Questionnaire and
QuestionnaireResponse are R4's) before it leaves.

Import accepts a Questionnaire from elsewhere, as SDC (Structured Data Capture) tools publish them:
- weights as `ordinalValue` or `itemWeight` (also the older `valueset-ordinalValue` and
  `iso21090-CO-value`), on the answerOption or its valueCoding, or on the concepts of a *contained*
  ValueSet that `answerValueSet` names as `#id` (its expansion, or the concepts listed in its compose);
- items directly under the Questionnaire or in one level of groups: a group's text becomes the heading of
  its first question, a `display` item's text a note shown before the next question (the student sees
  both); a display item or heading with no question after it is refused;
- choice items whose options have no weights are asked and stored, never scored (role "difficulty", e.g.
  PHQ-9's "how difficult have these problems made it…");
- calculated or read-only items (the SDC `calculatedExpression` extension, `readOnly`, or a decimal /
  integer item coded as a total score) are computed, not asked. A total-score item (LOINC 44261-6 PHQ-9,
  70274-6 GAD-7, or a text saying "total score" / 总分) becomes the instrument's "total" index: the sum of
  its weighted items, computed by Xinyu (the expression itself is not evaluated; the definition's source
  note says which item it was). Any other calculated or read-only item is refused, naming its linkId: Xinyu
  does not evaluate FHIRPath, and storing an expression it cannot compute would show a score nobody
  computed.
Without Xinyu's definition extension the instrument gets one index, "total", the sum of its weighted
items, which are then taken as required (Xinyu never pro-rates missing answers). The resource must be
valid FHIR R4 (checked with `fhir.resources` after Xinyu's own checks; the error names the path). What
cannot be represented is refused with an error naming the item's linkId: enableWhen, repeating items,
initial answers, hidden items, the SDC expressions that change what is asked (enableWhenExpression,
answerExpression, initialExpression, candidateExpression), answerValueSet pointing outside the resource,
answers other than valueCoding, item types other than choice / string / text / group / display (and
computed totals), nested groups, contained resources other than ValueSets, and modifier extensions.
"""

import datetime as dt
import json
import math
import re
from dataclasses import dataclass, field

import pydantic
from fhir.resources.R4B.questionnaire import Questionnaire
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

from xinyu.screening.definition import (
    FORMAT,
    MAX_ITEMS,
    MAX_JSON_DEPTH,
    Definition,
    DefinitionError,
    Item,
    OptionSet,
    Text,
    definition_to_json,
    parse_definition,
    parse_json,
)

ORDINAL_VALUE = "http://hl7.org/fhir/StructureDefinition/ordinalValue"
ITEM_WEIGHT = "http://hl7.org/fhir/StructureDefinition/itemWeight"
TRANSLATION = "http://hl7.org/fhir/StructureDefinition/translation"
LOINC = "http://loinc.org"
# Xinyu's own names: logical URIs (not web addresses), the same in every deployment.
XINYU = "urn:xinyu:fhir"
EXT_DEFINITION = f"{XINYU}:extension:instrument-definition"
EXT_ROLE = f"{XINYU}:extension:item-role"
EXT_REVERSE = f"{XINYU}:extension:reverse-scored"
EXT_OPTION_SET = f"{XINYU}:extension:option-set"
EXT_OPTION_CODE = f"{XINYU}:extension:option-code"
INSTRUMENT_SYSTEM = f"{XINYU}:instrument"
VALUESET_ORDINAL = "http://hl7.org/fhir/StructureDefinition/valueset-ordinalValue"
CO_VALUE = "http://hl7.org/fhir/StructureDefinition/iso21090-CO-value"
CALCULATED = "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-calculatedExpression"
HIDDEN = "http://hl7.org/fhir/StructureDefinition/questionnaire-hidden"
# SDC extensions that change what is asked or answered: Xinyu cannot honour them, so an item with one is refused.
BEHAVIOUR = {
    "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-enableWhenExpression": "按表达式条件显示",
    "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-answerExpression": "按表达式生成选项",
    "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-initialExpression": "按表达式给出默认答案",
    "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-candidateExpression": "按表达式给出候选答案",
}
WEIGHTS = (ORDINAL_VALUE, ITEM_WEIGHT, VALUESET_ORDINAL, CO_VALUE)
# LOINC codes of total-score items: a computed item with one of these becomes the instrument's total.
TOTAL_LOINC = {"44261-6", "70274-6"}
_TOTAL_TEXT = re.compile(r"total\s*score|总分", re.I)
# The parts of a definition FHIR has no element for, carried in EXT_DEFINITION as JSON.
CARRIED = ("timeframe", "source", "item_texts", "subscales", "indices", "bands", "flags", "classification")


class FhirError(DefinitionError):
    """A FHIR resource that cannot become an instrument definition; the message says where and what."""


# --- export --------------------------------------------------------------------------------------------


def _translation(text: str, lang: str = "en") -> dict:
    return {
        "extension": [
            {
                "url": TRANSLATION,
                "extension": [{"url": "lang", "valueCode": lang}, {"url": "content", "valueString": text}],
            }
        ]
    }


def _with_text(target: dict, key: str, text: Text, language: str = "zh") -> None:
    """The text in the resource's language, the other one as the standard translation extension."""
    primary, other, other_code = (text.zh, text.en, "en") if language == "zh" else (text.en, text.zh, "zh-CN")
    if primary:
        target[key] = primary
    if other:
        target[f"_{key}"] = _translation(other, other_code)


def export_language(definition: Definition) -> str:
    """English for an instrument whose items have English text only (one imported in English), else Chinese."""
    english_only = not any(item.text.zh for item in definition.items) and any(item.text.en for item in definition.items)
    return "en" if english_only else "zh"


def _option_system(definition: Definition, option_set: OptionSet) -> str:
    return f"{INSTRUMENT_SYSTEM}:{definition.code}:options:{option_set.code}"


def _coding(definition: Definition, option_set: OptionSet, option) -> dict:
    coding = {
        "system": LOINC if option.loinc else _option_system(definition, option_set),
        "code": option.loinc or option.code,
    }
    _with_text(coding, "display", option.label, export_language(definition))
    extension = []
    if option.value is not None:
        extension.append({"url": ORDINAL_VALUE, "valueDecimal": option.value})
    if option.loinc:
        extension.append({"url": EXT_OPTION_CODE, "valueCode": option.code})
    if extension:
        coding["extension"] = extension
    return coding


def _computable_name(code: str) -> str:
    name = re.sub(r"[^A-Za-z0-9_]", "", code)
    return name if name[:1].isalpha() and name[:1].isupper() else f"Instrument{name}"


def fhir_id(definition: Definition) -> str:
    return re.sub(r"[^A-Za-z0-9\-.]", "-", f"{definition.code}-{definition.version}".lower())[:64]


def canonical_url(definition: Definition) -> str:
    return f"{INSTRUMENT_SYSTEM}:{definition.code}"


def definition_to_questionnaire(definition: Definition) -> dict:
    """The instrument as a FHIR R4 Questionnaire (a JSON-ready dict)."""
    document = definition_to_json(definition)
    carried = {key: document[key] for key in CARRIED} | {"option_sets": [s.code for s in definition.option_sets]}
    resource = {
        "resourceType": "Questionnaire",
        "id": fhir_id(definition),
        "extension": [{"url": EXT_DEFINITION, "valueString": json.dumps(carried, ensure_ascii=False)}],
        "url": canonical_url(definition),
        "identifier": [{"system": INSTRUMENT_SYSTEM, "value": definition.code}],
        "version": definition.version,
        "name": _computable_name(definition.code),
    }
    language = export_language(definition)
    _with_text(resource, "title", definition.name, language)
    resource |= {
        "status": "active" if definition.administrable else "draft",
        "language": "zh-CN" if language == "zh" else "en",
    }
    resource["subjectType"] = ["Patient"]
    _with_text(resource, "description", definition.instructions, language)
    if definition.copyright:
        resource["copyright"] = definition.copyright
    if definition.loinc:
        resource["code"] = [{"system": LOINC, "code": definition.loinc}]
    resource["item"] = _items_out(definition, language)
    validate(resource)
    return resource


def _items_out(definition: Definition, language: str) -> list[dict]:
    """The items, each heading opening a group that holds the items up to the next heading, each note a
    display item before its question."""
    top: list[dict] = []
    target = top
    for item in definition.items:
        if item.heading:
            group = {"linkId": f"heading-{item.link_id}"}
            _with_text(group, "text", item.heading, language)
            group |= {"type": "group", "item": []}
            top.append(group)
            target = group["item"]
        if item.note:
            note = {"linkId": f"note-{item.link_id}"}
            _with_text(note, "text", item.note, language)
            note["type"] = "display"
            target.append(note)
        target.append(_item_out(definition, item))
    return top


def _item_out(definition: Definition, item: Item) -> dict:
    extension = [{"url": EXT_ROLE, "valueCode": item.role}]
    out = {"linkId": item.link_id, "prefix": str(item.number)}
    if item.loinc:
        out["code"] = [{"system": LOINC, "code": item.loinc}]
    _with_text(out, "text", item.text, export_language(definition))
    out |= {"type": item.kind, "required": item.required}
    if item.kind == "choice":
        option_set = definition.option_set(item.option_set)
        extension.append({"url": EXT_OPTION_SET, "valueCode": option_set.code})
        if item.reverse:
            extension.append({"url": EXT_REVERSE, "valueBoolean": True})
        out["answerOption"] = [
            {"valueCoding": _coding(definition, option_set, option)} for option in option_set.options
        ]
    return {"extension": extension} | out


def questionnaire_response(
    definition: Definition,
    answers: dict,
    *,
    authored: dt.datetime | None = None,
    subject: dict | None = None,
    identifier: dict | None = None,
    resource_id: str = "",
) -> dict:
    """Answers as a FHIR R4 QuestionnaireResponse: "completed" when every required item is answered,
    "in-progress" otherwise. An answer that is not one of the item's options, or an unknown item, is
    refused (FhirError naming the item)."""
    unknown = sorted(str(key) for key in answers if not isinstance(key, int) or not 1 <= key <= len(definition.items))
    if unknown:
        raise FhirError(f"没有第 {unknown[0]} 题（{definition.code} 共 {len(definition.items)} 题）")
    items, complete = [], True
    for item in definition.items:
        value = answers.get(item.number)
        if value is None:
            complete = complete and not item.required
            continue
        out = {"linkId": item.link_id}
        if item.text:
            out["text"] = str(item.text)
        if item.kind == "text":
            if not isinstance(value, str):
                raise FhirError(f"第 {item.number} 题：应填文字，而不是 {value!r}")
            out["answer"] = [{"valueString": value}]
        else:
            option_set = definition.option_set(item.option_set)
            option = _option_for(option_set, value)
            if option is None:
                raise FhirError(f"第 {item.number} 题：答案“{value}”不在选项中")
            coding = _coding(definition, option_set, option)
            out["answer"] = [
                {"valueCoding": {key: coding[key] for key in ("system", "code", "display") if key in coding}}
            ]
        items.append(out)
    response = {"resourceType": "QuestionnaireResponse"} | ({"id": resource_id} if resource_id else {})
    response |= {
        "questionnaire": f"{canonical_url(definition)}|{definition.version}",
        "status": "completed" if complete else "in-progress",
    }
    if identifier:
        response["identifier"] = identifier
    if subject:
        response["subject"] = subject
    if authored:
        response["authored"] = authored.isoformat()
    response["item"] = items
    validate(response)
    return response


def _option_for(option_set: OptionSet, value):
    for option in option_set.options:
        if option.code == value or (
            not isinstance(value, str) and re.fullmatch(r"-?\d+", option.code) and int(option.code) == value
        ):
            return option
    return None


# --- checking against the FHIR R4 model -------------------------------------------------------------------

_REASONS = {
    "missing": "缺少必需的元素",
    "extra_forbidden": "不是 FHIR R4 在此处定义的元素",
    "string_type": "应为文字",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "float_type": "应为数字",
    "float_parsing": "应为数字",
    "decimal_type": "应为数字",
    "decimal_parsing": "应为数字",
    "bool_type": "应为 true 或 false",
    "bool_parsing": "应为 true 或 false",
    "list_type": "应为列表（[…]）",
    "model_type": "应为对象（{…}）",
    "dict_type": "应为对象（{…}）",
    "model_attributes_type": "应为对象（{…}）",
    "string_pattern_mismatch": "格式不对",
    "value_error": "取值不对",
    "enum": "取值不在 FHIR 规定的代码中",
    "literal_error": "取值不在 FHIR 规定的代码中",
}


_MODELS = {"Questionnaire": Questionnaire, "QuestionnaireResponse": QuestionnaireResponse}


def _fhir_path(resource: dict, loc: tuple) -> str:
    """Where a model error is, as this module writes paths: Questionnaire.item[2]（linkId 3）.answerOption[0]."""
    path, node = resource.get("resourceType", "Questionnaire"), resource
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
            node = node[part] if isinstance(node, list) and 0 <= part < len(node) else None
            if isinstance(node, dict) and isinstance(node.get("linkId"), str):
                path += f"（linkId {node['linkId'][:40]}）"
        elif isinstance(part, str) and re.fullmatch(r"_?[A-Za-z][A-Za-z0-9_]*", part):
            path += f".{part}"
            node = node.get(part) if isinstance(node, dict) else None
    return path


def validate(resource: dict) -> None:
    """Check a Questionnaire or QuestionnaireResponse against the FHIR R4 model; FhirError names the first
    path that does not conform, and how many more there are."""
    try:
        _MODELS[resource["resourceType"]].model_validate(resource)
    except pydantic.ValidationError as exc:
        errors = exc.errors()
        first = errors[0]
        kind = first.get("type", "")
        reason = _REASONS.get(kind) or _REASONS.get(kind.rsplit(".", 1)[-1]) or "不符合规定"
        more = f"（另有 {len(errors) - 1} 处不符合）" if len(errors) > 1 else ""
        raise FhirError(
            f"{_fhir_path(resource, tuple(first.get('loc', ())))}: {reason}，不是有效的 FHIR R4 资源{more}"
        ) from None
    except (TypeError, ValueError, KeyError):
        raise FhirError(f"{resource.get('resourceType', '资源')}: 不是有效的 FHIR R4 资源") from None


# --- import --------------------------------------------------------------------------------------------
#
# A file from elsewhere is read as hostile: every element is checked for its JSON type before it is used,
# so a wrong shape gets a message naming the element (Questionnaire.item[2]（linkId 3）.answerOption[0] …)
# instead of a crash. The JSON itself is size- and depth-checked before parsing (definition.parse_json).

LANGUAGE_NAMES = {"zh": "中文", "en": "英文"}
MAX_OPTIONS = 50
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z]")


def _shown(value) -> str:
    """A value as a message quotes it: its JSON type, and the value when short."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return f"数字 {value}"
    if isinstance(value, str):
        return f"文字“{value[:40]}{'…' if len(value) > 40 else ''}”"
    if isinstance(value, list):
        return "列表（[…]）"
    return "对象（{…}）"


def _obj(value, where: str) -> dict:
    if not isinstance(value, dict):
        raise FhirError(f"{where}: 应为对象（{{…}}），而不是{_shown(value)}")
    return value


def _list(value, where: str) -> list:
    if value is None:
        return []
    if not isinstance(value, list):
        raise FhirError(f"{where}: 应为列表（[…]），而不是{_shown(value)}")
    return value


def _str(value, where: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise FhirError(f"{where}: 应为文字，而不是{_shown(value)}")
    return value


def _bool(value, where: str) -> bool:
    if value is None:
        return False
    if not isinstance(value, bool):
        raise FhirError(f"{where}: 应为 true 或 false，而不是{_shown(value)}")
    return value


def _extensions(element: dict, url: str, where: str) -> list[tuple[dict, str]]:
    """The extensions of `element` with `url`, each with where it is; every extension must be an object."""
    found = []
    for n, ext in enumerate(_list(element.get("extension"), f"{where}.extension")):
        here = f"{where}.extension[{n}]"
        if _str(_obj(ext, here).get("url"), f"{here}.url") == url:
            found.append((ext, here))
    return found


def _first_code(element: dict, url: str, where: str) -> str | None:
    """The valueCode of the first extension with `url`, or None."""
    for ext, here in _extensions(element, url, where):
        return _str(ext.get("valueCode"), f"{here}.valueCode")
    return None


def _translated(element: dict, key: str, lang: str, where: str) -> str:
    holder = element.get(f"_{key}")
    if holder is None:
        return ""
    holder_where = f"{where}._{key}"
    for ext, here in _extensions(_obj(holder, holder_where), TRANSLATION, holder_where):
        parts = {}
        for k, part in enumerate(_list(ext.get("extension"), f"{here}.extension")):
            part_where = f"{here}.extension[{k}]"
            part = _obj(part, part_where)
            parts[_str(part.get("url"), f"{part_where}.url")] = (part, part_where)
        lang_part, lang_where = parts.get("lang", ({}, here))
        if _str(lang_part.get("valueCode"), f"{lang_where}.valueCode").lower().startswith(lang):
            content, content_where = parts.get("content", ({}, here))
            return _str(content.get("valueString"), f"{content_where}.valueString")
    return ""


def _text_in(element: dict, key: str, language: str, where: str) -> Text:
    """The element's text in `language` (the resource's) and its translation into the other one."""
    primary = _str(element.get(key), f"{where}.{key}")
    if language == "zh":
        return Text(primary, _translated(element, key, "en", where))
    return Text(_translated(element, key, "zh", where), primary)


def _walk(resource: dict) -> None:
    """Refuse modifier extensions anywhere, and nesting too deep (a resource built in code, not read from a
    checked file); iterative, so that no nesting can exhaust the stack."""
    stack = [(resource, "Questionnaire", 0)]
    while stack:
        node, where, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            raise FhirError(f"{where}: 嵌套过深（超过 {MAX_JSON_DEPTH} 层）")
        if isinstance(node, dict):
            if node.get("modifierExtension"):
                raise FhirError(f"{where}: 含有 modifierExtension，Xinyu 无法理解其含义，不能导入")
            stack.extend((value, f"{where}.{key}", depth + 1) for key, value in node.items())
        elif isinstance(node, list):
            stack.extend((value, f"{where}[{n}]", depth + 1) for n, value in enumerate(node))
        elif isinstance(node, float) and not math.isfinite(node):
            raise FhirError(f"{where}: 数值必须是有限的数字，而不是 {node}")


def _wrong_type(kind) -> str:
    if kind is None:
        return '不是 FHIR Questionnaire：缺少 resourceType，应为 "resourceType": "Questionnaire"'
    if not isinstance(kind, str):
        return f"不是 FHIR Questionnaire：resourceType 应为“Questionnaire”，而不是{_shown(kind)}"
    hint = {
        "QuestionnaireResponse": "这是一份作答记录，不是量表本身",
        "Bundle": "这是资源包，请从中取出单个 Questionnaire 再导入",
    }.get(kind, "")
    hint = f"（{hint}）" if hint else ""
    return f"不是 FHIR Questionnaire：resourceType 为“{kind[:40]}”，应为“Questionnaire”{hint}"


def _carried(resource: dict) -> dict:
    carried = {}
    for ext, here in _extensions(resource, EXT_DEFINITION, "Questionnaire"):
        where = f"Questionnaire.extension（{EXT_DEFINITION}）"
        text = _str(ext.get("valueString"), f"{here}.valueString")
        try:
            carried = parse_json(text, where)
        except DefinitionError as exc:
            raise FhirError(str(exc)) from None
        _obj(carried, where)
    return carried


def _link_id(item: dict, where: str, seen: dict[str, str]) -> str:
    link_id = item.get("linkId")
    if link_id is None or link_id == "":
        raise FhirError(f"{where}: 缺少 linkId")
    link_id = _str(link_id, f"{where}.linkId")
    if len(link_id) > 255:
        raise FhirError(f"{where}.linkId: 过长（{len(link_id)} 个字符，最多 255 个）")
    if link_id in seen:
        raise FhirError(
            f"{where}（linkId {link_id}）: linkId“{link_id}”与 {seen[link_id]} 重复；每道题的 linkId 必须唯一"
        )
    seen[link_id] = where
    return link_id


@dataclass
class _Asked:
    """A question to ask, where it is, and the group heading and display notes shown before it."""

    item: dict
    where: str
    heading: tuple[dict, str] | None = None
    notes: list[tuple[dict, str]] = field(default_factory=list)


@dataclass
class _Items:
    asked: list[_Asked] = field(default_factory=list)
    computed: list[tuple[dict, str]] = field(default_factory=list)


def _is_computed(item: dict, where: str) -> bool:
    """A calculated or read-only item, or a number item coded or named as a total score: computed, not asked."""
    if _extensions(item, CALCULATED, where) or _bool(item.get("readOnly"), f"{where}.readOnly"):
        return True
    return item.get("type") in ("decimal", "integer") and _is_total(item, where)


def _is_total(item: dict, where: str) -> bool:
    codes = {
        _str(_obj(coding, f"{where}.code[{n}]").get("code"), f"{where}.code[{n}].code")
        for n, coding in enumerate(_list(item.get("code"), f"{where}.code"))
    }
    return bool(codes & TOTAL_LOINC) or bool(_TOTAL_TEXT.search(_str(item.get("text"), f"{where}.text")))


def _flat_items(items, where: str) -> _Items:
    """The questions, each with where it is and what is shown before it, and the computed items, from the
    top level and one level of groups."""
    found = _Items()
    seen: dict[str, str] = {}
    pending: dict = {"heading": None, "notes": []}

    def take(item: dict, here: str) -> None:
        kind = item.get("type")
        if kind == "display":
            if item.get("item"):
                raise FhirError(f"{here}: 说明文字（display）下不能有子题目")
            pending["notes"].append((item, here))
            return
        if item.get("item"):
            raise FhirError(f"{here}: 题目下的子题目无法表示")
        if _is_computed(item, here):
            found.computed.append((item, here))
            return
        found.asked.append(_Asked(item, here, pending["heading"], pending["notes"]))
        pending["heading"], pending["notes"] = None, []
        if len(found.asked) > MAX_ITEMS:
            raise FhirError(f"{here}: 题目超过 {MAX_ITEMS} 道，不能导入")

    for n, item in enumerate(_list(items, where)):
        here = f"{where}[{n}]"
        item = _obj(item, here)
        here = f"{here}（linkId {_link_id(item, here, seen)}）"
        if item.get("type") == "group":
            if item.get("enableWhen") or item.get("repeats"):
                raise FhirError(f"{here}: 分组带条件显示或重复，无法表示")
            if _str(item.get("text"), f"{here}.text").strip():
                if pending["heading"] is not None:
                    raise FhirError(f"{pending['heading'][1]}: 分组中没有题目")
                pending["heading"] = (item, here)
            for child_n, child in enumerate(_list(item.get("item"), f"{here}.item")):
                child_here = f"{here}.item[{child_n}]"
                child = _obj(child, child_here)
                if child.get("type") == "group":
                    raise FhirError(f"{child_here}: 不支持嵌套分组")
                take(child, f"{child_here}（linkId {_link_id(child, child_here, seen)}）")
        else:
            take(item, here)
    if pending["notes"]:
        raise FhirError(f"{pending['notes'][0][1]}: 说明文字（display）之后没有题目；说明文字显示在下一道题之前")
    if pending["heading"] is not None:
        raise FhirError(f"{pending['heading'][1]}: 分组中没有题目")
    return found


def _contained_value_sets(resource: dict) -> dict[str, tuple[dict, str]]:
    """The contained ValueSets by id; any other contained resource is refused."""
    found = {}
    for n, entry in enumerate(_list(resource.get("contained"), "Questionnaire.contained")):
        here = f"Questionnaire.contained[{n}]"
        entry = _obj(entry, here)
        kind = entry.get("resourceType")
        if kind != "ValueSet":
            raise FhirError(f"{here}: 只支持内含值集（ValueSet），而不是{_shown(kind)}")
        key = _str(entry.get("id"), f"{here}.id")
        if not key:
            raise FhirError(f"{here}: 内含值集缺少 id")
        found[key] = (entry, f"{here}（ValueSet {key}）")
    return found


def _value_set_options(reference: str, where: str, value_sets: dict) -> list[tuple[dict, str]]:
    """The options of a contained ValueSet named by `#id`, as answerOptions (a valueCoding each, carrying the
    concept's extensions and so its weight), each with where it is."""
    if not reference.startswith("#"):
        raise FhirError(
            f"{where}.answerValueSet: 引用的是外部值集“{reference[:80]}”，心育无法取得其中的选项；"
            "请把选项写在 answerOption 中，或把值集内含在 Questionnaire.contained 中并以“#id”引用"
        )
    if reference[1:] not in value_sets:
        raise FhirError(f"{where}.answerValueSet: 找不到内含值集“{reference[:80]}”")
    value_set, vs_where = value_sets[reference[1:]]
    concepts: list[tuple[dict, str, str]] = []
    expansion = value_set.get("expansion")
    if expansion is not None:
        ex_where = f"{vs_where}.expansion"
        for n, entry in enumerate(_list(_obj(expansion, ex_where).get("contains"), f"{ex_where}.contains")):
            here = f"{ex_where}.contains[{n}]"
            entry = _obj(entry, here)
            if entry.get("contains"):
                raise FhirError(f"{here}: 不支持分层的值集展开")
            concepts.append((entry, _str(entry.get("system"), f"{here}.system"), here))
    if not concepts and value_set.get("compose") is not None:
        compose_where = f"{vs_where}.compose"
        compose = _obj(value_set["compose"], compose_where)
        if compose.get("exclude"):
            raise FhirError(f"{compose_where}.exclude: 不支持排除规则，请逐一列出选项")
        for k, include in enumerate(_list(compose.get("include"), f"{compose_where}.include")):
            inc_where = f"{compose_where}.include[{k}]"
            include = _obj(include, inc_where)
            if include.get("filter") or include.get("valueSet") or not include.get("concept"):
                raise FhirError(f"{inc_where}: 只支持逐一列出的概念（concept），不支持过滤条件或引用其他值集")
            system = _str(include.get("system"), f"{inc_where}.system")
            for n, concept in enumerate(_list(include.get("concept"), f"{inc_where}.concept")):
                here = f"{inc_where}.concept[{n}]"
                concepts.append((_obj(concept, here), system, here))
    if not concepts:
        raise FhirError(f"{vs_where}: 值集中没有选项（既无 expansion.contains，也无 compose.include.concept）")
    options = []
    for concept, system, here in concepts:
        coding = {key: concept[key] for key in ("code", "display", "_display", "extension") if key in concept}
        if system:
            coding["system"] = system
        options.append(({"valueCoding": coding}, here))
    return options


def _script(text: str) -> str:
    """ "zh" for a text with Chinese characters, "en" for one of Latin letters only (three at least), else ""."""
    if _HAN.search(text):
        return "zh"
    return "en" if len(_LATIN.findall(text)) >= 3 else ""


def _language(resource: dict, flat: list[tuple[dict, str]]) -> tuple[str, str]:
    """The language of the resource's own texts, "zh" or "en", and how it was decided: from
    Questionnaire.language when given, otherwise from the script of the item texts (Chinese characters or
    Latin letters). Every item text must then be in that language: a mix is refused, naming the item."""
    texts = [(where, _str(item.get("text"), f"{where}.text")) for item, where in flat]
    declared = resource.get("language")
    if declared is not None:
        declared = _str(declared, "Questionnaire.language")
        language = declared.strip().lower().replace("_", "-").split("-")[0]
        if language not in LANGUAGE_NAMES:
            raise FhirError(
                f"Questionnaire.language: 为“{declared[:20]}”；心育只能保存中文（zh）和英文（en）的文字，"
                "请导入中文或英文版本"
            )
        how = f"Questionnaire.language 为“{declared}”"
    else:
        scripts = [_script(text) for _where, text in texts]
        han, latin = scripts.count("zh"), scripts.count("en")
        language = "en" if latin > han else "zh"
        how = (
            f"Questionnaire 没有写 language，按题目文字判断：{len(texts)} 道题中 {han} 道含汉字、{latin} 道只有拉丁字母"
        )
    for where, text in texts:
        script = _script(text)
        if script and script != language:
            raise FhirError(
                f"{where}.text: 这道题的文字是{LANGUAGE_NAMES[script]}，但这份 Questionnaire 的文字是"
                f"{LANGUAGE_NAMES[language]}（{how}）；请改正 Questionnaire.language，或把另一种语言的文字写在"
                "该题的 translation 扩展（_text）中"
            )
    return language, how


def questionnaire_to_definition(resource) -> Definition:
    """A Definition from a FHIR R4 Questionnaire; FhirError says what cannot be represented, and where."""
    if not isinstance(resource, dict):
        raise FhirError(f"不是 FHIR Questionnaire：应为一个 JSON 对象（{{…}}），而不是{_shown(resource)}")
    if resource.get("resourceType") != "Questionnaire":
        raise FhirError(_wrong_type(resource.get("resourceType")))
    _walk(resource)
    value_sets = _contained_value_sets(resource)
    carried = _carried(resource)
    code = _identifier(resource)
    found = _flat_items(resource.get("item"), "Questionnaire.item")
    flat = [(asked.item, asked.where) for asked in found.asked]
    if not flat:
        raise FhirError("Questionnaire.item: 没有题目")
    language, how = _language(resource, flat)
    option_sets: dict[str, list] = {}
    items = [
        _item_in(asked, number, language, option_sets, value_sets, own=bool(carried))
        for number, asked in enumerate(found.asked, start=1)
    ]
    order = carried.get("option_sets") or list(option_sets)
    if not isinstance(order, list) or sorted(map(str, order)) != sorted(option_sets):
        raise FhirError(f"Questionnaire.extension（{EXT_DEFINITION}）: 选项集清单与题目不符")
    total, total_note = _computed_total(found.computed, language)
    validate(resource)
    title = _text_in(resource, "title", language, "Questionnaire") if resource.get("title") else Text(code)
    document = {
        "format": FORMAT,
        "code": code,
        "version": _str(resource.get("version"), "Questionnaire.version") or "1",
        "name": _text_json(title),
        "instructions": _text_json(_text_in(resource, "description", language, "Questionnaire")),
        "copyright": _str(resource.get("copyright"), "Questionnaire.copyright"),
        "loinc": _loinc(resource, "Questionnaire"),
        "option_sets": [{"code": name, "options": option_sets[name]} for name in order],
        "items": items,
        "source": f"FHIR Questionnaire；题目文字为{LANGUAGE_NAMES[language]}（{how}）{total_note}",
    }
    if carried:
        unknown = set(carried) - set(CARRIED) - {"option_sets"}
        if unknown:
            raise FhirError(f"Questionnaire.extension（{EXT_DEFINITION}）: 无法识别的“{sorted(unknown)[0]}”")
        document |= {key: carried[key] for key in CARRIED if key in carried}
    else:
        weighted = [item["number"] for item in items if item["kind"] == "choice" and item["role"] == "scored"]
        if total is not None and not weighted:
            raise FhirError(f"{found.computed[0][1]}: 总分题所加的题目都没有分值，无法计算总分")
        document["indices"] = (
            [
                {"code": "total", "method": "sum", "items": weighted}
                | (total or {"name": {"zh": "总分", "en": "Total score"}})
            ]
            if weighted
            else []
        )
    try:
        return parse_definition(document)
    except FhirError:
        raise
    except DefinitionError as exc:
        raise FhirError(f"FHIR Questionnaire {code}: {_with_link_ids(str(exc), flat)}") from exc


def _computed_total(computed: list[tuple[dict, str]], language: str) -> tuple[dict | None, str]:
    """The index entries (name, loinc) taken from the total-score item, and a note for the source saying
    which item it was; any other computed item is refused, naming its linkId."""
    total, note = None, ""
    for item, where in computed:
        if not _is_total(item, where) or item.get("type") not in ("decimal", "integer"):
            raise FhirError(
                f"{where}: 这是计算或只读题（calculatedExpression / readOnly），心育只能识别总分题（数值型，"
                "LOINC 总分代码或题目文字写明“总分”）；其他计算题心育无法计算，不能导入"
            )
        if total is not None:
            raise FhirError(f"{where}: 有不止一道总分题；心育的总分只有一个")
        text = _text_in(item, "text", language, where)
        total = {"name": {"zh": "总分", "en": text.en or "Total score"}}
        if loinc := _loinc(item, where):
            total["loinc"] = loinc
        calculated = "（原文的计算表达式不执行）" if _extensions(item, CALCULATED, where) else ""
        note = f"；总分题 linkId {item['linkId']} 不作答，由心育把计分题相加得出{calculated}"
    return total, note


def _with_link_ids(message: str, flat: list[tuple[dict, str]]) -> str:
    """ "第 3 题" in a definition error, followed by where that item is in the Questionnaire."""

    def where(match):
        number = int(match[1])
        return f"{match[0]}（{flat[number - 1][1]}）" if 1 <= number <= len(flat) else match[0]

    return re.sub(r"第 (\d+) 题", where, message, count=1)


def _identifier(resource: dict) -> str:
    identifiers = [
        (_obj(entry, f"Questionnaire.identifier[{n}]"), f"Questionnaire.identifier[{n}]")
        for n, entry in enumerate(_list(resource.get("identifier"), "Questionnaire.identifier"))
    ]
    values = [
        (_str(entry.get("system"), f"{where}.system"), _str(entry.get("value"), f"{where}.value"))
        for entry, where in identifiers
    ]
    for system, value in values:
        if system == INSTRUMENT_SYSTEM and value:
            return value
    for _system, value in values:
        if value:
            return value
    code = _str(resource.get("name"), "Questionnaire.name") or _str(resource.get("id"), "Questionnaire.id")
    if not code:
        raise FhirError("Questionnaire: 缺少 identifier、name 或 id，无法确定量表代码")
    return code


def _loinc(element: dict, where: str) -> str:
    for n, coding in enumerate(_list(element.get("code"), f"{where}.code")):
        here = f"{where}.code[{n}]"
        coding = _obj(coding, here)
        if _str(coding.get("system"), f"{here}.system") == LOINC:
            return _str(coding.get("code"), f"{here}.code")
    return ""


def _text_json(text: Text) -> dict:
    return {"zh": text.zh, "en": text.en}


def _weight(option: dict, coding: dict, where: str):
    found = []
    for element, here in ((option, where), (coding, f"{where}.valueCoding")):
        for url in WEIGHTS:
            for ext, ext_where in _extensions(element, url, here):
                value = ext.get("valueDecimal", ext.get("valueInteger"))
                if not isinstance(value, int | float) or isinstance(value, bool) or not math.isfinite(value):
                    raise FhirError(f"{ext_where}: {url.rsplit('/', 1)[-1]} 应为数字，而不是{_shown(value)}")
                found.append(int(value) if float(value).is_integer() else value)
    if len(set(found)) > 1:
        raise FhirError(f"{where}: 同一选项有不同的分值 {sorted(set(found))}")
    return found[0] if found else None


def _item_in(asked: _Asked, number: int, language: str, option_sets: dict, value_sets: dict, *, own: bool) -> dict:
    item, where = asked.item, asked.where
    for key, what in (
        ("enableWhen", "条件显示（enableWhen）"),
        ("repeats", "可重复作答（repeats）"),
        ("initial", "默认答案（initial）"),
    ):
        if item.get(key):
            raise FhirError(f"{where}: 不支持{what}")
    for url, what in BEHAVIOUR.items():
        if _extensions(item, url, where):
            raise FhirError(f"{where}: 不支持{what}（{url.rsplit('-', 1)[-1]}）")
    if any(_bool(ext.get("valueBoolean"), f"{here}.valueBoolean") for ext, here in _extensions(item, HIDDEN, where)):
        raise FhirError(f"{where}: 这道题是隐藏的（questionnaire-hidden），心育无法表示不显示却要作答的题")
    kind = item.get("type")
    if kind is None:
        raise FhirError(f"{where}: 缺少 type（题型）")
    kind = _str(kind, f"{where}.type")
    if kind not in ("choice", "string", "text"):
        raise FhirError(
            f"{where}: 不支持题型“{kind[:40]}”（只支持 choice、string、text，以及 group、display 和计算出的总分）"
        )
    role = _first_code(item, EXT_ROLE, where)
    reverse = any(
        _bool(ext.get("valueBoolean"), f"{here}.valueBoolean") for ext, here in _extensions(item, EXT_REVERSE, where)
    )
    out = {
        "number": number,
        "link_id": item["linkId"],
        "text": _text_json(_text_in(item, "text", language, where)),
        "kind": "text" if kind in ("string", "text") else "choice",
        "option_set": "",
        "required": _bool(item.get("required"), f"{where}.required"),
        "reverse": reverse,
        "role": role or "open",
    }
    if loinc := _loinc(item, where):
        out["loinc"] = loinc
    if asked.heading is not None:
        group, group_where = asked.heading
        out["heading"] = _text_json(_text_in(group, "text", language, group_where))
    if asked.notes:
        texts = [_text_in(note, "text", language, note_where) for note, note_where in asked.notes]
        out["note"] = {
            "zh": "\n".join(text.zh for text in texts if text.zh),
            "en": "\n".join(text.en for text in texts if text.en),
        }
    raw_options = [
        (option, f"{where}.answerOption[{k}]")
        for k, option in enumerate(_list(item.get("answerOption"), f"{where}.answerOption"))
    ]
    value_set = item.get("answerValueSet")
    if value_set is not None:
        if raw_options:
            raise FhirError(f"{where}: 不能同时有 answerOption 和 answerValueSet")
        raw_options = _value_set_options(_str(value_set, f"{where}.answerValueSet"), where, value_sets)
    if kind != "choice":
        if raw_options:
            raise FhirError(f"{where}: 文字题不能有选项（answerOption / answerValueSet）")
        return out
    if not raw_options:
        raise FhirError(f"{where}: 选择题没有 answerOption")
    if len(raw_options) > MAX_OPTIONS:
        raise FhirError(f"{where}: 选项有 {len(raw_options)} 个，最多 {MAX_OPTIONS} 个")
    options = [_option_in(option, option_where, language) for option, option_where in raw_options]
    codes = [option["code"] for option in options]
    if duplicate := next((c for c in codes if codes.count(c) > 1), None):
        raise FhirError(f"{where}.answerOption: 选项代码“{duplicate}”出现了不止一次")
    weights = [option["value"] is not None for option in options]
    if len(set(weights)) > 1:
        raise FhirError(
            f"{raw_options[weights.index(not weights[0])][1]}: 有的选项有分值、有的没有；要么都有，要么都没有"
        )
    weighted = weights[0]
    name = _first_code(item, EXT_OPTION_SET, where)
    if name is None:
        name = next((key for key, known in option_sets.items() if known == options), None)
        name = name or f"options_{len(option_sets) + 1}"
    if option_sets.setdefault(name, options) != options:
        raise FhirError(f"{where}: 选项集“{name}”在不同题目中的选项不一致")
    out["option_set"] = name
    if role is None:
        # an unweighted choice ("how difficult have these problems made it…") is asked and kept, not scored
        out["role"] = "scored" if weighted else "difficulty"
        if weighted and not own:
            out["required"] = True  # a scored item must be answered: Xinyu never pro-rates missing answers
    return out


def _option_in(option, where: str, language: str) -> dict:
    option = _obj(option, where)
    coding = option.get("valueCoding")
    if coding is None:
        other = next((key for key in option if key.startswith("value")), "无")
        raise FhirError(f"{where}: 只支持 valueCoding，而不是 {other}")
    coding = _obj(coding, f"{where}.valueCoding")
    code = coding.get("code")
    if code is None or code == "":
        raise FhirError(f"{where}: valueCoding 缺少 code")
    code = _str(code, f"{where}.valueCoding.code")
    own_code = _first_code(coding, EXT_OPTION_CODE, f"{where}.valueCoding")
    label = _text_in(coding, "display", language, f"{where}.valueCoding") if coding.get("display") else Text(code)
    entry = {"code": own_code or code, "label": _text_json(label), "value": _weight(option, coding, where)}
    if _str(coding.get("system"), f"{where}.valueCoding.system") == LOINC:
        entry["loinc"] = code
    return entry
