"""What an import would write: for each row, create, update (which fields) or leave alone.

The plan reads the database in a few bulk queries (no query per row) and writes nothing; the importer
writes it. Places first (colleges, class groups, dorm rooms), then students with their accounts and
guardians; staff and appointments are planned in `planning_people`.

A roster row never silently changes who a student is. A row whose 学号 is on file but whose 身份证号
differs (or, when either side has none, whose name or date of birth differs) is an identity conflict:
the preview lists it with both identities side by side, and the import refuses it unless someone who may
(`scope.may_correct_student_identity`) confirms it as the correction of a typing error. A correction
updates the student's identity (name, gender, date of birth, ID number, the account's name) and the
ordinary fields of the row, but not the guardians: the guardians on file stay as they are, neither
joined by the row's nor replaced (the back office edits them).
"""

import secrets
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.utils.translation import gettext as _

from xinyu.accounts.models import User
from xinyu.org.id_numbers import mask_id_number
from xinyu.org.models import ClassGroup, College, DormRoom, Guardian, School, Student
from xinyu.roster import cells
from xinyu.roster.problems import Problem
from xinyu.roster.validation import Checked, Record, StudentRecord
from xinyu.roster.vocabulary import GENDER_NAMES

CHUNK = 900  # values per IN (...) lookup: below every database's limit on query parameters
STUDENT_FIELDS = (
    "name", "gender", "date_of_birth", "id_number", "enrolment_year", "status",
    "class_group", "dorm_room", "phone",
)  # fmt: skip


def key(value: str) -> str:
    """Names compared as a person reads them: full-width folded, spaces ignored."""
    return cells.label_text(value)


def unusable_password() -> str:
    """What `set_unusable_password` stores ("!" and 40 random characters), without its per-character
    loop: 50,000 imported accounts get one each. Passwords are issued later by the back office."""
    return UNUSABLE_PASSWORD_PREFIX + secrets.token_urlsafe(30)


def in_chunks(queryset, lookup: str, values) -> list:
    values = list(values)
    found = []
    for start in range(0, len(values), CHUNK):
        found.extend(queryset.filter(**{f"{lookup}__in": values[start : start + CHUNK]}))
    return found


@dataclass
class Change:
    """One object the import creates or changes, with the changed fields, for the audit log."""

    obj: object
    fields: list[str]
    created: bool
    record: Record | None = None


