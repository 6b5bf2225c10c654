"""A roster row never changes who a student is: identity conflicts, their confirmation as corrections,
and the gender, birth-date and room checks made on every row."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from tests.factories import valid_id_number
from tests.roster.conftest import table_counts
from tests.roster.files import CLASS_A1, id_number, student, students_xlsx
from xinyu.audit.models import AuditEntry
from xinyu.org.id_numbers import mask_id_number
from xinyu.org.models import Guardian, Student
from xinyu.roster import importer
from xinyu.roster.models import ImportJob

pytestmark = pytest.mark.django_db
# The world's 张三: 2025000001, a man in 1号楼 101 (a men's room), ID number valid_id_number(1), one guardian.
OTHER_MAN = id_number(150)
MASKED_ON_FILE, MASKED_OTHER = mask_id_number(valid_id_number(1)), mask_id_number(OTHER_MAN)


def zhang_san(**overrides) -> dict:
    """The world's 张三 as a roster row that changes nothing."""
    row = student(
        "2025000001", "张三", 1, 身份证号=valid_id_number(1), 监护人姓名="张三的母亲", 监护人关系="母亲",
        监护人电话="13900000001", 手机="13800000000",
    )  # fmt: skip
    row.update(overrides)
    return row


def run(tmp_path, rows, **options):
    path = students_xlsx(tmp_path / "roster.xlsx", rows)
    return importer.import_file(path, path.name, **options)


def identity_of(student: Student) -> tuple:
    student.refresh_from_db()
    return (student.name, student.gender, student.date_of_birth, student.id_number_digest, student.user.full_name)


def test_the_world_row_changes_nothing(world, tmp_path):
    plan = run(tmp_path, [zhang_san()], actor=world.cast["student_affairs"])

    assert (plan.problems, plan.conflicts, plan.counts["students"]["changed"]) == ([], [], 1)  # the birth date


def test_a_row_describing_another_person_is_a_conflict_and_refused(world, tmp_path):
    before, counts = identity_of(world.in_scope), table_counts()
    row = zhang_san(姓名="林某", 身份证号=OTHER_MAN, 监护人姓名="林父", 监护人电话="13700000001")

    plan = run(tmp_path, [row], actor=world.cast["student_affairs"])

    assert plan.conflicts == [
        {
            "sheet": "学生",
            "row": 2,
            "column": "学号",
            "student_number": "2025000001",
            "on_file": {"name": "张三", "gender": "男", "date_of_birth": "", "id_number": MASKED_ON_FILE},
            "in_file": {"name": "林某", "gender": "男", "date_of_birth": "2007-03-07", "id_number": MASKED_OTHER},
        }
    ]  # fmt: skip
    assert [(p.row, p.column, p.value, p.code) for p in plan.problems] == [
        (2, "学号", "2025000001", "identity_conflict")
    ]
    assert "张三" in plan.problems[0].reason and "林某" in plan.problems[0].reason
    assert OTHER_MAN not in plan.problems[0].reason and valid_id_number(1) not in plan.problems[0].reason
    assert identity_of(world.in_scope) == before and table_counts() == counts


def test_a_dry_run_lists_the_conflict_without_refusing_it(world, tmp_path):
    plan = run(tmp_path, [zhang_san(身份证号=OTHER_MAN)], dry_run=True)

    assert plan.problems == []
    assert [c["student_number"] for c in plan.counts["conflicts"]] == ["2025000001"]


def test_without_an_id_number_a_different_name_is_a_conflict(world, tmp_path):
    plan = run(tmp_path, [zhang_san(身份证号="", 姓名="张叁")], dry_run=True)
    assert [(c["on_file"]["name"], c["in_file"]["name"], c["in_file"]["id_number"]) for c in plan.conflicts] == [
        ("张三", "张叁", "")
    ]

    plan = run(tmp_path, [zhang_san(身份证号="")], dry_run=True)
    assert plan.conflicts == []


def test_the_same_id_number_with_another_name_is_a_rename_not_a_conflict(world, tmp_path):
    plan = run(tmp_path, [zhang_san(姓名="张三丰")], actor=world.cast["student_affairs"])

    assert (plan.problems, plan.conflicts) == ([], [])
    assert identity_of(world.in_scope)[0] == "张三丰"


