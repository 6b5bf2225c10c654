"""Who may see which students, at which tier. The one place that decides (DESIGN.md §4).

Tiers are cumulative: a grant at T3 also allows T1 and T2.
- T1 roster (name, 学号, class, dorm, contact): staff over the student's scope.
- T2 "needs attention" (registry, open crisis, my tasks): the responsible chain.
- T3 scores, interview notes, care plans, family contact: college working group and the centre.
- T4 counselling notes, diagnosis: the treating counsellor and the centre's supervisors.

A post grants a tier over its scope (POST_TIER below). Posts held by students (dorm leader, class
wellbeing rep) and posts for aggregates only (领导小组, other departments) grant nothing on individual
students. A student sees only their own record. Later issues add grants by case assignment here.

Every answer is computed from the database on each request, so a changed appointment takes effect at
once, also for people who are signed in.
"""

import enum
from dataclasses import dataclass

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Q, QuerySet
from django.http import Http404

from xinyu.org.models import Appointment, ClassGroup, College, DormRoom, Post, ScopeKind, Student


class Tier(enum.IntEnum):
    T0 = 0
    T1 = 1
    T2 = 2
    T3 = 3
    T4 = 4


# What each post may see over its scope. A post missing here grants T0 (nothing about individuals).
POST_TIER: dict[str, Tier] = {
    Post.CENTRE_SUPERVISOR: Tier.T4,
    Post.CENTRE_COUNSELLOR: Tier.T3,
    Post.CENTRE_PART_TIME_COUNSELLOR: Tier.T3,
    Post.STUDENT_AFFAIRS_STAFF: Tier.T2,
    Post.COLLEGE_GROUP_HEAD: Tier.T3,
    Post.COLLEGE_LEADER_IN_CHARGE: Tier.T3,
    Post.COLLEGE_OFFICE_DIRECTOR: Tier.T3,
    Post.MENTAL_HEALTH_ADVISOR: Tier.T3,
    Post.COLLEGE_CONSULTANT: Tier.T3,
    Post.ADVISOR: Tier.T2,
    Post.HEAD_TEACHER: Tier.T2,
}
# Posts whose grant covers the whole school although the post is held in a department.
SCHOOL_WIDE_DEPARTMENT_POSTS = frozenset({Post.STUDENT_AFFAIRS_STAFF})

# Capabilities that are not about one student.
CENTRE_POSTS = frozenset({Post.CENTRE_SUPERVISOR, Post.CENTRE_COUNSELLOR, Post.CENTRE_PART_TIME_COUNSELLOR})
NETWORK_POSTS = CENTRE_POSTS | {
    Post.STUDENT_AFFAIRS_STAFF,
    Post.LEADING_GROUP_HEAD,
    Post.LEADING_GROUP_DEPUTY,
    Post.LEADING_GROUP_MEMBER,
    Post.COLLEGE_GROUP_HEAD,
    Post.COLLEGE_LEADER_IN_CHARGE,
    Post.COLLEGE_OFFICE_DIRECTOR,
    Post.MENTAL_HEALTH_ADVISOR,
}
ROSTER_IMPORT_POSTS = frozenset({Post.STUDENT_AFFAIRS_STAFF, Post.CENTRE_SUPERVISOR})


@dataclass(frozen=True)
class Grant:
    """A tier over part of the network, and the appointment (post) it comes from."""

    tier: Tier
    post: str
    appointment_id: int
    scope_kind: str
    scope_id: int

    def covers(self, student: Student) -> bool:
        match self.scope_kind:
            case ScopeKind.SCHOOL:
                return student.school_id == self.scope_id
            case ScopeKind.COLLEGE:
                return student.class_group.college_id == self.scope_id
            case ScopeKind.CLASS_GROUP:
                return student.class_group_id == self.scope_id
            case ScopeKind.DORM_ROOM:
                return student.dorm_room_id == self.scope_id
        return False

    def student_filter(self) -> Q:
        match self.scope_kind:
            case ScopeKind.SCHOOL:
                return Q(school_id=self.scope_id)
            case ScopeKind.COLLEGE:
                return Q(class_group__college_id=self.scope_id)
            case ScopeKind.CLASS_GROUP:
                return Q(class_group_id=self.scope_id)
            case ScopeKind.DORM_ROOM:
                return Q(dorm_room_id=self.scope_id)
        return Q(pk__in=[])


