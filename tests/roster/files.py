"""Building roster files for tests: real .xlsx and .csv files in tmp_path."""

import csv
from pathlib import Path

import openpyxl

from xinyu.org.id_numbers import check_digit

STUDENT_HEADER = [
    "学号", "姓名", "性别", "出生日期", "身份证号", "入学年份", "学籍状态", "学院", "班级", "专业",
    "宿舍楼", "寝室号", "手机", "监护人姓名", "监护人关系", "监护人电话",
]  # fmt: skip
STAFF_HEADER = ["工号", "姓名", "手机", "邮箱", "离职日期"]
APPOINTMENT_HEADER = ["工号或学号", "岗位", "范围", "开始日期", "结束日期"]

# In the `world` of tests/conftest.py: college A 信息工程学院 with 软件2501班 and 网络2501班, college B
# 机电工程学院 with 机电2501班, and room 1号楼 101 for men.
COLLEGE_A, CLASS_A1, CLASS_A2 = "信息工程学院", "软件2501班", "网络2501班"


def id_number(serial: int, gender: str = "男", birth: str = "20070307") -> str:
    """A valid ID number, one per serial (below 500), whose 17th digit says the gender: odd for men."""
    sequence = f"{serial // 5 % 100:02d}{serial % 5 * 2 + (gender == '男')}"
    first17 = f"330802{birth}{sequence}"
    return first17 + check_digit(first17)


def student(number: str, name: str, serial: int, **overrides) -> dict:
    gender = overrides.get("性别", "男")
    row = {
        "学号": number,
        "姓名": name,
        "性别": gender,
        "出生日期": "",
        "身份证号": id_number(serial, "女" if str(gender).strip().lower() in {"女", "女性", "female", "f"} else "男"),
        "入学年份": "2025",
        "学籍状态": "在读",
        "学院": COLLEGE_A,
        "班级": CLASS_A1,
        "专业": "软件技术",
        "宿舍楼": "1号楼",
        "寝室号": "101",
        "手机": f"1380000{serial:04d}",
        "监护人姓名": f"{name}的父亲",
        "监护人关系": "父亲",
        "监护人电话": f"1390000{serial:04d}",
    }
    row.update(overrides)
    return row


def three_students() -> list[dict]:
    return [
        student("2025100001", "陈一", 101),
        student("2025100002", "林二", 102, 班级=CLASS_A2, 宿舍楼="", 寝室号=""),
        student("2025100003", "黄三", 103, 性别="女", 宿舍楼="3号楼", 寝室号="301"),
    ]


def rows_of(dicts: list[dict], header: list[str]) -> list[list]:
    return [[row.get(column, "") for column in header] for row in dicts]


def write_xlsx(path: Path, sheets: dict[str, list[list]]) -> Path:
    """Each sheet: a list of rows, the first being the header (or whatever the test puts there)."""
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    workbook.save(path)
    return path


def students_xlsx(path: Path, students: list[dict], *, header=STUDENT_HEADER) -> Path:
    return write_xlsx(path, {"学生": [header, *rows_of(students, header)]})


def write_csv(path: Path, rows: list[list], *, encoding: str = "utf-8-sig") -> Path:
    with path.open("w", encoding=encoding, newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


def read_xlsx(content: bytes, tmp_path: Path) -> list[list]:
    path = tmp_path / "download.xlsx"
    path.write_bytes(content)
    workbook = openpyxl.load_workbook(path)
    return [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]


def large_roster(path: Path, rows: int, *, college: str = COLLEGE_A, class_group: str = CLASS_A1) -> Path:
    """`rows` new students (学号 2026000000 on) in one class, no dorm: a file that takes seconds to import.
    Written in openpyxl's streaming mode, so a test makes tens of thousands of rows in a second or two."""
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("学生")
    sheet.append(["学号", "姓名", "性别", "身份证号", "入学年份", "学院", "班级", "手机"])
    for i in range(rows):
        first17 = f"{330000 + i // 1000}20070307{i % 1000:03d}"
        gender = "男" if i % 2 else "女"
        sheet.append([f"2026{i:06d}", f"学生{i}", gender, first17 + check_digit(first17), 2026, college, class_group,
                      f"139{i:08d}"])  # fmt: skip
    workbook.save(path)
    return path