def test_a_confirmed_correction_updates_the_identity_but_not_the_guardians(world, tmp_path):
    actor = world.cast["student_affairs"]
    row = zhang_san(姓名="林某", 身份证号=OTHER_MAN, 监护人姓名="林父", 监护人电话="13700000001")
    guardians = set(Guardian.objects.filter(student=world.in_scope).values_list("name", "phone"))

    plan = run(tmp_path, [row], actor=actor, corrections={"2025000001"})

    assert plan.problems == []
    name, gender, born, _digest, account = identity_of(world.in_scope)
    assert (name, gender, born.isoformat(), account) == ("林某", "male", "2007-03-07", "林某")
    assert world.in_scope.reveal_id_number() == OTHER_MAN
    assert set(Guardian.objects.filter(student=world.in_scope).values_list("name", "phone")) == guardians
    entry = AuditEntry.objects.get(what="student.identity_correction")
    assert (entry.student_number, entry.actor_username, entry.action) == ("2025000001", "T10009", "update")
    assert entry.detail["before"] == {
        "name": "张三", "gender": "男", "date_of_birth": "", "id_number": mask_id_number(valid_id_number(1)),
    }  # fmt: skip
    assert entry.detail["after"] == {
        "name": "林某", "gender": "男", "date_of_birth": "2007-03-07", "id_number": mask_id_number(OTHER_MAN),
    }  # fmt: skip
    assert OTHER_MAN not in str(entry.detail) and valid_id_number(1) not in str(entry.detail)
    update = AuditEntry.objects.get(what="student.import")
    assert "guardians" not in update.detail["fields"] and "id_number" in update.detail["fields"]


@pytest.mark.parametrize("who", ["supervisor", None])
def test_only_student_affairs_staff_may_confirm_a_correction(world, tmp_path, who):
    actor = world.cast[who] if who else None
    before = identity_of(world.in_scope)

    plan = run(tmp_path, [zhang_san(身份证号=OTHER_MAN)], actor=actor, corrections={"2025000001"})

    assert [(p.row, p.code) for p in plan.problems] == [(2, "identity_conflict")]
    assert identity_of(world.in_scope) == before


@pytest.mark.parametrize(
    ("overrides", "column", "code"),
    [
        ({"性别": "女", "身份证号": valid_id_number(1)}, "性别", "gender_mismatch"),  # a male ID number
        ({"性别": "女", "身份证号": "", "宿舍楼": "", "寝室号": ""}, "性别", "dorm_gender"),  # the room on file
        ({"性别": "女", "身份证号": ""}, "寝室号", "dorm_gender"),  # the same room, not moving
        ({"出生日期": "1899-12-31", "身份证号": ""}, "出生日期", "date_out_of_range"),
        ({"出生日期": "2099-01-01", "身份证号": ""}, "出生日期", "date_out_of_range"),
        ({"身份证号": id_number(7, birth="18991231")}, "身份证号", "id_number"),
    ],
)
def test_gender_room_and_birth_date_are_checked_on_every_row(world, tmp_path, overrides, column, code):
    before = identity_of(world.in_scope)

    plan = run(tmp_path, [zhang_san(**overrides)], actor=world.cast["student_affairs"], corrections={"2025000001"})

    assert [(p.row, p.column, p.code) for p in plan.problems] == [(2, column, code)]
    assert identity_of(world.in_scope) == before


def test_the_messages_name_the_gender_and_the_range(world, tmp_path):
    plan = run(tmp_path, [zhang_san(性别="女", 身份证号=valid_id_number(1))], dry_run=True)
    assert plan.problems[0].reason == "The gender differs from the one in the ID number (its 17th digit means 男)."

    plan = run(tmp_path, [zhang_san(出生日期="1899-12-31", 身份证号="")], dry_run=True)
    assert plan.problems[0].reason.startswith("This date is out of range: it must be between 1900-01-01 and ")


def test_a_new_student_gets_the_gender_check_too(world, tmp_path):
    plan = run(
        tmp_path, [student("2025100001", "陈一", 101, 性别="女", 身份证号=id_number(101, "男"), 宿舍楼="", 寝室号="")]
    )

    assert [(p.row, p.column, p.value, p.code) for p in plan.problems] == [(2, "性别", "女", "gender_mismatch")]


# --- The web preview and confirmation -----------------------------------------------------------------


def preview(client, tmp_path, rows):
    path = students_xlsx(tmp_path / "r.xlsx", rows)
    with path.open("rb") as handle:
        client.post(reverse("roster:import"), {"file": handle})
    return ImportJob.objects.latest("pk")


def test_the_web_preview_shows_both_identities_and_a_checkbox_per_conflict(world, client_for, tmp_path):
    client = client_for(world.cast["student_affairs"])
    rows = [zhang_san(姓名="林某", 身份证号=OTHER_MAN), student("2025100001", "陈一", 101)]

    job = preview(client, tmp_path, rows)
    html = client.get(reverse("roster:job", args=[job.pk])).content.decode()

    assert job.may_confirm and [c["student_number"] for c in job.counts["conflicts"]] == ["2025000001"]
    assert 'data-testid="conflicts"' in html
    assert 'name="correction" value="2025000001" form="confirm-form"' in html
    assert mask_id_number(OTHER_MAN) in html and mask_id_number(valid_id_number(1)) in html
    assert OTHER_MAN not in html and valid_id_number(1) not in html
    assert "张三" in html and "林某" in html


