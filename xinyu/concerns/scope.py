"""Who may see and act on concern reports, crisis cases and their steps, and interviews (约谈)."""

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from xinyu.care.interviews import TIERS as INTERVIEW_TIERS
from xinyu.care.models import Interview
from xinyu.concerns.models import AckRecipient, CaseMember, CaseStep, ConcernReport, CrisisCase, DutyShift
from xinyu.org.models import STUDENT_POSTS, College, Post, Student
from xinyu.org.scope import *  # noqa: F403 - this app's scope: the tiers and grants, and its own records
from xinyu.org.scope.base import (
    CASE_COLLABORATOR,
    CASE_ESCALATED,
    CASE_MEMBER,
    CASE_ORGANISER,
    CASE_STEP_OWNER,
    Tier,
    _case_student_ids,
    _is_active_staff,
    current_appointments,
    grants_for,
    students_for,
    tier_for,
)
from xinyu.policy.loader import policy_in_force


def reports_for(user):
    """Concern reports about students `user` sees at T2 or above: the chain, and people working on an open
    case about the student. Being asked to take a report (first or by escalation) is not enough by
    itself: the school leader at the escalation chain's top holds no post over students and is told only
    that a report waits untaken (xinyu.concerns.services.acks). A reporter's own reports are `own_reports`."""

    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return ConcernReport.objects.none()
    return ConcernReport.objects.filter(student__in=students_for(user, Tier.T2))


def get_report_for_user(user, pk):
    try:
        return reports_for(user).select_related("student__class_group__college", "reporter").get(pk=pk)
    except (ObjectDoesNotExist, ValueError, TypeError):
        raise Http404 from None


def own_reports(user):
    """What a reporter sees: their own reports and whether someone has taken them, nothing more."""

    return ConcernReport.objects.filter(reporter_id=user.pk)


def get_own_report_for_user(user, pk) -> ConcernReport:
    """A report `user` made; anyone else's is 404."""
    try:
        return own_reports(user).get(pk=pk)
    except (ObjectDoesNotExist, ValueError, TypeError):
        raise Http404 from None


def cases_for(user):
    """Crisis cases about students `user` sees at T2 or above (case members included while open), and
    closed cases they organised or collaborated on, while their case role still reads the records."""

    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return CrisisCase.objects.none()
    since = timezone.now() - case_records_window()
    mine = CaseMember.objects.filter(person_id=user.pk).filter(
        Q(case__status="open") | Q(role__in=RECORD_ROLES, case__closed_at__gt=since)
    )
    organised = Q(organiser_id=user.pk) & (Q(status="open") | Q(closed_at__gt=since))
    return CrisisCase.objects.filter(
        Q(student__in=students_for(user, Tier.T2)) | Q(pk__in=mine.values("case_id")) | organised
    )


def get_case_for_user(user, pk):
    try:
        return cases_for(user).select_related("student__class_group__college", "organiser").get(pk=pk)
    except (ObjectDoesNotExist, ValueError, TypeError):
        raise Http404 from None


# --- Crisis cases: who may work on a case, read its records, take its steps, print the cards ---------------

# Case roles (CaseMember.Role) and the post each is logged under in the access log.
ORGANISER, COLLABORATOR, STEP, ESCALATED = "organiser", "collaborator", "step", "escalated"
RECORD_ROLES = (ORGANISER, COLLABORATOR)  # the regulation makes them responsible: they read the records
ROLE_POSTS = {
    ORGANISER: CASE_ORGANISER,
    COLLABORATOR: CASE_COLLABORATOR,
    STEP: CASE_STEP_OWNER,
    ESCALATED: CASE_ESCALATED,
}


def case_records_window() -> dt.timedelta:
    """How long after a case closes its organiser and collaborators still read its records (the policy
    file's care.case_records_days_after_close, in force today: a change applies to every closed case)."""

    return dt.timedelta(days=policy_in_force(timezone.localdate()).care.case_records_days_after_close)


