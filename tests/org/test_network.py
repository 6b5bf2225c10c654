import datetime as dt

import pytest
from django.utils import timezone

from tests.factories import ClassGroupFactory, StudentFactory
from xinyu.org.models import Appointment, College, Student
from xinyu.org.network import build_network

pytestmark = pytest.mark.django_db


def gaps(world):
    return sorted((gap.kind, gap.where) for gap in build_network(College.objects.filter(school=world.school)).gaps)


def test_the_worlds_gaps(world):
    # A1 has every post; A2 and B1 have neither head teacher nor rep; R2 has no dorm leader; college A has its
    # mental-health advisor and leader, college B only a mental-health advisor.
    assert gaps(world) == [
        ("dorm_leader", "2号楼 201"),
        ("head_teacher", "机电2501班"),
        ("head_teacher", "网络2501班"),
        ("wellbeing_rep", "机电2501班"),
        ("wellbeing_rep", "网络2501班"),
    ]


def test_college_without_working_group_or_mental_health_advisor(world):
    Appointment.objects.filter(person=world.cast["outsider"]).delete()
    Appointment.objects.filter(person=world.cast["mental_health_advisor"]).delete()
    found = gaps(world)
    assert ("working_group", world.college_b.name) in found
    assert ("mental_health_advisor", world.college_a.name) in found


def test_a_post_held_by_someone_who_has_left(world):
    head_teacher = world.cast["head_teacher"]
    head_teacher.left_on = timezone.localdate() - dt.timedelta(days=3)
    head_teacher.save()
    assert ("departed", world.a1.name) in gaps(world)


def test_a_student_post_held_by_a_graduate(world):
    rep = Student.objects.get(user=world.cast["wellbeing_rep"])
    rep.status = Student.Status.GRADUATED
    rep.save()
    assert ("departed", world.a1.name) in gaps(world)


def test_network_page_lists_people_and_gaps(world, client_for):
    body = client_for(world.cast["counsellor"]).get("/network/").content.decode()
    assert world.cast["head_teacher"].full_name in body
    assert world.cast["mental_health_advisor"].full_name in body
    assert 'data-gap="dorm_leader"' in body


def test_network_page_query_count_does_not_grow_with_classes(world, client_for, django_assert_max_num_queries):

    client = client_for(world.cast["counsellor"])
    with django_assert_max_num_queries(20) as small:
        client.get("/network/")
    for n in range(5):
        StudentFactory(class_group=ClassGroupFactory(college=world.college_a, name=f"新班{n}"), school=world.school)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get("/network/")
