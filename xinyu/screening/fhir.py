"""FHIR R4: an instrument as a Questionnaire (export and import), answers as a QuestionnaireResponse.

Export. Items carry linkId, prefix (the item number), text in Chinese (the resource's language is zh-CN)
with the English in the standard `translation` extension, type (choice / text), required, and LOINC codes
where the instrument has them (PHQ-9, GAD-7). Each answerOption is a valueCoding — the LOINC answer code
where known (LA6568-5 …), otherwise the option's own code in a Xinyu code system — carrying its weight as
the `ordinalValue` extension. What FHIR has no element for (item roles, reverse scoring, option-set names,
subscales, indices, bands, flags, classification rules, time frame) travels in Xinyu extensions, so that
export → import gives back the same definition, and so the same scores.

Import accepts a Questionnaire from elsewhere: weights as `ordinalValue` or `itemWeight` (on the
answerOption or its valueCoding), items directly under the Questionnaire or in one level of groups. Without
Xinyu's definition extension the instrument gets one index, "total", the sum of its weighted items, which
are then taken as required (Xinyu never pro-rates missing answers). What cannot be represented is refused
with an error naming the item: enableWhen, repeating items, answerValueSet, answers other than
valueCoding, item types other than choice / string / text / group, display items, nested groups, contained
resources and modifier extensions.
"""

import datetime as dt
import json
import re

