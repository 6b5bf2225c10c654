"""The three kinds of roster sheet, their columns, and the header names colleges actually use."""

import re
import unicodedata
from dataclasses import dataclass

STUDENTS = "students"
STAFF = "staff"
APPOINTMENTS = "appointments"


@dataclass(frozen=True)
class Column:
    field: str
    header: str  # the name the template writes
    synonyms: tuple[str, ...] = ()
    required: bool = False


@dataclass(frozen=True)
class SheetKind:
    kind: str
    sheet_name: str  # the name the template writes
    sheet_synonyms: tuple[str, ...]
    columns: tuple[Column, ...]

    @property
    def required(self) -> list[Column]:
        return [column for column in self.columns if column.required]

    def column(self, field: str) -> Column:
        return next(column for column in self.columns if column.field == field)


STUDENT_SHEET = SheetKind(
    STUDENTS,
    "学生",
    ("学生名单", "学生信息", "学生花名册", "花名册"),
    (
        Column("student_number", "学号", ("学生学号", "学籍号"), required=True),
        Column("name", "姓名", ("学生姓名",), required=True),
        Column("gender", "性别", (), required=True),
        Column("date_of_birth", "出生日期", ("出生年月日", "出生年月", "生日")),
        Column("id_number", "身份证号", ("身份证号码", "身份证", "公民身份号码", "证件号码")),
        Column("enrolment_year", "入学年份", ("入学年度", "入学年", "年级"), required=True),
        Column("status", "学籍状态", ("学籍", "状态", "在读状态")),
        Column("college", "学院", ("二级学院", "所在学院", "院系", "学院名称"), required=True),
        Column("class_group", "班级", ("行政班", "行政班级", "班级名称", "所在班级"), required=True),
        Column("major", "专业", ("专业名称", "所学专业")),
        Column("building", "宿舍楼", ("楼栋", "宿舍楼栋", "楼号", "公寓楼")),
        Column("room", "寝室号", ("寝室", "宿舍号", "房间号", "寝室房号")),
        Column("dorm", "宿舍", ("住宿", "宿舍楼及寝室号")),
        Column("phone", "手机", ("手机号", "手机号码", "学生手机", "联系电话", "本人电话")),
        Column("guardian_name", "监护人姓名", ("家长姓名", "紧急联系人", "紧急联系人姓名")),
        Column("guardian_relation", "监护人关系", ("与学生关系", "关系", "家长关系", "紧急联系人关系")),
        Column("guardian_phone", "监护人电话", ("家长电话", "监护人手机", "家长手机", "紧急联系人电话")),
    ),
)
STAFF_SHEET = SheetKind(
    STAFF,
    "教职工",
    ("教师", "教职工名单", "教师名单", "老师"),
    (
        Column("username", "工号", ("教工号", "职工号", "教师工号"), required=True),
        Column("name", "姓名", ("教师姓名",), required=True),
        Column("phone", "手机", ("手机号", "手机号码", "联系电话")),
        Column("email", "邮箱", ("电子邮箱", "电子邮件", "email", "e-mail")),
        Column("left_on", "离职日期", ("离校日期",)),
    ),
)
APPOINTMENT_SHEET = SheetKind(
    APPOINTMENTS,
    "任职",
    ("岗位", "任职名单", "岗位任职"),
    (
        Column("username", "工号或学号", ("工号/学号", "学号或工号", "工号", "学号", "人员编号"), required=True),
        Column("post", "岗位", ("职务", "岗位名称"), required=True),
        Column("scope", "范围", ("任职范围", "负责范围", "所在单位"), required=True),
        Column("starts_on", "开始日期", ("任职日期", "起始日期", "开始时间")),
        Column("ends_on", "结束日期", ("截止日期", "卸任日期", "结束时间")),
    ),
)
SHEET_KINDS = {sheet.kind: sheet for sheet in (STUDENT_SHEET, STAFF_SHEET, APPOINTMENT_SHEET)}

# The template's example rows. A row with a cell marked （示例） is an example and is skipped on import,
# so a template filled in below its examples imports as it is.
EXAMPLES = {
    STUDENTS: {
        "student_number": "2025010001",
        "name": "张三（示例）",
        "gender": "男",
        "date_of_birth": "2007-03-07",
        "enrolment_year": "2025",
        "status": "在读",
        "college": "信息工程学院",
        "class_group": "软件2501班",
        "major": "软件技术",
        "building": "1号楼",
        "room": "101",
        "phone": "13800000000",
        "guardian_name": "张建国",
        "guardian_relation": "父亲",
        "guardian_phone": "13900000000",
    },
    STAFF: {"username": "T20001", "name": "李老师（示例）", "phone": "13700000000", "email": "li@example.edu.cn"},
    APPOINTMENTS: {"username": "T20001", "post": "班主任", "scope": "软件2501班（示例）", "starts_on": "2025-09-01"},
}


