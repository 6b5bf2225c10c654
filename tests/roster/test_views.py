"""The web flow: upload → preview → confirm → result, in the request and in the background."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from tests.roster.conftest import table_counts
from tests.roster.files import student, students_xlsx, three_students
from tests.roster.test_safety import zip_bomb
from xinyu.audit.models import AuditEntry
from xinyu.org.models import Student
from xinyu.roster.models import ImportJob

pytestmark = pytest.mark.django_db


def upload(client, path, **data):
    with path.open("rb") as handle:
        return client.post(reverse("roster:import"), {"file": handle, **data})


def test_upload_preview_confirm_result(world, client_for, tmp_path, media_root):
    client = client_for(world.cast["student_affairs"])
    before = table_counts()

    response = upload(client, students_xlsx(tmp_path / "新生名单.xlsx", three_students()))

    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("roster:job", args=[job.pk])
    assert (job.status, job.dry_run, job.in_background, job.file_name) == ("succeeded", True, False, "新生名单.xlsx")
    assert table_counts() == before  # the preview wrote nothing

    page = client.get(reverse("roster:job", args=[job.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="students-new">3<' in html
    assert "3号楼 301" in html  # the dorm room to be created
    assert 'data-testid="confirm-form"' in html

    response = client.post(reverse("roster:confirm", args=[job.pk]))

    assert response.status_code == 302
    job.refresh_from_db()
    assert (job.status, job.dry_run, job.imported) == ("succeeded", False, True)
    assert job.stored_path == "" and not list((media_root / "imports").iterdir())  # the file is gone
    assert set(Student.objects.filter(student_number__startswith="20251").values_list("student_number", flat=True)) == {
        "2025100001",
        "2025100002",
        "2025100003",
    }
    entries = AuditEntry.objects.filter(what="student.import")
    assert {(e.actor_username, e.detail["job"], e.address) for e in entries} == {("T10009", job.pk, "127.0.0.1")}
    result = client.get(reverse("roster:job", args=[job.pk])).content.decode()
    assert 'data-testid="confirm-form"' not in result and 'data-testid="students-new">3<' in result

    assert client.post(reverse("roster:confirm", args=[job.pk])).status_code == 404  # only once


def test_a_file_that_changes_nothing_cannot_be_confirmed(world, client_for, tmp_path):
    client = client_for(world.cast["student_affairs"])
    path = students_xlsx(tmp_path / "r.xlsx", three_students())
    upload(client, path)
    client.post(reverse("roster:confirm", args=[ImportJob.objects.get().pk]))

    upload(client, path)

    again = ImportJob.objects.latest("pk")
    assert (again.status, again.may_confirm, again.stored_path) == ("succeeded", False, "")
    html = client.get(reverse("roster:job", args=[again.pk])).content.decode()
    assert 'data-testid="nothing-to-do"' in html and 'data-testid="confirm-form"' not in html


def test_a_preview_with_problems_shows_them_all_and_cannot_be_confirmed(world, client_for, tmp_path):
    client = client_for(world.cast["student_affairs"])
    rows = [student("2025100001", "陈一", 101, 性别="?"), student("2025100002", "林二", 102, 班级="无此班")]

    upload(client, students_xlsx(tmp_path / "r.xlsx", rows))

    job = ImportJob.objects.get()
    assert job.status == "failed" and job.stored_path == ""
    assert [(p["row"], p["column"], p["code"]) for p in job.problems] == [
        (2, "性别", "invalid_choice"),
        (3, "班级", "unknown_class_group"),
    ]
    html = client.get(reverse("roster:job", args=[job.pk])).content.decode()
    assert html.count('data-code="') == 2 and 'data-testid="confirm-form"' not in html
    assert client.post(reverse("roster:confirm", args=[job.pk])).status_code == 404
    report = client.get(reverse("roster:problems", args=[job.pk]))
    assert report.status_code == 200 and report.content.startswith("\ufeff".encode())
    assert "无此班" in report.content.decode("utf-8-sig")


def test_create_missing_checkbox(world, client_for, tmp_path):
    client = client_for(world.cast["supervisor"])
    path = students_xlsx(tmp_path / "r.xlsx", [student("2025100001", "陈一", 101, 班级="软件2599班")])

    upload(client, path, create_missing="on")

    job = ImportJob.objects.get()
    assert job.may_confirm and job.counts["new_class_groups"] == ["信息工程学院 软件2599班"]


def test_a_refused_file_is_not_kept(world, client_for, tmp_path, media_root):
    client = client_for(world.cast["student_affairs"])

    response = upload(client, zip_bomb(tmp_path / "roster.xlsx"))

    assert response.status_code == 200
    assert 'data-testid="file-error"' in response.content.decode()
    assert not ImportJob.objects.exists()
    assert not (media_root / "imports").exists() or not list((media_root / "imports").iterdir())


def test_a_file_with_another_extension_is_refused(world, client_for):
    client = client_for(world.cast["student_affairs"])
    response = client.post(reverse("roster:import"), {"file": SimpleUploadedFile("roster.pdf", b"%PDF-1.7")})
    assert 'data-testid="file-error"' in response.content.decode() and not ImportJob.objects.exists()


@override_settings(ROSTER_BACKGROUND_ROWS=2)
def test_large_files_go_to_the_background_task(world, client_for, tmp_path):
    client = client_for(world.cast["student_affairs"])

    upload(client, students_xlsx(tmp_path / "r.xlsx", three_students()))

    job = ImportJob.objects.get()
    assert job.in_background  # the task ran at once: tests use the immediate backend
    assert (job.status, job.total_rows, job.processed_rows) == ("succeeded", 3, 3)
    client.post(reverse("roster:confirm", args=[job.pk]))
    job.refresh_from_db()
    assert job.imported and Student.objects.filter(student_number__startswith="20251").count() == 3


def test_the_page_polls_a_running_job_and_draws_its_progress(world, client_for):
    user = world.cast["student_affairs"]
    job = ImportJob.objects.create(
        created_by=user, file_name="big.xlsx", status="running", phase="reading", total_rows=1000, processed_rows=250
    )
    client = client_for(user)

    page = client.get(reverse("roster:job", args=[job.pk])).content.decode()
    partial = client.get(reverse("roster:job", args=[job.pk]), headers={"HX-Request": "true"}).content.decode()

    assert "<html" in page and "<html" not in partial
    for html in (page, partial):
        assert 'hx-trigger="every 1s"' in html
        assert 'data-progress="25"' in html
        assert "style=" not in html and "<script>" not in html

    ImportJob.objects.filter(pk=job.pk).update(phase="writing")
    writing = client.get(reverse("roster:job", args=[job.pk]), headers={"HX-Request": "true"}).content.decode()
    assert 'data-progress="100"' in writing and "progress-bar-animated" in writing

    ImportJob.objects.filter(pk=job.pk).update(status="succeeded", phase="", counts={})
    done = client.get(reverse("roster:job", args=[job.pk]), headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in done  # the polling stops


def test_the_upload_page_lists_only_my_jobs(world, client_for):
    mine = ImportJob.objects.create(created_by=world.cast["student_affairs"], file_name="mine.xlsx")
    ImportJob.objects.create(created_by=world.cast["supervisor"], file_name="theirs.xlsx")

    html = client_for(world.cast["student_affairs"]).get(reverse("roster:import")).content.decode()

    assert mine.file_name in html and "theirs.xlsx" not in html
