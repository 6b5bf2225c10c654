"""Every kind of bad row gives a problem at the right row and column, and nothing at all is written."""

import pytest

from tests.factories import ClassGroupFactory, valid_id_number
from tests.roster.conftest import table_counts
from tests.roster.files import (
    APPOINTMENT_HEADER,
    STAFF_HEADER,
    STUDENT_HEADER,
    id_number,
    rows_of,
    student,
    students_xlsx,
    write_xlsx,
)
from xinyu.roster import importer

pytestmark = pytest.mark.django_db
WRONG_CHECK_DIGIT = id_number(102)[:17] + ("1" if id_number(102)[17] != "1" else "2")


@pytest.mark.parametrize(
    ("overrides", "column", "code"),
    [
        ({"身份证号": WRONG_CHECK_DIGIT}, "身份证号", "id_number"),
        ({"身份证号": "33080220070230123"}, "身份证号", "id_number"),  # 17 characters
        ({"身份证号": "330802200702301238"}, "身份证号", "id_number"),  # 30 February
        ({"身份证号": 3.30802200703071e17}, "身份证号", "id_number_as_number"),
        ({"身份证号": valid_id_number(1)}, "身份证号", "id_number_taken"),  # the world's 张三
        ({"出生日期": "2007-02-30"}, "出生日期", "invalid_date"),
        ({"出生日期": "三月七日"}, "出生日期", "invalid_date"),
        ({"出生日期": "2006-03-07"}, "出生日期", "birth_date_mismatch"),
        ({"性别": "未知"}, "性别", "invalid_choice"),
        ({"学籍状态": "在逃"}, "学籍状态", "invalid_choice"),
        ({"姓名": "  "}, "姓名", "required"),
        ({"学号": "2025-0001"}, "学号", "invalid"),
        ({"学号": "T10001"}, "学号", "username_taken"),  # a staff member's sign-in name
        ({"手机": "打电话给我"}, "手机", "invalid_phone"),
        ({"入学年份": "明年"}, "入学年份", "invalid_year"),
        ({"寝室号": ""}, "寝室号", "required"),
        ({"性别": "女"}, "寝室号", "dorm_gender"),  # 1号楼 101 is a men's room
        ({"学院": "不存在学院"}, "学院", "unknown_college"),
        ({"班级": "不存在班"}, "班级", "unknown_class_group"),
        ({"班级": "机电2501班"}, "班级", "unknown_class_group"),  # a class of the other college
        ({"监护人姓名": ""}, "监护人姓名", "required"),
        ({"姓名": "陈" * 65}, "姓名", "too_long"),
    ],
)
def test_a_bad_row_is_reported_and_nothing_is_written(world, tmp_path, overrides, column, code):
    rows = [student("2025100001", "陈一", 101), student("2025100002", "林二", 102, **overrides)]
    path = students_xlsx(tmp_path / "roster.xlsx", rows)
    before = table_counts()

    plan = importer.import_file(path, path.name, actor=world.cast["student_affairs"])

    assert [(p.sheet, p.row, p.column, p.code) for p in plan.problems] == [("学生", 3, column, code)]
    assert plan.problems[0].reason
    assert table_counts() == before


def test_every_problem_of_the_file_is_reported_at_once(world, tmp_path):
    rows = [
        student("2025100001", "陈一", 101, 性别="?"),
        student("2025100002", "林二", 102),
        student("2025100003", "黄三", 103, 身份证号=WRONG_CHECK_DIGIT, 班级="不存在班"),
    ]

    plan = importer.import_file(students_xlsx(tmp_path / "r.xlsx", rows), "r.xlsx")

    assert [(p.row, p.column, p.code) for p in plan.problems] == [
        (2, "性别", "invalid_choice"),
        (4, "身份证号", "id_number"),
        (4, "班级", "unknown_class_group"),  # checked against the records although the row has a problem
    ]


def test_problems_never_show_an_id_number_in_clear(world, tmp_path):
    rows = [student("2025100001", "陈一", 101, 身份证号=WRONG_CHECK_DIGIT)]

    plan = importer.import_file(students_xlsx(tmp_path / "r.xlsx", rows), "r.xlsx")

    assert plan.problems[0].value == WRONG_CHECK_DIGIT[:3] + "*" * 11 + WRONG_CHECK_DIGIT[-4:]