def _member_roles(case) -> dict[int, set[str]]:
    """Person id → their roles on the case (the current organiser counts as organiser); read once per
    case object (one request)."""
    members = getattr(case, "_xinyu_member_roles", None)
    if members is None:
        members = {}
        for person_id, role in case.members.values_list("person_id", "role"):
            members.setdefault(person_id, set()).add(role)
        if case.organiser_id:
            members.setdefault(case.organiser_id, set()).add(ORGANISER)
        case._xinyu_member_roles = members
    return members


def _is_case_member(user, case) -> bool:
    """The organiser or a member."""
    return user.pk in _member_roles(case)


def case_roles(user, case) -> set[str]:
    """The user's roles on the case: "organiser", "collaborator", "step" (owns a step), "escalated"."""
    return set(_member_roles(case).get(user.pk, ()))


def case_records_role(user, case) -> str:
    """The case role by which `user` reads the case's own records: "organiser" or "collaborator" while the
    case is open and for `case_records_window()` after it closes; "" otherwise. Their role gives them that
    case's records only, never the student's scores, interviews, plans or counselling."""
    if not _is_active_staff(user):
        return ""
    roles = case_roles(user, case)
    role = next((role for role in RECORD_ROLES if role in roles), "")
    if not role or case.is_open:
        return role
    if case.closed_at is not None and timezone.now() < case.closed_at + case_records_window():
        return role
    return ""


@dataclass(frozen=True)
class CaseAccess:
    """How `user` sees a crisis case: with its own records (T3) or without (T2), and the post or case role
    the read is logged under (`role` names the case role when that is what gives the records)."""

    reads_records: bool
    tier: Tier
    post: str
    role: str = ""


def case_access(user, case) -> CaseAccess:
    """Who reads a case's own records (step evidence, family contacts, review and support, the centre's
    assessment): those holding T3 over the student by their post (the college's working group, the
    centre), and the case's organiser and collaborators by their role (`case_records_role`). Everyone
    else who sees the case — the chain at T2, 学工部 without a role on it, step owners and people
    escalated to — sees its level, steps and timeline (T2)."""
    if not _is_active_staff(user):
        return CaseAccess(False, Tier.T0, "")
    post = next((g.post for g in grants_for(user) if g.tier >= Tier.T3 and g.covers(case.student)), "")
    if post:
        return CaseAccess(True, Tier.T3, post)
    role = case_records_role(user, case)
    if role:
        return CaseAccess(True, Tier.T3, ROLE_POSTS[role], role)
    _tier, grant = tier_for(user, case.student)
    if grant is not None and grant.post != CASE_MEMBER:
        return CaseAccess(False, Tier.T2, grant.post)
    roles = case_roles(user, case)
    role = next((role for role in (*RECORD_ROLES, STEP, ESCALATED) if role in roles), "")
    return CaseAccess(False, Tier.T2, ROLE_POSTS.get(role, CASE_MEMBER), role)


def may_act_on_case(user, case) -> bool:
    """Who may work on a crisis case (raise its level, record its family contacts, follow-ups, review and
    support): its organiser, its members (collaborators, step owners, people escalated to), and the
    student's responsible chain at T2 or above. Reporting a concern grants nothing, and students (dorm
    leaders, wellbeing reps) never act on a case. Whether the case is still open is the services' rule."""
    if not _is_active_staff(user):
        return False
    if _is_case_member(user, case):
        return True
    return any(grant.tier >= Tier.T2 and grant.covers(case.student) for grant in grants_for(user))


def get_case_to_act_on_for_user(user, pk) -> CrisisCase:
    """The case, if `user` may work on it (`may_act_on_case`); otherwise 404, as for a missing case."""
    case = get_case_for_user(user, pk)
    if not may_act_on_case(user, case):
        raise Http404
    return case


def may_read_case_records(user, case) -> bool:
    """A case's own records are T3: see `case_access`."""
    return case_access(user, case).reads_records


