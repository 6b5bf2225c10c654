"""The core of the scope module: tiers, grants from posts, students by tier, network capabilities."""

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from xinyu.audit.models import AuditEntry
from xinyu.common.admin import is_technical_admin
from xinyu.common.tiers import Tier
from xinyu.org.models import Appointment, ClassGroup, College, DormRoom, Post, ScopeKind, Student

__all__ = [
    "BREAK_GLASS",
    "BREAK_GLASS_TIER",
    "CASE_COLLABORATOR",
    "CASE_ESCALATED",
    "CASE_MEMBER",
    "CASE_MEMBER_TIER",
    "CASE_ORGANISER",
    "CASE_STEP_OWNER",
    "CENTRE_POSTS",
    "IDENTITY_CORRECTION_POSTS",
    "NETWORK_POSTS",
    "POST_TIER",
    "ROSTER_IMPORT_POSTS",
    "SCHOOL_WIDE_DEPARTMENT_POSTS",
    "TECHNICAL_ADMIN",
    "Grant",
    "Tier",
    "acting_post",
    "audit_entries_for",
    "back_office_students",
    "class_groups_for",
    "colleges_for",
    "current_appointments",
    "dorm_rooms_for",
    "forget_break_glass",
    "get_class_group_for_user",
    "get_student_for_user",
    "grants_for",
    "is_centre_staff",
    "is_technical_admin",
    "may_be_told",
    "may_browse_audit_log",
    "may_correct_student_identity",
    "may_each_be_told",
    "may_export_students",
    "may_import_roster",
    "may_manage_duty_roster",
    "may_use_admin",
    "may_view_crisis_board",
    "may_view_network",
    "network_colleges_for",
    "own_student",
    "posts_of",
    "requires_two_factor",
    "school_id_of",
    "school_ids_where",
    "students_for",
    "tier_for",
    "tiers_for",
]

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
# Confirming that a roster row whose identity differs from the record on file corrects a typing error.
# 学工部 keeps the student register the rosters come from and can check it against the enrolment records;
# the centre's supervisor imports rosters too, but a wrong confirmation hands one student's crisis,
# screening and counselling records to another person, so it stays with the register's keepers.
IDENTITY_CORRECTION_POSTS = frozenset({Post.STUDENT_AFFAIRS_STAFF})


@dataclass(frozen=True)
class Grant:
    """A tier over part of the network, and the appointment (post) it comes from."""

    tier: Tier
    post: str
    appointment_id: int
    scope_kind: str
    scope_id: int

    def covers(self, student: Student) -> bool:
        if self.scope_kind == ScopeKind.COLLEGE:
            return student.class_group.college_id == self.scope_id
        return self.covers_place(student.school_id, None, student.class_group_id, student.dorm_room_id)

    def covers_place(self, school_id, college_id, class_group_id, dorm_room_id) -> bool:
        """`covers` for a student known by where they are (a row of `tiers_for`)."""
        match self.scope_kind:
            case ScopeKind.SCHOOL:
                return school_id == self.scope_id
            case ScopeKind.COLLEGE:
                return college_id == self.scope_id
            case ScopeKind.CLASS_GROUP:
                return class_group_id == self.scope_id
            case ScopeKind.DORM_ROOM:
                return dorm_room_id == self.scope_id
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
            .select_related("department", "school", "college", "class_group__college", "dorm_room")
        )
        user._xinyu_appointments = cached
    return cached


def school_id_of(appointment) -> int | None:
    """The school an appointment is in, whatever its scope (school, 学工部's department, college, class, dorm
    room); no query for the appointments `current_appointments` loads."""
    if appointment.school_id:
        return appointment.school_id
    if appointment.department_id:
        return appointment.department.school_id
    if appointment.college_id:
        return appointment.college.school_id
    if appointment.class_group_id:
        return appointment.class_group.college.school_id
    if appointment.dorm_room_id:
        return appointment.dorm_room.school_id
    return None


def school_ids_where(user, posts=None) -> set[int]:
    """The schools where `user` holds one of `posts` today (any post when None)."""
    return {
        school
        for appointment in current_appointments(user)
        if (posts is None or appointment.post in posts) and (school := school_id_of(appointment))
    }


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


# People working on an open crisis case see its student at T2 while the case is open. Their role on the
# case names their reads in the access log: the organiser and collaborators also read that case's own
# records, at T3, while it is open and for a while after it closes (xinyu.org.scope.concerns).
CASE_MEMBER_TIER = Tier.T2
CASE_MEMBER = "case_member"
CASE_ORGANISER = "case_organiser"
CASE_COLLABORATOR = "case_collaborator"
CASE_STEP_OWNER = "case_step_owner"
CASE_ESCALATED = "case_escalated"


