"""Writing the demo college: the network, its students and accounts, and every post of the regulation.

Everything is drawn from one `random.Random(seed)` in a fixed order, so the same seed and size give
the same people, numbers and posts. Rows go in with `bulk_create` in one transaction; staff posts go
through `appoint`, and the thousands of student posts through `validate_appointment` and one insert.
"""

import datetime as dt
import math
import random
import time
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from xinyu.org.demo.accounts import ACCOUNT, DEMO_PASSWORD, current_intake, demo_class_name
from xinyu.org.demo.data import COLLEGES, DEPARTMENTS, SCHOOL_CODE, SCHOOL_NAME
from xinyu.org.demo.layout import ClassPlan, allocate_rooms, chunks, plan_classes, student_number
from xinyu.org.demo.people import FEMALE, MALE, PeopleMaker
from xinyu.org.models import (
    POST_SCOPE_KIND,
    Appointment,
    ClassGroup,
    College,
    Department,
    DormRoom,
    Guardian,
    Post,
    School,
    Student,
)
from xinyu.org.services import appoint, validate_appointment

User = get_user_model()  # accounts sits above org: the model is looked up, not imported

DEFAULT_STUDENTS = 15_000
DEFAULT_SEED = 2021  # the year of the regulation
CLASS_SIZE = 45
MIN_STUDENTS = 300
CLASSES_PER_ADVISOR = 5
ROOMS_PER_FLOOR, FLOORS = 20, 6
BATCH = 2000
# Deliberate coverage gaps, so the network page has something to show.
NO_MENTAL_HEALTH_ADVISOR = "07"  # 艺术学院
NO_HEAD_TEACHER, NO_WELLBEING_REP, DEPARTED_HEAD_TEACHER = "03", "04", "05"  # last class of each
ROOMS_WITHOUT_LEADER = 5


@dataclass
class DemoCollege:
    school: School
    students: int
    class_groups: int
    dorm_rooms: int
    appointments: int
    expected_gaps: set[tuple[str, str]] = field(default_factory=set)  # (Gap.kind, Gap.where)
    seconds: float = 0.0


def build_demo_college(
    *,
    students: int = DEFAULT_STUDENTS,
    seed: int = DEFAULT_SEED,
    class_size: int = CLASS_SIZE,
    today: dt.date | None = None,
) -> DemoCollege:
    """Create 衢州职业技术学院 with `students` students in an empty database (one transaction)."""
    if students < MIN_STUDENTS:
        raise ValueError(f"The demo college needs at least {MIN_STUDENTS} students.")
    started = time.perf_counter()
    with transaction.atomic():
        result = _Builder(seed, today or timezone.localdate()).build(students, class_size)
    result.seconds = time.perf_counter() - started
    return result


