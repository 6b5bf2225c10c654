"""Staff accounts and appointments from the 教职工 and 任职 sheets."""

import datetime as dt

import pytest

from tests.roster.conftest import table_counts
from tests.roster.files import APPOINTMENT_HEADER, STAFF_HEADER, STUDENT_HEADER, rows_of, student, write_xlsx
from xinyu.accounts.models import User
from xinyu.audit.models import AuditEntry
from xinyu.grants.posts import confirm_grant
from xinyu.org import scope
from xinyu.org.models import Appointment, Post
from xinyu.roster import importer

pytestmark = pytest.mark.django_db
STAFF = [
    ["T20001", "李老师", "13700000001", "li@example.edu.cn", ""],
    ["T10001", "孙班主任", "13700000002", "", ""],  # already in the world, phone added
]
APPOINTMENTS = [
    ["T20001", "班主任", "网络2501班", "2025-09-01", ""],
    ["T20001", "辅导员", "信息工程学院/软件2501班", "2025-09-01", "2026-07-01"],
    ["T20002", "心理辅导员", "机电工程学院", "2025-09-01", ""],
    ["2025100001", "寝室长", "3号楼 301", "2025-09-01", ""],  # a room this import creates
    ["T20001", "学工部工作人员", "学工部", "2025-09-01", ""],
]


def workbook(tmp_path, staff=STAFF, appointments=APPOINTMENTS):
    students = [student("2025100001", "陈一", 101, 宿舍楼="3号楼", 寝室号="301")]
    return write_xlsx(
        tmp_path / "people.xlsx",
        {
            "学生": [STUDENT_HEADER, *rows_of(students, STUDENT_HEADER)],
            "教职工": [STAFF_HEADER, *staff, ["T20002", "马老师", "", "", ""]],
            "任职": [APPOINTMENT_HEADER, *appointments],
        },
    )


def appointment_rows():
    return set(
        Appointment.objects.filter(starts_on=dt.date(2025, 9, 1)).values_list(
            "person__username", "post", "class_group__name", "college__name", "department__name",
            "dorm_room__room", "ends_on",
        )
    )  # fmt: skip


def test_staff_and_appointments_are_created(world, tmp_path):
    plan = importer.import_file(workbook(tmp_path), "people.xlsx", actor=world.cast["student_affairs"])

    assert plan.problems == []
    assert plan.counts["staff"] == {"new": 2, "changed": 1, "unchanged": 0}
    assert plan.counts["appointments"] == {"new": 5, "changed": 0, "unchanged": 0}
    new_staff = User.objects.filter(username__in=["T20001", "T20002"])
    assert {(u.username, u.full_name, u.kind, u.email, u.must_change_password) for u in new_staff} == {
        ("T20001", "李老师", "staff", "li@example.edu.cn", True),
        ("T20002", "马老师", "staff", "", True),
    }
    assert not any(user.has_usable_password() for user in new_staff)
    assert User.objects.get(username="T10001").phone == "13700000002"
    assert appointment_rows() == {
        ("T20001", Post.HEAD_TEACHER, "网络2501班", None, None, None, None),
        ("T20001", Post.ADVISOR, "软件2501班", None, None, None, dt.date(2026, 7, 1)),
        ("T20002", Post.MENTAL_HEALTH_ADVISOR, None, "机电工程学院", None, None, None),
        ("2025100001", Post.DORM_LEADER, None, None, None, "301", None),
        ("T20001", Post.STUDENT_AFFAIRS_STAFF, None, None, "学工部", None, None),
    }
    assert {(e.action, e.detail["username"]) for e in AuditEntry.objects.filter(what="staff.import")} == {
        ("import", "T20001"),
        ("import", "T20002"),
        ("update", "T10001"),
    }
    grants = AuditEntry.objects.filter(what="org.appointment.grant")
    assert {(e.actor_username, e.detail["person"], e.detail["status"], e.detail["job"]) for e in grants} == {
        ("T10009", "T20001", "active", None),
        ("T10009", "2025100001", "active", None),
        ("T10009", "T20002", "pending", None),  # T3: waits for the centre's supervisor
    }
    assert grants.count() == 5
    assert not scope.students_for(User.objects.get(username="T20002")).exists()


def test_an_imported_appointment_grants_what_the_post_grants(world, tmp_path):
    importer.import_file(workbook(tmp_path), "people.xlsx", actor=world.cast["student_affairs"])

    head_teacher = User.objects.get(username="T20001")
    assert world.other_class in scope.students_for(head_teacher)