def may_take_case_step(user, step) -> bool:
    """Acknowledging and completing a step: its assignee, the case's organiser, and whoever was asked to
    acknowledge it (also by escalation)."""
    if not _is_active_staff(user):
        return False
    if user.pk in (step.assignee_id, step.case.organiser_id):
        return True
    ack = getattr(step, "ack", None)  # with its recipients prefetched, no query per step
    return ack is not None and any(recipient.person_id == user.pk for recipient in ack.recipients.all())


def get_case_step_for_user(user, pk, step_pk) -> tuple[CrisisCase, CaseStep]:
    """The case and one of its steps, if `user` may take the step; otherwise 404, as for a missing one."""
    case = get_case_for_user(user, pk)
    try:
        step = case.steps.select_related("case").get(pk=step_pk)
    except (ObjectDoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if not may_take_case_step(user, step):
        raise Http404
    return case, step


def may_print_crisis_cards(user) -> bool:
    """The printable crisis cards (steps, roles, phone tree): anyone holding a staff post, and the duty
    leaders on the roster."""

    if not _is_active_staff(user):
        return False
    if any(a.post not in STUDENT_POSTS for a in current_appointments(user)):
        return True
    return DutyShift.objects.filter(person_id=user.pk, ends_at__gt=timezone.now()).exists()


# --- Concern reports and "my work" ---

# Students a reporter may pick by name are those still at school.
PICKABLE_STATUSES = (Student.Status.ENROLLED, Student.Status.ON_LEAVE)


def report_picker_students(user) -> QuerySet[Student]:
    """The students `user` may pick by name on the concern-report form, names only: a dorm leader their
    own room's students, a class wellbeing rep their class's, staff the students they see at T1. Never
    the reporter themselves (they report about themselves with one tap). Anyone else is named by 学号
    and name together (`xinyu.concerns.services.reports.find_student_for_report`)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Student.objects.none()
    condition = Q(pk__in=[])
    for appointment in current_appointments(user):
        if appointment.post == Post.DORM_LEADER:
            condition |= Q(dorm_room_id=appointment.dorm_room_id)
        elif appointment.post == Post.WELLBEING_REP:
            condition |= Q(class_group_id=appointment.class_group_id)
    for grant in grants_for(user):
        condition |= grant.student_filter()
    if not user.is_student:
        condition |= Q(pk__in=_case_student_ids(user))
    return Student.objects.filter(condition, status__in=PICKABLE_STATUSES).exclude(user_id=user.pk)


def may_handle_report(user, report) -> bool:
    """Taking (acknowledging) and triaging a concern report: the people asked to take it, first or by
    escalation, who hold T2 or above on its student, and those holding T3 or above (the college's working
    group, the centre). Others who may read it (head teacher, 学工部 at T2) see it without acting on it."""

    if not getattr(user, "is_authenticated", False) or not user.is_active or user.is_student:
        return False
    tier = tier_for(user, report.student)[0]
    if tier >= Tier.T2 and AckRecipient.objects.filter(ack__report_id=report.pk, person_id=user.pk).exists():
        return True
    return tier >= Tier.T3


def get_report_to_handle_for_user(user, pk) -> ConcernReport:
    """The report, if `user` may take and triage it; otherwise 404, as for a missing report."""
    report = get_report_for_user(user, pk)
    if not may_handle_report(user, report):
        raise Http404
    return report


# "My work": being asked or assigned is itself the grant (DESIGN.md §4, T2 "tasks assigned to me").


def reports_waiting_for(user):
    """Concern reports `user` was asked to take (first or by escalation) that nobody has taken yet."""

    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return ConcernReport.objects.none()
    return ConcernReport.objects.filter(
        ack__recipients__person_id=user.pk,
        ack__acknowledged_at__isnull=True,
        ack__cancelled_at__isnull=True,
        status=ConcernReport.Status.NEW,
    )


def reports_taken_by(user):
    """Concern reports `user` took and has not triaged yet."""

    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return ConcernReport.objects.none()
    return ConcernReport.objects.filter(acknowledged_by_id=user.pk, status=ConcernReport.Status.ACKNOWLEDGED)


def steps_for(user):
    """Active steps of open crisis cases assigned to `user` or whose acknowledgement was sent or escalated
    to them."""

    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return CaseStep.objects.none()
    mine = CaseStep.objects.filter(
        Q(assignee_id=user.pk) | Q(ack__recipients__person_id=user.pk),
        completed_at__isnull=True,
        superseded_at__isnull=True,
        case__status="open",
    )
    return CaseStep.objects.filter(pk__in=mine.values("pk"))


# --- Interviews (约谈, care.Interview), whatever raised them ----------------------------------------------


def interviews_for(user):
    """Interviews `user` may open: those of students they hold the tier over that the interview's source
    reveals (xinyu.care.interviews.TIERS). A screening's says that the screening called for it (T3): a task
    goes only to someone holding T3, and is no longer theirs to open once they do not. A talk after a
    report or a crisis case's follow-up is what the people working with the student are asked to do (T2)."""

    if not _is_active_staff(user):
        return Interview.objects.none()
    condition = Q(pk__in=[])
    for tier in sorted(set(INTERVIEW_TIERS.values())):
        sources = [source for source, needed in INTERVIEW_TIERS.items() if needed == tier]
        condition |= Q(source__in=sources, student__in=students_for(user, tier))
    return Interview.objects.filter(condition)


def get_interview_for_user(user, pk) -> Interview:
    try:
        return (
            interviews_for(user)
            .select_related("student__class_group__college", "assignee", "conducted_by", "case")
            .get(pk=pk)
        )
    except (ObjectDoesNotExist, ValueError, TypeError):
        raise Http404 from None


def interview_tasks_for(user):
    """Interviews assigned to `user` and not recorded yet (for "my work" and the interview list, which
    show each only to someone holding the tier its source reveals: xinyu.care.interviews.tier_of)."""

    if not _is_active_staff(user):
        return Interview.objects.none()
    return Interview.objects.filter(assignee_id=user.pk, conducted_at__isnull=True)


def may_record_interview(user, interview) -> bool:
    """Recording an interview, while it is not recorded yet: its assignee, or, for a follow-up of a crisis
    case that is still open, anyone working on the case."""
    if not _is_active_staff(user) or interview.conducted_at is not None:
        return False
    if user.pk == interview.assignee_id:
        return True
    case = interview.case
    return case is not None and case.is_open and may_act_on_case(user, case)


def reads_interview_record(user, interview) -> bool:
    """What came of an interview (its notes) is T3: those holding T3 over the student, the person it was
    given to or who held it, and, for a crisis case's follow-up, those reading the case's records."""
    if not _is_active_staff(user):
        return False
    if user.pk in (interview.assignee_id, interview.conducted_by_id):
        return True
    if tier_for(user, interview.student)[0] >= Tier.T3:
        return True
    return interview.case is not None and may_read_case_records(user, interview.case)


def crisis_card_colleges_for(user) -> QuerySet[College]:
    """Colleges whose phone tree `user` may put on a crisis card: those of the schools where they hold a
    staff post (the card names staff and their phones, no student)."""
    schools = set()
    for appointment in current_appointments(user):
        if appointment.post in (Post.DORM_LEADER, Post.WELLBEING_REP):
            continue
        if appointment.school_id:
            schools.add(appointment.school_id)
        elif appointment.department_id:
            schools.add(appointment.department.school_id)
        elif appointment.college_id:
            schools.add(appointment.college.school_id)
        elif appointment.class_group_id:
            schools.add(appointment.class_group.college.school_id)
    if not schools and may_print_crisis_cards(user):
        # A duty leader on the roster without a post: the roster names no school; every college of the
        # installation (one school in practice).
        return College.objects.all()
    return College.objects.filter(school_id__in=schools)