def current_appointments(user) -> list[Appointment]:
    """The user's appointments in force today, cached on the user object for one request."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cached = getattr(user, "_xinyu_appointments", None)
    if cached is None:
        cached = list(
            Appointment.objects.current()
            .filter(person_id=user.pk)
            .select_related("department", "school", "college", "class_group", "dorm_room")
        )
        user._xinyu_appointments = cached
    return cached


def grants_for(user) -> list[Grant]:
    grants = []
    for appointment in current_appointments(user):
        tier = POST_TIER.get(appointment.post, Tier.T0)
        if tier == Tier.T0:
            continue
        if appointment.post in SCHOOL_WIDE_DEPARTMENT_POSTS:
            grants.append(
                Grant(tier, appointment.post, appointment.pk, ScopeKind.SCHOOL, appointment.department.school_id)
            )
            continue
        scope_kind = appointment.scope_kind
        grants.append(
            Grant(tier, appointment.post, appointment.pk, scope_kind, getattr(appointment, f"{scope_kind}_id"))
        )
    return grants


def posts_of(user) -> set[str]:
    return {appointment.post for appointment in current_appointments(user)}


# People working on an open crisis case see its student at T2 while the case is open.
CASE_MEMBER_TIER = Tier.T2
CASE_MEMBER = "case_member"


def _case_student_ids(user):
    from xinyu.concerns.models import CaseMember

    return CaseMember.objects.filter(person_id=user.pk, case__status="open").values("case__student_id")


def students_for(user, tier: Tier = Tier.T1) -> QuerySet[Student]:
    """The students `user` may see at `tier` or above. Every list, export and report starts here."""
    condition = Q(pk__in=[])
    for grant in grants_for(user):
        if grant.tier >= tier:
            condition |= grant.student_filter()
    if tier <= CASE_MEMBER_TIER and getattr(user, "is_authenticated", False) and user.is_active:
        condition |= Q(pk__in=_case_student_ids(user))
    return Student.objects.filter(condition)


def tier_for(user, student: Student) -> tuple[Tier, Grant | None]:
    """The highest tier `user` holds on `student`, and the grant it comes from (None for T0 or self)."""
    best: tuple[Tier, Grant | None] = (Tier.T0, None)
    for grant in grants_for(user):
        if grant.tier > best[0] and grant.covers(student):
            best = (grant.tier, grant)
    if best[0] < CASE_MEMBER_TIER and getattr(user, "is_authenticated", False) and user.is_active:
        from xinyu.concerns.models import CaseMember

        membership = CaseMember.objects.filter(
            person_id=user.pk, case__status="open", case__student_id=student.pk
        ).first()
        if membership:
            best = (CASE_MEMBER_TIER, Grant(CASE_MEMBER_TIER, CASE_MEMBER, 0, "case", membership.case_id))
    return best


def get_student_for_user(user, student_id, tier: Tier = Tier.T1) -> Student:
    """The student, if `user` may see them at `tier`; otherwise 404, the same as for a missing student."""
    try:
        return students_for(user, tier).select_related("class_group__college", "dorm_room").get(pk=student_id)
    except (Student.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def own_student(user) -> Student | None:
    """The student record of a signed-in student: students see only themselves."""
    if not getattr(user, "is_authenticated", False):
        return None
    return Student.objects.filter(user_id=user.pk).select_related("class_group__college", "dorm_room").first()


def class_groups_for(user, tier: Tier = Tier.T1) -> QuerySet[ClassGroup]:
    """Class groups whose students `user` may see at `tier` (as a whole class, not by dorm)."""
    condition = Q(pk__in=[])
    for grant in grants_for(user):
        if grant.tier < tier:
            continue
        match grant.scope_kind:
            case ScopeKind.SCHOOL:
                condition |= Q(college__school_id=grant.scope_id)
            case ScopeKind.COLLEGE:
                condition |= Q(college_id=grant.scope_id)
            case ScopeKind.CLASS_GROUP:
                condition |= Q(pk=grant.scope_id)
    return ClassGroup.objects.filter(condition)


def colleges_for(user, tier: Tier = Tier.T1) -> QuerySet[College]:
    return College.objects.filter(pk__in=class_groups_for(user, tier).values("college_id"))


def dorm_rooms_for(user, tier: Tier = Tier.T1) -> QuerySet[DormRoom]:
    return DormRoom.objects.filter(pk__in=students_for(user, tier).values("dorm_room_id"))


def may_view_network(user) -> bool:
    """The 校院班寝 network page: the people in posts, not students' data."""
    return bool(posts_of(user) & NETWORK_POSTS)


