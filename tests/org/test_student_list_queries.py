"""The scoped student list and the class-group page cost the same number of queries for 1 row as for 3."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import ClassGroupFactory, DormRoomFactory, UserFactory, student_with_account
from tests.helpers import queries_for_page
from xinyu.org.models import Post
from xinyu.org.services import appoint

# Pinned, so that a new per-request query is a decision, not an accident. Student list: session, user,
# appointments, count, colleges, the class filter's size and its options, page of rows. Class-group page:
# session, user, appointments, class group, its students. Both: the navbar's unread-notification count, and
# whether the user has interviews to hold (the navbar's 约谈 link, for those not holding T3).
# (The idle timeout writes the session at most once a minute, not on every request.)
STUDENT_LIST_QUERIES = 10
CLASS_GROUP_QUERIES = 7


@pytest.fixture
def head_teacher_class(db):
    group = ClassGroupFactory(name="软件2601班")
    head_teacher = UserFactory(username="T20001", full_name="孙班主任")
    appoint(head_teacher, Post.HEAD_TEACHER, group)
    room = DormRoomFactory(school=group.college.school)

    def add_student():
        return student_with_account(class_group=group, school=group.college.school, dorm_room=room)

    add_student()
    return head_teacher, group, add_student


@pytest.mark.parametrize(
    ("name", "params", "pinned"),
    [
        ("student_list", "", STUDENT_LIST_QUERIES),
        ("student_list", "?q=2025", STUDENT_LIST_QUERIES),
        ("class_group", "", CLASS_GROUP_QUERIES),
    ],
)
def test_queries_do_not_grow_with_rows(head_teacher_class, client_for, name, params, pinned):
    head_teacher, group, add_student = head_teacher_class
    client = client_for(head_teacher)
    url = reverse(f"org:{name}", args=[group.pk] if name == "class_group" else []) + params

    one, response = queries_for_page(client, url)
    assert len(response.context["students"] if name == "class_group" else response.context["page"]) == 1
    add_student()
    add_student()
    three, response = queries_for_page(client, url)
    assert len(response.context["students"] if name == "class_group" else response.context["page"]) == 3

    assert one == three == pinned


def test_htmx_results_fragment_costs_no_more(head_teacher_class, client_for):
    head_teacher, _group, add_student = head_teacher_class
    client = client_for(head_teacher)
    add_student()
    add_student()
    client.get(reverse("org:student_list"))
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("org:student_list"), {"q": "2025"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert len(response.context["page"]) == 3
    assert len(captured) <= STUDENT_LIST_QUERIES
