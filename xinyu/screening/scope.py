"""Who may run and see screening: campaigns, sittings, completion and results (its interviews: concerns.scope)."""

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Q, QuerySet
from django.http import Http404

from xinyu.org.models import ClassGroup, Post, Student
from xinyu.org.scope import *  # noqa: F403 - this app's scope: the tiers and grants, and its own records
from xinyu.org.scope.base import (
    CENTRE_POSTS,
    Tier,
    _is_active_staff,
    class_groups_for,
    current_appointments,
    grants_for,
    is_centre_staff,
    students_for,
)
from xinyu.screening.models import Campaign, Sitting

# --- Screening campaigns ---

SITTING_POSTS = frozenset({Post.HEAD_TEACHER, Post.ADVISOR})


def may_open_sitting(user, class_group) -> bool:
    """Opening a sitting (a class answering together): the class's head teacher or advisor."""
    if not _is_active_staff(user):
        return False
    return any(
        appointment.post in SITTING_POSTS and appointment.class_group_id == class_group.pk
        for appointment in current_appointments(user)
    )


def sitting_class_groups_for(user) -> QuerySet[ClassGroup]:
    """The class groups `user` may open sittings for."""
    ids = [
        appointment.class_group_id
        for appointment in current_appointments(user)
        if appointment.post in SITTING_POSTS and appointment.class_group_id
    ]
    if not _is_active_staff(user):
        ids = []
    return ClassGroup.objects.filter(pk__in=ids)


def get_sitting_class_group_for_user(user, pk) -> ClassGroup:
    """A class `user` may open a sitting for; 404 for any other (or none)."""
    try:
        group = ClassGroup.objects.get(pk=pk)
    except (ObjectDoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if not may_open_sitting(user, group):
        raise Http404
    return group


def get_sitting_for_user(user, pk) -> Sitting:
    """A sitting of a class `user` may open sittings for; 404 for any other (or none)."""
    try:
        sitting = Sitting.objects.select_related("campaign", "class_group").get(pk=pk)
    except (ObjectDoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if not may_open_sitting(user, sitting.class_group):
        raise Http404
    return sitting


def may_manage_campaigns(user) -> bool:
    """Creating and listing assessment campaigns: the psychology centre."""
    return is_centre_staff(user)


def centre_school(user):
    """The school whose psychology centre `user` works in, if any."""
    appointment = next((a for a in current_appointments(user) if a.post in CENTRE_POSTS), None)
    return appointment.school if appointment else None


def get_managed_campaign_for_user(user, pk) -> Campaign:
    """A campaign of the centre's own school; 404 for any other (or none)."""
    school = centre_school(user)
    if school is None:
        raise Http404
    try:
        return Campaign.objects.get(pk=pk, school=school)
    except (ObjectDoesNotExist, ValueError, TypeError):
        raise Http404 from None


def may_manage_instruments(user) -> bool:
    """Importing instruments (drafts) and activating them for campaigns: the psychology centre, which runs
    the campaigns that use them."""
    return _is_active_staff(user) and is_centre_staff(user)


def completion_class_groups_for(user, campaign) -> QuerySet[ClassGroup]:
    """Class groups whose completion (who has not answered; names only) `user` may follow for `campaign`:
    the centre the whole school, a college's working group their college, head teacher and advisor their
    class. Others nothing."""
    if not _is_active_staff(user):
        return ClassGroup.objects.none()
    groups = class_groups_for(user, Tier.T2).filter(college__school_id=campaign.school_id)
    return groups | sitting_class_groups_for(user).filter(college__school_id=campaign.school_id)


# Screening results (DESIGN.md §5). Scores, bands and flags are T3.


def results_students_for(user) -> QuerySet[Student]:
    """Students whose screening results (scores, bands, flags) `user` may read: T3 (college working group
    over their college, the centre over the school)."""
    return students_for(user, Tier.T3)


def may_view_screening_results(user) -> bool:
    """The results pages: anyone holding T3 over some students (college working group, the centre)."""
    return _is_active_staff(user) and any(grant.tier >= Tier.T3 for grant in grants_for(user))


def campaigns_for(user):
    """Assessment campaigns `user` may list (to reach their completion and results pages): those of the
    schools whose students they are responsible for, and of the centre's own school."""

    if not _is_active_staff(user):
        return Campaign.objects.none()
    school_ids = {a.school_id for a in current_appointments(user) if a.post in CENTRE_POSTS and a.school_id}
    condition = Q(school_id__in=school_ids) | Q(school_id__in=students_for(user).values("school_id"))
    return Campaign.objects.filter(condition)


def may_list_campaigns(user) -> bool:
    """The campaign list: the centre, and staff responsible for students (head teachers, advisors, colleges)."""
    return _is_active_staff(user) and (may_manage_campaigns(user) or bool(grants_for(user)))