def network_colleges_for(user) -> QuerySet[College]:
    """Colleges whose network (posts and coverage gaps) `user` may see: school-wide posts see every
    college of their school, a college's working group its own college."""
    condition = Q(pk__in=[])
    for appointment in current_appointments(user):
        if appointment.post not in NETWORK_POSTS:
            continue
        if appointment.school_id:
            condition |= Q(school_id=appointment.school_id)
        elif appointment.department_id:
            condition |= Q(school_id=appointment.department.school_id)
        elif appointment.college_id:
            condition |= Q(pk=appointment.college_id)
    return College.objects.filter(condition)


def may_browse_audit_log(user) -> bool:
    return bool(posts_of(user) & CENTRE_POSTS)


def may_import_roster(user) -> bool:
    return bool(posts_of(user) & ROSTER_IMPORT_POSTS)


def may_use_admin(user) -> bool:
    """The Django admin is the centre's back office."""
    return bool(getattr(user, "is_superuser", False)) or bool(posts_of(user) & (CENTRE_POSTS | ROSTER_IMPORT_POSTS))


def may_export_students(user) -> bool:
    """Exporting a student list: staff responsible for students, with a T2 grant or above (head teachers,
    advisors, the college working group, the centre, 学工部). The list holds only what they see at T1."""
    return any(grant.tier >= Tier.T2 for grant in grants_for(user))


def is_centre_staff(user) -> bool:
    return bool(posts_of(user) & CENTRE_POSTS)


def may_view_crisis_board(user) -> bool:
    """The crisis board: open cases by level and college, for the centre and 学工部."""
    return bool(posts_of(user) & (CENTRE_POSTS | {Post.STUDENT_AFFAIRS_STAFF}))


def may_manage_duty_roster(user) -> bool:
    return Post.STUDENT_AFFAIRS_STAFF in posts_of(user)


def reports_for(user):
    """Concern reports `user` handles: those they were asked to acknowledge (also by escalation), and
    reports about students they see at T2 or above. A reporter's own reports are `own_reports`."""
    from xinyu.concerns.models import ConcernReport

    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return ConcernReport.objects.none()
    return ConcernReport.objects.filter(
        Q(ack__recipients__person_id=user.pk) | Q(student__in=students_for(user, Tier.T2))
    ).distinct()


def get_report_for_user(user, pk):
    try:
        return reports_for(user).select_related("student__class_group__college", "reporter").get(pk=pk)
    except (ObjectDoesNotExist, ValueError, TypeError):
        raise Http404 from None


def own_reports(user):
    """What a reporter sees: their own reports and whether someone has taken them, nothing more."""
    from xinyu.concerns.models import ConcernReport

    return ConcernReport.objects.filter(reporter_id=user.pk)


def cases_for(user):
    """Crisis cases about students `user` sees at T2 or above (case members included while open),
    and closed cases they worked on."""
    from xinyu.concerns.models import CrisisCase

    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return CrisisCase.objects.none()
    return CrisisCase.objects.filter(
        Q(student__in=students_for(user, Tier.T2)) | Q(members__person_id=user.pk)
    ).distinct()