from xinyu.screening.definition import (
    FORMAT,
    Definition,
    DefinitionError,
    Item,
    OptionSet,
    Text,
    definition_to_json,
    parse_definition,
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
WEIGHTS = (ORDINAL_VALUE, ITEM_WEIGHT)
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


def _with_text(target: dict, key: str, text: Text) -> None:
    if text.zh:
        target[key] = text.zh
    if text.en:
        target[f"_{key}"] = _translation(text.en)


def _option_system(definition: Definition, option_set: OptionSet) -> str:
    return f"{INSTRUMENT_SYSTEM}:{definition.code}:options:{option_set.code}"


def _coding(definition: Definition, option_set: OptionSet, option) -> dict:
    coding = {
        "system": LOINC if option.loinc else _option_system(definition, option_set),
        "code": option.loinc or option.code,
    }
    _with_text(coding, "display", option.label)
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
    _with_text(resource, "title", definition.name)
    resource |= {"status": "active" if definition.administrable else "draft", "language": "zh-CN"}
    resource["subjectType"] = ["Patient"]
    _with_text(resource, "description", definition.instructions)
    if definition.copyright:
        resource["copyright"] = definition.copyright
    if definition.loinc:
        resource["code"] = [{"system": LOINC, "code": definition.loinc}]
    resource["item"] = [_item_out(definition, item) for item in definition.items]
    return resource


def _item_out(definition: Definition, item: Item) -> dict:
    extension = [{"url": EXT_ROLE, "valueCode": item.role}]
    out = {"linkId": item.link_id, "prefix": str(item.number)}
    if item.loinc:
        out["code"] = [{"system": LOINC, "code": item.loinc}]
    _with_text(out, "text", item.text)
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
        if item.text.zh:
            out["text"] = item.text.zh
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
    response = {
        "resourceType": "QuestionnaireResponse",
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
    return response


def _option_for(option_set: OptionSet, value):
    for option in option_set.options:
        if option.code == value or (
            not isinstance(value, str) and re.fullmatch(r"-?\d+", option.code) and int(option.code) == value
        ):
            return option
    return None


# --- import --------------------------------------------------------------------------------------------


def _extensions(element: dict, url: str) -> list:
    return [ext for ext in element.get("extension") or [] if isinstance(ext, dict) and ext.get("url") == url]


def _translated(element: dict, key: str, lang: str = "en") -> str:
    for ext in _extensions(element.get(f"_{key}") or {}, TRANSLATION):
        parts = {part.get("url"): part for part in ext.get("extension", [])}
        if str(parts.get("lang", {}).get("valueCode", "")).lower().startswith(lang):
            return parts.get("content", {}).get("valueString", "")
    return ""


def _text_in(element: dict, key: str, primary_zh: bool) -> Text:
    primary = element.get(key) or ""
    if primary_zh:
        return Text(primary, _translated(element, key, "en"))
    return Text(_translated(element, key, "zh"), primary)


def _refuse_modifiers(node, where: str) -> None:
    if isinstance(node, dict):
        if node.get("modifierExtension"):
            raise FhirError(f"{where}: 含有 modifierExtension，Xinyu 无法理解其含义，不能导入")
        for key, value in node.items():
            _refuse_modifiers(value, f"{where}.{key}")
    elif isinstance(node, list):
        for n, value in enumerate(node):
            _refuse_modifiers(value, f"{where}[{n}]")


def _weight(option: dict, where: str):
    found = []
    for element in (option, option.get("valueCoding") or {}):
        for url in WEIGHTS:
            for ext in _extensions(element, url):
                value = ext.get("valueDecimal", ext.get("valueInteger"))
                if not isinstance(value, int | float) or isinstance(value, bool):
                    raise FhirError(f"{where}: {url.rsplit('/', 1)[-1]} 应为数字")
                found.append(int(value) if float(value).is_integer() else value)
    if len(set(found)) > 1:
        raise FhirError(f"{where}: 同一选项有不同的分值 {sorted(set(found))}")
    return found[0] if found else None


def _flat_items(items: list, where: str) -> list[tuple[dict, str]]:
    flat = []
    for n, item in enumerate(items):
        here = f"{where}[{n}]（linkId {item.get('linkId', '?')}）"
        if item.get("type") == "group":
            if item.get("enableWhen") or item.get("repeats"):
                raise FhirError(f"{here}: 分组带条件显示或重复，无法表示")
            for child_n, child in enumerate(item.get("item", [])):
                if child.get("type") == "group":
                    raise FhirError(f"{here}.item[{child_n}]: 不支持嵌套分组")
                flat.append((child, f"{here}.item[{child_n}]（linkId {child.get('linkId', '?')}）"))
        else:
            if item.get("item"):
                raise FhirError(f"{here}: 题目下的子题目无法表示")
            flat.append((item, here))
    return flat


def questionnaire_to_definition(resource: dict) -> Definition:
    """A Definition from a FHIR R4 Questionnaire; FhirError says what cannot be represented, and where."""
    if not isinstance(resource, dict) or resource.get("resourceType") != "Questionnaire":
        raise FhirError("不是 FHIR Questionnaire（resourceType 应为 Questionnaire）")
    _refuse_modifiers(resource, "Questionnaire")
    if resource.get("contained"):
        raise FhirError("Questionnaire.contained: 不支持内含资源（如 ValueSet），请把选项直接写在 answerOption 中")
    carried = {}
    for ext in _extensions(resource, EXT_DEFINITION):
        try:
            carried = json.loads(ext.get("valueString", ""))
        except json.JSONDecodeError as exc:
            raise FhirError(f"Questionnaire.extension（{EXT_DEFINITION}）: 不是有效的 JSON：{exc.msg}") from exc
    primary_zh = str(resource.get("language") or "zh").lower().startswith("zh")
    code = _identifier(resource)
    option_sets: dict[str, list] = {}
    items = []
    flat = _flat_items(resource.get("item") or [], "Questionnaire.item")
    if not flat:
        raise FhirError("Questionnaire.item: 没有题目")
    for number, (item, where) in enumerate(flat, start=1):
        items.append(_item_in(item, where, number, primary_zh, option_sets, own=bool(carried)))
    order = carried.get("option_sets") or list(option_sets)
    if sorted(order) != sorted(option_sets):
        raise FhirError(f"Questionnaire.extension（{EXT_DEFINITION}）: 选项集清单与题目不符")
    document = {
        "format": FORMAT,
        "code": code,
        "version": resource.get("version") or "1",
        "name": _text_json(_text_in(resource, "title", primary_zh) if resource.get("title") else Text(code)),
        "instructions": _text_json(_text_in(resource, "description", primary_zh)),
        "copyright": resource.get("copyright") or "",
        "loinc": next((c.get("code", "") for c in resource.get("code") or [] if c.get("system") == LOINC), ""),
        "option_sets": [{"code": name, "options": option_sets[name]} for name in order],
        "items": items,
    }
    if carried:
        unknown = set(carried) - set(CARRIED) - {"option_sets"}
        if unknown:
            raise FhirError(f"Questionnaire.extension（{EXT_DEFINITION}）: 无法识别的“{sorted(unknown)[0]}”")
        document |= {key: carried[key] for key in CARRIED if key in carried}
    else:
        weighted = [item["number"] for item in items if item["kind"] == "choice" and item["role"] == "scored"]
        document["indices"] = (
            [{"code": "total", "name": {"zh": "总分", "en": "Total score"}, "method": "sum", "items": weighted}]
            if weighted
            else []
        )
    try:
        return parse_definition(document)
    except FhirError:
        raise
    except DefinitionError as exc:
        raise FhirError(f"FHIR Questionnaire {code}: {exc}") from exc


def _identifier(resource: dict) -> str:
    for identifier in resource.get("identifier") or []:
        if identifier.get("system") == INSTRUMENT_SYSTEM and identifier.get("value"):
            return identifier["value"]
    for identifier in resource.get("identifier") or []:
        if identifier.get("value"):
            return str(identifier["value"])
    code = resource.get("name") or resource.get("id")
    if not code:
        raise FhirError("Questionnaire: 缺少 identifier、name 或 id，无法确定量表代码")
    return str(code)


def _text_json(text: Text) -> dict:
    return {"zh": text.zh, "en": text.en}


def _item_in(item: dict, where: str, number: int, primary_zh: bool, option_sets: dict, *, own: bool) -> dict:
    for key, what in (
        ("enableWhen", "条件显示（enableWhen）"),
        ("repeats", "可重复作答（repeats）"),
        ("answerValueSet", "引用值集（answerValueSet），请改为 answerOption"),
        ("initial", "默认答案（initial）"),
    ):
        if item.get(key):
            raise FhirError(f"{where}: 不支持{what}")
    kind = item.get("type")
    if kind == "display":
        raise FhirError(f"{where}: 不支持说明文字题（display）：请把说明写进量表的指导语（description）")
    if kind not in ("choice", "string", "text"):
        raise FhirError(f"{where}: 不支持题型“{kind}”（只支持 choice、string、text）")
    link_id = item.get("linkId")
    if not link_id:
        raise FhirError(f"{where}: 缺少 linkId")
    role = next((ext.get("valueCode") for ext in _extensions(item, EXT_ROLE)), None)
    reverse = any(ext.get("valueBoolean") for ext in _extensions(item, EXT_REVERSE))
    out = {
        "number": number,
        "link_id": link_id,
        "text": _text_json(_text_in(item, "text", primary_zh)),
        "kind": "text" if kind in ("string", "text") else "choice",
        "option_set": "",
        "required": bool(item.get("required", False)),
        "reverse": reverse,
        "role": role or "open",
    }
    loinc = next((c.get("code", "") for c in item.get("code") or [] if c.get("system") == LOINC), "")
    if loinc:
        out["loinc"] = loinc
    if kind != "choice":
        if item.get("answerOption"):
            raise FhirError(f"{where}: 文字题不能有 answerOption")
        return out
    raw_options = item.get("answerOption") or []
    if not raw_options:
        raise FhirError(f"{where}: 选择题没有 answerOption")
    options = []
    for k, option in enumerate(raw_options):
        here = f"{where}.answerOption[{k}]"
        coding = option.get("valueCoding")
        if not isinstance(coding, dict):
            other = next((key for key in option if key.startswith("value")), "无")
            raise FhirError(f"{here}: 只支持 valueCoding，而不是 {other}")
        if not coding.get("code"):
            raise FhirError(f"{here}: valueCoding 缺少 code")
        own_code = next((ext.get("valueCode") for ext in _extensions(coding, EXT_OPTION_CODE)), None)
        entry = {
            "code": own_code or coding["code"],
            "label": _text_json(
                _text_in(coding, "display", primary_zh) if coding.get("display") else Text(coding["code"])
            ),
            "value": _weight(option, here),
        }
        if coding.get("system") == LOINC:
            entry["loinc"] = coding["code"]
        options.append(entry)
    weighted = options[0]["value"] is not None
    name = next((ext.get("valueCode") for ext in _extensions(item, EXT_OPTION_SET)), None)
    if name is None:
        name = next((key for key, known in option_sets.items() if known == options), None)
        name = name or f"options_{len(option_sets) + 1}"
    if option_sets.setdefault(name, options) != options:
        raise FhirError(f"{where}: 选项集“{name}”在不同题目中的选项不一致")
    out["option_set"] = name
    if role is None:
        out["role"] = "scored" if weighted else "auxiliary"
        if weighted and not own:
            out["required"] = True  # a scored item must be answered: Xinyu never pro-rates missing answers
    return out
