"""`manage.py import_roster PATH [--dry-run] [--create-missing] [--as USERNAME]`"""

import io

import pytest
from django.core.management import CommandError, call_command

from tests.roster.conftest import table_counts
from tests.roster.files import student, students_xlsx, three_students
from xinyu.audit.models import AuditEntry
from xinyu.org.models import Student
from xinyu.roster.models import ImportJob

pytestmark = pytest.mark.django_db


def command(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_roster", *[str(arg) for arg in args], stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_command_imports_and_audits_as_the_given_user(world, tmp_path):
    path = students_xlsx(tmp_path / "roster.xlsx", three_students())

    out, err = command(path, "--as", "T10009")

    assert err == ""
    assert "3" in out
    assert Student.objects.filter(student_number__startswith="20251").count() == 3
    job = ImportJob.objects.get()
    assert (job.status, job.dry_run, job.created_by, job.counts["students"]["new"]) == (
        "succeeded",
        False,
        world.cast["student_affairs"],
        3,
    )
    entries = AuditEntry.objects.filter(what="student.import")
    assert {(e.actor_username, e.detail["job"]) for e in entries} == {("T10009", job.pk)}


def test_without_as_the_actor_is_system(world, tmp_path):
    command(students_xlsx(tmp_path / "roster.xlsx", three_students()))

    assert set(AuditEntry.objects.filter(what="student.import").values_list("actor_username", flat=True)) == {"system"}


def test_dry_run_writes_nothing(world, tmp_path):
    before = table_counts()

    out, _err = command(students_xlsx(tmp_path / "roster.xlsx", three_students()), "--dry-run")

    assert "3" in out
    assert table_counts() == before
    assert not ImportJob.objects.exists()


def test_problems_go_to_stderr_and_the_command_fails_writing_nothing(world, tmp_path):
    rows = [student("2025100001", "陈一", 101), student("2025100002", "林二", 102, 性别="未知", 班级="无此班")]
    path = students_xlsx(tmp_path / "roster.xlsx", rows)
    before = table_counts()
    err = io.StringIO()

    with pytest.raises(CommandError) as failed:
        call_command("import_roster", str(path), stdout=io.StringIO(), stderr=err)

    assert failed.value.returncode == 1
    lines = err.getvalue().strip().splitlines()
    assert len(lines) == 2
    assert all("学生" in line and "3" in line for line in lines)
    assert "性别" in lines[0] and "未知" in lines[0]
    assert "班级" in lines[1] and "无此班" in lines[1]
    assert table_counts() == before
    assert not ImportJob.objects.exists()


def test_create_missing(world, tmp_path):
    rows = [student("2025100001", "陈一", 101, 班级="软件2599班")]
    path = students_xlsx(tmp_path / "roster.xlsx", rows)

    with pytest.raises(CommandError):
        command(path)
    out, _err = command(path, "--create-missing")

    assert "软件2599班" in out
    assert Student.objects.get(student_number="2025100001").class_group.name == "软件2599班"


def test_a_refused_file_and_an_unknown_user(world, tmp_path):
    path = tmp_path / "roster.xlsx"
    path.write_text("not a workbook")
    with pytest.raises(CommandError):
        command(path)
    with pytest.raises(CommandError):
        command(students_xlsx(tmp_path / "r.xlsx", three_students()), "--as", "nobody")
    with pytest.raises(CommandError):
        command(tmp_path / "missing.xlsx")