def get_case_for_user(user, pk):
    try:
        return cases_for(user).select_related("student__class_group__college", "organiser").get(pk=pk)
    except (ObjectDoesNotExist, ValueError, TypeError):
        raise Http404 from None


# --- Crisis cases: who may work on a case, read its records, take its steps, print the cards ---------------


def _is_active_staff(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active and not user.is_student)


def _is_case_member(user, case) -> bool:
    """The organiser or a member; the members are read once per case object (one request)."""
    if case.organiser_id == user.pk:
        return True
    members = getattr(case, "_xinyu_member_ids", None)
    if members is None:
        members = case._xinyu_member_ids = set(case.members.values_list("person_id", flat=True))
    return user.pk in members


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


def may_read_case_records(user, case) -> bool:
    """A case's own records (step evidence, family contacts, review and support, the centre's assessment)
    are T3: the people working on the case, and those holding T3 over the student. The rest of the chain
    at T2 sees that the records exist, and the level, steps and timeline."""
    if not _is_active_staff(user):
        return False
    if _is_case_member(user, case):
        return True
    return any(grant.tier >= Tier.T3 and grant.covers(case.student) for grant in grants_for(user))


def may_take_case_step(user, step) -> bool:
    """Acknowledging and completing a step: its assignee, the case's organiser, and whoever was asked to
    acknowledge it (also by escalation)."""
    if not _is_active_staff(user):
        return False
    if user.pk in (step.assignee_id, step.case.organiser_id):
        return True
    ack = getattr(step, "ack", None)  # with its recipients prefetched, no query per step
    return ack is not None and any(recipient.person_id == user.pk for recipient in ack.recipients.all())


def may_print_crisis_cards(user) -> bool:
    """The printable crisis cards (steps, roles, phone tree): anyone holding a staff post, and the duty
    leaders on the roster."""
    from django.utils import timezone

    from xinyu.concerns.models import DutyShift
    from xinyu.org.models import STUDENT_POSTS

    if not _is_active_staff(user):
        return False
    if any(a.post not in STUDENT_POSTS for a in current_appointments(user)):
        return True
    return DutyShift.objects.filter(person_id=user.pk, ends_at__gt=timezone.now()).exists()


