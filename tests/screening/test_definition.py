"""Instrument definitions: the shipped ones, the validating loader (errors say where and what, in Chinese),
the JSON round trip, and item texts supplied by a college."""

import json

import pytest

from tests.screening.conftest import raw_document
from xinyu.screening.definition import (
    DefinitionError,
    Text,
    definition_to_json,
    load_definition_file,
    parse_definition,
    shipped_definitions,
)
from xinyu.screening.item_texts import read_item_texts, with_item_texts


def test_the_four_shipped_instruments():
    shipped = {definition.code: definition for definition in shipped_definitions()}

    assert {code: len(d.items) for code, d in shipped.items()} == {"GAD-7": 7, "PHQ-9": 10, "SCL-90": 90, "UPI": 64}
    assert {code: d.version for code, d in shipped.items()} == dict.fromkeys(shipped, "1")
    assert {code for code, d in shipped.items() if d.administrable} == {"GAD-7", "PHQ-9", "UPI"}


@pytest.mark.parametrize("code", ["PHQ-9", "GAD-7"])
def test_phq9_and_gad7_keep_the_pfizer_line_and_have_both_languages(code):
    definition = {d.code: d for d in shipped_definitions()}[code]

    assert "Pfizer" in definition.copyright
    assert "No permission required to reproduce, translate, display or distribute" in definition.copyright
    assert all(item.text.zh and item.text.en and item.loinc for item in definition.items)
    assert definition.instructions.zh == "在过去两个星期，有多少时候您受到以下任何问题所困扰？"


def test_phq9_item_10_is_difficulty_and_item_9_is_required():
    phq9 = {d.code: d for d in shipped_definitions()}["PHQ-9"]

    assert (phq9.item(10).role, phq9.item(10).required, phq9.item(10).option_set) == ("difficulty", False, "difficulty")
    assert phq9.item(9).required and phq9.item(9).loinc == "44260-8"
    assert phq9.score("total").items == tuple(range(1, 10))
    assert [option.loinc for option in phq9.option_set("frequency").options] == [
        "LA6568-5", "LA6569-3", "LA6570-1", "LA6571-9"
    ]  # fmt: skip


def test_upi_has_chinese_and_english_texts():
    upi = {d.code: d for d in shipped_definitions()}["UPI"]

    assert upi.item(25).text == Text("想轻生", "Want to end my life")
    assert all(item.text.zh and item.text.en for item in upi.items)
    assert upi.timeframe.zh == "最近一年中"


@pytest.mark.parametrize("definition", shipped_definitions(), ids=lambda d: d.code)
def test_json_round_trip(definition):
    document = json.loads(json.dumps(definition_to_json(definition), ensure_ascii=False))

    assert parse_definition(document) == definition


def set_at(document, path, value):
    target = document
    for key in path[:-1]:
        target = target[key]
    if value is DELETE:
        del target[path[-1]]
    else:
        target[path[-1]] = value


DELETE = object()


