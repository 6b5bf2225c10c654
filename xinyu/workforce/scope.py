"""Who may see and do what in supervision, case conferences and the workload statement (builds on
xinyu.org.scope and counselling's).

Supervision (T4, DESIGN.md §4 "supervision of a case"):
- A request (question, discussions, guidance) is read by its treating counsellor (who submitted it, while
  they hold a centre post) and by the centre's supervisors over the student (their T4 grant). Nobody else:
  not another counsellor, not a counsellor present at a group session where the case was discussed, not the
  college, not 学工部.
- Counsellors (every centre post) submit cases of students they have counselled; the supervisors hold the
  queue, schedule requests and record sessions.
- That a supervision session was held (when, how long, who supervised, who was present) is not student data:
  the supervisors of the school see every session, a counsellor the sessions they were present at.

Case conferences (个案研讨):
- The centre's staff and 学工部 schedule them for their school and add cases; the chair too keeps its record.
- A conference is seen by those who may schedule in its school, its chair and its attendees. Each case shows
  its student's name only to someone holding T3 over the student; everyone else sees its code (个案A).
- A case's discussion notes are T3: read by T3 holders over the student; written by them when they keep the
  conference. The conclusion and the tasks are written without naming the student.
- A task is seen by its assignee (and by those who see its conference); its student is named to the assignee
  only if they may be told T2 about the student (`may_be_told`), otherwise it shows the case's code.
"""

from django.db.models import Q, QuerySet
from django.http import Http404

from xinyu.accounts.models import User
from xinyu.counselling.scope import counselling_schools, counselling_students_for, is_counsellor
from xinyu.org.models import Appointment, Post, Student
from xinyu.org.scope import *  # noqa: F403 - this app's scope: the tiers and grants, and its own records
from xinyu.org.scope.base import (
    CENTRE_POSTS,
    Tier,
    _is_active_staff,
    current_appointments,
    posts_of,
    students_for,
    tiers_for,
)
from xinyu.workforce.models import (
    CaseConference,
    ConferenceCase,
    ConferenceTask,
    SupervisionRequest,
    SupervisionSession,
)

SUPERVISOR_POSTS = frozenset({Post.CENTRE_SUPERVISOR})
CONFERENCE_POSTS = CENTRE_POSTS | {Post.STUDENT_AFFAIRS_STAFF}
# The tier at which a conference case shows its student's name and its notes.
CONFERENCE_CASE_TIER = Tier.T3
# The tier of what a conference task tells its assignee about the student: what they are asked to do.
CONFERENCE_TASK_TIER = Tier.T2

# The workload statement of everyone: the centre's supervisors (who run the counsellors' work) and 学工部
# (who secures the 课时, 第十三条). Any other staff member reads their own.
STATEMENT_OF_EVERYONE_POSTS = frozenset({Post.CENTRE_SUPERVISOR, Post.STUDENT_AFFAIRS_STAFF})


# --- supervision -------------------------------------------------------------------------------------------


def may_use_supervision(user) -> bool:
    """The supervision pages: the centre's counsellors and supervisors."""
    return is_counsellor(user) and bool(counselling_schools(user))


def is_supervisor(user) -> bool:
    return bool(posts_of(user) & SUPERVISOR_POSTS) and bool(counselling_schools(user))


def supervisor_schools(user) -> set[int]:
    return {
        appointment.school_id
        for appointment in current_appointments(user)
        if appointment.post in SUPERVISOR_POSTS and appointment.school_id
    }


def _supervised_students(user) -> QuerySet:
    """Students whose supervision a supervisor reads: their T4 grant, in their centre's school."""
    return students_for(user, Tier.T4).filter(school_id__in=supervisor_schools(user))


def case_students_for(user) -> QuerySet:
    """Students a counsellor may bring to supervision: those they have counselled, still in their centre."""
    if not is_counsellor(user):
        return Student.objects.none()
    return counselling_students_for(user).filter(counselling_sessions__counsellor_id=user.pk).distinct()


def requests_for(user) -> QuerySet:
    """Supervision requests `user` may read (T4): their own as the treating counsellor; a supervisor's school."""
    if not may_use_supervision(user):
        return SupervisionRequest.objects.none()
    condition = Q(counsellor_id=user.pk, student__in=counselling_students_for(user))
    if is_supervisor(user):
        condition |= Q(student__in=_supervised_students(user))
    return SupervisionRequest.objects.filter(condition)


