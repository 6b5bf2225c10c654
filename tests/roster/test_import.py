"""The importer: exact rows created, idempotent re-import, updates of changed rows only, audit entries."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import valid_id_number
from tests.roster.conftest import table_counts
from tests.roster.files import (
    CLASS_A1,
    CLASS_A2,
    COLLEGE_A,
    STUDENT_HEADER,
    id_number,
    student,
    students_xlsx,
    three_students,
    write_xlsx,
)
from xinyu.accounts.models import User
from xinyu.audit.models import AuditEntry
from xinyu.audit.verify import verify_chain
from xinyu.common import crypto
from xinyu.org.models import ClassGroup, College, DormRoom, Guardian, School, Student
from xinyu.roster import importer

pytestmark = pytest.mark.django_db
NEW_NUMBERS = {"2025100001", "2025100002", "2025100003"}


def run(path, actor=None, **options):
    return importer.import_file(path, path.name, actor=actor, **options)


def world_numbers(world) -> set[str]:
    return set(Student.objects.values_list("student_number", flat=True))


def test_clean_import_creates_exactly_the_expected_rows(world, tmp_path):
    before = set(
        Student.objects.values_list("student_number", "name", "class_group__name", "dorm_room__room", "gender")
    )
    rooms_before = set(DormRoom.objects.values_list("building", "room", "gender"))

    plan = run(students_xlsx(tmp_path / "roster.xlsx", three_students()), world.cast["student_affairs"])

    assert plan.problems == []
    assert plan.counts["students"] == {"new": 3, "changed": 0, "unchanged": 0}
    assert set(
        Student.objects.values_list("student_number", "name", "class_group__name", "dorm_room__room", "gender")
    ) == before | {
        ("2025100001", "陈一", CLASS_A1, "101", "male"),
        ("2025100002", "林二", CLASS_A2, None, "male"),
        ("2025100003", "黄三", CLASS_A1, "301", "female"),
    }
    assert set(DormRoom.objects.values_list("building", "room", "gender")) == rooms_before | {
        ("3号楼", "301", "female")
    }
    assert plan.counts["new_dorm_rooms"] == ["3号楼 301 (女)"]
    first = Student.objects.get(student_number="2025100001")
    assert first.reveal_id_number() == id_number(101)
    assert first.id_number_digest == crypto.keyed_digest(id_number(101))
    assert first.date_of_birth == dt.date(2007, 3, 7)  # taken from the ID number
    assert first.status == Student.Status.ENROLLED
    assert first.phone == "13800000101"
    assert set(Guardian.objects.filter(student__student_number__in=NEW_NUMBERS).values_list("name", "phone")) == {
        ("陈一的父亲", "13900000101"),
        ("林二的父亲", "13900000102"),
        ("黄三的父亲", "13900000103"),
    }


def test_new_students_get_accounts_without_a_usable_password(world, tmp_path):
    run(students_xlsx(tmp_path / "roster.xlsx", three_students()))

    accounts = User.objects.filter(username__in=NEW_NUMBERS)
    assert {(u.username, u.full_name, u.kind, u.must_change_password) for u in accounts} == {
        ("2025100001", "陈一", "student", True),
        ("2025100002", "林二", "student", True),
        ("2025100003", "黄三", "student", True),
    }
    assert not any(user.has_usable_password() for user in accounts)
    assert set(Student.objects.filter(student_number__in=NEW_NUMBERS).values_list("user__username", flat=True)) == (
        NEW_NUMBERS
    )


def test_import_is_audited_in_the_chain(world, tmp_path):
    actor = world.cast["student_affairs"]
    run(students_xlsx(tmp_path / "roster.xlsx", three_students()), actor)

    entries = AuditEntry.objects.filter(what="student.import")
    assert {(e.student_number, e.action, e.actor_username) for e in entries} == {
        (number, AuditEntry.Action.IMPORT, actor.username) for number in NEW_NUMBERS
    }
    first = entries.get(student_number="2025100001")
    assert set(first.detail["fields"]) >= {"name", "gender", "id_number", "class_group", "dorm_room", "guardians"}
    assert first.detail["job"] is None
    assert verify_chain()[1] is None


def test_reimporting_the_same_file_writes_nothing(world, tmp_path):
    path = students_xlsx(tmp_path / "roster.xlsx", three_students())
    run(path, world.cast["student_affairs"])
    before = table_counts()

    with CaptureQueriesContext(connection) as queries:
        plan = run(path, world.cast["student_affairs"])

    assert plan.problems == []
    assert plan.counts["students"] == {"new": 0, "changed": 0, "unchanged": 3}
    assert plan.counts["new_accounts"] == 0
    assert table_counts() == before
    writes = [q["sql"] for q in queries if q["sql"].split()[0].upper() in {"INSERT", "UPDATE", "DELETE"}]
    assert writes == []


def test_a_changed_row_updates_only_that_student_and_audits_it(world, tmp_path):
    rows = three_students()
    run(students_xlsx(tmp_path / "first.xlsx", rows), world.cast["student_affairs"])
    untouched = {
        s.student_number: (s.name, s.phone, s.class_group_id, s.id_number_ciphertext)
        for s in Student.objects.exclude(student_number="2025100002")
    }
    rows[1] = {**rows[1], "手机": "13911112222", "班级": CLASS_A1, "监护人电话": "13700001111"}
    audit_before = AuditEntry.objects.count()

    plan = run(students_xlsx(tmp_path / "second.xlsx", rows), world.cast["student_affairs"])

    assert plan.counts["students"] == {"new": 0, "changed": 1, "unchanged": 2}
    changed = Student.objects.get(student_number="2025100002")
    assert (changed.phone, changed.class_group.name) == ("13911112222", CLASS_A1)
    assert changed.user.phone == "13911112222"
    assert list(changed.guardians.values_list("phone", flat=True)) == ["13700001111"]
    assert {
        s.student_number: (s.name, s.phone, s.class_group_id, s.id_number_ciphertext)
        for s in Student.objects.exclude(student_number="2025100002")
    } == untouched
    new_entries = AuditEntry.objects.order_by("id")[audit_before:]
    assert [(e.student_number, e.action, sorted(e.detail["fields"])) for e in new_entries] == [
        ("2025100002", AuditEntry.Action.UPDATE, ["class_group", "guardians", "phone"])
    ]


def test_an_existing_student_is_updated_by_student_number(world, tmp_path):
    row = student(
        "2025000003", "王五", 3, 学院="机电工程学院", 班级="机电2501班", 身份证号=valid_id_number(3), 宿舍楼="2号楼",
        寝室号="201", 监护人姓名="王五的母亲", 监护人关系="母亲", 监护人电话="13900000003", 手机="",
    )  # fmt: skip
    row["学籍状态"] = "休学"

    plan = run(students_xlsx(tmp_path / "roster.xlsx", [row]))

    assert plan.problems == [] and plan.conflicts == []
    # The world's student has no date of birth on file: the ID number's fills it in.
    assert [(c.obj.student_number, sorted(c.fields)) for c in plan.students] == [
        ("2025000003", ["date_of_birth", "status"])
    ]
    world.other_college.refresh_from_db()
    assert world.other_college.status == Student.Status.ON_LEAVE
    assert world.other_college.date_of_birth == dt.date(2005, 1, 1)
    assert world.other_college.phone == "13800000000"  # an empty cell leaves what is on file


def test_unknown_college_and_class_are_created_when_asked(world, tmp_path):
    rows = [
        student("2025100001", "陈一", 101, 学院="艺术设计学院", 班级="视觉2501班", 专业="视觉传达"),
        student("2025100002", "林二", 102, 班级="软件2502班", 宿舍楼="", 寝室号=""),
    ]
    path = students_xlsx(tmp_path / "roster.xlsx", rows)
    colleges_before = set(College.objects.values_list("name", flat=True))

    plan = run(path, create_missing=True)

    assert plan.problems == []
    assert plan.counts["new_colleges"] == ["艺术设计学院"]
    assert sorted(plan.counts["new_class_groups"]) == ["信息工程学院 软件2502班", "艺术设计学院 视觉2501班"]
    assert set(College.objects.values_list("name", flat=True)) == colleges_before | {"艺术设计学院"}
    created = ClassGroup.objects.get(name="视觉2501班")
    assert (created.college.name, created.enrolment_year, created.major) == ("艺术设计学院", 2025, "视觉传达")
    assert Student.objects.get(student_number="2025100002").class_group.college == world.college_a


def test_unknown_college_and_class_are_reported_without_create_missing(world, tmp_path):
    rows = [
        student("2025100001", "陈一", 101, 学院="艺术设计学院", 班级="视觉2501班"),
        student("2025100002", "林二", 102, 班级="软件2502班", 宿舍楼="", 寝室号=""),
    ]
    before = table_counts()

    plan = run(students_xlsx(tmp_path / "roster.xlsx", rows))

    assert {(p.row, p.column, p.value, p.code) for p in plan.problems} == {
        (2, "学院", "艺术设计学院", "unknown_college"),
        (3, "班级", "软件2502班", "unknown_class_group"),
    }
    assert table_counts() == before


def test_duplicate_student_numbers_in_the_file_report_both_rows(world, tmp_path):
    rows = [
        student("2025100001", "陈一", 101),
        student("2025100002", "林二", 102),
        student("2025100001", "陈一一", 103),
    ]
    before = table_counts()

    plan = run(students_xlsx(tmp_path / "roster.xlsx", rows))

    assert [(p.row, p.column, p.value, p.code) for p in plan.problems] == [
        (2, "学号", "2025100001", "duplicate"),
        (4, "学号", "2025100001", "duplicate"),
    ]
    assert "4" in plan.problems[0].reason and "2" in plan.problems[1].reason
    assert table_counts() == before


def test_duplicate_id_numbers_in_the_file_report_both_rows(world, tmp_path):
    same = id_number(101)
    rows = [student("2025100001", "陈一", 101), student("2025100002", "林二", 102, 身份证号=same)]

    plan = run(students_xlsx(tmp_path / "roster.xlsx", rows))

    assert [(p.row, p.column, p.code) for p in plan.problems] == [
        (2, "身份证号", "duplicate_id_number"),
        (3, "身份证号", "duplicate_id_number"),
    ]
    assert all(same not in p.value for p in plan.problems)  # never shown in clear


def test_no_school_is_a_clear_problem(db, tmp_path):
    plan = run(students_xlsx(tmp_path / "roster.xlsx", three_students()))

    assert [(p.row, p.code) for p in plan.problems] == [(None, "no_school")]
    assert not School.objects.exists() and not Student.objects.exists()


def test_dry_run_writes_nothing(world, tmp_path):
    before = table_counts()

    plan = run(students_xlsx(tmp_path / "roster.xlsx", three_students()), dry_run=True)

    assert plan.counts["students"]["new"] == 3
    assert table_counts() == before


def test_a_missing_required_column_is_reported_once(world, tmp_path):
    header = [column for column in STUDENT_HEADER if column != "班级"]
    path = write_xlsx(tmp_path / "roster.xlsx", {"学生": [header, ["2025100001", "陈一", "男"]]})

    plan = run(path)

    assert [(p.sheet, p.row, p.column, p.code) for p in plan.problems] == [("学生", 1, "班级", "missing_column")]


def test_a_college_name_typed_with_full_width_spaces_matches(world, tmp_path):
    rows = [student("2025100001", "陈一", 101, 学院=" 信息工程　学院 ", 班级="软件 2501班")]

    plan = run(students_xlsx(tmp_path / "roster.xlsx", rows))

    assert plan.problems == []
    assert Student.objects.get(student_number="2025100001").class_group == world.a1


def test_college_a_is_the_one_of_the_files(world):
    assert world.college_a.name == COLLEGE_A