def _people(tmp_path, staff: list[list], appointments: list[list], students: list[dict] = ()):
    return write_xlsx(
        tmp_path / "people.xlsx",
        {
            "学生": [STUDENT_HEADER, *rows_of(list(students), STUDENT_HEADER)],
            "教职工": [STAFF_HEADER, *staff],
            "任职": [APPOINTMENT_HEADER, *appointments],
        },
    )


@pytest.mark.parametrize(
    ("appointment", "column", "code"),
    [
        (["T99999", "班主任", "软件2501班", "2025-09-01", ""], "工号或学号", "unknown_person"),
        (["T20001", "校长", "学校", "2025-09-01", ""], "岗位", "invalid_choice"),
        (["T20001", "班主任", "不存在班", "2025-09-01", ""], "范围", "unknown_scope"),
        (["T20001", "心理辅导员", "不存在学院", "2025-09-01", ""], "范围", "unknown_scope"),
        (["T20001", "学工部工作人员", "宣传部", "2025-09-01", ""], "范围", "unknown_scope"),
        (["T20001", "寝室长", "1号楼 101", "2025-09-01", ""], "岗位", "invalid_appointment"),  # staff
        (["2025000001", "班主任", "软件2501班", "2025-09-01", ""], "岗位", "invalid_appointment"),
        (["T20001", "班主任", "软件2501班", "2025-09-01", "2025-08-01"], "结束日期", "ends_before_start"),
        (["T20001", "领导小组成员", "机电工程学院", "2025-09-01", ""], "范围", "unknown_scope"),
    ],
)
def test_a_bad_appointment_is_reported_and_nothing_is_written(world, tmp_path, appointment, column, code):
    path = _people(tmp_path, [["T20001", "李老师", "13700000000", "", ""]], [appointment])
    before = table_counts()

    plan = importer.import_file(path, path.name)

    assert [(p.sheet, p.row, p.column, p.code) for p in plan.problems] == [("任职", 2, column, code)]
    assert table_counts() == before


def test_a_staff_number_that_is_a_students_sign_in_name(world, tmp_path):
    path = _people(tmp_path, [["2025000001", "张老师", "", "", ""]], [])

    plan = importer.import_file(path, path.name)

    assert [(p.sheet, p.row, p.column, p.code) for p in plan.problems] == [("教职工", 2, "工号", "username_taken")]


def test_a_staff_number_that_is_also_a_student_number_in_the_file(world, tmp_path):
    path = _people(tmp_path, [["2025100001", "陈老师", "", "", ""]], [], [student("2025100001", "陈一", 101)])

    plan = importer.import_file(path, path.name)

    assert [(p.sheet, p.row, p.code) for p in plan.problems] == [("教职工", 2, "username_taken")]


def test_a_class_name_two_colleges_share_must_name_the_college(world, tmp_path):

    ClassGroupFactory(college=world.college_b, name="软件2501班")
    ambiguous = ["T20001", "班主任", "软件2501班", "2025-09-01", ""]
    named = ["T20001", "班主任", "信息工程学院/软件2501班", "2025-09-01", ""]

    actor = world.cast["student_affairs"]
    plan = importer.import_file(
        _people(tmp_path, [["T20001", "李老师", "", "", ""]], [ambiguous]), "people.xlsx", actor=actor
    )
    assert [(p.row, p.code) for p in plan.problems] == [(2, "ambiguous_scope")]

    plan = importer.import_file(
        _people(tmp_path, [["T20001", "李老师", "", "", ""]], [named]), "people.xlsx", actor=actor
    )
    assert plan.problems == []


def test_a_repeated_student_number_is_reported_also_when_the_other_row_has_a_problem(world, tmp_path):
    rows = [student("2025100001", "陈一", 101), student("2025100001", "陈一一", 102, 性别="?")]

    plan = importer.import_file(students_xlsx(tmp_path / "r.xlsx", rows), "r.xlsx")

    assert [(p.row, p.column, p.code) for p in plan.problems] == [
        (2, "学号", "duplicate"),
        (3, "性别", "invalid_choice"),
        (3, "学号", "duplicate"),
    ]