def get_request_for_user(user, pk) -> SupervisionRequest:
    """A request `user` may read; 404 for any other (or none)."""
    try:
        return requests_for(user).select_related("student__class_group", "counsellor", "session").get(pk=pk)
    except (SupervisionRequest.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def queue_for(user) -> QuerySet:
    """The supervisors' queue: open requests of the students they supervise."""
    if not is_supervisor(user):
        return SupervisionRequest.objects.none()
    return SupervisionRequest.objects.filter(student__in=_supervised_students(user), status__in=SupervisionRequest.OPEN)


def may_read_request(user, request: SupervisionRequest) -> bool:
    return requests_for(user).filter(pk=request.pk).exists()


def is_treating_counsellor(user, request: SupervisionRequest) -> bool:
    return request.counsellor_id == user.pk and is_counsellor(user)


def may_supervise(user, request: SupervisionRequest) -> bool:
    """Schedule it, discuss it in a session: a supervisor over its student."""
    return is_supervisor(user) and _supervised_students(user).filter(pk=request.student_id).exists()


def sessions_for(user) -> QuerySet:
    """Supervision sessions `user` may know were held: a supervisor's school's; a counsellor's own."""
    if not may_use_supervision(user):
        return SupervisionSession.objects.none()
    condition = Q(counsellors=user) | Q(supervisor_id=user.pk)
    if is_supervisor(user):
        condition |= Q(school_id__in=supervisor_schools(user))
    return SupervisionSession.objects.filter(pk__in=SupervisionSession.objects.filter(condition).values("pk"))


def get_session_for_user(user, pk) -> SupervisionSession:
    try:
        return sessions_for(user).select_related("supervisor").get(pk=pk)
    except (SupervisionSession.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def centre_counsellors(school_id: int) -> list[User]:
    """The centre's counsellors of a school (every centre post), who may be present at a supervision."""
    appointments = (
        Appointment.objects.current()
        .filter(post__in=CENTRE_POSTS, school_id=school_id)
        .select_related("person")
        .order_by("person__username")
    )
    return list(dict.fromkeys(appointment.person for appointment in appointments))


# --- case conferences --------------------------------------------------------------------------------------


def conference_schools(user) -> set[int]:
    """The schools in which `user` may schedule case conferences: the centre's staff and 学工部."""
    schools = set()
    for appointment in current_appointments(user):
        if appointment.post not in CONFERENCE_POSTS:
            continue
        if appointment.school_id:
            schools.add(appointment.school_id)
        elif appointment.department_id:
            schools.add(appointment.department.school_id)
    return schools


def may_schedule_conferences(user) -> bool:
    return _is_active_staff(user) and bool(conference_schools(user))


def conferences_for(user) -> QuerySet:
    if not _is_active_staff(user):
        return CaseConference.objects.none()
    condition = Q(attendees=user) | Q(chair_id=user.pk) | Q(school_id__in=conference_schools(user))
    return CaseConference.objects.filter(pk__in=CaseConference.objects.filter(condition).values("pk"))


def get_conference_for_user(user, pk) -> CaseConference:
    try:
        return conferences_for(user).select_related("chair", "school").get(pk=pk)
    except (CaseConference.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def may_keep_conference(user, conference: CaseConference) -> bool:
    """Add cases, write conclusions and tasks: those who may schedule in its school, and its chair."""
    return conference.school_id in conference_schools(user) or (
        conference.chair_id == user.pk and _is_active_staff(user)
    )


def get_case_for_user(user, pk) -> ConferenceCase:
    try:
        case = ConferenceCase.objects.select_related("conference", "student").get(pk=pk)
    except (ConferenceCase.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if not conferences_for(user).filter(pk=case.conference_id).exists():
        raise Http404
    return case


def named_students(user, students) -> set[int]:
    """Of `students`, the ids whose names (and case notes) `user` may see at a conference: T3 holders."""
    return {pk for pk, tier in tiers_for(user, students).items() if tier >= CONFERENCE_CASE_TIER}


def conference_students_for(user, conference: CaseConference) -> QuerySet:
    """Students a conference's keeper may put on it: those they see (T1) in the conference's school."""
    return students_for(user, Tier.T1).filter(school_id=conference.school_id)


def tasks_for(user) -> QuerySet:
    """Tasks `user` may open: their own, and those of conferences they see."""
    if not _is_active_staff(user):
        return ConferenceTask.objects.none()
    return ConferenceTask.objects.filter(Q(assignee_id=user.pk) | Q(case__conference__in=conferences_for(user)))


def get_task_for_user(user, pk) -> ConferenceTask:
    try:
        return tasks_for(user).select_related("case__conference", "case__student", "assignee", "done_by").get(pk=pk)
    except (ConferenceTask.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def may_complete_task(user, task: ConferenceTask) -> bool:
    return task.assignee_id == user.pk or may_keep_conference(user, task.case.conference)


def staff_of_school(school_id: int) -> list[User]:
    """Staff who may attend a conference or be given its task: people holding a staff post in the school."""
    appointments = (
        Appointment.objects.current()
        .filter(
            Q(school_id=school_id)
            | Q(department__school_id=school_id)
            | Q(college__school_id=school_id)
            | Q(class_group__college__school_id=school_id)
        )
        .exclude(post__in=[Post.WELLBEING_REP, Post.DORM_LEADER])
        .exclude(person__kind=User.Kind.STUDENT)
        .select_related("person")
        .order_by("person__username")
    )
    return list(dict.fromkeys(appointment.person for appointment in appointments))


# --- the workload statement --------------------------------------------------------------------------------


def may_view_statement(user) -> bool:
    return _is_active_staff(user)


def may_view_everyones_statement(user) -> bool:
    return may_view_statement(user) and bool(posts_of(user) & STATEMENT_OF_EVERYONE_POSTS)