# Case membership and emergency access are read from the student's side (their crisis cases and break-glass
# grants), so the tier model needs no import of the apps that keep those records.
def _open_cases_with(user) -> Q:
    """Students with an open crisis case that `user` works on (organiser, collaborator, step, escalated)."""
    return Q(crisis_cases__status="open", crisis_cases__members__person_id=user.pk)


def _case_student_ids(user):
    return Student.objects.filter(_open_cases_with(user)).values("pk")


# Break-glass (紧急调阅): a staff member outside the chain holds T3 on one student for a limited time
# (xinyu.privacy.breakglass). Reads under it are logged with the post "break_glass".
BREAK_GLASS_TIER = Tier.T3
BREAK_GLASS = "break_glass"


def _break_glass_in_force(user, at) -> Q:
    """Students on whom `user` holds an emergency access in force at `at`: not ended early, begun, not yet
    expired (xinyu.privacy.models.BreakGlassGrantQuerySet.active, read from the student's side)."""
    return Q(
        break_glass_grants__person_id=user.pk,
        break_glass_grants__ended_at__isnull=True,
        break_glass_grants__granted_at__lte=at,
        break_glass_grants__expires_at__gt=at,
    )


def _break_glass_student_ids(user):
    return Student.objects.filter(_break_glass_in_force(user, timezone.now())).values("pk")


def _break_glass_grants(user) -> dict[int, tuple[int, object]]:
    """The user's grants in force: student id → (grant id, expiry), read once per request (cached on the
    user object, like the appointments); an expiry passed since is honoured by `tier_for`."""
    cached = getattr(user, "_xinyu_break_glass", None)
    if cached is None:
        cached = {
            student_id: (grant_id, expires_at)
            for student_id, grant_id, expires_at in Student.objects.filter(
                _break_glass_in_force(user, timezone.now())
            ).values_list("pk", "break_glass_grants__pk", "break_glass_grants__expires_at")
        }
        user._xinyu_break_glass = cached
    return cached


def forget_break_glass(user) -> None:
    """After a grant is opened or ended for `user` within the same request."""
    user.__dict__.pop("_xinyu_break_glass", None)


def _sees_archived_files(user) -> bool:
    """Archived files (retention, xinyu.privacy.retention) are hidden from routine views; the centre's
    supervisors keep the archive."""
    return Post.CENTRE_SUPERVISOR in posts_of(user)


def students_for(user, tier: Tier = Tier.T1) -> QuerySet[Student]:
    """The students `user` may see at `tier` or above. Every list, export and report starts here."""
    condition = Q(pk__in=[])
    for grant in grants_for(user):
        if grant.tier >= tier:
            condition |= grant.student_filter()
    if tier <= CASE_MEMBER_TIER and getattr(user, "is_authenticated", False) and user.is_active:
        condition |= Q(pk__in=_case_student_ids(user))
    if tier <= BREAK_GLASS_TIER and _is_active_staff(user):
        condition |= Q(pk__in=_break_glass_student_ids(user))
    students = Student.objects.filter(condition)
    return students if _sees_archived_files(user) else students.filter(retention__isnull=True)


def tier_for(user, student: Student) -> tuple[Tier, Grant | None]:
    """The highest tier `user` holds on `student`, and the grant it comes from (None for T0 or self)."""
    best: tuple[Tier, Grant | None] = (Tier.T0, None)
    for grant in grants_for(user):
        if grant.tier > best[0] and grant.covers(student):
            best = (grant.tier, grant)
    if best[0] < CASE_MEMBER_TIER and getattr(user, "is_authenticated", False) and user.is_active:
        case_id = (
            Student.objects.filter(_open_cases_with(user), pk=student.pk)
            .values_list("crisis_cases__pk", flat=True)
            .first()
        )
        if case_id:
            best = (CASE_MEMBER_TIER, Grant(CASE_MEMBER_TIER, CASE_MEMBER, 0, "case", case_id))
    if best[0] < BREAK_GLASS_TIER and _is_active_staff(user):
        glass = _break_glass_grants(user).get(student.pk)
        if glass and glass[1] > timezone.now():
            best = (BREAK_GLASS_TIER, Grant(BREAK_GLASS_TIER, BREAK_GLASS, 0, BREAK_GLASS, glass[0]))
    return best


