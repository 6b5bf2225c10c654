"""Who may write, approve, read and return the college monthly reports (第十一条), and read and keep the
leading group's year (the summary, the symposium and its decisions), and run research extracts. Figures only: reading a
report reveals no student (T0 about anyone), so the rule is by post, not by tier.

- A college's mental-health advisor and its 学工办 director draft their college's report;
- its working group head (组长), or the college leader in charge, approves and sends it;
- the college's working group reads it; school-wide, 学工部, the centre's supervisor and the leading group
  read every college's and the month × college grid; 学工部 returns a sent report for changes.
"""

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Q, QuerySet
from django.http import Http404

from xinyu.org.models import College, Post
from xinyu.org.scope import current_appointments, school_id_of
from xinyu.reports.models import MonthlyReport

DRAFTERS = frozenset({Post.MENTAL_HEALTH_ADVISOR, Post.COLLEGE_OFFICE_DIRECTOR})
APPROVERS = frozenset({Post.COLLEGE_GROUP_HEAD, Post.COLLEGE_LEADER_IN_CHARGE})
COLLEGE_READERS = DRAFTERS | APPROVERS
RETURNERS = frozenset({Post.STUDENT_AFFAIRS_STAFF})
SCHOOL_READERS = RETURNERS | {
    Post.CENTRE_SUPERVISOR, Post.LEADING_GROUP_HEAD, Post.LEADING_GROUP_DEPUTY, Post.LEADING_GROUP_MEMBER,
}  # fmt: skip


def _colleges_by(user, college_posts: frozenset, school_posts: frozenset = frozenset()) -> QuerySet[College]:
    condition = Q(pk__in=[])
    for appointment in current_appointments(user):
        if appointment.post in college_posts and appointment.college_id:
            condition |= Q(pk=appointment.college_id)
        elif appointment.post in school_posts and school_id_of(appointment):
            condition |= Q(school_id=school_id_of(appointment))
    return College.objects.filter(condition)


def colleges_to_draft_for(user) -> QuerySet[College]:
    return _colleges_by(user, DRAFTERS)


def colleges_to_approve_for(user) -> QuerySet[College]:
    return _colleges_by(user, APPROVERS)


def colleges_to_read_for(user) -> QuerySet[College]:
    """Colleges whose reports `user` may read: their own college's working group, or school-wide."""
    return _colleges_by(user, COLLEGE_READERS, SCHOOL_READERS)


def schools_to_oversee_for(user) -> set[int]:
    """Schools whose month × college grid and month summary `user` may read."""
    return {school_id_of(a) for a in current_appointments(user) if a.post in SCHOOL_READERS and school_id_of(a)}


def may_see_monthly_reports(user) -> bool:
    return any(a.post in COLLEGE_READERS | SCHOOL_READERS for a in current_appointments(user))


def may_draft(user, college) -> bool:
    return colleges_to_draft_for(user).filter(pk=college.pk).exists()


def may_approve(user, college) -> bool:
    return colleges_to_approve_for(user).filter(pk=college.pk).exists()


def may_return(user, college) -> bool:
    return any(a.post in RETURNERS and school_id_of(a) == college.school_id for a in current_appointments(user))


def may_read_annual(user, school) -> bool:
    """The leading group's year: the leading group, 学工部 and the centre's supervisor of the school."""
    return school.pk in schools_to_oversee_for(user)


def may_edit_annual(user, school) -> bool:
    """学工部 keeps it: the year's summary, the symposium, its decisions."""
    return any(a.post in RETURNERS and school_id_of(a) == school.pk for a in current_appointments(user))


def may_run_research(user, school=None) -> bool:
    """Research studies and their extracts: the centre's supervisor (of `school`, when given)."""
    return any(
        a.post == Post.CENTRE_SUPERVISOR and (school is None or school_id_of(a) == school.pk)
        for a in current_appointments(user)
    )


def is_student_affairs(user) -> bool:
    return any(a.post in RETURNERS for a in current_appointments(user))


def is_leading_group_only(user) -> bool:
    """The leading group reads figures school-wide with small cells suppressed (DESIGN.md §10)."""
    posts = {a.post for a in current_appointments(user)}
    return bool(posts) and posts <= {Post.LEADING_GROUP_HEAD, Post.LEADING_GROUP_DEPUTY, Post.LEADING_GROUP_MEMBER}


def get_college_for_user(user, college_id) -> College:
    """A college whose reports `user` may read; otherwise 404, as for a missing one."""
    try:
        return colleges_to_read_for(user).select_related("school").get(pk=college_id)
    except (ObjectDoesNotExist, ValueError, TypeError):
        raise Http404 from None


def reports_for(user) -> QuerySet[MonthlyReport]:
    return MonthlyReport.objects.filter(college__in=colleges_to_read_for(user))
