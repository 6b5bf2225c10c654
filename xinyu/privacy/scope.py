"""Break-glass, consent, retention and two-factor requirements."""

from django.db.models import Q, QuerySet
from django.http import Http404

from xinyu.org.models import Post
from xinyu.org.scope import *  # noqa: F403 - this app's scope: the tiers and grants, and its own records
from xinyu.org.scope.base import _is_active_staff, current_appointments, own_student, posts_of, school_ids_where
from xinyu.privacy.models import BreakGlassGrant, ConsentRecord


def may_break_glass(user) -> bool:
    """Break-glass is for staff in a post (any post held by staff); students can never use it."""
    return _is_active_staff(user) and bool(current_appointments(user))


def may_review_break_glass(user) -> bool:
    """The centre's supervisors review every emergency access."""
    return Post.CENTRE_SUPERVISOR in posts_of(user)


def _supervised_school_ids(user) -> set[int]:
    return school_ids_where(user, {Post.CENTRE_SUPERVISOR})


# Who opens an emergency access besides its holder: the centre (alerted at once; supervisors review) and
# 学工部 (told when an access was not justified).
BREAK_GLASS_OVERSIGHT_POSTS = frozenset(
    {Post.CENTRE_SUPERVISOR, Post.CENTRE_COUNSELLOR, Post.CENTRE_PART_TIME_COUNSELLOR, Post.STUDENT_AFFAIRS_STAFF}
)


def break_glass_grants_for(user) -> QuerySet:
    """Emergency accesses `user` may open: their own, and for the centre and 学工部 every one in their
    school (the centre's supervisors review them)."""

    if not _is_active_staff(user):
        return BreakGlassGrant.objects.none()
    condition = Q(person_id=user.pk)
    schools = school_ids_where(user, BREAK_GLASS_OVERSIGHT_POSTS)
    if schools:
        condition |= Q(student__school_id__in=schools)
    return BreakGlassGrant.objects.filter(condition)


def break_glass_reviews_for(user) -> QuerySet:
    """Emergency accesses waiting for `user`'s review: a supervisor does not review their own."""

    schools = _supervised_school_ids(user)
    if not schools:
        return BreakGlassGrant.objects.none()
    return BreakGlassGrant.objects.filter(student__school_id__in=schools, outcome="").exclude(person_id=user.pk)


def get_break_glass_grant_for_user(user, pk) -> BreakGlassGrant:
    """An emergency access `user` may open (`break_glass_grants_for`); otherwise 404, as for a missing one."""
    try:
        return break_glass_grants_for(user).select_related("person", "student", "reviewed_by").get(pk=pk)
    except (BreakGlassGrant.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def consents_of(user) -> QuerySet:
    """A student's own consent records; nobody else's."""

    student = own_student(user)
    if student is None:
        return ConsentRecord.objects.none()
    return ConsentRecord.objects.filter(student=student)


def get_own_consent_for_user(user, pk) -> ConsentRecord:
    """A student's own consent record; anyone else's is 404."""
    try:
        return consents_of(user).get(pk=pk)
    except (ConsentRecord.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


# The retention page (counts by year and the runs so far; no student is named): the centre and 学工部.
RETENTION_POSTS = frozenset(
    {Post.CENTRE_SUPERVISOR, Post.CENTRE_COUNSELLOR, Post.CENTRE_PART_TIME_COUNSELLOR, Post.STUDENT_AFFAIRS_STAFF}
)


def may_view_retention(user) -> bool:
    return _is_active_staff(user) and bool(posts_of(user) & RETENTION_POSTS)


def retention_schools_for(user) -> set[int]:
    """The schools whose leavers `user` sees counted on the retention page."""
    return school_ids_where(user, RETENTION_POSTS) if _is_active_staff(user) else set()