# --- Concern reports and "my work" (issue 3, reports side) ---

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
    escalation, and those holding T3 or above on its student (the college's working group, the centre).
    Others who may read it (head teacher, 学工部 at T2) see it without acting on it."""
    from xinyu.concerns.models import AckRecipient

    if not getattr(user, "is_authenticated", False) or not user.is_active or user.is_student:
        return False
    if AckRecipient.objects.filter(ack__report_id=report.pk, person_id=user.pk).exists():
        return True
    return tier_for(user, report.student)[0] >= Tier.T3


# "My work": being asked or assigned is itself the grant (DESIGN.md §4, T2 "tasks assigned to me").


def reports_waiting_for(user):
    """Concern reports `user` was asked to take (first or by escalation) that nobody has taken yet."""
    from xinyu.concerns.models import ConcernReport

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
    from xinyu.concerns.models import ConcernReport

    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return ConcernReport.objects.none()
    return ConcernReport.objects.filter(acknowledged_by_id=user.pk, status=ConcernReport.Status.ACKNOWLEDGED)


def steps_for(user):
    """Active steps of open crisis cases assigned to `user` or whose acknowledgement was sent or escalated
    to them."""
    from xinyu.concerns.models import CaseStep

    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return CaseStep.objects.none()
    mine = CaseStep.objects.filter(
        Q(assignee_id=user.pk) | Q(ack__recipients__person_id=user.pk),
        completed_at__isnull=True,
        superseded_at__isnull=True,
        case__status="open",
    )
    return CaseStep.objects.filter(pk__in=mine.values("pk"))


def follow_ups_for(user):
    """Follow-ups (跟踪回访) assigned to `user` and not done yet."""
    from xinyu.care.models import FollowUp

    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return FollowUp.objects.none()
    return FollowUp.objects.filter(assignee_id=user.pk, done_at__isnull=True)


def may_complete_follow_up(user, follow_up) -> bool:
    """Recording a follow-up as done: its assignee, or, while its case is open, anyone working on the case."""
    if not _is_active_staff(user):
        return False
    if user.pk == follow_up.assignee_id:
        return True
    case = follow_up.case
    return case is not None and case.is_open and may_act_on_case(user, case)


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


# --- Screening campaigns (issue 4, campaigns side) ---

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


def may_manage_campaigns(user) -> bool:
    """Creating and listing assessment campaigns: the psychology centre."""
    return is_centre_staff(user)


def completion_class_groups_for(user, campaign) -> QuerySet[ClassGroup]:
    """Class groups whose completion (who has not answered; names only) `user` may follow for `campaign`:
    the centre the whole school, a college's working group their college, head teacher and advisor their
    class. Others nothing."""
    if not _is_active_staff(user):
        return ClassGroup.objects.none()
    groups = class_groups_for(user, Tier.T2).filter(college__school_id=campaign.school_id)
    return groups | sitting_class_groups_for(user).filter(college__school_id=campaign.school_id)


# Screening: results and interviews (issue #4 §3). Scores, bands, flags and interview records are T3.


def results_students_for(user) -> QuerySet[Student]:
    """Students whose screening results (scores, bands, flags) `user` may read: T3 (college working group
    over their college, the centre over the school)."""
    return students_for(user, Tier.T3)


def interviews_for(user):
    """Interview records `user` may read (T3): their own tasks and those of students they see at T3."""
    from xinyu.screening.models import Interview

    if not _is_active_staff(user):
        return Interview.objects.none()
    return Interview.objects.filter(Q(assignee_id=user.pk) | Q(student__in=results_students_for(user)))


def get_interview_for_user(user, pk):
    try:
        return interviews_for(user).select_related("student__class_group__college", "assignee").get(pk=pk)
    except (ObjectDoesNotExist, ValueError, TypeError):
        raise Http404 from None


def interview_tasks_for(user):
    """Interviews and centre evaluations assigned to `user` and not recorded yet (for "my work")."""
    from xinyu.screening.models import Interview

    if not _is_active_staff(user):
        return Interview.objects.none()
    return Interview.objects.filter(assignee_id=user.pk, conducted_at__isnull=True)


def interviews_due_seen_by(user):
    """Open interviews of students `user` sees at T2 but not T3 (head teacher, advisor): only that one is
    due, never the reason, scores or notes (those at T3 read the interviews themselves)."""
    from xinyu.screening.models import Interview

    if not _is_active_staff(user):
        return Interview.objects.none()
    return Interview.objects.filter(student__in=students_for(user, Tier.T2), conducted_at__isnull=True).exclude(
        student__in=results_students_for(user)
    )


def may_record_interview(user, interview) -> bool:
    """Recording an interview: its assignee, while it is not recorded yet."""
    return _is_active_staff(user) and interview.assignee_id == user.pk and interview.conducted_at is None


def may_view_screening_results(user) -> bool:
    """The results pages: anyone holding T3 over some students (college working group, the centre)."""
    return _is_active_staff(user) and any(grant.tier >= Tier.T3 for grant in grants_for(user))


def campaigns_for(user):
    """Assessment campaigns `user` may list (to reach their completion and results pages): those of the
    schools whose students they are responsible for, and of the centre's own school."""
    from xinyu.screening.models import Campaign

    if not _is_active_staff(user):
        return Campaign.objects.none()
    school_ids = {a.school_id for a in current_appointments(user) if a.post in CENTRE_POSTS and a.school_id}
    condition = Q(school_id__in=school_ids) | Q(school_id__in=students_for(user).values("school_id"))
    return Campaign.objects.filter(condition)


def may_list_campaigns(user) -> bool:
    """The campaign list: the centre, and staff responsible for students (head teachers, advisors, colleges)."""
    return _is_active_staff(user) and (may_manage_campaigns(user) or bool(grants_for(user)))
