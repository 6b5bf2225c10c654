"""Real-world spreadsheets: each kind of mess is cleaned, end to end through a real file."""

import datetime as dt

import pytest
from openpyxl.utils.datetime import to_excel

from tests.factories import valid_id_number
from tests.roster.files import STUDENT_HEADER, rows_of, student, students_xlsx, write_csv, write_xlsx
from xinyu.org.models import Guardian, Student
from xinyu.roster import cells, importer

pytestmark = pytest.mark.django_db
BIRTH = dt.date(2007, 3, 7)


def import_one(tmp_path, **overrides):
    """Import one student (number 2025100001 unless overridden) and return the stored student."""
    row = student("2025100001", "陈一", 101, **overrides)
    path = students_xlsx(tmp_path / "roster.xlsx", [row])
    plan = importer.import_file(path, path.name)
    assert plan.problems == []
    return Student.objects.get(name=cells.name_text(row["姓名"]))


@pytest.mark.parametrize(
    ("cell", "stored"),
    [
        ("２０２５１０００１１", "2025100011"),  # full-width digits from a Chinese input method
        (" 2025100011\u3000", "2025100011"),  # stray and full-width spaces
        ("2025 1000 11", "2025100011"),
        ("0012345", "0012345"),  # leading zeros kept when the cell is text
        (2025100011, "2025100011"),  # a number cell
        (2025100011.0, "2025100011"),  # a number cell read back as a float
        ("2025100011.0", "2025100011"),  # a number turned into text by Excel
        ("2.025100011E+09", "2025100011"),  # scientific notation as text
    ],
)
def test_student_number_is_cleaned(world, tmp_path, cell, stored):
    assert import_one(tmp_path, 学号=cell).student_number == stored


@pytest.mark.parametrize(
    "cell",
    [
        BIRTH,  # a real date cell
        dt.datetime(2007, 3, 7, 0, 0),
        to_excel(BIRTH),  # an Excel serial number in a number cell
        str(int(to_excel(BIRTH))),  # the serial number as text
        "2007/3/7",
        "2007-03-07",
        "2007.3.7",
        "20070307",
        "2007年3月7日",
        "2007-03-07 00:00:00",
        "２００７－０３－０７",
    ],
)
def test_dates_are_read_in_every_form(world, tmp_path, cell):
    assert import_one(tmp_path, 出生日期=cell).date_of_birth == BIRTH


@pytest.mark.parametrize(
    ("cell", "stored"),
    [
        (13800001234, "13800001234"),
        (13800001234.0, "13800001234"),
        ("138-0000-1234", "13800001234"),
        ("１３８ ０００ ０１２３４", "13800001234"),
    ],
)
def test_phone_numbers_are_kept_as_text(world, tmp_path, cell, stored):
    assert import_one(tmp_path, 手机=cell).phone == stored


def test_names_and_labels_lose_stray_whitespace(world, tmp_path):
    stored = import_one(tmp_path, 姓名=" 陈　一 ", 班级=" 软件2501班  ", 监护人姓名=" 陈　大 ")
    assert (stored.name, stored.class_group, stored.user.full_name) == ("陈一", world.a1, "陈一")
    assert Guardian.objects.get(student=stored).name == "陈大"


@pytest.mark.parametrize(("cell", "year"), [(2025, 2025), (2025.0, 2025), ("2025级", 2025), ("２０２５", 2025)])
def test_enrolment_year_in_every_form(world, tmp_path, cell, year):
    assert import_one(tmp_path, 入学年份=cell).enrolment_year == year


@pytest.mark.parametrize(
    ("cell", "gender"), [("男", "male"), ("女 ", "female"), ("male", "male"), ("Female", "female")]
)
def test_gender_words(world, tmp_path, cell, gender):
    assert import_one(tmp_path, 性别=cell, 宿舍楼="", 寝室号="").gender == gender


@pytest.mark.parametrize(
    ("cell", "status"),
    [
        ("在读", "enrolled"),
        ("休学", "on_leave"),
        ("毕业", "graduated"),
        ("退学", "withdrawn"),
        ("开除", "dismissed"),
        ("", "enrolled"),
    ],
)
def test_status_words(world, tmp_path, cell, status):
    assert import_one(tmp_path, 学籍状态=cell).status == status


