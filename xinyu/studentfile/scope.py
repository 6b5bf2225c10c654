"""Who may open a student file, and who may see who opened it.

- The file (心理健康档案) is opened by staff holding T2 or more on the student: the responsible chain
  (head teacher, advisor, the college's working group, the centre, 学工部), people working on an open
  crisis case, and whoever holds a break-glass grant. What the file then shows is each timeline
  source's decision for the viewer's tier (`xinyu.studentfile.timeline`).
- Confidential (T4) entries are printed or exported only when a viewer who may read them asks for them.
- "Who opened this file" (the access log for one student) is for the psychology centre only.
- A student sees their own page (their bookings, results, consents, reports), never another's file.
"""

from django.http import Http404

from xinyu.org.scope import *  # noqa: F403 - this app's scope: the tiers and grants, and its own records
from xinyu.org.scope import base
from xinyu.org.scope.base import Tier, get_student_for_user, is_centre_staff, tier_for

__all__ = [
    *base.__all__,
    "FILE_TIER",
    "get_access_log_student",
    "get_file_student",
    "may_include_confidential",
    "may_see_file_access_log",
]

FILE_TIER = Tier.T2


def get_file_student(user, student_id):
    """The student whose file `user` may open, with the viewer's tier and the grant it comes from;
    404 for a missing student and for one out of scope alike."""
    if not getattr(user, "is_authenticated", False) or not user.is_active or user.is_student:
        raise Http404
    student = get_student_for_user(user, student_id, FILE_TIER)
    tier, grant = tier_for(user, student)
    if tier < FILE_TIER:  # students_for and tier_for disagree only if a grant ended in between
        raise Http404
    return student, tier, grant


def may_see_file_access_log(user) -> bool:
    """Who opened a student's file: the psychology centre (its staff posts)."""
    return bool(getattr(user, "is_authenticated", False) and user.is_active) and is_centre_staff(user)


def get_access_log_student(user, student_id):
    """The student whose access log `user` may read (the centre, over the students it sees); 404 otherwise."""
    if not may_see_file_access_log(user):
        raise Http404
    student = get_student_for_user(user, student_id, FILE_TIER)
    tier, grant = tier_for(user, student)
    return student, tier, grant


def may_include_confidential(entries) -> bool:
    """A print or export may carry confidential (T4) entries only for a viewer whose timeline holds them:
    the sources gave them to this viewer by their own rule (the treating counsellor, the supervisors)."""
    return any(entry.confidential for entry in entries)
