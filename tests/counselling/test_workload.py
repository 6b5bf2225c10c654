"""Workload (课时保障): counselling and interview hours per staff member per month; the page and the export."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from tests.counselling.conftest import past_session
from xinyu.audit.models import AuditEntry
from xinyu.care.models import Interview
from xinyu.counselling import services
from xinyu.counselling import workload as wl

STAFF_NAMES = ["head_teacher", "advisor", "mental_health_advisor", "college_leader", "leading_group_member",
               "outsider", "student_affairs", "counsellor", "supervisor"]  # fmt: skip


@pytest.fixture
def month_of_work(world, room, other_counsellor):
    """This month: two sessions by 冯咨询师 (50 + 90 min), one by the part-timer; two interviews by the
    college's mental-health advisor (no duration: the default counts) and one not yet conducted."""
    counsellor = world.cast["counsellor"]
    now = timezone.now()
    past_session(world, room, days_ago=0.01)
    services.record_session(world.in_scope, by=counsellor, kind="crisis", duration_minutes=90, held_at=now)
    services.record_session(world.other_class, by=other_counsellor, duration_minutes=50, held_at=now)
    # Last month's session is not counted this month.
    services.record_session(world.other_class, by=counsellor, held_at=now - dt.timedelta(days=40))
    advisor = world.cast["mental_health_advisor"]
    for conducted in (now, now, None):
        Interview.objects.create(
            student=world.in_scope, source="screening", reason="普查", assignee=advisor, due_on=timezone.localdate(),
            conducted_at=conducted, conducted_by=advisor if conducted else None,
        )  # fmt: skip
    return timezone.localdate().replace(day=1)


def test_hours_per_staff_member(world, other_counsellor, month_of_work):
    rows = {row.username: row for row in wl.workload(month_of_work)}
    assert set(rows) == {"T10005", "T10020", "T10003"}
    counsellor = rows["T10005"]
    assert (counsellor.sessions, counsellor.session_minutes, counsellor.session_hours) == (2, 140, 2.3)
    assert (rows["T10020"].sessions, rows["T10020"].interviews) == (1, 0)
    advisor = rows["T10003"]
    assert (advisor.interviews, advisor.interview_minutes, advisor.total_hours) == (
        2, 2 * wl.INTERVIEW_DEFAULT_MINUTES, 1.0
    )  # fmt: skip


def test_the_supervisor_sees_everyone_others_themselves(world, client_for, other_counsellor, month_of_work):
    url = reverse("counselling:workload")
    everyone = client_for(world.cast["supervisor"]).get(url)
    assert {row.username for row in everyone.context["rows"]} == {"T10005", "T10020", "T10003"}
    for name in STAFF_NAMES[:-1]:
        response = client_for(world.cast[name]).get(url)
        assert response.status_code == 200
        assert [row.username for row in response.context["rows"]] == [world.cast[name].username]
    for name in ["student", "dorm_leader"]:
        assert client_for(world.cast[name]).get(url).status_code == 404
    assert "张三" not in everyone.content.decode()
    entry = AuditEntry.objects.filter(what="counselling.workload", actor=world.cast["supervisor"]).get()
    assert (entry.action, entry.detail) == ("view", {"month": f"{month_of_work:%Y-%m}", "all": True})


def test_the_export_is_formula_safe_and_audited(world, client_for, room, month_of_work):
    world.cast["counsellor"].full_name = '=HYPERLINK("http://evil")'
    world.cast["counsellor"].save()
    url = reverse("counselling:workload_export") + f"?month={month_of_work:%Y-%m}"
    for name in ["student", "wellbeing_rep"]:
        assert client_for(world.cast[name]).get(url).status_code == 404
    response = client_for(world.cast["supervisor"]).get(url)
    assert response.status_code == 200 and response["X-Row-Count"] == "3"
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0] == wl.EXPORT_HEADERS
    names = {row[2] for row in rows[1:]}
    assert '\'=HYPERLINK("http://evil")' in names
    mine = client_for(world.cast["mental_health_advisor"]).get(url)
    assert mine["X-Row-Count"] == "1"
    assert AuditEntry.objects.filter(what="counselling.workload", action="export").count() == 2


def test_parse_month():
    assert wl.parse_month("2026-03") == dt.date(2026, 3, 1)
    assert wl.parse_month("rubbish") == timezone.localdate().replace(day=1)
