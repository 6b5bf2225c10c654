"""The fixed cast of test users and a small world with data that could leak.

The world: one school, college A (class groups A1, A2) and college B (class group B1).
- `in_scope` studies in A1 and sleeps in room R1;
- `other_class` studies in A2 (same college, other class);
- `other_college` studies in B1 and sleeps in room R2.
Every student has an ID number and a guardian, so a leak would show.
"""

import datetime as dt
import itertools
from dataclasses import dataclass

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client, override_settings
from django.utils import translation

from tests import rq_support
from tests.factories import (
    ClassGroupFactory,
    CollegeFactory,
    DepartmentFactory,
    DormRoomFactory,
    GuardianFactory,
    SchoolFactory,
    UserFactory,
    student_with_account,
    valid_id_number,
)

# The shared fixtures' machinery: pytest finds its fixtures here.
from tests.shared import _django_db_helper, _shared_data, _shared_data_per_module, shared_fixture  # noqa: F401
from xinyu.org.models import Department, Post
from xinyu.org.services import appoint

PASSWORD = "correct-horse-42"
# Posts in the world are held since long ago, so tests that travel in time still find them.
SINCE = dt.date(2020, 9, 1)


@dataclass
class World:
    school: object
    college_a: object
    college_b: object
    a1: object
    a2: object
    b1: object
    r1: object
    r2: object
    student_affairs: object
    in_scope: object
    other_class: object
    other_college: object
    cast: dict

    @property
    def students(self):
        return {
            "in_scope": self.in_scope,
            "other_class": self.other_class,
            "other_college": self.other_college,
        }


def _student(serial, **kwargs):
    student = student_with_account(**kwargs)
    student.set_id_number(valid_id_number(serial))
    student.save()
    GuardianFactory(student=student, name=f"{student.name}的母亲", relation="母亲", phone=f"1390000{serial:04d}")
    return student


def build_world() -> World:
    school = SchoolFactory()
    college_a = CollegeFactory(school=school, name="信息工程学院", code="A")
    college_b = CollegeFactory(school=school, name="机电工程学院", code="B")
    a1 = ClassGroupFactory(college=college_a, name="软件2501班")
    a2 = ClassGroupFactory(college=college_a, name="网络2501班")
    b1 = ClassGroupFactory(college=college_b, name="机电2501班")
    r1 = DormRoomFactory(school=school, building="1号楼", room="101")
    r2 = DormRoomFactory(school=school, building="2号楼", room="201")
    student_affairs = DepartmentFactory(school=school, name="学工部", kind=Department.Kind.STUDENT_AFFAIRS)

    in_scope = _student(1, name="张三", student_number="2025000001", class_group=a1, dorm_room=r1, school=school)
    other_class = _student(2, name="李四", student_number="2025000002", class_group=a2, school=school)
    other_college = _student(3, name="王五", student_number="2025000003", class_group=b1, dorm_room=r2, school=school)

    dorm_leader = _student(4, name="赵寝", student_number="2025000004", class_group=a1, dorm_room=r1, school=school)
    rep = _student(5, name="钱委", student_number="2025000005", class_group=a1, school=school)

    def staff(username, name):
        return UserFactory(username=username, full_name=name)

    cast = {
        "dorm_leader": dorm_leader.user,
        "wellbeing_rep": rep.user,
        "head_teacher": staff("T10001", "孙班主任"),
        "advisor": staff("T10002", "周辅导员"),
        "mental_health_advisor": staff("T10003", "吴心理辅导员"),
        "college_leader": staff("T10004", "郑副书记"),
        "counsellor": staff("T10005", "冯咨询师"),
        "leading_group_member": staff("T10006", "陈组员"),
        "outsider": staff("T10007", "褚外院"),
        "student": in_scope.user,
        "supervisor": staff("T10008", "卫主任"),
        "student_affairs": staff("T10009", "蒋学工"),
    }
    appoint(cast["dorm_leader"], Post.DORM_LEADER, r1, starts_on=SINCE)
    appoint(cast["wellbeing_rep"], Post.WELLBEING_REP, a1, starts_on=SINCE)
    appoint(cast["head_teacher"], Post.HEAD_TEACHER, a1, starts_on=SINCE)
    appoint(cast["advisor"], Post.ADVISOR, a1, starts_on=SINCE)
    appoint(cast["mental_health_advisor"], Post.MENTAL_HEALTH_ADVISOR, college_a, starts_on=SINCE)
    appoint(cast["college_leader"], Post.COLLEGE_LEADER_IN_CHARGE, college_a, starts_on=SINCE)
    appoint(cast["counsellor"], Post.CENTRE_COUNSELLOR, school, starts_on=SINCE)
    appoint(cast["leading_group_member"], Post.LEADING_GROUP_MEMBER, school, starts_on=SINCE)
    appoint(cast["outsider"], Post.MENTAL_HEALTH_ADVISOR, college_b, starts_on=SINCE)
    appoint(cast["supervisor"], Post.CENTRE_SUPERVISOR, school, starts_on=SINCE)
    appoint(cast["student_affairs"], Post.STUDENT_AFFAIRS_STAFF, student_affairs, starts_on=SINCE)
    return World(
        school,
        college_a,
        college_b,
        a1,
        a2,
        b1,
        r1,
        r2,
        student_affairs,
        in_scope,
        other_class,
        other_college,
        cast,
    )