NOTES = re.compile(r"\(.*?\)|\[.*?\]|[*＊:：]")


def header_key(value) -> str:
    """A header cell for matching: full-width forms folded, spaces, notes in brackets and * removed.
    "性 别", "学号*" and "出生日期（YYYY-MM-DD）" match 性别, 学号 and 出生日期."""
    if value is None:
        return ""
    folded = unicodedata.normalize("NFKC", str(value))
    return "".join(NOTES.sub("", folded).split()).lower()


def _index(sheet: SheetKind) -> dict[str, str]:
    keys = {}
    for column in sheet.columns:
        for name in (column.header, *column.synonyms):
            keys[header_key(name)] = column.field
    return keys


HEADER_KEYS = {kind: _index(sheet) for kind, sheet in SHEET_KINDS.items()}
SHEET_NAME_KEYS = {
    header_key(name): sheet.kind for sheet in SHEET_KINDS.values() for name in (sheet.sheet_name, *sheet.sheet_synonyms)
}


@dataclass
class HeaderMatch:
    kind: str
    fields: dict[str, int]  # field → column index
    labels: dict[str, str]  # field → the header as written in the file
    duplicates: list[tuple[str, str]]  # (header, the header it repeats)
    ignored: list[str]  # headers that are not ours
    rows: int  # 1 or 2: how many rows the header takes

    @property
    def missing(self) -> list[Column]:
        return [column for column in SHEET_KINDS[self.kind].required if column.field not in self.fields]

    @property
    def score(self) -> tuple[bool, int, int]:
        missing = len(self.missing)
        return (missing == 0, len(SHEET_KINDS[self.kind].required) - missing, len(self.fields))


def match_header(kind: str, candidates: list[list[str]], rows: int) -> HeaderMatch:
    """Match a header row. Each column offers candidate labels, best first (for a two-row header:
    parent + child, then child, then parent)."""
    keys = HEADER_KEYS[kind]
    fields, labels, duplicates, ignored = {}, {}, [], []
    for index, options in enumerate(candidates):
        field = next((keys[header_key(label)] for label in options if header_key(label) in keys), None)
        label = next((label for label in options if header_key(label) in keys), options[0] if options else "")
        if field is None:
            if label and label.strip():
                ignored.append(label.strip())
        elif field in fields:
            duplicates.append((label, labels[field]))
        else:
            fields[field], labels[field] = index, label.strip()
    return HeaderMatch(kind, fields, labels, duplicates, ignored, rows)


def _cell(value) -> str:
    return "" if value is None else unicodedata.normalize("NFKC", str(value)).strip()


def header_candidates(top: tuple, below: tuple | None) -> list[list[str]]:
    """Labels for each column of a one-row header (below=None) or a two-row header with merged cells.

    Excel keeps a merged cell's value in its first cell only: 监护人 merged over three columns has
    姓名/关系/电话 under it, so the parent label is carried to the right while the row below has labels.
    """
    if below is None:
        return [[_cell(value)] for value in top]
    width = max(len(top), len(below))
    top = tuple(top) + (None,) * (width - len(top))
    below = tuple(below) + (None,) * (width - len(below))
    result, carried = [], ""
    for parent_value, child_value in zip(top, below, strict=True):
        parent, child = _cell(parent_value), _cell(child_value)
        if parent:
            carried = parent
        elif child:
            parent = carried
        else:
            carried = ""
        options = [parent + child, child, parent] if parent and child and parent != child else [parent or child]
        result.append(options)
    return result


def find_header(head: list[tuple], kinds: list[str]) -> tuple[int, HeaderMatch] | None:
    """The best header among the first rows, for one of `kinds`: (index of its first row, match).
    A title row merged across the top is skipped; a two-row header is recognised."""
    best = None
    for index, row in enumerate(head):
        options = [(header_candidates(row, None), 1)]
        if index + 1 < len(head):
            options.append((header_candidates(row, head[index + 1]), 2))
        for candidates, rows in options:
            for kind in kinds:
                found = match_header(kind, candidates, rows)
                if not found.fields:
                    continue
                rank = (found.score, -len(found.duplicates), -rows, -index)
                if best is None or rank > best[0]:
                    best = (rank, index, found)
    if best is None:
        return None
    return best[1], best[2]
