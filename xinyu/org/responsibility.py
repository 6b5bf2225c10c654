"""Who is responsible for a student in a given role at a given moment, from the network's posts.

A role nobody holds (a coverage gap) falls through to the next role up the chain, so that no report or
step is ever left without an owner.
"""

import datetime as dt

from django.db.models import Q
from django.utils import timezone

from xinyu.org.models import COLLEGE_WORKING_GROUP_POSTS, Appointment, Department, Post, Student

# The chain a role falls back along when nobody holds it (advisor → college leader → 学工部 → school leader).
FALLBACK = {
    "advisor": "mental_health_advisor",
    "head_teacher": "advisor",
    "mental_health_advisor": "college_leader_in_charge",
    "college_working_group": "college_leader_in_charge",
    "college_leader_in_charge": "student_affairs",
    "logistics_security": "student_affairs",
    "centre": "student_affairs",
    "student_affairs": "school_leader",
    "school_leader": None,
}
CENTRE = (Post.CENTRE_SUPERVISOR, Post.CENTRE_COUNSELLOR)


def _holders(student: Student, role: str, day: dt.date) -> Q | None:
    group = student.class_group
    match role:
        case "advisor":
            return Q(post=Post.ADVISOR, class_group_id=group.pk)
        case "head_teacher":
            return Q(post=Post.HEAD_TEACHER, class_group_id=group.pk)
        case "mental_health_advisor":
            return Q(post=Post.MENTAL_HEALTH_ADVISOR, college_id=group.college_id)
        case "college_leader_in_charge":
            return Q(post=Post.COLLEGE_LEADER_IN_CHARGE, college_id=group.college_id)
        case "college_working_group":
            return Q(post__in=COLLEGE_WORKING_GROUP_POSTS, college_id=group.college_id)
        case "student_affairs":
            return Q(post=Post.STUDENT_AFFAIRS_STAFF, department__school_id=student.school_id)
        case "centre":
            return Q(post__in=CENTRE, school_id=student.school_id)
        case "logistics_security":
            return Q(
                post=Post.DEPARTMENT_STAFF,
                department__kind=Department.Kind.LOGISTICS_SECURITY,
                department__school_id=student.school_id,
            )
        case "school_leader":
            return Q(post=Post.LEADING_GROUP_HEAD, school_id=student.school_id)
    raise ValueError(f"unknown role {role!r}")


def holders_of(role: str, student: Student, *, at: dt.datetime | None = None, duty_leader=None) -> list:
    """The people holding `role` for `student` now (or at `at`), falling back up the chain when nobody does.

    `duty_leader`, when given, is the school leader for the moment (out of office hours the duty leader
    organises C and D crises, 第十二条(三)); the caller decides whether office hours apply.
    """
    moment = at or timezone.now()
    day = timezone.localtime(moment).date()
    current = role
    while current is not None:
        if current == "school_leader" and duty_leader is not None:
            return [duty_leader]
        people = [
            appointment.person
            for appointment in Appointment.objects.current(on=day)
            .filter(_holders(student, current, day))
            .select_related("person")
            .order_by("post", "id")
        ]
        unique = list(dict.fromkeys(people))
        if unique:
            return unique
        current = FALLBACK[current]
    return []
