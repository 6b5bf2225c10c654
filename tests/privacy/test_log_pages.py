"""The centre's access log in words and filters (person, student, action, dates, with a clear error on a
bad date), and the break-glass review listing what the holder opened under the grant."""

import datetime as dt
import re

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.helpers import freeze_time
from xinyu.audit.models import AuditEntry
from xinyu.audit.services import Event, record
from xinyu.org.scope import Tier
from xinyu.privacy import breakglass

MORNING = timezone.make_aware(dt.datetime(2026, 3, 2, 9, 0))
REASON = "学生在宿舍群里说要轻生，辅导员电话打不通，需要马上联系家长。"


def read(world, who, student, *, what="screening.results", action=AuditEntry.Action.VIEW, at=MORNING, post=""):
    with freeze_time(at):
        return record(world.cast[who], Event(action, what, student=student, tier=Tier.T3, post=post))


def shown(client, **params):
    response = client.get(reverse("privacy:log"), params)
    assert response.status_code == 200
    return [entry.pk for entry in response.context["page"]]


def test_the_log_names_the_student_beside_the_number(world, client_for):
    read(world, "head_teacher", world.in_scope, post="head_teacher")
    page = client_for(world.cast["supervisor"]).get(reverse("privacy:log")).content.decode()
    assert f"<td>张三（{world.in_scope.student_number}）</td>" in page
    assert "<td>孙班主任（T10001）</td>" in page and "<td>班主任</td>" in page and "<td>查看</td>" in page


def test_filters_by_person_student_action_and_dates(world, client_for):
    first = read(world, "head_teacher", world.in_scope)
    printed = read(world, "head_teacher", world.in_scope, what="studentfile.print", action=AuditEntry.Action.PRINT,
                   at=MORNING + dt.timedelta(days=1))  # fmt: skip
    other = read(world, "advisor", world.other_class, at=MORNING + dt.timedelta(days=2))
    client = client_for(world.cast["supervisor"])
    assert shown(client, person="T10001") == [printed.pk, first.pk]
    assert shown(client, student=world.other_class.student_number) == [other.pk]
    assert shown(client, action="print") == [printed.pk]
    assert shown(client, person="T10001", action="view") == [first.pk]
    assert shown(client, since="2026-03-03", until="2026-03-03", student=world.in_scope.student_number) == [printed.pk]
    assert shown(client, since="2026-03-03", student=world.in_scope.student_number) == [printed.pk]
    assert shown(client, until="2026-03-02", student=world.in_scope.student_number) == [first.pk]


def test_a_bad_date_or_action_says_so_in_chinese_and_lists_nothing(world, client_for):
    read(world, "head_teacher", world.in_scope)
    client = client_for(world.cast["supervisor"])
    response = client.get(reverse("privacy:log"), {"since": "2026-13-45"})
    page = response.content.decode()
    assert 'data-testid="audit-filter-errors"' in page
    assert "请按“年-月-日”填写日期，例如 2026-03-02。" in page
    assert list(response.context["page"]) == []
    page = client.get(reverse("privacy:log"), {"since": "2026-03-05", "until": "2026-03-01"}).content.decode()
    assert "结束日期早于开始日期。" in page
    assert shown(client, action="nonsense") == []


def test_the_log_is_the_centres_only_and_keeps_its_queries_fixed(world, client_for):
    for who in ("head_teacher", "advisor", "mental_health_advisor", "student"):
        assert client_for(world.cast[who]).get(reverse("privacy:log")).status_code in (403, 404), who
    client = client_for(world.cast["supervisor"])
    read(world, "head_teacher", world.in_scope)
    client.get(reverse("privacy:log"))  # the session and the caches warm
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("privacy:log"))
    for who, student in (("advisor", world.other_class), ("counsellor", world.other_college)):
        read(world, who, student)
    with CaptureQueriesContext(connection) as three:
        client.get(reverse("privacy:log"))
    assert len(one) == len(three)


def test_the_review_lists_what_the_holder_opened_under_the_grant(world, client_for):
    before = read(world, "outsider", world.in_scope, at=MORNING - dt.timedelta(days=1))
    with freeze_time(MORNING):
        grant = breakglass.open_break_glass(world.cast["outsider"], world.in_scope, reason=REASON)
    opened = read(world, "outsider", world.in_scope, what="studentfile.file", at=MORNING + dt.timedelta(minutes=5),
                  post="break_glass")  # fmt: skip
    printed = read(world, "outsider", world.in_scope, what="studentfile.print", action=AuditEntry.Action.PRINT,
                   at=MORNING + dt.timedelta(minutes=9), post="break_glass")  # fmt: skip
    # Not under the grant: someone else's read, another student, and a read after the grant ended.
    read(world, "counsellor", world.in_scope, at=MORNING + dt.timedelta(minutes=6))
    read(world, "outsider", world.other_class, at=MORNING + dt.timedelta(minutes=7))
    after = read(world, "outsider", world.in_scope, at=grant.expires_at + dt.timedelta(minutes=1))
    assert [entry.pk for entry in breakglass.opened_under(grant)] == [opened.pk, printed.pk]

    url = reverse("privacy:break_glass_detail", args=[grant.pk])
    for who in ("supervisor", "outsider"):
        page = client_for(world.cast[who]).get(url).content.decode()
        shown = re.findall(r'data-testid="grant-opened-entry" data-entry="(\d+)"', page)
        assert shown == [str(opened.pk), str(printed.pk)], who
        assert before.pk != after.pk
    assert "心理健康档案" in page and "打印" in page
    for who in ("advisor", "mental_health_advisor", "head_teacher"):
        assert client_for(world.cast[who]).get(url).status_code == 404


def test_a_review_of_a_grant_with_no_reads_says_nothing_was_opened(world, client_for):
    grant = breakglass.open_break_glass(world.cast["outsider"], world.in_scope, reason=REASON)
    page = client_for(world.cast["supervisor"]).get(reverse("privacy:break_glass_detail", args=[grant.pk]))
    assert 'data-testid="grant-opened-none"' in page.content.decode()


def test_people_and_students_are_found_by_name_too(world, client_for):
    first = read(world, "head_teacher", world.in_scope)
    other = read(world, "advisor", world.other_class)
    client = client_for(world.cast["supervisor"])
    assert shown(client, person="孙班主任") == [first.pk]
    assert shown(client, student="李四") == [other.pk]
    assert shown(client, student="李四", person="孙班主任") == []
    # A student of another school is not found by name through this log.
    assert shown(client, student="没有这个人") == []
