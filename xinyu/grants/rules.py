"""Who may grant, confirm and end which post (DESIGN.md §9). The services in `xinyu.org.services` apply it.

- T4 (centre supervisor), and the leading group's head and deputy (who confirm T4 grants): granted by the
  technical administrator, confirmed by the leading group's head or deputy (the deputy is 学工部部长).
- T3 (centre counsellors, the colleges' working groups): granted by 学工部, confirmed by the centre's
  supervisor.
- T2 (advisor, head teacher, 学工部 staff): granted by 学工部, or by a college's 学工办 for its classes.
- T0 staff posts (leading group members, other departments): granted by 学工部.
- Student posts (class wellbeing rep, dorm leader): granted by the college's 学工办 or the class's advisor, and
  by 学工部 (which may grant those who grant them).

The technical administrator (a superuser) may grant any staff post, because a new installation starts with
nobody in post; a grant of theirs that gives T2 or more waits for the confirmation its tier asks for, and T2
grants for the leading group's head or deputy. Nobody grants a post to themselves, and nobody confirms a
grant they made or that names them. Ending a post narrows access: its holder, anyone who may grant it and
anyone who may confirm it may end it.
"""

import enum
from dataclasses import dataclass

from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _

from xinyu.org.models import COLLEGE_WORKING_GROUP_POSTS, Appointment, ClassGroup, College, DormRoom, Post, School
from xinyu.org.models import Department as DepartmentModel
from xinyu.org.scope.base import POST_TIER, TECHNICAL_ADMIN, Tier, current_appointments, is_technical_admin


class Granter(enum.StrEnum):
    TECHNICAL_ADMIN = TECHNICAL_ADMIN
    STUDENT_AFFAIRS = Post.STUDENT_AFFAIRS_STAFF.value
    COLLEGE_OFFICE = Post.COLLEGE_OFFICE_DIRECTOR.value
    CLASS_ADVISOR = Post.ADVISOR.value


SCHOOL_LEADERS = frozenset({Post.LEADING_GROUP_HEAD, Post.LEADING_GROUP_DEPUTY})
CENTRE_SUPERVISORS = frozenset({Post.CENTRE_SUPERVISOR})
NO_ONE: frozenset = frozenset()


@dataclass(frozen=True)
class GrantRule:
    granted_by: frozenset[Granter]
    confirmed_by: frozenset[str]  # posts whose holders confirm; empty: in force at once


_T3_POSTS = COLLEGE_WORKING_GROUP_POSTS | {Post.CENTRE_COUNSELLOR, Post.CENTRE_PART_TIME_COUNSELLOR}
_ADMIN = frozenset({Granter.TECHNICAL_ADMIN})
_STUDENT_AFFAIRS = frozenset({Granter.TECHNICAL_ADMIN, Granter.STUDENT_AFFAIRS})

RULES: dict[str, GrantRule] = {
    Post.CENTRE_SUPERVISOR: GrantRule(_ADMIN, SCHOOL_LEADERS),
    Post.LEADING_GROUP_HEAD: GrantRule(_ADMIN, SCHOOL_LEADERS),
    Post.LEADING_GROUP_DEPUTY: GrantRule(_ADMIN, SCHOOL_LEADERS),
    **{post: GrantRule(_STUDENT_AFFAIRS, CENTRE_SUPERVISORS) for post in _T3_POSTS},
    Post.STUDENT_AFFAIRS_STAFF: GrantRule(_STUDENT_AFFAIRS, NO_ONE),
    Post.LEADING_GROUP_MEMBER: GrantRule(_STUDENT_AFFAIRS, NO_ONE),
    Post.DEPARTMENT_STAFF: GrantRule(_STUDENT_AFFAIRS, NO_ONE),
    Post.ADVISOR: GrantRule(_STUDENT_AFFAIRS | {Granter.COLLEGE_OFFICE}, NO_ONE),
    Post.HEAD_TEACHER: GrantRule(_STUDENT_AFFAIRS | {Granter.COLLEGE_OFFICE}, NO_ONE),
    # 学工部 too: it may grant the advisors and 学工办 who grant these, so it gains nothing, and its roster
    # import carries the dorm leaders of the whole school.
    Post.WELLBEING_REP: GrantRule(
        frozenset({Granter.STUDENT_AFFAIRS, Granter.COLLEGE_OFFICE, Granter.CLASS_ADVISOR}), NO_ONE
    ),
    Post.DORM_LEADER: GrantRule(
        frozenset({Granter.STUDENT_AFFAIRS, Granter.COLLEGE_OFFICE, Granter.CLASS_ADVISOR}), NO_ONE
    ),
}
assert set(RULES) == set(Post.values), "every post has a grant rule"


