"""Every view × every cast member × an in-scope and an out-of-scope student, with data present that could leak.

The expected answers are written out by hand from DESIGN.md §4, not derived from the scope module.
"""

import pytest
from django.urls import reverse

from xinyu.audit.models import AuditEntry
from xinyu.org.views import students as views

pytestmark = pytest.mark.django_db

CAST = [
    "dorm_leader", "wellbeing_rep", "head_teacher", "advisor", "mental_health_advisor", "college_leader",
    "counsellor", "leading_group_member", "outsider", "student", "supervisor", "student_affairs",
]  # fmt: skip

# Which of the world's three students each cast member may open (roster tier or above).
SEES = {
    "dorm_leader": set(),
    "wellbeing_rep": set(),
    "head_teacher": {"in_scope"},
    "advisor": {"in_scope"},
    "mental_health_advisor": {"in_scope", "other_class"},
    "college_leader": {"in_scope", "other_class"},
    "counsellor": {"in_scope", "other_class", "other_college"},
    "leading_group_member": set(),
    "outsider": {"other_college"},
    "student": set(),
    "supervisor": {"in_scope", "other_class", "other_college"},
    "student_affairs": {"in_scope", "other_class", "other_college"},
}
STUDENTS = ["in_scope", "other_class", "other_college"]
# Class-group pages each may open: a1 (in_scope's class), a2, b1.
CLASS_PAGES = {
    "head_teacher": {"a1"},
    "advisor": {"a1"},
    "mental_health_advisor": {"a1", "a2"},
    "college_leader": {"a1", "a2"},
    "counsellor": {"a1", "a2", "b1"},
    "outsider": {"b1"},
    "supervisor": {"a1", "a2", "b1"},
    "student_affairs": {"a1", "a2", "b1"},
}
NETWORK = {
    "mental_health_advisor": "college_a",
    "college_leader": "college_a",
    "counsellor": "school",
    "leading_group_member": "school",
    "outsider": "college_b",
    "supervisor": "school",
    "student_affairs": "school",
}
AUDIT_LOG = {"counsellor", "supervisor"}


def leak_markers(student):
    """Text that would show if a page leaked this student: name, number, guardian's phone, masked ID."""
    guardian = student.guardians.get()
    return [student.name, student.student_number, guardian.phone, student.id_number_masked]


def assert_no_leak(response, student):
    body = response.content.decode()
    for marker in leak_markers(student):
        assert marker not in body, f"{marker!r} leaked"


@pytest.mark.parametrize("who", CAST)
@pytest.mark.parametrize("target", STUDENTS)
def test_student_detail(world, client_for, who, target):
    student = world.students[target]
    before = AuditEntry.objects.count()
    response = client_for(world.cast[who]).get(reverse("org:student_detail", args=[student.pk]))
    if target in SEES[who]:
        assert response.status_code == 200
        body = response.content.decode()
        assert student.name in body
        # Every cast member who sees a student holds T2 or above: the sensitive part shows, and is audited.
        assert student.guardians.get().phone in body
        assert student.id_number_masked in body
        entry = AuditEntry.objects.order_by("id")[before]
        assert (entry.actor_username, entry.student_number, entry.action, entry.what) == (
            world.cast[who].username,
            student.student_number,
            "view",
            "student.detail",
        )
    else:
        assert response.status_code == 404
        assert_no_leak(response, student)
        assert AuditEntry.objects.count() == before


@pytest.mark.parametrize("who", CAST)
def test_missing_student_is_404_like_not_yours(world, client_for, who):
    response = client_for(world.cast[who]).get(reverse("org:student_detail", args=[999999]))
    assert response.status_code == 404


@pytest.mark.parametrize("who", CAST)
def test_student_list(world, client_for, who):
    response = client_for(world.cast[who]).get(reverse("org:student_list"))
    if world.cast[who].is_student:
        assert response.status_code == 404
        return
    assert response.status_code == 200
    body = response.content.decode()
    shown = {key for key in STUDENTS if world.students[key].student_number in body}
    assert shown == SEES[who]
    for key in set(STUDENTS) - SEES[who]:
        assert_no_leak(response, world.students[key])


