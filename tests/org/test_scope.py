import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone, translation

from tests.factories import DepartmentFactory, UserFactory
from xinyu.audit.models import AuditEntry
from xinyu.grants.posts import GrantError, end_post, grant_post
from xinyu.org import scope
from xinyu.org.models import Appointment, Post
from xinyu.org.scope import Tier
from xinyu.org.services import appoint

pytestmark = pytest.mark.django_db


def test_tiers_follow_the_design(world):
    expected = {
        "dorm_leader": Tier.T0,
        "wellbeing_rep": Tier.T0,
        "head_teacher": Tier.T2,
        "advisor": Tier.T2,
        "mental_health_advisor": Tier.T3,
        "college_leader": Tier.T3,
        "counsellor": Tier.T3,
        "leading_group_member": Tier.T0,
        "outsider": Tier.T0,
        "student": Tier.T0,
        "supervisor": Tier.T4,
        "student_affairs": Tier.T2,
    }
    assert {who: scope.tier_for(user, world.in_scope)[0] for who, user in world.cast.items()} == expected


def test_students_for_by_tier(world):
    college_a = {s.pk for s in world.college_a.class_groups.all() for s in s.students.all()}
    assert (
        set(scope.students_for(world.cast["mental_health_advisor"], Tier.T3).values_list("pk", flat=True)) == college_a
    )
    assert not scope.students_for(world.cast["head_teacher"], Tier.T3).exists()
    assert not scope.students_for(world.cast["counsellor"], Tier.T4).exists()
    assert scope.students_for(world.cast["supervisor"], Tier.T4).count() == 5


def test_tier_for_names_the_post_it_comes_from(world):
    tier, grant = scope.tier_for(world.cast["mental_health_advisor"], world.in_scope)
    assert (tier, grant.post) == (Tier.T3, Post.MENTAL_HEALTH_ADVISOR)
    assert scope.tier_for(world.cast["outsider"], world.in_scope) == (Tier.T0, None)


def test_highest_of_several_posts_wins(world):
    advisor = world.cast["advisor"]
    appoint(advisor, Post.MENTAL_HEALTH_ADVISOR, world.college_b)
    assert scope.tier_for(advisor, world.other_college)[0] == Tier.T3
    assert scope.tier_for(advisor, world.in_scope)[0] == Tier.T2
    assert scope.tier_for(advisor, world.other_class)[0] == Tier.T0


def test_get_student_for_user_hides_missing_and_not_yours_alike(world):
    user = world.cast["head_teacher"]
    assert scope.get_student_for_user(user, world.in_scope.pk) == world.in_scope
    for pk in (world.other_college.pk, 10**9, "abc"):
        with pytest.raises(Http404):
            scope.get_student_for_user(user, pk)


def test_students_see_only_themselves(world):
    assert scope.own_student(world.cast["student"]) == world.in_scope
    assert not scope.students_for(world.cast["student"]).exists()


def test_ending_a_post_takes_effect_at_once_for_a_signed_in_user(world, client_for):
    client = client_for(world.cast["head_teacher"])
    url = reverse("org:student_detail", args=[world.in_scope.pk])
    assert client.get(url).status_code == 200
    end_post(Appointment.objects.get(person=world.cast["head_teacher"]), by=world.cast["head_teacher"])
    assert client.get(url).status_code == 404


def test_a_new_post_takes_effect_at_once_for_a_signed_in_user(world, client_for):
    client = client_for(world.cast["head_teacher"])
    url = reverse("org:student_detail", args=[world.other_college.pk])
    assert client.get(url).status_code == 404
    appoint(world.cast["head_teacher"], Post.HEAD_TEACHER, world.b1)
    assert client.get(url).status_code == 200


def test_future_and_past_appointments_grant_nothing(world):
    today = timezone.localdate()
    person = UserFactory(username="T40000")
    appoint(person, Post.HEAD_TEACHER, world.a1, starts_on=today + dt.timedelta(days=1))
    appoint(person, Post.HEAD_TEACHER, world.a2, starts_on=today - dt.timedelta(days=30), ends_on=today)
    assert not scope.students_for(person).exists()


def test_a_deactivated_account_sees_nothing(world):
    user = world.cast["counsellor"]
    user.is_active = False
    user.save()
    assert scope.students_for(user).count() == 0


@pytest.mark.parametrize(
    "post,target,student",
    [
        (Post.HEAD_TEACHER, "college_a", False),  # a class post over a college
        (Post.MENTAL_HEALTH_ADVISOR, "a1", False),  # a college post over a class
        (Post.DORM_LEADER, "r1", False),  # a student post held by staff
        (Post.HEAD_TEACHER, "a1", True),  # a staff post held by a student
        (Post.STUDENT_AFFAIRS_STAFF, "other_department", False),  # 学工部 staff outside 学工部
    ],
)
def test_appointment_rules(world, post, target, student):

    world.other_department = DepartmentFactory(school=world.school, name="宣传部")
    person = world.cast["student"] if student else UserFactory(username="T50000")
    with pytest.raises(ValidationError):
        appoint(person, post, getattr(world, target))


def test_the_database_requires_exactly_one_scope(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        Appointment.objects.create(person=world.cast["advisor"], post=Post.ADVISOR, class_group=world.a1,
                                   college=world.college_a)  # fmt: skip


def test_a_failed_audit_write_fails_the_request(world, client_for, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr("xinyu.org.views.students.record_read", broken)
    client = client_for(world.cast["head_teacher"])
    client.raise_request_exception = False
    response = client.get(reverse("org:student_detail", args=[world.in_scope.pk]))
    assert response.status_code == 500
    assert world.in_scope.guardians.get().phone not in response.content.decode()
    assert AuditEntry.objects.count() == 0


def test_a_post_over_the_wrong_kind_of_place_is_refused_with_a_clear_error(world):

    with translation.override("zh-hans"), pytest.raises(GrantError) as refused:
        grant_post(world.cast["advisor"], Post.HEAD_TEACHER, world.college_a, by=world.cast["student_affairs"])
    assert str(refused.value) == "班主任的任职范围应为班级。"
    assert not Appointment.objects.filter(person=world.cast["advisor"], post=Post.HEAD_TEACHER).exists()


def test_staff_lose_access_on_the_day_they_leave(world):
    user = world.cast["counsellor"]
    user.left_on = timezone.localdate()
    user.save()
    assert not scope.students_for(user).exists()
    user.left_on = timezone.localdate() + dt.timedelta(days=1)
    user.save()
    user = type(user).objects.get(pk=user.pk)
    assert scope.students_for(user).count() == 5
