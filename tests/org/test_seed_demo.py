"""The demo college: its shape, its people, its posts and deliberate gaps, its accounts, determinism."""

import hashlib
import re
from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from xinyu.accounts.models import User
from xinyu.org import scope
from xinyu.org.demo import DEMO_PASSWORD, build_demo_college, current_intake, demo_accounts
from xinyu.org.demo.accounts import DEMO_COLLEGE, OTHER_COLLEGE, demo_class_name
from xinyu.org.demo.layout import apportion, room_sizes, split_evenly
from xinyu.org.id_numbers import birth_date_from_id_number, normalise_id_number
from xinyu.org.models import Appointment, ClassGroup, College, Department, DormRoom, Post, Student
from xinyu.org.network import build_network

STUDENTS, SEED, CLASS_SIZE = 600, 7, 25
PHONE = re.compile(r"^1[358]\d{9}$")


def roster_digest() -> str:
    """A stable digest of who studies and sleeps where, with which ID number, and who holds which post."""
    rows = [
        f"{s.student_number}|{s.name}|{s.class_group.name}|{s.dorm_room}|{s.id_number_digest}"
        for s in Student.objects.select_related("class_group", "dorm_room").order_by("student_number")
    ]
    rows += sorted(
        f"{a.post}|{a.person.username}|{a.person.full_name}|{a.scope}"
        for a in Appointment.objects.select_related(
            "person", "school", "department", "college", "class_group", "dorm_room"
        )
    )
    return hashlib.sha256("\n".join(rows).encode()).hexdigest()


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo college built twice with the same seed, the first time through the command with
    --if-empty into the empty database, and once with another seed; the second build stays for this
    module's tests. Each build is rolled back at the end of its transaction."""
    with django_db_blocker.unblock():
        output, empty = StringIO(), StringIO()
        with transaction.atomic():
            call_command("demo_accounts", stdout=empty)
            call_command(
                "seed_demo",
                f"--students={STUDENTS}",
                f"--seed={SEED}",
                f"--class-size={CLASS_SIZE}",
                "--if-empty",
                stdout=output,
            )
            first = roster_digest()
            transaction.set_rollback(True)
        with transaction.atomic():
            build_demo_college(students=STUDENTS, seed=SEED + 1, class_size=CLASS_SIZE)
            other_seed = roster_digest()
            transaction.set_rollback(True)
        with transaction.atomic():
            college = build_demo_college(students=STUDENTS, seed=SEED, class_size=CLASS_SIZE)
            college.digests = (first, roster_digest(), other_seed)
            college.command_output = output.getvalue()
            college.accounts_output_when_empty = empty.getvalue()
            yield college
            transaction.set_rollback(True)


def test_the_command_builds_into_an_empty_database_and_says_so(demo):
    assert "已生成衢州职业技术学院" in demo.command_output
    assert f"{STUDENTS} 名学生" in demo.command_output


def test_same_seed_same_college_other_seed_other_people(demo):
    first, second, other_seed = demo.digests
    assert first == second
    assert other_seed != first


def test_eight_colleges_six_departments_three_intakes(demo, db):
    intake = current_intake()
    assert list(College.objects.values_list("name", flat=True)) == [
        "信息工程学院",
        "机电工程学院",
        "建筑工程学院",
        "经济管理学院",
        "化工与材料学院",
        "医学院",
        "艺术学院",
        "教师教育学院",
    ]
    assert dict(Department.objects.values_list("name", "kind")) == {
        "学工部": Department.Kind.STUDENT_AFFAIRS,
        "宣传部": Department.Kind.PUBLICITY,
        "教务处": Department.Kind.ACADEMIC_AFFAIRS,
        "团委": Department.Kind.YOUTH_LEAGUE,
        "后勤保卫处": Department.Kind.LOGISTICS_SECURITY,
        "马克思主义学院": Department.Kind.MARXISM,
    }
    years = {intake, intake - 1, intake - 2}
    assert set(ClassGroup.objects.values_list("enrolment_year", flat=True)) == years
    assert set(Student.objects.values_list("enrolment_year", flat=True)) == years
    assert Student.objects.count() == STUDENTS
    assert not Student.objects.exclude(status=Student.Status.ENROLLED).exists()


