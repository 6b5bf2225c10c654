"""Who may see and do what in referral, leave and the return gate.

- Referrals, leaves and the gate are T3: the college's working group (mental-health advisor, leader in
  charge, …) over their college and the centre over the school read and record them.
- T4 (diagnosis summary, medication, the hospitals' statement summaries): the centre's supervisors, and the
  person who recorded them while they still hold T3 over the student. Only centre staff record T4 text.
- The gate's parts: the centre's return assessment by centre staff; the college sign-off by the college's
  leader in charge or mental-health advisor.
"""

from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404

from xinyu.org.models import Post
from xinyu.org.scope import *  # noqa: F403 - this app's scope: the tiers and grants, and its own records
from xinyu.org.scope.base import (
    Tier,
    _is_active_staff,
    current_appointments,
    grants_for,
    is_centre_staff,
    students_for,
    tier_for,
)
from xinyu.referrals.models import Leave, Referral

SIGN_OFF_POSTS = frozenset({Post.COLLEGE_LEADER_IN_CHARGE, Post.MENTAL_HEALTH_ADVISOR})


def may_refer(user) -> bool:
    """The referral and leave pages: staff holding T3 over some students."""
    return _is_active_staff(user) and any(grant.tier >= Tier.T3 for grant in grants_for(user))


def referral_students_for(user):
    """Students whose referrals and leaves `user` may read and record (T3)."""
    return students_for(user, Tier.T3)


def referrals_for(user):

    if not _is_active_staff(user):
        return Referral.objects.none()
    return Referral.objects.filter(student__in=referral_students_for(user))


def get_referral_for_user(user, pk):
    try:
        return referrals_for(user).select_related("student__class_group__college", "created_by").get(pk=pk)
    except (ObjectDoesNotExist, ValueError, TypeError):
        raise Http404 from None


def leaves_for(user):

    if not _is_active_staff(user):
        return Leave.objects.none()
    return Leave.objects.filter(student__in=referral_students_for(user))


def get_leave_for_user(user, pk):
    try:
        return leaves_for(user).select_related("student__class_group__college", "signed_off_by").get(pk=pk)
    except (ObjectDoesNotExist, ValueError, TypeError):
        raise Http404 from None


def may_manage_referrals_of(user, student) -> bool:
    """Creating and recording a referral or a leave for `student`: T3 over them."""
    return _is_active_staff(user) and tier_for(user, student)[0] >= Tier.T3


def _is_supervisor_over(user, student) -> bool:
    return any(
        grant.post == Post.CENTRE_SUPERVISOR and grant.tier >= Tier.T4 and grant.covers(student)
        for grant in grants_for(user)
    )


def may_read_confidential(user, student, recorded_by_id) -> bool:
    """T4 text about `student` recorded by `recorded_by_id`: the centre's supervisors over the student, and
    the recorder while they still hold T3 over the student."""
    if not _is_active_staff(user):
        return False
    if _is_supervisor_over(user, student):
        return True
    return recorded_by_id is not None and recorded_by_id == user.pk and may_manage_referrals_of(user, student)


def may_record_confidential(user, student) -> bool:
    """Writing T4 text (diagnosis, medication, statement summaries): centre staff with T3 over the student."""
    return is_centre_staff(user) and may_manage_referrals_of(user, student)


def may_assess_return(user, leave) -> bool:
    """The centre's return assessment: centre staff over the student, while the leave is open."""
    return leave.is_open and may_record_confidential(user, leave.student)


def may_sign_off_return(user, leave) -> bool:
    """The college's sign-off: the leader in charge or the mental-health advisor of the student's college."""
    if not (leave.is_open and _is_active_staff(user)):
        return False
    college_id = leave.student.class_group.college_id
    return any(
        appointment.post in SIGN_OFF_POSTS and appointment.college_id == college_id
        for appointment in current_appointments(user)
    )


def sign_off_college_ids(user) -> set[int]:
    """Colleges whose return gates wait for `user`'s sign-off (for "my work")."""
    if not _is_active_staff(user):
        return set()
    return {
        appointment.college_id
        for appointment in current_appointments(user)
        if appointment.post in SIGN_OFF_POSTS and appointment.college_id
    }
