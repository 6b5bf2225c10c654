"""The student's "who opened my file": one row per person and day, one post for each person, how many times
and which kinds of record; nothing about other students, never a reason."""

import datetime as dt
import re

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from tests.helpers import freeze_time
from xinyu.audit.models import AuditEntry
from xinyu.audit.services import Event, record
from xinyu.org.scope import Tier
from xinyu.privacy import breakglass
from xinyu.privacy.access_log import accesses_for_student

MORNING = timezone.make_aware(dt.datetime(2026, 3, 2, 9, 0))
NEXT_DAY = MORNING + dt.timedelta(days=1)


def read(world, who, what, *, student=None, post="mental_health_advisor", at=MORNING, times=1):
    with freeze_time(at):
        for _ in range(times):
            record(
                world.cast[who],
                Event(AuditEntry.Action.VIEW, what, student=student or world.in_scope, tier=Tier.T3, post=post),
            )


def rows_of(page: str) -> list[str]:
    return re.findall(r'<li class="list-group-item" data-testid="access".*?</li>', page, flags=re.S)


def test_reads_are_grouped_by_person_and_day_with_one_post_each(world, client_for):
    # 吴心理辅导员 reads 12 times one morning, mostly under her post, twice with none recorded; once next day.
    read(world, "mental_health_advisor", "screening.results", times=8)
    read(world, "mental_health_advisor", "studentfile.file", times=2)
    read(world, "mental_health_advisor", "studentfile.file", post="", times=2)
    read(world, "mental_health_advisor", "care.interview", at=NEXT_DAY)
    read(world, "head_teacher", "student.detail", post="head_teacher", at=MORNING + dt.timedelta(hours=1))
    with translation.override("zh-hans"):
        accesses = accesses_for_student(world.in_scope)
    summary = [(a.day, a.name, a.post, a.count, a.kinds) for a in accesses]
    assert summary == [
        (NEXT_DAY.date(), "吴心理辅导员", "心理辅导员", 1, ["约谈记录"]),
        (MORNING.date(), "孙班主任", "班主任", 1, ["学生信息"]),
        (MORNING.date(), "吴心理辅导员", "心理辅导员", 12, ["测评结果", "心理健康档案"]),
    ]
    page = client_for(world.cast["student"]).get(reverse("privacy:mine")).content.decode()
    rows = rows_of(page)
    assert len(rows) == 3
    busy = next(row for row in rows if 'data-count="12"' in row)
    assert "吴心理辅导员" in busy and "心理辅导员" in busy and "2026-03-02" in busy
    assert "12 次" in busy and "测评结果" in busy and "心理健康档案" in busy
    # The same person is never named as plain "staff" on one row and by post on another.
    assert "教职工" not in page
    # No table: a list that reads on a phone.
    assert 'data-testid="access-log"' in page and "<table" not in page.split('data-testid="access-log"')[1]


def test_an_emergency_access_names_the_person_as_such_but_never_the_reason(world, client_for):
    with freeze_time(MORNING):
        breakglass.open_break_glass(world.cast["outsider"], world.in_scope, reason="紧急情况：联系不上辅导员")
    read(world, "outsider", "studentfile.file", post="break_glass", times=3)
    page = client_for(world.cast["student"]).get(reverse("privacy:mine")).content.decode()
    (row,) = [row for row in rows_of(page) if "褚外院" in row]
    assert "紧急调阅" in row and 'data-count="3"' in row
    assert "联系不上辅导员" not in page


def test_only_this_students_file_and_not_the_students_own_reads_nor_a_dorm_leaders_list(world, client_for):
    read(world, "advisor", "student.detail", student=world.other_class, post="advisor")
    read(world, "dorm_leader", "care.check_in.list", post="dorm_leader")
    read(world, "student", "screening.results", post="")
    read(world, "mental_health_advisor", "screening.results")
    names = {access.name for access in accesses_for_student(world.in_scope)}
    assert names == {"吴心理辅导员"}
    page = client_for(world.cast["student"]).get(reverse("privacy:mine")).content.decode()
    assert "周辅导员" not in page and world.cast["dorm_leader"].full_name not in page
    # Another student sees nothing of it: their own page lists nobody.
    other = world.other_class.user
    if other is not None:
        assert "吴心理辅导员" not in client_for(other).get(reverse("privacy:mine")).content.decode()


def test_one_query_for_the_log_whatever_its_length(world):
    read(world, "mental_health_advisor", "screening.results")
    with CaptureQueriesContext(connection) as few:
        accesses_for_student(world.in_scope)
    read(world, "mental_health_advisor", "studentfile.file", times=20)
    read(world, "head_teacher", "student.detail", post="head_teacher", at=NEXT_DAY, times=5)
    with CaptureQueriesContext(connection) as many:
        accesses_for_student(world.in_scope)
    assert len(few) == len(many) == 1


def test_staff_cannot_open_the_students_page(world, client_for):
    for who in ("advisor", "supervisor", "mental_health_advisor"):
        response = client_for(world.cast[who]).get(reverse("privacy:mine"))
        assert response.status_code in (403, 404), who
