"""Who may see and do what in the key-concern registry, care plans and dorm check-ins.

Tiers (DESIGN.md §4):
- T2, the chain (head teacher, advisor, 学工部, people on an open case of the student): that the student
  is on the registry, the entry's status, risk level and next review date, and the plan's measures for
  the class level with who is responsible at each level. Nothing of why: no categories, reasons,
  goals, other measures, progress notes or history.
- T3, the college working group (mental-health advisor …) and the psychology centre: everything —
  categories, reasons, history, the whole plan, progress notes, check-ins.
- Confirming a proposal, reviewing (研判) and editing the plan: the college's mental-health advisor and
  the centre. Requesting removal (解除): the college's working group. Signing removal off: the centre.
- Removed entries are hidden from routine lists; the centre may list them ("removed" filter).
- The monthly review list (研判清单): the college working group for their college, the centre for the
  whole school.
- A dorm leader (a student) sees only the names of the dorm-mates they were asked to look after, while
  they hold the dorm-leader post over the student's room and the assignment is open. Nothing of why.
- A responsible person named on the plan at T2 (the class level) may record that they talked with the
  student (a contact record), without reading the plan's notes.
"""

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from xinyu.care.models import CheckInAssignment, RegistryEntry
from xinyu.org.models import COLLEGE_WORKING_GROUP_POSTS, Appointment, College, Post
from xinyu.org.scope import *  # noqa: F403 - this app's scope: the tiers and grants, and its own records
from xinyu.org.scope import base
from xinyu.org.scope.base import CENTRE_POSTS, Tier, grants_for, posts_of, students_for, tier_for

__all__ = [
    *base.__all__,
    "REGISTRY_CONFIRM_POSTS",
    "care_link",
    "check_in_assignments_for",
    "dorm_leaders_for",
    "may_check_in",
    "may_confirm_entry",
    "may_decide_removal",
    "may_record_student_contact",
    "may_request_removal",
    "may_see_removed_entries",
    "may_use_registry",
    "may_view_review_list",
    "registry_entries_for",
    "registry_tier",
    "review_list_colleges",
]

REGISTRY_CONFIRM_POSTS = frozenset({Post.MENTAL_HEALTH_ADVISOR}) | CENTRE_POSTS


def may_use_registry(user) -> bool:
    """The registry pages: staff with a T2 grant or above over some students."""
    return (
        bool(getattr(user, "is_authenticated", False))
        and not user.is_student
        and any(grant.tier >= Tier.T2 for grant in grants_for(user))
    )


def registry_tier(user, student) -> Tier:
    """The viewer's tier on a registry entry's student (T0 for none)."""
    return tier_for(user, student)[0]


def registry_entries_for(user, tier: Tier = Tier.T2, *, include_removed: bool = False) -> QuerySet:
    """Registry entries of the students `user` sees at `tier`; removed ones only when asked (and allowed)."""

    entries = RegistryEntry.objects.filter(student__in=students_for(user, tier))
    if not (include_removed and may_see_removed_entries(user)):
        entries = entries.exclude(status=RegistryEntry.Status.REMOVED)
    return entries


def get_registry_entry_for_user(user, pk, tier: Tier = Tier.T2) -> tuple[RegistryEntry, Tier, str]:
    """The entry with the tier `user` holds on its student and the post that gives it, if that tier is at
    least `tier`; 404 for missing and out of scope alike. Removed entries only at T3."""
    try:
        entry = RegistryEntry.objects.select_related("student__class_group__college").get(pk=pk)
    except (RegistryEntry.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    viewer_tier, grant = tier_for(user, entry.student)
    if viewer_tier < tier or (entry.status == RegistryEntry.Status.REMOVED and viewer_tier < Tier.T3):
        raise Http404
    return entry, viewer_tier, grant.post if grant else ""


def _covering_posts(user, student) -> set[str]:
    return {grant.post for grant in grants_for(user) if grant.covers(student)}


def may_confirm_entry(user, entry) -> bool:
    """Confirm, review, edit the plan: the student's college mental-health advisor, or the centre."""
    return bool(_covering_posts(user, entry.student) & REGISTRY_CONFIRM_POSTS)


def may_request_removal(user, entry) -> bool:
    """Removal is requested by the student's college (its working group)."""
    return bool(_covering_posts(user, entry.student) & COLLEGE_WORKING_GROUP_POSTS)


def may_decide_removal(user, entry) -> bool:
    """The centre assesses and signs removal off."""
    return bool(_covering_posts(user, entry.student) & CENTRE_POSTS)


def may_see_removed_entries(user) -> bool:
    return bool(posts_of(user) & CENTRE_POSTS)


def may_record_student_contact(user, plan) -> bool:
    """A contact with the student: the people named on the plan, and anyone at T3 over the student."""
    if user.pk in {plan.centre_person_id, plan.college_person_id, plan.class_person_id}:
        return registry_tier(user, plan.entry.student) >= Tier.T2
    return registry_tier(user, plan.entry.student) >= Tier.T3


def review_list_colleges(user) -> QuerySet:
    """Colleges whose monthly review list `user` may see: the centre every college of its school, the
    college working group its own college."""

    condition = Q(pk__in=[])
    for grant in grants_for(user):
        if grant.post in CENTRE_POSTS and grant.scope_kind == "school":
            condition |= Q(school_id=grant.scope_id)
        elif grant.post in COLLEGE_WORKING_GROUP_POSTS and grant.scope_kind == "college":
            condition |= Q(pk=grant.scope_id)
    return College.objects.filter(condition)


def may_view_review_list(user) -> bool:
    return review_list_colleges(user).exists()


def dorm_leaders_for(student) -> list:
    """The students holding the dorm-leader post over `student`'s room today (never the student)."""
    if not student.dorm_room_id:
        return []
    people = [
        appointment.person
        for appointment in Appointment.objects.current(on=timezone.localdate())
        .filter(post=Post.DORM_LEADER, dorm_room_id=student.dorm_room_id)
        .exclude(person_id=student.user_id)
        .select_related("person")
        .order_by("id")
    ]
    return list(dict.fromkeys(people))


def check_in_assignments_for(user) -> QuerySet:
    """The open check-in assignments of a dorm leader, while they hold the post over the student's room."""

    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return CheckInAssignment.objects.none()
    rooms = [
        a.dorm_room_id
        for a in Appointment.objects.current(on=timezone.localdate()).filter(person_id=user.pk, post=Post.DORM_LEADER)
    ]
    return CheckInAssignment.objects.filter(
        dorm_leader_id=user.pk, ended_at__isnull=True, student__dorm_room_id__in=rooms
    )


def get_check_in_assignment_for_user(user, pk) -> CheckInAssignment:
    """A dorm leader's own open check-in assignment; 404 for any other (or none)."""
    try:
        return check_in_assignments_for(user).get(pk=pk)
    except (CheckInAssignment.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def may_check_in(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and check_in_assignments_for(user).exists()


def care_link(user) -> str | None:
    """The navigation's care page: the registry for staff at T2+, the check-ins for a dorm leader asked to
    check in on someone (labelled "Check-ins", nothing of why), nothing for others."""
    if may_use_registry(user):
        return "care:registry"
    if getattr(user, "is_student", False) and may_check_in(user):
        return "concerns:check_ins"
    return None