@pytest.mark.parametrize(
    "code,path,value,message",
    [
        ("PHQ-9", ("format",), "xinyu-instrument/9", "format: 应为“xinyu-instrument/1”"),
        ("PHQ-9", ("colour",), "blue", "无法识别的字段“colour”"),
        ("PHQ-9", ("version",), "", "PHQ-9.version"),
        ("PHQ-9", ("items", 2, "number"), 4, "items[2]: 题号应从 1 起依次编号，这里应为 3，而不是 4"),
        ("PHQ-9", ("items", 2, "option_set"), "often", "第 3 题.option_set: 未知选项集“often”"),
        ("PHQ-9", ("items", 2, "role"), "filler", "第 3 题.role: 未知角色“filler”"),
        ("PHQ-9", ("items", 2, "text"), {"zh": "", "en": " "}, "第 3 题.text: 中文（zh）和英文（en）不能都为空"),
        ("PHQ-9", ("items", 2, "text", "zh"), "x" * 2001, "第 3 题.text.zh: 文字过长（2001 个字符，最多 2000 个）"),
        ("PHQ-9", ("items", 2, "text", "zh"), "对\u202e事", "第 3 题.text.zh: 含有不可见的控制字符 U+202E"),
        ("PHQ-9", ("name", "zh"), "名" * 201, "name.zh: 文字过长（201 个字符，最多 200 个）"),
        ("PHQ-9", ("items", 3, "link_id"), "3", "PHQ-9.items: link_id“3”重复（第 3、4 题）"),
        ("PHQ-9", ("items", 2, "required"), "yes", "第 3 题.required: 类型不对"),
        ("PHQ-9", ("items", 2, "kind"), "slider", "第 3 题.kind: 题型应为 choice"),
        ("PHQ-9", ("option_sets", 0, "options", 1, "code"), "0", "选项集“frequency”: 选项代码重复"),
        ("PHQ-9", ("option_sets", 0, "options", 1, "value"), None, "要么每个选项都有分值"),
        ("PHQ-9", ("option_sets", 0, "options", 1, "value"), "1", "选项集“frequency”.options[1].value: 应为数字"),
        ("PHQ-9", ("indices", 0, "items"), [*range(1, 10), 10], "indices[0]（total）.items: 第 10 题不是必答题"),
        ("PHQ-9", ("indices", 0, "items"), [1, 2, 12], "indices[0]（total）.items: 没有第 12 题"),
        ("PHQ-9", ("indices", 0, "items"), [1, 1, 2], "indices[0]（total）.items: 题号重复"),
        ("PHQ-9", ("indices", 0, "method"), "median", "indices[0]（total）.method: 计算方式应为"),
        ("PHQ-9", ("bands", "ranges", 1, "min"), 6, "分段 minimal（至 4）与 mild（自 6）之间有空档"),
        ("PHQ-9", ("bands", "ranges", 1, "min"), 4, "分段 minimal（至 4）与 mild（自 4）重叠"),
        ("PHQ-9", ("bands", "ranges", 4, "max"), 26, "bands: 分段 0–26 未覆盖“total”的全部可能值 0–27"),
        ("PHQ-9", ("bands", "ranges", 2, "severity"), "grave", "bands（moderate）.severity: 应为"),
        ("PHQ-9", ("bands", "score"), "sum", "bands.score: 没有名为“sum”的分数"),
        ("PHQ-9", ("flags", 0, "when", "items"), [99], "flags（suicidal_ideation）.when.items: 没有第 99 题"),
        ("PHQ-9", ("flags", 0, "when", "op"), "=>", "flags（suicidal_ideation）.when.op: 比较方式应为"),
        ("PHQ-9", ("flags", 0, "when", "score"), "total", "条件应恰好含"),
        ("PHQ-9", ("flags", 0, "when", "value"), {"setting": "upi_seventh_sense"}, "未知设置“upi_seventh_sense”"),
        (
            "PHQ-9",
            ("flags", 0, "when", "value"),
            {"setting": "scl90_factor_op"},
            "设置“scl90_factor_op”的类型（op）不能用在这里",
        ),
        ("UPI", ("indices", 0, "items"), [1, 2, 5], "indices[0]（total）.items: 第 5 题的角色是 lie，不计分"),
        ("UPI", ("indices", 0, "items"), [1, 2, 61], "第 61 题是辅助题，只能计数"),
        ("UPI", ("indices", 0, "items"), [1, 2, 64], "第 64 题没有分值，不能计分"),
        ("UPI", ("items", 63, "option_set"), "yes_no", "第 64 题.option_set: 文字题没有选项集"),
        ("UPI", ("items", 63, "reverse"), True, "第 64 题.reverse: 只有带分值的选择题才能反向计分"),
        (
            "UPI",
            ("classification", 2, "otherwise"),
            DELETE,
            "classification（class_3）: 最后一类（且只有最后一类）应为",
        ),
        ("UPI", ("classification", 0, "when_any"), [], "classification（class_1）.when_any: 至少需要一个条件"),
        ("UPI", ("classification", 1, "severity"), "medium", "classification（class_2）.severity"),
        (
            "UPI",
            ("classification", 0, "when_any", 3, "when_setting"),
            {"upi_item64_request": "class_9"},
            "upi_item64_request: 应为",
        ),
        ("UPI", ("classification", 0, "when_any", 3, "text_request"), 25, "text_request: 应为一道文字题的题号"),
        (
            "UPI",
            ("classification", 0, "when_any", 2, "item_op"),
            {"setting": "scl90_factor_op"},
            "item_op: 不能引用设置",
        ),
    ],
)
def test_bad_definitions_are_refused_saying_where_and_what(code, path, value, message):
    document = raw_document(code)
    set_at(document, path, value)

    with pytest.raises(DefinitionError) as caught:
        parse_definition(document)

    assert message in str(caught.value)