def test_id_number_with_a_small_x_and_spaces(world, tmp_path):
    number = next(
        valid_id_number(n, birth="20070307") for n in range(1, 100) if valid_id_number(n, "20070307")[-1] == "X"
    )
    stored = import_one(tmp_path, 身份证号=" " + number[:6] + " " + number[6:].lower())
    assert stored.reveal_id_number() == number


def test_empty_trailing_rows_are_ignored(world, tmp_path):
    rows = rows_of([student("2025100001", "陈一", 101)], STUDENT_HEADER)
    path = write_xlsx(tmp_path / "roster.xlsx", {"学生": [STUDENT_HEADER, *rows, [None] * 16, ["", " ", "\u3000"], []]})

    plan = importer.import_file(path, path.name)

    assert plan.problems == [] and plan.counts["students"]["new"] == 1


def test_an_empty_row_between_rows_keeps_excel_row_numbers(world, tmp_path):
    good, bad = student("2025100001", "陈一", 101), student("2025100002", "林二", 102, 性别="未知")
    path = write_xlsx(
        tmp_path / "roster.xlsx",
        {"学生": [STUDENT_HEADER, *rows_of([good], STUDENT_HEADER), [], *rows_of([bad], STUDENT_HEADER)]},
    )

    plan = importer.import_file(path, path.name)

    assert [(p.row, p.column) for p in plan.problems] == [(4, "性别")]


def test_header_synonyms_and_spaces_inside_headers(world, tmp_path):
    header = ["学 号", "姓名", "性　别", "入学年份", "二级学院", "行政班", "手机号码*", "出生日期（年-月-日）"]
    path = write_xlsx(
        tmp_path / "roster.xlsx",
        {
            "Sheet1": [
                header,
                ["2025100001", "陈一", "男", "2025", "信息工程学院", "软件2501班", "13800000001", "2007-03-07"],
            ]
        },
    )

    plan = importer.import_file(path, path.name)

    assert plan.problems == []
    stored = Student.objects.get(student_number="2025100001")
    assert (stored.class_group, stored.phone, stored.date_of_birth) == (world.a1, "13800000001", BIRTH)


def test_a_merged_title_row_and_a_two_row_header(world, tmp_path):
    """Row 1: a title merged across the sheet. Rows 2-3: 监护人 merged over 姓名/关系/电话, the other
    headers merged down over both rows (Excel keeps a merged cell's value in its first cell only)."""
    top = ["学号", "姓名", "性别", "入学年份", "学院", "班级", "监护人", None, None]
    below = [None, None, None, None, None, None, "姓名", "关系", "电话"]
    data = ["2025100001", "陈一", "男", 2025, "信息工程学院", "软件2501班", "陈大", "父亲", "13900000001"]
    path = write_xlsx(tmp_path / "roster.xlsx", {"学生": [["2025级新生名单（信息工程学院）"], top, below, data]})

    plan = importer.import_file(path, path.name)

    assert plan.problems == []
    stored = Student.objects.get(student_number="2025100001")
    assert list(stored.guardians.values_list("name", "relation", "phone")) == [("陈大", "父亲", "13900000001")]


def test_a_csv_saved_by_excel_on_chinese_windows(world, tmp_path):
    rows = rows_of([student("2025100001", "陈一", 101)], STUDENT_HEADER)
    path = write_csv(tmp_path / "学生名单.csv", [STUDENT_HEADER, *rows], encoding="gbk")

    plan = importer.import_file(path, path.name)

    assert plan.problems == []
    assert Student.objects.get(student_number="2025100001").name == "陈一"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_encodings(world, tmp_path, encoding):
    rows = rows_of([student("2025100001", "陈一", 101)], STUDENT_HEADER)
    path = write_csv(tmp_path / "roster.csv", [STUDENT_HEADER, *rows], encoding=encoding)
    assert importer.import_file(path, path.name).problems == []


def test_the_dorm_as_one_column(world, tmp_path):
    header = ["学号", "姓名", "性别", "入学年份", "学院", "班级", "宿舍"]
    path = write_xlsx(
        tmp_path / "r.xlsx",
        {"学生": [header, ["2025100001", "陈一", "男", 2025, "信息工程学院", "软件2501班", "1号楼 101"]]},
    )

    assert importer.import_file(path, path.name).problems == []
    assert Student.objects.get(student_number="2025100001").dorm_room == world.r1