def tiers_for(user, students) -> dict[int, Tier]:
    """`tier_for` for many students at once (work lists, the inbox): student id → the highest tier `user`
    holds on them, from the same grants, in a fixed number of queries however many students. A student
    given as a row that carries its `place` (school, college, class and dorm ids, as a work list reads them)
    is not looked up again."""
    students = [student for student in students if student is not None]
    ids = {getattr(student, "pk", student) for student in students}
    if not ids:
        return {}
    tiers = dict.fromkeys(ids, Tier.T0)
    grants = grants_for(user)
    if grants:
        known = {student.pk: student.place for student in students if getattr(student, "place", None)}
        places = [(pk, *place) for pk, place in known.items()]
        if unknown := ids - known.keys():
            places += Student.objects.filter(pk__in=unknown).values_list(
                "pk", "school_id", "class_group__college_id", "class_group_id", "dorm_room_id"
            )
        for pk, *place in places:
            tiers[pk] = max((grant.tier for grant in grants if grant.covers_place(*place)), default=Tier.T0)
    below = [pk for pk, tier in tiers.items() if tier < CASE_MEMBER_TIER]
    if below and getattr(user, "is_authenticated", False) and user.is_active:
        members = Student.objects.filter(_open_cases_with(user), pk__in=below)
        for pk in members.values_list("pk", flat=True):
            tiers[pk] = CASE_MEMBER_TIER
    if _is_active_staff(user) and any(tier < BREAK_GLASS_TIER for tier in tiers.values()):
        now = timezone.now()
        for pk, (_grant_id, expires_at) in _break_glass_grants(user).items():
            if pk in tiers and tiers[pk] < BREAK_GLASS_TIER and expires_at > now:
                tiers[pk] = BREAK_GLASS_TIER
    return tiers


def may_be_told(user, pairs) -> list[bool]:
    """For each (student, tier) pair: whether `user` may be told something about the student that reveals
    data of that tier — they hold the tier on the student (`tiers_for`), or it is about themselves, or it
    is about no student and reveals nothing about anyone (T0). What work lists, the inbox and the texts
    that leave Xinyu show follows this answer (DESIGN.md §4, "What a T2 holder may learn")."""
    pairs = list(pairs)
    tiers = tiers_for(user, [student for student, tier in pairs if student is not None and tier > Tier.T0])
    own = getattr(user, "pk", None)
    answers = []
    for student, tier in pairs:
        if tier <= Tier.T0:
            answers.append(True)
        elif student is None:
            answers.append(False)  # a tier claimed about nobody: a mistake of the caller, never shown
        elif own is not None and getattr(student, "user_id", None) == own:
            answers.append(True)
        else:
            answers.append(tiers.get(student.pk, Tier.T0) >= tier)
    return answers


def _load_for_many(users) -> None:
    """Load the appointments and break-glass grants of many users at once into the per-request caches
    `current_appointments` and `_break_glass_grants` keep on each user object: two queries however many."""
    active = [user for user in users if getattr(user, "is_authenticated", False) and user.is_active]
    pending = {user.pk: user for user in active if getattr(user, "_xinyu_appointments", None) is None}
    if pending:
        appointments = {pk: [] for pk in pending}
        for appointment in (
            Appointment.objects.current()
            .filter(person_id__in=pending)
            .select_related("department", "school", "college", "class_group__college", "dorm_room")
        ):
            appointments[appointment.person_id].append(appointment)
        for pk, user in pending.items():
            user._xinyu_appointments = appointments[pk]
    staff = {
        user.pk: user for user in active if _is_active_staff(user) and getattr(user, "_xinyu_break_glass", None) is None
    }
    if staff:
        now = timezone.now()
        grants = {pk: {} for pk in staff}
        rows = Student.objects.filter(
            break_glass_grants__person_id__in=staff,
            break_glass_grants__ended_at__isnull=True,
            break_glass_grants__granted_at__lte=now,
            break_glass_grants__expires_at__gt=now,
        ).values_list("break_glass_grants__person_id", "pk", "break_glass_grants__pk", "break_glass_grants__expires_at")
        for person_id, student_id, grant_id, expires_at in rows:
            grants[person_id][student_id] = (grant_id, expires_at)
        for pk, user in staff.items():
            user._xinyu_break_glass = grants[pk]


def _loaded_place(student) -> tuple | None:
    """Where a student object loaded with its class group is, read from the object as `tier_for` reads it;
    None when its class group was not loaded with it (then it is looked up)."""
    if not isinstance(student, Student) or not Student._meta.get_field("class_group").is_cached(student):
        return None
    group = student.class_group
    return (student.school_id, group.college_id if group else None, student.class_group_id, student.dorm_room_id)


@dataclass(frozen=True)
class _Placed:
    """A student known by where they are, as `tiers_for` reads a work list's row: no second look-up."""

    pk: int
    place: tuple
    user_id: int | None