def post_tier(post: str) -> Tier:
    return POST_TIER.get(post, Tier.T0)


def confirmers_needed(post: str, by) -> frozenset[str]:
    """The posts whose holders must confirm a grant of `post` made by `by` (empty: in force at once)."""
    rule = RULES[post]
    if rule.confirmed_by:
        return rule.confirmed_by
    if is_technical_admin(by) and post_tier(post) >= Tier.T2:
        return SCHOOL_LEADERS
    return NO_ONE


def school_of(place) -> int | None:
    match place:
        case School():
            return place.pk
        case DepartmentModel() | DormRoom() | College():
            return place.school_id
        case ClassGroup():
            return place.college.school_id
    return None


def _class_of(post: str, place, person) -> ClassGroup | None:
    """The class a class-level or student post belongs to: the class itself, or a dorm leader's own class."""
    if isinstance(place, ClassGroup):
        return place
    if post == Post.DORM_LEADER:
        student = getattr(person, "student", None)
        return student.class_group if student is not None else None
    return None


def _authorities(user, post: str, place, person) -> list[str]:
    """The granters `user` acts as for `post` over `place` (for `person`): technical administrator, or a post
    of theirs whose scope covers the place."""
    found = []
    if is_technical_admin(user):
        found.append(Granter.TECHNICAL_ADMIN)
    school_id = school_of(place)
    group = _class_of(post, place, person)
    for appointment in current_appointments(user):
        match appointment.post:
            case Post.STUDENT_AFFAIRS_STAFF if appointment.department.school_id == school_id:
                found.append(Granter.STUDENT_AFFAIRS)
            case Post.COLLEGE_OFFICE_DIRECTOR if group is not None and group.college_id == appointment.college_id:
                found.append(Granter.COLLEGE_OFFICE)
            case Post.ADVISOR if group is not None and group.pk == appointment.class_group_id:
                found.append(Granter.CLASS_ADVISOR)
    return found


def grant_authority(user, post: str, place, person) -> str | None:
    """The capacity in which `user` may grant `post` over `place` to `person` (for the access log), or None."""
    if person is not None and getattr(person, "pk", None) == getattr(user, "pk", None):
        return None
    allowed = RULES[post].granted_by
    return next((found for found in _authorities(user, post, place, person) if found in allowed), None)


def grant_refusal(user, post: str, place, person) -> str | None:
    """Why `user` may not grant `post` over `place` to `person`, in words for them; None when they may."""
    if person is not None and getattr(person, "pk", None) == getattr(user, "pk", None):
        return _("Nobody grants a post to themselves: ask a colleague who may grant it.")
    if grant_authority(user, post, place, person) is None:
        return _("You may not grant the post of %(post)s here.") % {"post": Post(post).label}
    return None


