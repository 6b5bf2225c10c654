"""Who keeps and who sees the training records: the one place that decides.

Training is not student data (T0/T1). Every staff member sees their own record and reports an external
training. 学工部 and the centre's staff keep the school's training events, confirm reported ones and see
everyone's record; a college's working group keeps its own college-level training; a college's leaders
(the working group's head, the leader in charge and the 学工办 director) see their college's staff.
Everyone else gets 404, the same answer as for a page that does not exist.
"""

from django.db.models import Q, QuerySet
from django.http import Http404

from xinyu.accounts.models import User
from xinyu.org import scope
from xinyu.org.models import Appointment, College, Post
from xinyu.training.models import TrainingEvent

SCHOOL_KEEPER_POSTS = scope.CENTRE_POSTS | {Post.STUDENT_AFFAIRS_STAFF}
COLLEGE_KEEPER_POSTS = frozenset(
    {Post.COLLEGE_GROUP_HEAD, Post.COLLEGE_LEADER_IN_CHARGE, Post.COLLEGE_OFFICE_DIRECTOR, Post.MENTAL_HEALTH_ADVISOR}
)
COLLEGE_LEADER_POSTS = frozenset({Post.COLLEGE_GROUP_HEAD, Post.COLLEGE_LEADER_IN_CHARGE, Post.COLLEGE_OFFICE_DIRECTOR})
# Reported external training is confirmed by 学工部 (第七条(八): it organises the workforce's training).
CONFIRM_POSTS = frozenset({Post.STUDENT_AFFAIRS_STAFF})


def _college_ids(user, posts) -> set[int]:
    return {a.college_id for a in scope.current_appointments(user) if a.post in posts and a.college_id}


def is_staff(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active and not user.is_student)


def school_keeper_schools(user) -> set[int]:
    return scope.school_ids_where(user, SCHOOL_KEEPER_POSTS)


def may_keep(user) -> bool:
    """Records training events: 学工部 and the centre (school-level), a college's working group (its own)."""
    return bool(school_keeper_schools(user) or _college_ids(user, COLLEGE_KEEPER_POSTS))


def confirm_schools(user) -> set[int]:
    return scope.school_ids_where(user, CONFIRM_POSTS)


def may_confirm(user) -> bool:
    return bool(confirm_schools(user))


def may_oversee(user) -> bool:
    """Sees other people's training records: 学工部 and the centre (everyone), a college's leaders (its staff)."""
    return bool(school_keeper_schools(user) or _college_ids(user, COLLEGE_LEADER_POSTS))


def events_for(user) -> QuerySet:
    """The training events `user` keeps: the school's (all of them) or their college's college-level ones."""
    schools = school_keeper_schools(user)
    colleges = _college_ids(user, COLLEGE_KEEPER_POSTS)
    return TrainingEvent.objects.filter(Q(school_id__in=schools) | Q(college_id__in=colleges))


def get_event_for_user(user, pk):
    try:
        return events_for(user).get(pk=pk)
    except (TrainingEvent.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def keeper_school_id(user) -> int | None:
    """The school of a keeper (for a new event): their school-level school, else their college's."""
    schools = school_keeper_schools(user)
    if schools:
        return min(schools)
    colleges = College.objects.filter(pk__in=_college_ids(user, COLLEGE_KEEPER_POSTS))
    first = colleges.order_by("pk").first()
    return first.school_id if first else None


def keeper_colleges(user) -> QuerySet[College]:
    """The colleges whose college-level training `user` may record (every college of the school for a
    school-level keeper)."""
    schools = school_keeper_schools(user)
    return College.objects.filter(
        Q(school_id__in=schools) | Q(pk__in=_college_ids(user, COLLEGE_KEEPER_POSTS))
    ).order_by("code", "name")


def staff_in_colleges(college_ids) -> Q:
    """People holding a current post in one of the colleges (over the college or one of its classes)."""
    return Q(college_id__in=college_ids) | Q(class_group__college_id__in=college_ids)


def people_for(user) -> QuerySet[User]:
    """The staff whose training record `user` may see: everyone of the school for 学工部 and the centre, the
    staff of their colleges for a college's leaders, and always themselves."""
    schools = school_keeper_schools(user)
    colleges = _college_ids(user, COLLEGE_LEADER_POSTS)
    current = Appointment.objects.current()
    in_school = current.filter(
        Q(school_id__in=schools) | Q(department__school_id__in=schools) | Q(college__school_id__in=schools)
        | Q(class_group__college__school_id__in=schools)
    )  # fmt: skip
    in_colleges = current.filter(staff_in_colleges(colleges))
    ids = set(in_school.values_list("person_id", flat=True)) | set(in_colleges.values_list("person_id", flat=True))
    ids.add(user.pk)
    return User.objects.filter(pk__in=ids, kind=User.Kind.STAFF)


def people_to_attend(user) -> QuerySet[User]:
    """Whom a keeper may record as attending: the school's staff for 学工部 and the centre, their college's
    staff for a college's working group."""
    schools = school_keeper_schools(user)
    colleges = _college_ids(user, COLLEGE_KEEPER_POSTS)
    current = Appointment.objects.current().exclude(post__in=[Post.WELLBEING_REP, Post.DORM_LEADER])
    rows = current.filter(
        Q(school_id__in=schools) | Q(department__school_id__in=schools) | Q(college__school_id__in=schools)
        | Q(class_group__college__school_id__in=schools) | staff_in_colleges(colleges)
    )  # fmt: skip
    return User.objects.filter(pk__in=rows.values("person_id"), kind=User.Kind.STAFF)


def get_person_for_user(user, pk) -> User:
    try:
        return people_for(user).get(pk=pk)
    except (User.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def may_read_certificate(user, attendance) -> bool:
    """A certificate is served to its person, 学工部 and the centre only."""
    return attendance.person_id == user.pk or bool(school_keeper_schools(user))