def may_each_be_told(users, student, tier: Tier) -> list[bool]:
    """`may_be_told(user, [(student, tier)])[0]` for each of `users` (the recipients of one notification),
    by the same rule, in a fixed number of queries however many users (plus one for each user below the
    case member's tier who might be on an open case of the student)."""
    users = list(users)
    if tier <= Tier.T0 or student is None:
        return [tier <= Tier.T0] * len(users)
    _load_for_many(users)
    place = _loaded_place(student) or (
        Student.objects.filter(pk=student.pk)
        .values_list("school_id", "class_group__college_id", "class_group_id", "dorm_room_id")
        .first()
    )
    subject = _Placed(student.pk, place, getattr(student, "user_id", None)) if place else student
    return [may_be_told(user, [(subject, tier)])[0] for user in users]


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


def get_class_group_for_user(user, pk) -> ClassGroup:
    """The class group, if `user` sees its students as a class; otherwise 404, as for a missing one."""
    try:
        return class_groups_for(user).select_related("college").get(pk=pk)
    except (ClassGroup.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def colleges_for(user, tier: Tier = Tier.T1) -> QuerySet[College]:
    return College.objects.filter(pk__in=class_groups_for(user, tier).values("college_id"))


def dorm_rooms_for(user, tier: Tier = Tier.T1) -> QuerySet[DormRoom]:
    return DormRoom.objects.filter(pk__in=students_for(user, tier).values("dorm_room_id"))


TECHNICAL_ADMIN = "technical_admin"  # the post the access log names for the technical administrator


def acting_post(user, student=None) -> str:
    """The post in which `user` acts, for the access log: the one that gives them their tier over `student`,
    else their highest post; the technical administrator's own name; nothing for the system and students
    without a post. Reads only the appointments cached for the request."""
    if user is None or not getattr(user, "is_authenticated", False):
        return ""
    if is_technical_admin(user):
        return TECHNICAL_ADMIN
    if student is not None:
        covering = [grant for grant in grants_for(user) if grant.covers(student)]
        if covering:
            return max(covering, key=lambda grant: grant.tier).post
    held = current_appointments(user)
    return max(held, key=lambda a: POST_TIER.get(a.post, Tier.T0)).post if held else ""


def may_view_network(user) -> bool:
    """The 校院班寝 network page: the people in posts, not students' data."""
    return bool(posts_of(user) & NETWORK_POSTS) or is_technical_admin(user)


def network_colleges_for(user) -> QuerySet[College]:
    """Colleges whose network (posts and coverage gaps) `user` may see: school-wide posts see every
    college of their school, a college's working group its own college."""
    if is_technical_admin(user):
        return College.objects.all()
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


def audit_entries_for(user):
    """The access log as the centre reads it: entries about the students of its school, and entries about no
    student written by people holding (or once holding) a post in that school or by the system."""
    if not may_browse_audit_log(user):
        return AuditEntry.objects.none()
    schools = {a.school_id for a in current_appointments(user) if a.post in CENTRE_POSTS and a.school_id}
    people = Appointment.objects.filter(
        Q(school_id__in=schools)
        | Q(department__school_id__in=schools)
        | Q(college__school_id__in=schools)
        | Q(class_group__college__school_id__in=schools)
        | Q(dorm_room__school_id__in=schools)
    ).values("person_id")
    return AuditEntry.objects.filter(
        Q(student_id__in=Student.objects.filter(school_id__in=schools).values("pk"))
        | Q(student_id__isnull=True, actor_id__in=people)
        | Q(student_id__isnull=True, actor_id__isnull=True)
    )


def may_browse_audit_log(user) -> bool:
    return bool(posts_of(user) & CENTRE_POSTS)


def may_import_roster(user) -> bool:
    return bool(posts_of(user) & ROSTER_IMPORT_POSTS)


def may_correct_student_identity(user) -> bool:
    """May confirm, row by row, that a roster row corrects a mistyped identity (ID number, name, date of
    birth) of a student on file rather than describing another person."""
    return bool(posts_of(user) & IDENTITY_CORRECTION_POSTS)


def may_use_admin(user) -> bool:
    """The Django admin is the technical administrator's back office (DESIGN.md §9); staff work in Xinyu's
    own pages."""
    return is_technical_admin(user)


def back_office_students(user) -> QuerySet[Student]:
    """Students in the back office: the technical administrator sees the roster (T1), each read logged there."""
    return Student.objects.all() if may_use_admin(user) else Student.objects.none()


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


def _is_active_staff(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active and not user.is_student)


def requires_two_factor(user) -> bool:
    """Two-factor sign-in (TOTP) is required of everyone whose posts grant T3 or T4 on any student, and of
    the technical administrator (who grants posts); case membership (T2) and student posts do not. Computed
    afresh on every request."""
    return is_technical_admin(user) or any(grant.tier >= Tier.T3 for grant in grants_for(user))
