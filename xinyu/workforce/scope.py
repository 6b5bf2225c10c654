"""Who may see what in the workforce's records, built on `xinyu.org.scope`."""

from xinyu.org.models import Post
from xinyu.org.scope import *  # noqa: F403 - this app's scope: the tiers and grants, and its own records
from xinyu.org.scope.base import posts_of

# The workload statement of everyone: the centre's supervisors (who run the counsellors' work) and 学工部
# (who secures the 课时, 第十三条). Any other staff member reads their own.
STATEMENT_OF_EVERYONE_POSTS = frozenset({Post.CENTRE_SUPERVISOR, Post.STUDENT_AFFAIRS_STAFF})


def may_view_statement(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.is_active and not user.is_student


def may_view_everyones_statement(user) -> bool:
    return may_view_statement(user) and bool(posts_of(user) & STATEMENT_OF_EVERYONE_POSTS)
