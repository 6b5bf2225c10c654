"""No browser, shared computer or proxy keeps a page a signed-in person saw, nor any download: every page of
the authorization matrix (tests/authorization/test_org_matrix.py; the care matrix asserts the same in its own
walk) answers with `Cache-Control: no-store, private`. Static files stay cacheable."""

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from tests.authorization.test_org_matrix import CAST

pytestmark = pytest.mark.django_db
NO_STORE = "no-store, private"


def matrix_urls(world):
    urls = [reverse(name) for name in ("core:home", "org:student_list", "org:network", "privacy:log")]
    urls += [reverse("org:student_detail", args=[student.pk]) for student in world.students.values()]
    urls += [reverse("org:class_group", args=[group.pk]) for group in (world.a1, world.a2, world.b1)]
    urls += [reverse("org:student_list") + f"?q={world.in_scope.name}&college={world.college_a.pk}"]
    urls += [reverse("roster:export_students") + "?format=csv", reverse("roster:export_students")]
    urls += [reverse("admin:org_student_changelist"), reverse("admin:org_student_change", args=[world.in_scope.pk])]
    urls += [reverse("admin:accounts_user_changelist")]
    return urls


@pytest.mark.parametrize("who", CAST)
def test_every_page_a_signed_in_person_gets_is_no_store(world, client_for, who):
    client = client_for(world.cast[who])
    answered = []
    for url in matrix_urls(world):
        response = client.get(url)
        if response.status_code == 200:
            answered.append(url)
            assert response["Cache-Control"] == NO_STORE, url
    # Not vacuous: everyone gets some page, and the staff with T2+ data get the pages that show it.
    assert answered
    if who in {"head_teacher", "supervisor", "student_affairs", "counsellor"}:
        assert reverse("org:student_detail", args=[world.in_scope.pk]) in answered
        assert reverse("roster:export_students") in answered


def test_downloads_are_no_store(world, client_for):
    response = client_for(world.cast["supervisor"]).get(reverse("roster:export_students") + "?format=csv")
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    assert response["Cache-Control"] == NO_STORE


def test_static_files_stay_cacheable(world, client_for):
    name = "css/studentfile-print.css"
    assert finders.find(name), "a static file to ask for"
    response = client_for(world.cast["supervisor"]).get(f"/static/{name}")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