@dataclass
class Plan:
    school: School | None = None
    problems: list[Problem] = field(default_factory=list)
    colleges: dict[str, College] = field(default_factory=dict)  # key(name) → college, existing or new
    class_groups: dict[tuple[str, str], ClassGroup] = field(default_factory=dict)
    dorm_rooms: dict[tuple[str, str], DormRoom] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)  # username → user, existing or new
    new_colleges: list[College] = field(default_factory=list)
    new_class_groups: list[ClassGroup] = field(default_factory=list)
    new_dorm_rooms: list[DormRoom] = field(default_factory=list)
    new_users: list[User] = field(default_factory=list)
    changed_users: dict[int, tuple[User, set]] = field(default_factory=dict)
    students: list[Change] = field(default_factory=list)
    unchanged_students: int = 0
    id_numbers: list[tuple[Student, str]] = field(default_factory=list)  # encrypted when applied
    new_guardians: list[Guardian] = field(default_factory=list)
    changed_guardians: list[Guardian] = field(default_factory=list)
    staff: list[Change] = field(default_factory=list)
    unchanged_staff: int = 0
    appointments: list[Change] = field(default_factory=list)
    unchanged_appointments: int = 0
    ignored_columns: dict[str, list[str]] = field(default_factory=dict)
    # Identity conflicts (see the module's docstring), as shown in the preview; with `corrections`, the
    # student numbers confirmed as corrections.
    conflicts: list[dict] = field(default_factory=list)
    corrections: frozenset[str] = frozenset()

    def problem(self, record: Record, column: str, value: str, code: str, reason: str) -> None:
        self.problems.append(Problem(record.sheet.title, record.row, record.label(column), value, code, reason))

    def change_user(self, user: User, **values) -> None:
        changed = {name for name, value in values.items() if getattr(user, name) != value}
        if not changed:
            return
        for name in changed:
            setattr(user, name, values[name])
        if user.pk is not None:
            self.changed_users.setdefault(user.pk, (user, set()))[1].update(changed)

    def new_user(self, username: str, kind: str, **values) -> User:
        user = User(
            username=username,
            kind=kind,
            password=unusable_password(),
            must_change_password=True,
            **values,
        )
        self.users[username] = user
        self.new_users.append(user)
        return user

    @property
    def counts(self) -> dict:
        def tally(changes, unchanged):
            return {
                "new": sum(1 for change in changes if change.created),
                "changed": sum(1 for change in changes if not change.created),
                "unchanged": unchanged,
            }

        return {
            "students": tally(self.students, self.unchanged_students),
            "staff": tally(self.staff, self.unchanged_staff),
            "appointments": tally(self.appointments, self.unchanged_appointments),
            "new_accounts": len(self.new_users),
            "new_guardians": len(self.new_guardians),
            "changed_guardians": len(self.changed_guardians),
            "new_colleges": [college.name for college in self.new_colleges],
            "new_class_groups": [f"{group.college.name} {group.name}" for group in self.new_class_groups],
            "new_dorm_rooms": [
                f"{room.building} {room.room} ({GENDER_NAMES[room.gender]})" for room in self.new_dorm_rooms
            ],
            "ignored_columns": self.ignored_columns,
            "conflicts": self.conflicts,
            "changes": self.has_changes,
        }

    @property
    def has_changes(self) -> bool:
        return bool(
            self.new_colleges
            or self.new_class_groups
            or self.new_dorm_rooms
            or self.new_users
            or self.changed_users
            or self.students
            or self.new_guardians
            or self.changed_guardians
            or self.staff
            or self.appointments
        )


def find_school(plan: Plan, title: str) -> None:
    schools = list(School.objects.order_by("pk")[:2])
    if len(schools) == 1:
        plan.school = schools[0]
        return
    reason = (
        _("The system has no school yet. Ask the administrator to set up the school first.")
        if not schools
        else _("The system holds more than one school; an import cannot tell which one the file is for.")
    )
    plan.problems.append(Problem(title, None, "", "", "no_school", reason))


def load_places(plan: Plan) -> None:
    school = plan.school
    plan.colleges = {key(college.name): college for college in College.objects.filter(school=school)}
    by_id = {college.pk: college for college in plan.colleges.values()}
    for group in ClassGroup.objects.filter(college__school=school):
        group.college = by_id[group.college_id]
        plan.class_groups[(key(group.college.name), key(group.name))] = group
    plan.dorm_rooms = {(key(room.building), key(room.room)): room for room in DormRoom.objects.filter(school=school)}


def load_users(plan: Plan, usernames) -> None:
    plan.users.update({user.username: user for user in in_chunks(User.objects.all(), "username", set(usernames))})


def plan_students(plan: Plan, checked: Checked, *, create_missing: bool) -> None:
    records = checked.students
    existing = {
        s.student_number: s
        for s in in_chunks(plan.school.students.all(), "student_number", [r.student_number for r in records])
    }
    digest_owner = dict(
        in_chunks(
            Student.objects.values_list("id_number_digest", "student_number"),
            "id_number_digest",
            {r.id_digest for r in records if r.id_digest},
        )
    )
    linked = dict(
        in_chunks(
            Student.objects.exclude(user=None).values_list("user_id", "student_number"),
            "user_id",
            [user.pk for user in plan.users.values()],
        )
    )
    by_pk = {user.pk: user for user in plan.users.values()}
    missing = {s.user_id for s in existing.values() if s.user_id and s.user_id not in by_pk}
    for user in in_chunks(User.objects.all(), "pk", missing):
        by_pk[user.pk] = plan.users.setdefault(user.username, user)
    guardians = defaultdict(list)
    for guardian in in_chunks(Guardian.objects.all(), "student_id", [s.pk for s in existing.values()]):
        guardians[guardian.student_id].append(guardian)
    rooms_by_pk = {room.pk: room for room in plan.dorm_rooms.values()}
    for record in records:
        group = _class_group(plan, record, create_missing)
        room = _dorm_room(plan, record, existing.get(record.student_number), rooms_by_pk)
        owner = digest_owner.get(record.id_digest)
        if record.id_digest and owner and owner != record.student_number:
            plan.problem(
                record,
                "id_number",
                mask_id_number(record.id_number),
                "id_number_taken",
                _("This ID number is already on file for the student with number %(number)s.") % {"number": owner},
            )
            continue
        if group is None or room is False:
            continue
        student = existing.get(record.student_number)
        if student is None:
            _new_student(plan, record, group, room, linked)
        else:
            _update_student(plan, record, student, group, room, linked, guardians[student.pk], by_pk)
    for record in checked.rejected_students:
        if record.college and record.class_group:
            _class_group(plan, record, create_missing)


