"""Item texts a college supplies from its licensed copy of an instrument (SCL-90 ships without them).

`manage.py load_instrument_texts` reads a file with `read_item_texts` and puts the texts into the stored
definition with `with_item_texts`: only the texts change, never the scoring, so the version and every
result's rules_version stay as they were.
"""

from dataclasses import replace as dc_replace
from pathlib import Path

from xinyu.screening.definition import Definition, DefinitionError, Text, _dict, _text, parse_json


def read_item_texts(path: Path) -> dict[int, Text]:
    """Item texts from a file: .json ({"1": {"zh": …, "en": …}} or {"1": "…"}) or tab-separated
    (a header row "number<TAB>text_zh[<TAB>text_en]", then one row per item)."""
    path = Path(path)
    try:
        content = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise DefinitionError(f"{path.name}: 无法读取（应为 UTF-8 文本）：{exc}") from exc
    texts: dict[int, Text] = {}
    if path.suffix.lower() == ".json":
        raw = parse_json(content, path.name)
        for key, value in _dict(raw, path.name).items():
            if not str(key).isdigit():
                raise DefinitionError(f"{path.name}: “{key}”不是题号")
            texts[int(key)] = _text(value, f"{path.name} 第 {key} 题")
        return texts
    lines = content.splitlines()
    header = [cell.strip().lower() for cell in (lines[0].split("\t") if lines else [])]
    if header[:2] != ["number", "text_zh"]:
        raise DefinitionError(f"{path.name} 第 1 行: 表头应为 number<TAB>text_zh[<TAB>text_en]")
    for line_no, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        cells = line.split("\t")
        where = f"{path.name} 第 {line_no} 行"
        if not cells[0].strip().isdigit():
            raise DefinitionError(f"{where}: 题号“{cells[0]}”不是数字")
        number = int(cells[0])
        if number in texts:
            raise DefinitionError(f"{where}: 第 {number} 题重复")
        zh = cells[1].strip() if len(cells) > 1 else ""
        en = cells[2].strip() if len(cells) > 2 else ""
        texts[number] = _text({"zh": zh, "en": en}, f"{where}（第 {number} 题）")
    return texts


def with_item_texts(definition: Definition, texts: dict[int, Text], *, replace: bool = False) -> Definition:
    """The definition with the college's item texts; every item must get one, nothing else changes."""
    if definition.item_texts == "included" and not replace:
        raise DefinitionError(f"{definition.key}: 题目文字已经齐全；要替换请明确要求（--replace）")
    numbers = {item.number for item in definition.items}
    extra = sorted(set(texts) - numbers)
    if extra:
        raise DefinitionError(f"{definition.key}: 没有第 {extra[0]} 题")
    missing = sorted(numbers - set(texts))
    if missing:
        shown = "、".join(str(n) for n in missing[:10]) + ("…" if len(missing) > 10 else "")
        raise DefinitionError(f"{definition.key}: 缺少第 {shown} 题的文字（共缺 {len(missing)} 题）")
    items = tuple(dc_replace(item, text=texts[item.number]) for item in definition.items)
    return dc_replace(definition, items=items, item_texts="included")