@pytest.fixture(autouse=True)
def english_outside_requests():
    """Code called directly from a test speaks English (the source strings); pages still render in the
    language the request asks for (简体中文 by default), and tests may override either."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def own_audit_anchor(tmp_path_factory):
    """Each test keeps the access log's anchor in a file of its own (the clock and `verify_audit` write it), so
    that tests running side by side, each with its own log, never check against another test's anchor."""
    path = tmp_path_factory.getbasetemp() / f"audit-anchor-{next(_anchor_numbers)}.json"
    with override_settings(AUDIT_ANCHOR_PATH=path):
        yield path


_anchor_numbers = itertools.count()


@shared_fixture
def world() -> World:
    return build_world()


@pytest.fixture
def client_for():
    """A signed-in test client for a user: client_for(user)."""

    def make(user):
        client = Client()
        client.force_login(user)
        return client

    return make


@shared_fixture
def network(world):
    """The world plus the people who grant and confirm: a technical administrator, the leading group's head
    and deputy (学工部部长), the 学工办 director of college A, a second 学工部 staff member, and a newcomer."""
    cast = world.cast
    cast["admin"] = UserFactory(username="A00001", full_name="系统管理员", is_superuser=True)
    for key, number, name, post, place in (
        ("group_head", "T10030", "周组长", Post.LEADING_GROUP_HEAD, world.school),
        ("deputy", "T10031", "陈部长", Post.LEADING_GROUP_DEPUTY, world.school),
        ("office_director", "T10032", "杨主任", Post.COLLEGE_OFFICE_DIRECTOR, world.college_a),
        ("student_affairs_2", "T10033", "何学工", Post.STUDENT_AFFAIRS_STAFF, world.student_affairs),
    ):
        cast[key] = UserFactory(username=number, full_name=name)
        appoint(cast[key], post, place, starts_on=SINCE)
    cast["newcomer"] = UserFactory(username="T20001", full_name="新老师")
    return world


@pytest.fixture
def latest_schema_afterwards():
    """A migration test moves the schema back and forth; moving an app back also unapplies every later
    migration that depends on it, in any app. Afterwards every app is migrated to its latest again, so the
    tests that follow on this database find every table."""
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    with rq_support.test_body():
        return (yield)


def pytest_sessionstart(session):
    """TASK_BACKEND=rq (.ci/run's RQ phase) with no Redis answering: say so once, instead of every task
    failing on its own."""
    if rq_support.wanted() and (problem := rq_support.redis_problem()):
        raise pytest.UsageError(f"TASK_BACKEND=rq: {problem}")