def _class_group(plan: Plan, record: StudentRecord, create_missing: bool) -> ClassGroup | None:
    college_key, group_key = key(record.college), key(record.class_group)
    college = plan.colleges.get(college_key)
    if college is None:
        if not create_missing:
            plan.problem(
                record,
                "college",
                record.college,
                "unknown_college",
                _('No college has this name. Check the name, or tick "create missing colleges and classes".'),
            )
            return None
        college = College(school=plan.school, name=record.college)
        plan.colleges[college_key] = college
        plan.new_colleges.append(college)
    group = plan.class_groups.get((college_key, group_key))
    if group is None:
        if not create_missing:
            plan.problem(
                record,
                "class_group",
                record.class_group,
                "unknown_class_group",
                _(
                    'This college has no class with this name. Check the name, or tick "create missing '
                    'colleges and classes".'
                ),
            )
            return None
        group = ClassGroup(
            college=college, name=record.class_group, enrolment_year=record.enrolment_year, major=record.major
        )
        plan.class_groups[(college_key, group_key)] = group
        plan.new_class_groups.append(group)
    return group


def _dorm_room(plan: Plan, record: StudentRecord, student: Student | None, rooms_by_pk) -> DormRoom | bool | None:
    """The student's room (None when the row gives none), created when unknown; False on a problem.
    The room's gender is checked on every row, moving or not: the row's gender may be what changed."""
    if not record.building:
        kept = rooms_by_pk.get(student.dorm_room_id) if student is not None and student.dorm_room_id else None
        if kept is not None and kept.gender != record.gender:
            plan.problem(
                record,
                "gender",
                GENDER_NAMES.get(record.gender, ""),
                "dorm_gender",
                _("The student's room on file, %(room)s, is for %(gender)s students.")
                % {"room": f"{kept.building} {kept.room}", "gender": GENDER_NAMES[kept.gender]},
            )
            return False
        return None
    room_key = (key(record.building), key(record.room))
    room = plan.dorm_rooms.get(room_key)
    if room is None:
        room = DormRoom(school=plan.school, building=record.building, room=record.room, gender=record.gender)
        plan.dorm_rooms[room_key] = room
        plan.new_dorm_rooms.append(room)
    if room.gender != record.gender:
        plan.problem(
            record,
            "room",
            record.room,
            "dorm_gender",
            _("This room is for %(gender)s students.") % {"gender": GENDER_NAMES[room.gender]},
        )
        return False
    return room


def _account(plan: Plan, record: StudentRecord, linked: dict) -> User | None:
    user = plan.users.get(record.student_number)
    if user is None:
        return plan.new_user(record.student_number, User.Kind.STUDENT, full_name=record.name, phone=record.phone)
    if not user.is_student or linked.get(user.pk, record.student_number) != record.student_number:
        plan.problem(
            record,
            "student_number",
            record.student_number,
            "username_taken",
            _("This number is already the sign-in name of another person's account."),
        )
        return None
    plan.change_user(user, full_name=record.name, **({"phone": record.phone} if record.phone else {}))
    return user


