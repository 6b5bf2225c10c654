"""Who may see the compliance board and who keeps its records: the one place that decides.

The board is school-wide and holds counts only (no student is named): the leading group, 学工部 and the
centre's supervisor read it; 学工部 and the supervisor keep the ledger, the teachers' qualifications and the
facilities. Everyone else gets 404, the same answer as for a page that does not exist.
"""

from django.db.models import QuerySet
from django.http import Http404

from xinyu.org import scope
from xinyu.org.models import College, Post, School

BOARD_POSTS = frozenset(
    {
        Post.LEADING_GROUP_HEAD,
        Post.LEADING_GROUP_DEPUTY,
        Post.LEADING_GROUP_MEMBER,
        Post.STUDENT_AFFAIRS_STAFF,
        Post.CENTRE_SUPERVISOR,
    }
)
EDIT_POSTS = frozenset({Post.STUDENT_AFFAIRS_STAFF, Post.CENTRE_SUPERVISOR})
# 第十五条: the full-time teachers are the people holding the centre's full-time posts.
FULL_TIME_POSTS = frozenset({Post.CENTRE_COUNSELLOR, Post.CENTRE_SUPERVISOR})
PART_TIME_POSTS = frozenset({Post.CENTRE_PART_TIME_COUNSELLOR})


def may_view_board(user) -> bool:
    return bool(scope.school_ids_where(user, BOARD_POSTS))


def may_edit(user) -> bool:
    return bool(scope.school_ids_where(user, EDIT_POSTS))


def school_for(user) -> School:
    """The school whose board `user` sees (the first, for the rare person with posts in two)."""
    schools = scope.school_ids_where(user, BOARD_POSTS)
    if not schools:
        raise Http404
    return School.objects.get(pk=min(schools))


def editable_school_for(user) -> School:
    schools = scope.school_ids_where(user, EDIT_POSTS)
    if not schools:
        raise Http404
    return School.objects.get(pk=min(schools))


def colleges_for(user) -> QuerySet[College]:
    return College.objects.filter(school_id__in=scope.school_ids_where(user, BOARD_POSTS))


def get_college_for_user(user, pk, *, edit: bool = False) -> College:
    schools = scope.school_ids_where(user, EDIT_POSTS if edit else BOARD_POSTS)
    try:
        return College.objects.get(pk=pk, school_id__in=schools)
    except (College.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


# The policy in force (read-only, no student in it): the centre, which works by it, and 学工部, which keeps
# its calendar up to date with the technical administrator.
POLICY_POSTS = scope.CENTRE_POSTS | {Post.STUDENT_AFFAIRS_STAFF}


def may_view_policy(user) -> bool:
    return scope._is_active_staff(user) and bool(scope.posts_of(user) & POLICY_POSTS)