def confirm_authority(user, appointment) -> str | None:
    """The post in which `user` may confirm (or refuse) a pending grant, or None."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if user.pk in (appointment.person_id, appointment.granted_by_id):
        return None
    needed = confirmers_needed(appointment.post, appointment.granted_by)
    school_id = school_of(appointment.scope)
    for held in current_appointments(user):
        if held.post in needed and held.school_id == school_id:
            return held.post
    return None


def end_authority(user, appointment) -> str | None:
    """The capacity in which `user` may end `appointment`: its holder, a granter of it, or a confirmer of it."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if user.pk == appointment.person_id:
        return "holder"
    if is_technical_admin(user):
        return Granter.TECHNICAL_ADMIN
    allowed = RULES[appointment.post].granted_by
    for found in _authorities(user, appointment.post, appointment.scope, appointment.person):
        if found in allowed:
            return found
    school_id = school_of(appointment.scope)
    for held in current_appointments(user):
        if held.post in RULES[appointment.post].confirmed_by and held.school_id == school_id:
            return held.post
    return None


def grantable_posts(user) -> list[str]:
    """The posts `user` may grant somewhere (to offer in the appointment form)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    capacities = set()
    if is_technical_admin(user):
        capacities.add(Granter.TECHNICAL_ADMIN)
    held = {appointment.post for appointment in current_appointments(user)}
    capacities |= {granter for granter in Granter if granter.value in held}
    return [post for post in Post.values if RULES[post].granted_by & capacities]


def may_manage_posts(user) -> bool:
    return bool(grantable_posts(user))


def may_decide_grants(user) -> bool:
    """Holders of a post that confirms grants (centre supervisor, the leading group's head and deputy)."""
    confirming = SCHOOL_LEADERS | CENTRE_SUPERVISORS
    return any(appointment.post in confirming for appointment in current_appointments(user))


def may_use_post_pages(user) -> bool:
    return may_manage_posts(user) or may_decide_grants(user)


def manageable_appointments(user):
    """Appointments `user` may end or decide, as a queryset: by the posts and places of their authority. The
    services check each one again (`end_authority`, `confirm_authority`)."""
    if is_technical_admin(user):
        return Appointment.objects.all()
    condition = Q(pk__in=[])
    for held in current_appointments(user):
        granted = [post for post, rule in RULES.items() if held.post in {g.value for g in rule.granted_by}]
        confirmed = [post for post, rule in RULES.items() if held.post in rule.confirmed_by]
        match held.post:
            case Post.STUDENT_AFFAIRS_STAFF:
                school_id = held.department.school_id
                condition |= Q(post__in=granted) & _in_school(school_id)
            case Post.COLLEGE_OFFICE_DIRECTOR:
                condition |= Q(post__in=granted, class_group__college_id=held.college_id)
                condition |= Q(post=Post.DORM_LEADER, person__student__class_group__college_id=held.college_id)
            case Post.ADVISOR:
                condition |= Q(post__in=granted, class_group_id=held.class_group_id)
                condition |= Q(post=Post.DORM_LEADER, person__student__class_group_id=held.class_group_id)
        if confirmed and held.school_id:
            condition |= Q(post__in=confirmed) & _in_school(held.school_id)
    return Appointment.objects.filter(condition)


def get_grant_to_decide_for_user(user, pk, related=()) -> Appointment:
    """A pending grant `user` made (to withdraw it) or may confirm; 404 for missing and not-theirs alike."""
    try:
        appointment = Appointment.objects.pending().select_related(*related).get(pk=pk)
    except (Appointment.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if appointment.granted_by_id != user.pk and not confirm_authority(user, appointment):
        raise Http404
    return appointment


def _in_school(school_id):
    return (
        Q(school_id=school_id)
        | Q(department__school_id=school_id)
        | Q(college__school_id=school_id)
        | Q(class_group__college__school_id=school_id)
        | Q(dorm_room__school_id=school_id)
    )


# The access log's names for what happened to a post.
GRANTED, CONFIRMED, REFUSED, WITHDRAWN, ENDED = (
    "org.appointment.grant", "org.appointment.confirm", "org.appointment.refuse", "org.appointment.withdraw",
    "org.appointment.end",
)  # fmt: skip