def test_classes_have_about_the_target_size(demo, db):
    for group in ClassGroup.objects.all():
        count = group.students.count()
        assert 0.6 * CLASS_SIZE <= count <= 1.5 * CLASS_SIZE, (group.name, count)
        assert re.fullmatch(rf"\D+{group.enrolment_year % 100:02d}\d\d班", group.name), group.name
        assert all(s.enrolment_year == group.enrolment_year for s in group.students.all())
    assert abs(ClassGroup.objects.count() - STUDENTS / CLASS_SIZE) <= 3


def test_dorm_rooms_hold_four_to_six_students_of_one_gender(demo, db):
    assert not Student.objects.filter(dorm_room=None).exists()
    for room in DormRoom.objects.prefetch_related("students"):
        genders = {s.gender for s in room.students.all()}
        assert 4 <= len(room.students.all()) <= 6, room
        assert genders == {room.gender}, room
        assert re.fullmatch(r"\d+号楼", room.building) and re.fullmatch(r"[1-6]\d\d", room.room)
    # Mostly classmates: rooms mixing classes hold only the few left over.
    mixed = [room for room in DormRoom.objects.all() if room.students.values("class_group").distinct().count() > 1]
    assert len(mixed) <= DormRoom.objects.count() // 5


def test_id_numbers_are_valid_unique_and_match_birth_date_and_gender(demo, db):
    numbers = set()
    for student in Student.objects.all():
        number = student.reveal_id_number()
        assert normalise_id_number(number) == number
        assert number.startswith("33")  # 浙江
        assert birth_date_from_id_number(number) == student.date_of_birth
        assert int(number[16]) % 2 == (1 if student.gender == Student.Gender.MALE else 0)
        assert student.id_number_masked == number[:3] + "*" * 11 + number[-4:]
        assert 17 <= student.enrolment_year - student.date_of_birth.year <= 20
        numbers.add(number)
    assert len(numbers) == STUDENTS


def test_students_have_phones_guardians_and_accounts(demo, db):
    for student in Student.objects.select_related("user").prefetch_related("guardians"):
        guardians = list(student.guardians.all())
        assert PHONE.match(student.phone)
        assert 1 <= len(guardians) <= 2
        assert {g.relation for g in guardians} <= {"父亲", "母亲"}
        assert [g.is_emergency_contact for g in guardians].count(True) == 1
        assert all(PHONE.match(g.phone) for g in guardians)
        assert re.fullmatch(r"[\u4e00-\u9fff]{2,3}", student.name)
        assert student.user.username == student.student_number
        assert student.user.full_name == student.name
        assert student.user.kind == User.Kind.STUDENT
        assert not student.user.must_change_password


def test_every_post_of_the_regulation_is_held(demo, db):
    held = set(Appointment.objects.values_list("post", flat=True))
    assert held == set(Post.values)
    counts = Counter(Appointment.objects.values_list("post", flat=True))
    assert counts[Post.LEADING_GROUP_HEAD] == counts[Post.LEADING_GROUP_DEPUTY] == 1
    assert counts[Post.LEADING_GROUP_MEMBER] == 5 + 8  # five department heads, eight 党总支书记
    assert counts[Post.CENTRE_COUNSELLOR] >= 2
    assert counts[Post.HEAD_TEACHER] == ClassGroup.objects.count() - 1
    assert counts[Post.WELLBEING_REP] == ClassGroup.objects.count() - 1
    assert counts[Post.DORM_LEADER] == DormRoom.objects.count() - 5
    for appointment in Appointment.objects.select_related("person", "class_group", "dorm_room"):
        if appointment.post == Post.WELLBEING_REP:
            assert appointment.person.student.class_group == appointment.class_group
        if appointment.post == Post.DORM_LEADER:
            assert appointment.person.student.dorm_room == appointment.dorm_room
    for advisor in User.objects.filter(appointments__post=Post.ADVISOR).distinct():
        assert 1 <= advisor.appointments.filter(post=Post.ADVISOR).count() <= 6