def test_reimporting_appointments_changes_nothing(world, tmp_path):
    path = workbook(tmp_path)
    importer.import_file(path, path.name, actor=world.cast["student_affairs"])
    before = table_counts()

    plan = importer.import_file(path, path.name, actor=world.cast["student_affairs"])

    assert plan.counts["appointments"] == {"new": 0, "changed": 0, "unchanged": 5}
    assert plan.counts["staff"] == {"new": 0, "changed": 0, "unchanged": 3}
    assert table_counts() == before


def test_an_end_date_ends_the_appointment(world, tmp_path):
    importer.import_file(workbook(tmp_path), "people.xlsx", actor=world.cast["student_affairs"])
    confirm_grant(Appointment.objects.get(person__username="T20002"), by=world.cast["supervisor"])
    ended = [*APPOINTMENTS[:2], ["T20002", "心理辅导员", "机电工程学院", "2025-09-01", "2026-01-31"], *APPOINTMENTS[3:]]

    plan = importer.import_file(
        workbook(tmp_path, appointments=ended), "people.xlsx", actor=world.cast["student_affairs"]
    )

    assert plan.counts["appointments"] == {"new": 0, "changed": 1, "unchanged": 4}
    assert Appointment.objects.get(person__username="T20002").ends_on == dt.date(2026, 1, 31)
    entry = AuditEntry.objects.filter(what="org.appointment.end").get()
    assert (entry.actor_username, entry.detail["person"], entry.detail["ends_on"]) == ("T10009", "T20002", "2026-01-31")


def test_an_appointment_without_a_start_date_matches_the_one_in_force(world, tmp_path):
    rows = [["T10001", "班主任", "软件2501班", "", ""]]  # the world's head teacher of A1, appointed today
    before = table_counts()

    plan = importer.import_file(
        workbook(tmp_path, staff=[STAFF[1]], appointments=rows), "people.xlsx", actor=world.cast["student_affairs"]
    )

    assert plan.counts["appointments"] == {"new": 0, "changed": 0, "unchanged": 1}
    assert Appointment.objects.count() == before["Appointment"]


def test_posts_are_imported_only_by_someone_who_may_grant_them(world, tmp_path):
    nobody = importer.import_file(workbook(tmp_path), "people.xlsx")
    assert {(p.row, p.code) for p in nobody.problems} == {(row, "not_allowed") for row in range(2, 7)}
    mine = [["T10009", "心理辅导员", "信息工程学院", "2025-09-01", ""], ["T20002", "中心督导", "学校", "", ""]]
    plan = importer.import_file(
        workbook(tmp_path, appointments=mine), "people.xlsx", actor=world.cast["student_affairs"]
    )
    assert [(p.row, p.code) for p in plan.problems] == [(2, "not_allowed"), (3, "not_allowed")]
    assert not Appointment.objects.filter(person__username__in=["T10009", "T20002"], starts_on=dt.date(2025, 9, 1))


def test_an_import_never_extends_a_post(world, tmp_path):
    importer.import_file(workbook(tmp_path), "people.xlsx", actor=world.cast["student_affairs"])
    longer = [APPOINTMENTS[0], ["T20001", "辅导员", "信息工程学院/软件2501班", "2025-09-01", "2027-07-01"]]
    plan = importer.import_file(
        workbook(tmp_path, appointments=longer), "people.xlsx", actor=world.cast["student_affairs"]
    )
    assert [(p.row, p.code) for p in plan.problems] == [(3, "extends_post")]
    assert Appointment.objects.get(person__username="T20001", post=Post.ADVISOR).ends_on == dt.date(2026, 7, 1)


def test_a_post_waiting_for_confirmation_is_not_ended_by_an_import(world, tmp_path):
    importer.import_file(workbook(tmp_path), "people.xlsx", actor=world.cast["student_affairs"])
    ended = [*APPOINTMENTS[:2], ["T20002", "心理辅导员", "机电工程学院", "2025-09-01", "2026-01-31"], *APPOINTMENTS[3:]]
    plan = importer.import_file(
        workbook(tmp_path, appointments=ended), "people.xlsx", actor=world.cast["student_affairs"]
    )
    assert [(p.row, p.code) for p in plan.problems] == [(4, "pending_post")]
