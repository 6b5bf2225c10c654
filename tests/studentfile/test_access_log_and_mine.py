""" "Who opened this file" (the centre only) and the student's own page."""

import pytest
from django.urls import reverse

from tests.conftest import SINCE
from tests.factories import UserFactory
from tests.studentfile.conftest import make_records
from xinyu.audit.models import AuditEntry
from xinyu.audit.services import Event, record_many
from xinyu.concerns.models import ConcernReport
from xinyu.org.models import Post
from xinyu.org.services import appoint
from xinyu.studentfile import views


def log_url(student) -> str:
    return reverse("studentfile:access_log", args=[student.pk])


MINE = reverse("studentfile:mine")


@pytest.mark.parametrize("who", ["counsellor", "supervisor"])
def test_the_centre_sees_who_opened_the_file(world, client_for, who):
    client_for(world.cast["head_teacher"]).get(reverse("studentfile:file", args=[world.in_scope.pk]))
    client_for(world.cast["mental_health_advisor"]).get(reverse("studentfile:file", args=[world.other_class.pk]))
    response = client_for(world.cast[who]).get(log_url(world.in_scope))
    assert response.status_code == 200
    html = response.content.decode()
    # What was read, in words: the file itself (its code never shows).
    assert "孙班主任" in html and "<td>学生心理健康档案</td>" in html and "studentfile.file" not in html
    rows = response.context["rows"]
    assert {row.student_id for row in rows} == {world.in_scope.pk}
    # Reading the log is itself recorded.
    entry = AuditEntry.objects.filter(what="studentfile.access_log").get()
    assert (entry.actor_username, entry.student_id, entry.action) == (
        world.cast[who].username,
        world.in_scope.pk,
        "view",
    )


def test_the_centres_part_time_counsellor_sees_it_too(world, client_for):
    part_time = UserFactory(username="T10020", full_name="兼职咨询师")
    appoint(part_time, Post.CENTRE_PART_TIME_COUNSELLOR, world.school, starts_on=SINCE)
    assert client_for(part_time).get(log_url(world.in_scope)).status_code == 200


@pytest.mark.parametrize(
    "who",
    [
        "head_teacher", "advisor", "mental_health_advisor", "college_leader", "student_affairs",
        "leading_group_member", "outsider", "dorm_leader", "wellbeing_rep", "student",
    ],
)  # fmt: skip
def test_nobody_outside_the_centre_sees_who_opened_a_file(world, client_for, who):
    response = client_for(world.cast[who]).get(log_url(world.in_scope))
    assert response.status_code == 404
    assert not AuditEntry.objects.filter(what="studentfile.access_log").exists()


def test_access_log_of_a_missing_student_is_404(world, client_for):
    assert client_for(world.cast["supervisor"]).get("/files/999999/access-log/").status_code == 404


def test_access_log_is_paginated(world, client_for):
    events = [
        Event("view", "studentfile.file", student=world.in_scope, tier=2) for _ in range(views.ACCESS_LOG_PAGE + 5)
    ]
    record_many(world.cast["head_teacher"], events)
    client = client_for(world.cast["supervisor"])
    first = client.get(log_url(world.in_scope))
    assert len(first.context["rows"]) == views.ACCESS_LOG_PAGE
    assert first.context["page"].has_next()
    second = client.get(log_url(world.in_scope), {"page": 2})
    # 55 entries written above, plus the entry for reading page 1.
    assert len(second.context["rows"]) == 6


def test_the_file_page_links_to_the_access_log_for_the_centre_only(world, client_for):
    url = reverse("studentfile:file", args=[world.in_scope.pk])
    assert log_url(world.in_scope) in client_for(world.cast["supervisor"]).get(url).content.decode()
    assert log_url(world.in_scope) not in client_for(world.cast["mental_health_advisor"]).get(url).content.decode()


# --- The student's own page -----------------------------------------------------------------------


def test_a_student_sees_their_own_page_with_the_links_that_exist(world, client_for):
    response = client_for(world.cast["student"]).get(MINE)
    assert response.status_code == 200
    names = [link["name"] for link in response.context["links"]]
    assert "concerns:my_reports" in names
    for link in response.context["links"]:
        assert link["url"] == reverse(link["name"])
        assert link["url"] in response.content.decode()


def test_links_to_pages_not_built_yet_are_left_out(world, client_for, monkeypatch):
    monkeypatch.setattr(views, "MY_LINKS", (("nowhere:page", "Nowhere", ""), *views.MY_LINKS))
    response = client_for(world.cast["student"]).get(MINE)
    assert response.status_code == 200
    assert "nowhere:page" not in [link["name"] for link in response.context["links"]]


def test_a_reporter_sees_only_whether_their_reports_were_taken(world, client_for):
    make_records(world, world.other_class)  # the wellbeing rep reports about 李四 …
    rep = client_for(world.cast["wellbeing_rep"])
    response = rep.get(MINE)
    assert response.status_code == 200
    html = response.content.decode()
    assert [item["status"] for item in response.context["reports"]] == ["waiting", "waiting"]
    assert "李四" in html
    assert "宿舍里情绪低落-REPORT" not in html  # … but never what they wrote is shown back, nor any outcome
    ConcernReport.objects.filter(is_drill=False).update(
        status=ConcernReport.Status.NO_CRISIS, triage_note="TRIAGE-NOTE"
    )
    again = rep.get(MINE)
    assert "taken" in [item["status"] for item in again.context["reports"]]
    assert "TRIAGE-NOTE" not in again.content.decode()


def test_a_student_sees_no_one_elses_reports(world, client_for, records):
    response = client_for(world.cast["student"]).get(MINE)
    assert response.context["reports"] == []
    assert "宿舍里情绪低落-REPORT" not in response.content.decode()


@pytest.mark.parametrize("who", ["head_teacher", "supervisor", "outsider"])
def test_staff_have_no_student_page(world, client_for, who):
    assert client_for(world.cast[who]).get(MINE).status_code == 404


def test_students_find_their_page_in_the_menu_and_staff_do_not(world, client_for):
    home = reverse("core:home")
    assert 'data-testid="nav-my-page"' in client_for(world.cast["student"]).get(home).content.decode()
    assert 'data-testid="nav-my-page"' not in client_for(world.cast["head_teacher"]).get(home).content.decode()