def test_the_network_lists_the_deliberate_gaps_and_nothing_else(demo, db):
    gaps = build_network(College.objects.all()).gaps
    assert {(gap.kind, gap.where) for gap in gaps} == demo.expected_gaps
    assert len(gaps) == len(demo.expected_gaps)
    assert Counter(kind for kind, _ in demo.expected_gaps) == {
        "dorm_leader": 5,
        "head_teacher": 1,
        "wellbeing_rep": 1,
        "mental_health_advisor": 1,
        "departed": 1,
    }
    assert ("mental_health_advisor", "艺术学院") in demo.expected_gaps


def _expected_students(account, user):
    intake = current_intake()
    match account.students:
        case "none" | "self":
            return set()
        case "school":
            return set(Student.objects.all())
        case "college":
            return set(Student.objects.filter(class_group__college__name=DEMO_COLLEGE))
        case "other_college":
            return set(Student.objects.filter(class_group__college__name=OTHER_COLLEGE))
        case "class":
            return set(Student.objects.filter(class_group__name=demo_class_name(intake)))
        case "advisor_classes":
            groups = user.appointments.filter(post=Post.ADVISOR).values("class_group")
            return set(Student.objects.filter(class_group__in=groups))
    raise AssertionError(account.students)


def test_each_demo_account_signs_in_and_sees_what_the_table_says(demo, db):
    accounts = demo_accounts()
    assert len({a.username for a in accounts}) == len(accounts)
    for account in accounts:
        user = User.objects.get(username=account.username)
        assert user.full_name == account.name
        assert user.check_password(DEMO_PASSWORD)
        assert user.is_active and not user.must_change_password
        assert user.is_student == account.is_student
        assert set(scope.students_for(user)) == _expected_students(account, user), account.key
        if account.is_student:
            assert scope.own_student(user).student_number == account.username


def test_the_demo_class_holds_the_demo_students(demo, db):
    by_key = {a.key: User.objects.get(username=a.username) for a in demo_accounts()}
    group = ClassGroup.objects.get(name=demo_class_name(current_intake()), college__name=DEMO_COLLEGE)
    student, rep, leader = (by_key[k].student for k in ("student", "wellbeing_rep", "dorm_leader"))
    assert {student.class_group, rep.class_group, leader.class_group} == {group}
    assert student.dorm_room == leader.dorm_room
    assert by_key["wellbeing_rep"].appointments.get().class_group == group
    assert by_key["dorm_leader"].appointments.get().dorm_room == leader.dorm_room
    assert by_key["head_teacher"].appointments.get().class_group == group
    advisor_classes = set(by_key["advisor"].appointments.values_list("class_group__name", flat=True))
    assert group.name in advisor_classes and len(advisor_classes) >= 1
    assert scope.may_view_network(by_key["leading_group_head"])
    assert not scope.may_view_network(by_key["head_teacher"])


def test_if_empty_does_nothing_when_students_exist(demo, db):
    output = StringIO()
    call_command("seed_demo", "--if-empty", stdout=output)
    assert "不再生成演示数据" in output.getvalue()
    assert Student.objects.count() == STUDENTS


def test_seeding_a_database_with_students_is_refused(demo, db):
    with pytest.raises(CommandError, match="演示数据只能写入空数据库"):
        call_command("seed_demo", stdout=StringIO())
    assert Student.objects.count() == STUDENTS


def test_demo_accounts_command_prints_the_table(demo, db):
    output = StringIO()
    call_command("demo_accounts", stdout=output)
    text = output.getvalue()
    assert text.splitlines()[1].split() == ["岗位", "姓名", "账号", "密码", "能看到什么"]
    for account in demo_accounts():
        assert account.username in text and account.name in text
    assert text.count(DEMO_PASSWORD) == len(demo_accounts())


def test_demo_accounts_command_on_a_database_without_the_demo(demo):
    assert demo.accounts_output_when_empty == "数据库中没有演示账号（未生成演示学院）。\n"


@pytest.mark.parametrize("count", range(31))
def test_room_sizes_place_everyone_they_can(count):
    sizes = room_sizes(count)
    assert all(4 <= size <= 6 for size in sizes)
    unplaced = {1: 1, 2: 2, 3: 3, 7: 1}.get(count, 0)
    assert sum(sizes) == count - unplaced


def test_apportion_and_split_evenly_add_up():
    assert sum(apportion(15000, [1.3, 1.3, 1.0, 1.2, 0.8, 1.2, 0.7, 0.8])) == 15000
    assert split_evenly(47, 3) == [16, 16, 15]