def test_an_option_set_no_item_uses_is_refused():
    document = raw_document("GAD-7")
    document["option_sets"].append({"code": "spare", "options": document["option_sets"][0]["options"]})

    with pytest.raises(DefinitionError, match="选项集“spare”: 没有题目使用它"):
        parse_definition(document)


def test_a_file_that_is_not_json_names_the_file_and_line(tmp_path):
    path = tmp_path / "mine.json"
    path.write_text('{\n  "format": "xinyu-instrument/1",\n  oops\n}', encoding="utf-8")

    with pytest.raises(DefinitionError, match=r"mine\.json: 不是有效的 JSON（第 3 行第 3 列）：属性名应写在双引号中"):
        load_definition_file(path)


def test_a_file_error_names_the_file(tmp_path):
    document = raw_document("GAD-7")
    document["items"][6]["option_set"] = "x"
    path = tmp_path / "gad.json"
    path.write_text(json.dumps(document), encoding="utf-8")

    with pytest.raises(DefinitionError, match=r"gad\.json: 第 7 题\.option_set: 未知选项集“x”"):
        load_definition_file(path)


# --- item texts from the college's licensed copy ------------------------------------------------------


def write_tsv(path, rows, header="number\ttext_zh\ttext_en"):
    path.write_text(header + "\n" + "\n".join("\t".join(map(str, row)) for row in rows) + "\n", encoding="utf-8")
    return path


def test_the_college_loads_scl90_texts_from_a_tab_separated_file(tmp_path, scl90):
    path = write_tsv(tmp_path / "scl90.tsv", [(n, f"题目{n}", f"Item {n}") for n in range(1, 91)])

    loaded = with_item_texts(scl90, read_item_texts(path))

    assert loaded.administrable
    assert loaded.item(90).text == Text("题目90", "Item 90")
    assert (loaded.subscales, loaded.indices, loaded.classification) == (
        scl90.subscales,
        scl90.indices,
        scl90.classification,
    )


def test_texts_as_json(tmp_path, scl90):
    path = tmp_path / "scl90.json"
    path.write_text(json.dumps({str(n): {"zh": f"题{n}"} for n in range(1, 91)}), encoding="utf-8")

    assert with_item_texts(scl90, read_item_texts(path)).item(1).text == Text("题1", "")


@pytest.mark.parametrize(
    "rows,message",
    [
        ([(n, f"题{n}") for n in range(1, 90)], "缺少第 90 题的文字（共缺 1 题）"),
        ([(n, f"题{n}") for n in range(1, 92)], "没有第 91 题"),
        ([(n, f"题{n}") for n in range(1, 91)] + [(3, "又一次")], "第 3 题重复"),
        (
            [(n, "" if n == 7 else f"题{n}") for n in range(1, 91)],
            "第 8 行（第 7 题）: 中文（zh）和英文（en）不能都为空",
        ),
        ([("一", "题")], "题号“一”不是数字"),
    ],
)
def test_bad_text_files_are_refused(tmp_path, scl90, rows, message):
    path = write_tsv(tmp_path / "texts.tsv", rows)

    with pytest.raises(DefinitionError) as caught:
        with_item_texts(scl90, read_item_texts(path))

    assert message in str(caught.value)


def test_a_text_file_needs_its_header(tmp_path, scl90):
    path = write_tsv(tmp_path / "texts.tsv", [(1, "题")], header="题号\t文字")

    with pytest.raises(DefinitionError, match="第 1 行: 表头应为"):
        read_item_texts(path)


def test_replacing_texts_that_are_there_must_be_asked_for(phq9):
    texts = {n: Text(f"新译文{n}") for n in range(1, 11)}

    with pytest.raises(DefinitionError, match="题目文字已经齐全"):
        with_item_texts(phq9, texts)
    assert with_item_texts(phq9, texts, replace=True).item(1).text.zh == "新译文1"
