"""Granting, confirming and ending posts (DESIGN.md §9): the table, the second person, the access log and
the people told. The services are called directly here; tests/org/test_post_views.py drives the pages."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from tests.helpers import moves_to, unreachable, walk_move
from xinyu.audit.models import AuditEntry
from xinyu.grants import rules as grant_rules
from xinyu.grants.posts import GrantError, confirm_grant, end_post, grant_post, refuse_grant, withdraw_grant
from xinyu.notify.models import Notification
from xinyu.org import scope
from xinyu.org.models import Appointment, Post

pytestmark = pytest.mark.django_db


def holds(user, post) -> bool:
    user = type(user).objects.get(pk=user.pk)  # a fresh object: the grants are cached per request
    return post in scope.posts_of(user)


# The table ---------------------------------------------------------------------------------------------

# (post, place key, granter key) → in force at once, or waiting for which confirmers.
ALLOWED = [
    (Post.CENTRE_SUPERVISOR, "school", "admin", grant_rules.SCHOOL_LEADERS),
    (Post.LEADING_GROUP_DEPUTY, "school", "admin", grant_rules.SCHOOL_LEADERS),
    (Post.CENTRE_COUNSELLOR, "school", "student_affairs", grant_rules.CENTRE_SUPERVISORS),
    (Post.MENTAL_HEALTH_ADVISOR, "college_a", "student_affairs", grant_rules.CENTRE_SUPERVISORS),
    (Post.COLLEGE_CONSULTANT, "college_a", "admin", grant_rules.CENTRE_SUPERVISORS),
    (Post.STUDENT_AFFAIRS_STAFF, "student_affairs", "student_affairs", frozenset()),
    (Post.STUDENT_AFFAIRS_STAFF, "student_affairs", "admin", grant_rules.SCHOOL_LEADERS),
    (Post.HEAD_TEACHER, "a1", "student_affairs", frozenset()),
    (Post.HEAD_TEACHER, "a2", "office_director", frozenset()),
    (Post.ADVISOR, "a1", "admin", grant_rules.SCHOOL_LEADERS),
    (Post.LEADING_GROUP_MEMBER, "school", "student_affairs", frozenset()),
    (Post.LEADING_GROUP_MEMBER, "school", "admin", frozenset()),
]


@pytest.mark.parametrize("post,place,granter,confirmers", ALLOWED)
def test_who_may_grant_what_and_who_confirms(network, post, place, granter, confirmers):
    w = network
    appointment = grant_post(w.cast["newcomer"], post, getattr(w, place), by=w.cast[granter])
    expected = Appointment.Status.PENDING if confirmers else Appointment.Status.ACTIVE
    assert appointment.status == expected
    assert grant_rules.confirmers_needed(post, w.cast[granter]) == confirmers
    assert holds(w.cast["newcomer"], post) is (not confirmers)


REFUSED = [
    (Post.CENTRE_SUPERVISOR, "school", "student_affairs"),  # T4: the technical administrator only
    (Post.CENTRE_SUPERVISOR, "school", "supervisor"),
    (Post.LEADING_GROUP_HEAD, "school", "group_head"),
    (Post.CENTRE_COUNSELLOR, "school", "supervisor"),  # T3: 学工部 grants, the supervisor confirms
    (Post.MENTAL_HEALTH_ADVISOR, "college_a", "office_director"),
    (Post.HEAD_TEACHER, "b1", "office_director"),  # another college's class
    (Post.HEAD_TEACHER, "a1", "counsellor"),
    (Post.HEAD_TEACHER, "a1", "head_teacher"),
    (Post.HEAD_TEACHER, "a1", "mental_health_advisor"),
    (Post.ADVISOR, "a1", "advisor"),
    (Post.HEAD_TEACHER, "a1", "leading_group_member"),
]


@pytest.mark.parametrize("post,place,granter", REFUSED)
def test_grants_outside_the_table_are_refused_and_write_nothing(network, post, place, granter):
    w = network
    with pytest.raises(GrantError):
        grant_post(w.cast["newcomer"], post, getattr(w, place), by=w.cast[granter])
    assert not Appointment.objects.filter(person=w.cast["newcomer"]).exists()
    assert not AuditEntry.objects.exists()


@pytest.mark.parametrize("granter", ["student_affairs", "admin", "supervisor", "other"])
def test_nobody_grants_a_post_to_themselves(network, granter):
    w = network
    person = w.cast["student_affairs_2"] if granter == "other" else w.cast[granter]
    with pytest.raises(GrantError, match="themselves"):
        grant_post(person, Post.CENTRE_COUNSELLOR, w.school, by=person)
    # Nor a second post widening what they see: the 学工办 director cannot make themselves a class's advisor.
    with pytest.raises(GrantError):
        grant_post(w.cast["office_director"], Post.ADVISOR, w.a1, by=w.cast["office_director"])


def test_student_posts_are_granted_by_the_college_office_or_the_class_advisor(network):
    w = network
    student = w.other_class.user  # a student of A2
    assert grant_post(student, Post.WELLBEING_REP, w.a2, by=w.cast["office_director"]).status == "active"
    with pytest.raises(GrantError):  # the advisor of A1 is not A2's advisor
        grant_post(student, Post.DORM_LEADER, w.r1, by=w.cast["advisor"])
    rep = w.in_scope.user
    assert grant_post(rep, Post.DORM_LEADER, w.r1, by=w.cast["advisor"]).status == "active"
    for granter in ("admin", "head_teacher", "counsellor"):
        with pytest.raises(GrantError):
            grant_post(w.other_college.user, Post.WELLBEING_REP, w.b1, by=w.cast[granter])


# The second person -------------------------------------------------------------------------------------


def test_a_pending_t4_grant_gives_nothing_until_a_second_person_confirms(network):
    w = network
    pending = grant_post(w.cast["newcomer"], Post.CENTRE_SUPERVISOR, w.school, by=w.cast["admin"])
    assert not scope.students_for(type(w.cast["newcomer"]).objects.get(pk=w.cast["newcomer"].pk)).exists()
    for wrong in ("admin", "newcomer", "supervisor", "student_affairs", "leading_group_member"):
        with pytest.raises(GrantError):
            confirm_grant(pending, by=w.cast[wrong])
    confirmed = confirm_grant(pending, by=w.cast["deputy"])
    assert (confirmed.status, confirmed.decided_by) == ("active", w.cast["deputy"])
    assert holds(w.cast["newcomer"], Post.CENTRE_SUPERVISOR)
    with pytest.raises(GrantError, match="already"):
        confirm_grant(pending, by=w.cast["group_head"])


def test_a_t3_grant_is_confirmed_by_the_centre_supervisor_and_can_be_refused(network):
    w = network
    pending = grant_post(w.cast["newcomer"], Post.CENTRE_PART_TIME_COUNSELLOR, w.school, by=w.cast["student_affairs"])
    with pytest.raises(GrantError):
        confirm_grant(pending, by=w.cast["student_affairs_2"])  # 学工部 grants; the supervisor confirms
    with pytest.raises(GrantError, match="why"):
        refuse_grant(pending, by=w.cast["supervisor"], reason=" ")
    refused = refuse_grant(pending, by=w.cast["supervisor"], reason="未经中心面试")
    assert refused.status == "refused" and not holds(w.cast["newcomer"], Post.CENTRE_PART_TIME_COUNSELLOR)


def test_only_the_granter_withdraws_a_pending_grant(network):
    w = network
    pending = grant_post(w.cast["newcomer"], Post.MENTAL_HEALTH_ADVISOR, w.college_a, by=w.cast["student_affairs"])
    with pytest.raises(GrantError):
        withdraw_grant(pending, by=w.cast["student_affairs_2"])
    assert withdraw_grant(pending, by=w.cast["student_affairs"]).status == "withdrawn"


def test_the_database_refuses_a_self_grant_or_a_self_confirmation_written_around_the_service(network):

    w = network
    person = w.cast["newcomer"]
    with pytest.raises(IntegrityError), transaction.atomic():
        Appointment.objects.create(person=person, post=Post.ADVISOR, class_group=w.a1, granted_by=person)
    with pytest.raises(IntegrityError), transaction.atomic():
        Appointment.objects.create(
            person=person, post=Post.ADVISOR, class_group=w.a1, granted_by=w.cast["admin"], decided_by=w.cast["admin"]
        )


# The log and the people told -----------------------------------------------------------------------------


def test_every_grant_confirmation_refusal_and_end_is_in_the_access_log(network):
    w = network
    pending = grant_post(w.cast["newcomer"], Post.CENTRE_COUNSELLOR, w.school, by=w.cast["student_affairs"])
    confirm_grant(pending, by=w.cast["supervisor"])
    other = grant_post(w.cast["newcomer"], Post.MENTAL_HEALTH_ADVISOR, w.college_a, by=w.cast["student_affairs"])
    refuse_grant(other, by=w.cast["supervisor"], reason="已有心理辅导员")
    end_post(pending, by=w.cast["student_affairs_2"], reason="调离")
    rows = list(AuditEntry.objects.order_by("id").values_list("what", "actor_username", "post", "detail"))
    assert [(what, actor, post) for what, actor, post, _detail in rows] == [
        ("org.appointment.grant", "T10009", "student_affairs_staff"),
        ("org.appointment.confirm", "T10008", "centre_supervisor"),
        ("org.appointment.grant", "T10009", "student_affairs_staff"),
        ("org.appointment.refuse", "T10008", "centre_supervisor"),
        ("org.appointment.end", "T10033", "student_affairs_staff"),
    ]
    assert rows[0][3] | {"appointment": 0} == {
        "appointment": 0, "person": "T20001", "post": "centre_counsellor", "scope": str(w.school),
        "status": "pending", "starts_on": timezone.localdate().isoformat(), "ends_on": None,
    }  # fmt: skip
    assert rows[3][3]["reason"] == "已有心理辅导员" and rows[4][3]["reason"] == "调离"


def test_t3_and_t4_grants_alert_the_supervisor_and_the_student_affairs_head_and_ask_the_confirmers(network):
    w = network
    grant_post(w.cast["newcomer"], Post.CENTRE_SUPERVISOR, w.school, by=w.cast["admin"])
    told = {
        (n.recipient.username, n.dedupe_key.split(":")[1]) for n in Notification.objects.select_related("recipient")
    }
    assert told == {
        ("T10030", "confirm"), ("T10031", "confirm"),  # the leading group's head and deputy confirm
        ("T10008", "alert"), ("T10031", "alert"),  # the supervisor and the 学工部 head are alerted
        ("T20001", "holder"),
    }  # fmt: skip
    alert = Notification.objects.get(recipient=w.cast["supervisor"])
    assert alert.urgent and "系统管理员" in alert.body
    Notification.objects.all().delete()
    grant_post(w.cast["newcomer"], Post.HEAD_TEACHER, w.a2, by=w.cast["student_affairs"])
    assert set(Notification.objects.values_list("recipient__username", flat=True)) == {"T20001"}  # T2: no alert


# Ending --------------------------------------------------------------------------------------------------


def test_a_post_ends_by_its_holder_granter_or_confirmer_never_by_others(network):
    w = network
    head_teacher = Appointment.objects.get(person=w.cast["head_teacher"])
    for outsider in ("advisor", "counsellor", "leading_group_member", "outsider"):
        with pytest.raises(GrantError):
            end_post(head_teacher, by=w.cast[outsider])
    ended = end_post(head_teacher, by=w.cast["office_director"], reason="换届")
    assert ended.ends_on == timezone.localdate() and ended.ended_by == w.cast["office_director"]
    assert not holds(w.cast["head_teacher"], Post.HEAD_TEACHER)
    with pytest.raises(GrantError, match="already"):
        end_post(head_teacher, by=w.cast["student_affairs"])
    supervisor = Appointment.objects.get(person=w.cast["supervisor"])
    end_post(supervisor, by=w.cast["deputy"], on=timezone.localdate() + dt.timedelta(days=5))
    assert holds(w.cast["supervisor"], Post.CENTRE_SUPERVISOR)  # until the chosen day
    mine = Appointment.objects.get(person=w.cast["counsellor"])
    end_post(mine, by=w.cast["counsellor"])  # anyone may step down
    assert not holds(w.cast["counsellor"], Post.CENTRE_COUNSELLOR)


def test_a_pending_grant_is_withdrawn_or_refused_not_ended(network):
    w = network
    pending = grant_post(w.cast["newcomer"], Post.CENTRE_COUNSELLOR, w.school, by=w.cast["student_affairs"])
    with pytest.raises(GrantError):
        end_post(pending, by=w.cast["student_affairs"])


# The moves Appointment.Status declares -------------------------------------------------------------------


def test_a_grant_starts_waiting_or_in_force_and_is_decided_once():
    assert unreachable(Appointment.MOVES) == {Appointment.Status.PENDING}
    assert Appointment.MOVES.final() == {
        Appointment.Status.ACTIVE, Appointment.Status.REFUSED, Appointment.Status.WITHDRAWN,
    }  # fmt: skip


DECISIONS = {
    Appointment.Status.ACTIVE: lambda grant, w: confirm_grant(grant, by=w.cast["supervisor"]),
    Appointment.Status.REFUSED: lambda grant, w: refuse_grant(grant, by=w.cast["supervisor"], reason="未经中心面试"),
    Appointment.Status.WITHDRAWN: lambda grant, w: withdraw_grant(grant, by=w.cast["student_affairs"]),
}


@pytest.mark.parametrize(("current", "target"), moves_to(Appointment.MOVES, DECISIONS))
def test_decisions_move_a_grant_as_the_table_says(network, current, target):
    w = network
    pending = grant_post(w.cast["newcomer"], Post.CENTRE_PART_TIME_COUNSELLOR, w.school, by=w.cast["student_affairs"])
    walk_move(Appointment.MOVES, pending, current, target, lambda grant: DECISIONS[target](grant, w), error=GrantError)