class _Builder:
    def __init__(self, seed: int, today: dt.date):
        self.rng = random.Random(seed)
        self.people = PeopleMaker(self.rng)
        self.today = today
        self.intake = current_intake(today)
        self.password = make_password(DEMO_PASSWORD)  # one hash for every account: hashing is slow
        self.staff: list[User] = []
        self.postings: list[tuple] = []  # staff posts: (person, post, scope, starts_on)
        self.next_number = 100001
        self.gaps: set[tuple[str, str]] = set()

    def build(self, students: int, class_size: int) -> DemoCollege:
        self.school = School.objects.create(name=SCHOOL_NAME, code=SCHOOL_CODE)
        self.departments = Department.objects.bulk_create(
            Department(school=self.school, name=name, kind=kind) for name, kind, _ in DEPARTMENTS
        )
        self.colleges = College.objects.bulk_create(
            College(school=self.school, name=spec.name, code=spec.code) for spec in COLLEGES
        )
        plans = plan_classes(students, [self.intake, self.intake - 1, self.intake - 2], class_size)
        self._create_class_groups(plans)
        rooms = self._create_students(plans)
        self._school_posts()
        self._centre_posts(students)
        self._college_posts(plans)
        User.objects.bulk_create(self.staff, batch_size=BATCH)
        for person, post, scope, starts_on in self.postings:
            appoint(person, post, scope, starts_on=starts_on)
        student_posts = self._student_posts(plans, rooms)
        return DemoCollege(
            self.school,
            students=sum(len(plan.students) for plan in plans),
            class_groups=len(plans),
            dorm_rooms=len(rooms),
            appointments=len(self.postings) + student_posts,
            expected_gaps=self.gaps,
        )

    # --- the network and its students -------------------------------------------------------------

    def _create_class_groups(self, plans: list[ClassPlan]) -> None:
        college = {c.code: c for c in self.colleges}
        for plan in plans:
            plan.group = ClassGroup(
                college=college[plan.college.code],
                name=plan.name,
                enrolment_year=plan.intake,
                major=plan.major.name,
            )
        ClassGroup.objects.bulk_create([plan.group for plan in plans], batch_size=BATCH)

    def _create_students(self, plans: list[ClassPlan]) -> list[list[Student]]:
        users, guardians = [], []
        demo = {
            ACCOUNT[key].username.format(intake=self.intake): (ACCOUNT[key].name, gender)
            for key, gender in (("dorm_leader", MALE), ("student", MALE), ("wellbeing_rep", FEMALE))
        }
        if plans[0].name != demo_class_name(self.intake):
            raise RuntimeError("The demo accounts expect the first class to be the demo class.")
        for plan in plans:
            for seq in range(1, plan.size + 1):
                number = student_number(plan.intake, plan.college.code, plan.serial, seq)
                gender = self.people.gender(plan.college.female_share)
                name = self.people.name(gender)
                if number in demo:
                    name, gender = demo[number]
                age = self.rng.choices((18, 19, 20), (55, 35, 10))[0]
                born = self.people.birth_date(plan.intake - age)
                student = Student(
                    school=self.school,
                    student_number=number,
                    name=name,
                    gender=gender,
                    date_of_birth=born,
                    enrolment_year=plan.intake,
                    class_group=plan.group,
                    phone=self.people.phone(),
                )
                student.set_id_number(self.people.id_number(born, gender))
                student.user = User(
                    username=number,
                    full_name=name,
                    kind=User.Kind.STUDENT,
                    phone=student.phone,
                    password=self.password,
                )
                users.append(student.user)
                guardians += self._guardians(student)
                plan.students.append(student)

        rooms, _day_students = allocate_rooms(plans, lambda s: s.gender)  # day students: no room
        self._create_dorm_rooms(rooms)
        User.objects.bulk_create(users, batch_size=BATCH)
        Student.objects.bulk_create([s for plan in plans for s in plan.students], batch_size=BATCH)
        Guardian.objects.bulk_create(guardians, batch_size=BATCH)
        return rooms

    def _guardians(self, student: Student) -> list[Guardian]:
        surname = student.name[0]
        father = Guardian(
            student=student, name=self.people.name(MALE, surname), relation="父亲", phone=self.people.phone()
        )
        mother = Guardian(student=student, name=self.people.name(FEMALE), relation="母亲", phone=self.people.phone())
        pair = [mother, father] if self.rng.random() < 0.5 else [father, mother]
        if self.rng.random() < 0.25:
            pair = pair[:1]
        for guardian in pair[1:]:
            guardian.is_emergency_contact = False
        return pair

    def _create_dorm_rooms(self, rooms: list[list[Student]]) -> None:
        """Men's buildings first, then women's, each with up to 6 floors of 20 rooms: 1号楼 101 … 620."""
        objects, buildings = [], 0
        for gender in (MALE, FEMALE):
            mine = [room for room in rooms if room[0].gender == gender]
            per_building = math.ceil(len(mine) / max(1, math.ceil(len(mine) / (ROOMS_PER_FLOOR * FLOORS))))
            for index, members in enumerate(mine):
                floor, number = divmod(index % per_building, ROOMS_PER_FLOOR)
                room = DormRoom(
                    school=self.school,
                    building=f"{buildings + index // per_building + 1}号楼",
                    room=f"{floor + 1}{number + 1:02d}",
                    gender=gender,
                )
                objects.append(room)
                for student in members:
                    student.dorm_room = room
            buildings += math.ceil(len(mine) / per_building) if mine else 0
        DormRoom.objects.bulk_create(objects, batch_size=BATCH)

    # --- staff and posts --------------------------------------------------------------------------

    def _hire(self, key: str | None = None) -> User:
        """A staff member: a demo account when `key` is given, otherwise a new 工号 and a drawn name.
        A name is drawn either way, so the demo accounts do not shift anyone else's draws."""
        gender = self.rng.choice((MALE, FEMALE))
        name, phone = self.people.name(gender), self.people.phone()
        if key:
            name, username = ACCOUNT[key].name, ACCOUNT[key].username
        else:
            username, self.next_number = str(self.next_number), self.next_number + 1
        person = User(username=username, full_name=name, phone=phone, password=self.password)
        self.staff.append(person)
        return person

    def _post(self, person, post, scope, starts_on: dt.date | None = None) -> None:
        self.postings.append((person, post, scope, starts_on or dt.date(self.intake - 1, 9, 1)))

    def _school_posts(self) -> None:
        school = self.school
        # The technical administrator holds no post (the back office, granting posts); no name is drawn for
        # them, so the demo's other people stay as they were.
        admin = ACCOUNT["technical_admin"]
        self.staff.append(
            User(username=admin.username, full_name=admin.name, password=self.password, is_superuser=True)
        )
        student_affairs, *others = self.departments
        self._post(self._hire("leading_group_head"), Post.LEADING_GROUP_HEAD, school)
        deputy = self._hire("student_affairs")
        self._post(deputy, Post.LEADING_GROUP_DEPUTY, school)
        self._post(deputy, Post.STUDENT_AFFAIRS_STAFF, student_affairs)
        for _ in range(3):
            self._post(self._hire(), Post.STUDENT_AFFAIRS_STAFF, student_affairs)
        for department in others:
            head = self._hire("leading_group_member" if department.name == "后勤保卫处" else None)
            self._post(head, Post.LEADING_GROUP_MEMBER, school)
            self._post(head, Post.DEPARTMENT_STAFF, department)
            for _ in range(2):
                self._post(self._hire(), Post.DEPARTMENT_STAFF, department)

    def _centre_posts(self, students: int) -> None:
        """阳光心理中心: a supervisor, full-time counsellors at 1:4000 (at least 2), part-time ones."""
        self._post(self._hire("centre_supervisor"), Post.CENTRE_SUPERVISOR, self.school)
        for index in range(max(2, math.ceil(students / 4000))):
            person = self._hire("counsellor" if index == 0 else None)
            self._post(person, Post.CENTRE_COUNSELLOR, self.school)
        for index in range(max(3, math.ceil(students / 2500))):
            person = self._hire("part_time_counsellor" if index == 0 else None)
            self._post(person, Post.CENTRE_PART_TIME_COUNSELLOR, self.school)

    def _college_posts(self, plans: list[ClassPlan]) -> None:
        """Each college's working group, its advisors (about 5 classes of one intake each) and head teachers."""
        demo_college, other_college = COLLEGES[0].code, COLLEGES[1].code
        for college, spec in zip(self.colleges, COLLEGES, strict=True):
            demo = spec.code == demo_college
            group_head = self._hire("college_group_head" if demo else None)
            self._post(group_head, Post.COLLEGE_GROUP_HEAD, college)
            self._post(group_head, Post.LEADING_GROUP_MEMBER, self.school)
            self._post(self._hire("college_leader" if demo else None), Post.COLLEGE_LEADER_IN_CHARGE, college)
            self._post(self._hire("office_director" if demo else None), Post.COLLEGE_OFFICE_DIRECTOR, college)
            if spec.code == NO_MENTAL_HEALTH_ADVISOR:
                self.gaps.add(("mental_health_advisor", college.name))
            else:
                key = {demo_college: "mental_health_advisor", other_college: "other_college_advisor"}
                self._post(self._hire(key.get(spec.code)), Post.MENTAL_HEALTH_ADVISOR, college)
            self._post(self._hire("college_consultant" if demo else None), Post.COLLEGE_CONSULTANT, college)

            mine = [plan for plan in plans if plan.college is spec]
            for intake in sorted({plan.intake for plan in mine}, reverse=True):
                for run in chunks([plan for plan in mine if plan.intake == intake], CLASSES_PER_ADVISOR):
                    first = run[0] is plans[0]
                    advisor = self._hire("advisor" if first else None)
                    for plan in run:
                        self._post(advisor, Post.ADVISOR, plan.group, dt.date(plan.intake, 9, 1))
            for plan in mine:
                self._head_teacher(plan, last=plan is mine[-1], first=plan is plans[0])

    def _head_teacher(self, plan: ClassPlan, *, last: bool, first: bool) -> None:
        code = plan.college.code
        if last and code == NO_HEAD_TEACHER:
            self.gaps.add((Post.HEAD_TEACHER.value, plan.name))
            return
        person = self._hire("head_teacher" if first else None)
        if last and code == DEPARTED_HEAD_TEACHER:
            person.left_on = self.today - dt.timedelta(days=14)
            person.is_active = False
            self.gaps.add(("departed", plan.name))
        self._post(person, Post.HEAD_TEACHER, plan.group, dt.date(plan.intake, 9, 1))

    def _student_posts(self, plans: list[ClassPlan], rooms: list[list[Student]]) -> int:
        """A wellbeing rep per class and a dorm leader per room, elected each September."""
        elected = dt.date(self.intake, 9, 1)
        demo_rep = ACCOUNT["wellbeing_rep"].username.format(intake=self.intake)
        demo_leader = ACCOUNT["dorm_leader"].username.format(intake=self.intake)
        no_rep = [plan for plan in plans if plan.college.code == NO_WELLBEING_REP][-1]
        postings = []
        for plan in plans:
            if plan is no_rep:
                self.gaps.add((Post.WELLBEING_REP.value, plan.name))
                continue
            rep = next((s for s in plan.students if s.student_number == demo_rep), None)
            postings.append((rep or self.rng.choice(plan.students), Post.WELLBEING_REP, plan.group))
        demo = {i: s for i, room in enumerate(rooms) for s in room if s.student_number == demo_leader}
        candidates = [i for i in range(len(rooms)) if i not in demo]
        leaderless = set(self.rng.sample(candidates, min(ROOMS_WITHOUT_LEADER, len(candidates) // 4)))
        for index, members in enumerate(rooms):
            room = members[0].dorm_room
            if index in leaderless:
                self.gaps.add((Post.DORM_LEADER.value, str(room)))
                continue
            postings.append((demo.get(index) or self.rng.choice(members), Post.DORM_LEADER, room))

        # `appoint`'s rules for each, then one bulk insert instead of thousands of single ones.
        rows = []
        for student, post, scope in postings:
            appointment = Appointment(person=student.user, post=post, starts_on=elected)
            setattr(appointment, POST_SCOPE_KIND[post], scope)
            validate_appointment(appointment)
            rows.append(appointment)
        Appointment.objects.bulk_create(rows, batch_size=BATCH)
        return len(rows)
