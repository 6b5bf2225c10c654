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
import math
import re

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
    resource["item"] = [_item_out(definition, item) for item in definition.items]
    return resource


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


def _flat_items(items, where: str) -> list[tuple[dict, str]]:
    """The answerable items, each with where it is, from the top level and one level of groups."""
    flat: list[tuple[dict, str]] = []
    seen: dict[str, str] = {}

    def take(item: dict, here: str) -> None:
        flat.append((item, here))
        if len(flat) > MAX_ITEMS:
            raise FhirError(f"{here}: 题目超过 {MAX_ITEMS} 道，不能导入")

    for n, item in enumerate(_list(items, where)):
        here = f"{where}[{n}]"
        item = _obj(item, here)
        here = f"{here}（linkId {_link_id(item, here, seen)}）"
        if item.get("type") == "group":
            if item.get("enableWhen") or item.get("repeats"):
                raise FhirError(f"{here}: 分组带条件显示或重复，无法表示")
            for child_n, child in enumerate(_list(item.get("item"), f"{here}.item")):
                child_here = f"{here}.item[{child_n}]"
                child = _obj(child, child_here)
                if child.get("type") == "group":
                    raise FhirError(f"{child_here}: 不支持嵌套分组")
                take(child, f"{child_here}（linkId {_link_id(child, child_here, seen)}）")
        else:
            if item.get("item"):
                raise FhirError(f"{here}: 题目下的子题目无法表示")
            take(item, here)
    return flat


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
    if resource.get("contained"):
        raise FhirError("Questionnaire.contained: 不支持内含资源（如 ValueSet），请把选项直接写在 answerOption 中")
    carried = _carried(resource)
    code = _identifier(resource)
    flat = _flat_items(resource.get("item"), "Questionnaire.item")
    if not flat:
        raise FhirError("Questionnaire.item: 没有题目")
    language, how = _language(resource, flat)
    option_sets: dict[str, list] = {}
    items = [
        _item_in(item, where, number, language, option_sets, own=bool(carried))
        for number, (item, where) in enumerate(flat, start=1)
    ]
    order = carried.get("option_sets") or list(option_sets)
    if not isinstance(order, list) or sorted(map(str, order)) != sorted(option_sets):
        raise FhirError(f"Questionnaire.extension（{EXT_DEFINITION}）: 选项集清单与题目不符")
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
        "source": f"FHIR Questionnaire；题目文字为{LANGUAGE_NAMES[language]}（{how}）",
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
        raise FhirError(f"FHIR Questionnaire {code}: {_with_link_ids(str(exc), flat)}") from exc


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


def _item_in(item: dict, where: str, number: int, language: str, option_sets: dict, *, own: bool) -> dict:
    for key, what in (
        ("enableWhen", "条件显示（enableWhen）"),
        ("repeats", "可重复作答（repeats）"),
        ("answerValueSet", "引用值集（answerValueSet），请改为 answerOption"),
        ("initial", "默认答案（initial）"),
    ):
        if item.get(key):
            raise FhirError(f"{where}: 不支持{what}")
    kind = item.get("type")
    if kind is None:
        raise FhirError(f"{where}: 缺少 type（题型）")
    kind = _str(kind, f"{where}.type")
    if kind == "display":
        raise FhirError(f"{where}: 不支持说明文字题（display）：请把说明写进量表的指导语（description）")
    if kind not in ("choice", "string", "text"):
        raise FhirError(f"{where}: 不支持题型“{kind[:40]}”（只支持 choice、string、text）")
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
    raw_options = _list(item.get("answerOption"), f"{where}.answerOption")
    if kind != "choice":
        if raw_options:
            raise FhirError(f"{where}: 文字题不能有 answerOption")
        return out
    if not raw_options:
        raise FhirError(f"{where}: 选择题没有 answerOption")
    if len(raw_options) > MAX_OPTIONS:
        raise FhirError(f"{where}: 选项有 {len(raw_options)} 个，最多 {MAX_OPTIONS} 个")
    options = [_option_in(option, f"{where}.answerOption[{k}]", language) for k, option in enumerate(raw_options)]
    codes = [option["code"] for option in options]
    if duplicate := next((c for c in codes if codes.count(c) > 1), None):
        raise FhirError(f"{where}.answerOption: 选项代码“{duplicate}”出现了不止一次")
    weighted = options[0]["value"] is not None
    name = _first_code(item, EXT_OPTION_SET, where)
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
