"""Who reaches each roster view: every view × every member of the cast, and anonymous visitors."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from tests.roster.files import students_xlsx, three_students
from xinyu.roster import jobs
from xinyu.roster.models import ImportJob
from xinyu.roster.views import export_students, import_roster, job_confirm, job_detail, job_problems, template

pytestmark = pytest.mark.django_db
IMPORTERS = {"student_affairs", "supervisor"}
CAST = [
    "dorm_leader", "wellbeing_rep", "head_teacher", "advisor", "mental_health_advisor", "college_leader",
    "counsellor", "leading_group_member", "outsider", "student", "supervisor", "student_affairs",
]  # fmt: skip
EXPORTERS = {
    "head_teacher", "advisor", "mental_health_advisor", "college_leader", "counsellor", "outsider",
    "supervisor", "student_affairs",
}  # fmt: skip


def previewed_job(user, tmp_path) -> ImportJob:
    """A preview waiting for confirmation, as if `user` had uploaded it."""
    path = students_xlsx(tmp_path / "r.xlsx", three_students())
    return jobs.start(user, SimpleUploadedFile("r.xlsx", path.read_bytes()), create_missing=False)


def requests_for(job):
    return [
        ("get", reverse("roster:import")),
        ("get", reverse("roster:template")),
        ("get", reverse("roster:job", args=[job.pk])),
        ("get", reverse("roster:problems", args=[job.pk])),
        ("post", reverse("roster:confirm", args=[job.pk])),
    ]


def test_every_roster_view_declares_its_rule():
    for view in (import_roster, template, job_detail, job_confirm, job_problems):
        assert view.access_rule == "roster"
    assert export_students.access_rule == "export"  # its own capability: may_export_students


@pytest.mark.parametrize("who", CAST)
def test_roster_views_are_for_importers_only(world, client_for, tmp_path, who):
    user = world.cast[who]
    job = previewed_job(user, tmp_path)  # even a job of their own shows nothing to a non-importer
    client = client_for(user)

    statuses = [getattr(client, method)(url).status_code for method, url in requests_for(job)]

    if who in IMPORTERS:
        assert statuses == [200, 200, 200, 200, 302]
        job.refresh_from_db()
        assert job.imported
    else:
        assert statuses == [404] * 5
        job.refresh_from_db()
        assert not job.imported


def test_anonymous_visitors_are_sent_to_sign_in(world, tmp_path):
    job = previewed_job(world.cast["student_affairs"], tmp_path)
    client = Client()
    for method, url in [*requests_for(job), ("get", reverse("roster:export_students"))]:
        response = getattr(client, method)(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login")), url


@pytest.mark.parametrize(("owner", "other"), [("student_affairs", "supervisor"), ("supervisor", "student_affairs")])
def test_an_importer_cannot_see_another_importers_job(world, client_for, tmp_path, owner, other):
    job = previewed_job(world.cast[owner], tmp_path)
    client = client_for(world.cast[other])

    statuses = [getattr(client, method)(url).status_code for method, url in requests_for(job)[2:]]

    assert statuses == [404, 404, 404]
    job.refresh_from_db()
    assert job.may_confirm  # untouched


@pytest.mark.parametrize("who", CAST)
def test_export_is_for_staff_with_a_t2_grant(world, client_for, who):
    response = client_for(world.cast[who]).get(reverse("roster:export_students"))
    assert response.status_code == (200 if who in EXPORTERS else 404)