def _new_student(plan: Plan, record: StudentRecord, group, room, linked: dict) -> None:
    user = _account(plan, record, linked)
    if user is None:
        return
    student = Student(
        school=plan.school,
        student_number=record.student_number,
        name=record.name,
        gender=record.gender,
        date_of_birth=record.date_of_birth,
        enrolment_year=record.enrolment_year,
        status=record.status or Student.Status.ENROLLED,
        class_group=group,
        dorm_room=room,
        phone=record.phone,
        user=user,
    )
    if record.id_number:
        plan.id_numbers.append((student, record.id_number))
    fields = [name for name in STUDENT_FIELDS if _given(record, name)]
    if record.guardian:
        plan.new_guardians.append(_guardian(student, record.guardian))
        fields.append("guardians")
    plan.students.append(Change(student, fields, created=True, record=record))


def _given(record: StudentRecord, name: str) -> bool:
    if name == "dorm_room":
        return bool(record.building)
    if name == "id_number":
        return bool(record.id_number)
    return getattr(record, name) not in (None, "")


def identity_conflict(record: StudentRecord, student: Student) -> dict | None:
    """The row and the record on file side by side when they describe different people, else None."""
    if record.id_digest and student.id_number_digest:
        differs = record.id_digest != student.id_number_digest
    else:
        differs = key(record.name) != key(student.name) or bool(
            record.date_of_birth and student.date_of_birth and record.date_of_birth != student.date_of_birth
        )
    if not differs:
        return None
    return {
        "sheet": record.sheet.title,
        "row": record.row,
        "column": record.label("student_number"),
        "student_number": student.student_number,
        "on_file": _identity(student.name, student.gender, student.date_of_birth, student.id_number_masked),
        "in_file": _identity(
            record.name,
            record.gender,
            record.date_of_birth,
            mask_id_number(record.id_number) if record.id_number else "",
        ),
    }


def _identity(name: str, gender: str, born, masked_id: str) -> dict:
    return {
        "name": name,
        "gender": GENDER_NAMES.get(gender, ""),
        "date_of_birth": born.isoformat() if born else "",
        "id_number": masked_id,
    }


def _update_student(plan: Plan, record: StudentRecord, student: Student, group, room, linked, guardians, by_pk) -> None:
    conflict = identity_conflict(record, student)
    if conflict is not None:
        plan.conflicts.append(conflict)
    wanted = {
        "name": record.name,
        "gender": record.gender,
        "enrolment_year": record.enrolment_year,
        **({"date_of_birth": record.date_of_birth} if record.date_of_birth else {}),
        **({"status": record.status} if record.status else {}),
        **({"phone": record.phone} if record.phone else {}),
    }
    fields = [name for name, value in wanted.items() if getattr(student, name) != value]
    for name in fields:
        setattr(student, name, wanted[name])
    if record.id_digest and record.id_digest != student.id_number_digest:
        plan.id_numbers.append((student, record.id_number))
        fields.append("id_number")
    if group.pk is None or group.pk != student.class_group_id:
        student.class_group = group
        fields.append("class_group")
    if room is not None and (room.pk is None or room.pk != student.dorm_room_id):
        student.dorm_room = room
        fields.append("dorm_room")
    if student.user_id is None:
        user = _account(plan, record, linked)
        if user is None:
            return
        student.user = user
        fields.append("user")
    else:
        user = by_pk[student.user_id]
        plan.change_user(user, full_name=record.name, **({"phone": record.phone} if record.phone else {}))
    if record.guardian and conflict is None and _plan_guardian(plan, student, guardians, record.guardian):
        fields.append("guardians")
    if fields:
        plan.students.append(Change(student, fields, created=False, record=record))
    else:
        plan.unchanged_students += 1


def _guardian(student: Student, values: tuple[str, str, str]) -> Guardian:
    name, relation, phone = values
    return Guardian(student=student, name=name, relation=relation, phone=phone)


def _plan_guardian(plan: Plan, student: Student, guardians: list[Guardian], values) -> bool:
    name, relation, phone = values
    same = next((guardian for guardian in guardians if key(guardian.name) == key(name)), None)
    if same is None:
        plan.new_guardians.append(_guardian(student, values))
        return True
    changed = False
    if relation and same.relation != relation:
        same.relation, changed = relation, True
    if same.phone != phone:
        same.phone, changed = phone, True
    if changed:
        plan.changed_guardians.append(same)
    return changed