@pytest.mark.parametrize("who", CAST)
def test_student_list_search_cannot_reach_out_of_scope(world, client_for, who):
    if world.cast[who].is_student:
        return
    client = client_for(world.cast[who])
    response = client.get(reverse("org:student_list"), {"q": world.other_college.name, "college": world.college_b.pk})
    assert (world.other_college.student_number in response.content.decode()) == ("other_college" in SEES[who])


@pytest.mark.parametrize("who", CAST)
@pytest.mark.parametrize("group", ["a1", "a2", "b1"])
def test_class_group_page(world, client_for, who, group):
    class_group = getattr(world, group)
    response = client_for(world.cast[who]).get(reverse("org:class_group", args=[class_group.pk]))
    if group in CLASS_PAGES.get(who, set()):
        assert response.status_code == 200
        assert class_group.name in response.content.decode()
    else:
        assert response.status_code == 404
        for student in class_group.students.all():
            assert student.student_number not in response.content.decode()


@pytest.mark.parametrize("who", CAST)
def test_network_page(world, client_for, who):
    response = client_for(world.cast[who]).get(reverse("org:network"))
    if who not in NETWORK:
        assert response.status_code == 404
        return
    assert response.status_code == 200
    body = response.content.decode()
    sees_a = NETWORK[who] in {"school", "college_a"}
    sees_b = NETWORK[who] in {"school", "college_b"}
    assert (world.college_a.name in body, world.college_b.name in body) == (sees_a, sees_b)
    # The network shows people in posts, never a student's data.
    for student in world.students.values():
        assert student.student_number not in body


@pytest.mark.parametrize("who", CAST)
def test_audit_log(world, client_for, who):
    response = client_for(world.cast[who]).get(reverse("privacy:log"))
    assert response.status_code == (200 if who in AUDIT_LOG else 404)


def test_home_page_shows_each_person_what_they_are_responsible_for(world, client_for):
    body = client_for(world.cast["head_teacher"]).get(reverse("core:home")).content.decode()
    assert world.a1.name in body and world.b1.name not in body
    body = client_for(world.cast["student"]).get(reverse("core:home")).content.decode()
    assert world.in_scope.student_number in body
    for other in (world.other_class, world.other_college):
        assert other.student_number not in body


@pytest.mark.parametrize(
    "url_name,args",
    [
        ("core:home", []),
        ("org:student_list", []),
        ("org:network", []),
        ("privacy:log", []),
        ("org:class_group", [1]),
    ],
)
def test_anonymous_is_sent_to_sign_in(client, world, url_name, args):
    response = client.get(reverse(url_name, args=args))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_class_filter_follows_the_chosen_college_and_scope(world, client_for, settings):

    client = client_for(world.cast["counsellor"])
    assert set(client.get(reverse("org:student_list")).context["class_groups"]) == {world.a1, world.a2, world.b1}
    response = client.get(reverse("org:student_list"), {"college": world.college_b.pk}, headers={"HX-Request": "true"})
    assert list(response.context["class_groups"]) == [world.b1]
    assert 'id="class-select" aria-label' in response.content.decode()
    assert 'hx-swap-oob="true"' in response.content.decode()
    views.CLASS_FILTER_LIMIT, saved = 2, views.CLASS_FILTER_LIMIT
    try:
        assert list(client.get(reverse("org:student_list")).context["class_groups"]) == []
    finally:
        views.CLASS_FILTER_LIMIT = saved
    # A college outside the viewer's scope lists nothing.
    outsider = client_for(world.cast["outsider"])
    response = outsider.get(reverse("org:student_list"), {"college": world.college_a.pk})
    assert list(response.context["class_groups"]) == []