def test_confirming_without_ticking_the_conflict_imports_nothing(world, client_for, tmp_path):
    client = client_for(world.cast["student_affairs"])
    job = preview(client, tmp_path, [zhang_san(身份证号=OTHER_MAN), student("2025100001", "陈一", 101)])
    before = table_counts()

    response = client.post(reverse("roster:confirm", args=[job.pk]))

    assert response.status_code == 400 and 'data-testid="confirm-error"' in response.content.decode()
    job.refresh_from_db()
    assert job.may_confirm and table_counts() == before


def test_a_ticked_conflict_is_imported_as_a_correction(world, client_for, tmp_path):
    client = client_for(world.cast["student_affairs"])
    job = preview(client, tmp_path, [zhang_san(姓名="林某", 身份证号=OTHER_MAN)])

    response = client.post(reverse("roster:confirm", args=[job.pk]), {"correction": ["2025000001"]})

    assert response.status_code == 302
    job.refresh_from_db()
    assert job.imported and job.corrections == ["2025000001"]
    assert identity_of(world.in_scope)[0] == "林某"
    entry = AuditEntry.objects.get(what="student.identity_correction")
    assert (entry.detail["job"], entry.detail["row"], entry.address) == (job.pk, 2, "127.0.0.1")


def test_a_conflict_that_appears_after_the_preview_is_refused(world, client_for, tmp_path):
    client = client_for(world.cast["student_affairs"])
    rows = [zhang_san(身份证号=OTHER_MAN), student("2025000003", "王五", 3, 学院="机电工程学院", 班级="机电2501班",
            身份证号=valid_id_number(3), 宿舍楼="2号楼", 寝室号="201")]  # fmt: skip
    job = preview(client, tmp_path, rows)
    world.other_college.set_id_number(valid_id_number(33))  # someone corrects the record meanwhile
    world.other_college.save()
    before = table_counts()

    client.post(reverse("roster:confirm", args=[job.pk]), {"correction": ["2025000001"]})

    job.refresh_from_db()
    assert job.status == "failed"
    assert [(p["row"], p["code"]) for p in job.problems] == [(3, "identity_conflict")]
    assert table_counts() == before and identity_of(world.in_scope)[0] == "张三"


def test_the_supervisor_sees_the_conflict_but_cannot_confirm_it(world, client_for, tmp_path):
    client = client_for(world.cast["supervisor"])
    job = preview(client, tmp_path, [zhang_san(身份证号=OTHER_MAN)])

    html = client.get(reverse("roster:job", args=[job.pk])).content.decode()
    response = client.post(reverse("roster:confirm", args=[job.pk]), {"correction": ["2025000001"]})

    assert 'data-testid="conflicts-not-allowed"' in html and 'name="correction"' not in html
    assert response.status_code == 400
    job.refresh_from_db()
    assert job.may_confirm and not job.imported


# --- The command line ---------------------------------------------------------------------------------


def command(*args):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_roster", *[str(arg) for arg in args], stdout=out, stderr=err)
    except CommandError as error:
        return out.getvalue(), err.getvalue(), str(error)
    return out.getvalue(), err.getvalue(), ""


def test_the_command_lists_conflicts_and_refuses_them_unless_confirmed(world, tmp_path):
    path = students_xlsx(tmp_path / "r.xlsx", [zhang_san(姓名="林某", 身份证号=OTHER_MAN)])

    _out, err, failed = command(path, "--dry-run")
    assert failed
    conflict_line = err.splitlines()[0]
    assert "2025000001" in conflict_line and "张三" in conflict_line and "林某" in conflict_line
    assert mask_id_number(OTHER_MAN) in conflict_line and OTHER_MAN not in err

    assert command(path, "--confirm-correction", "2025000001")[2]  # no --as
    assert command(path, "--confirm-correction", "2025000001", "--as", "T10008")[2]  # the supervisor
    assert identity_of(world.in_scope)[0] == "张三"

    _out, err, failed = command(path, "--confirm-correction", "2025000001", "--as", "T10009")
    assert failed == "" and "已确认为录入错误的更正" in err
    assert identity_of(world.in_scope)[0] == "林某"
    assert AuditEntry.objects.get(what="student.identity_correction").actor_username == "T10009"


def test_the_row_of_the_class_is_checked_on_every_row(world, tmp_path):
    plan = run(tmp_path, [zhang_san(班级="机电2501班")], dry_run=True)  # a class of the other college
    assert [(p.row, p.column, p.code) for p in plan.problems] == [(2, "班级", "unknown_class_group")]
    assert zhang_san()["班级"] == CLASS_A1
