"""The workload statement (课时保障, 第十三条): hours and 课时 per staff member and term; the page and the export."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from tests.counselling.conftest import other_counsellor, past_session, room  # noqa: F401 - fixtures
from xinyu.audit.models import AuditEntry
from xinyu.care.models import Interview
from xinyu.counselling import services
from xinyu.policy.terms import term_of
from xinyu.workforce import statement as st

STAFF_NAMES = ["head_teacher", "advisor", "mental_health_advisor", "college_leader", "leading_group_member",
               "outsider", "counsellor"]  # fmt: skip


@pytest.fixture
def term_of_work(world, room, other_counsellor):  # noqa: F811
    """This term: two sessions by 冯咨询师 (50 + 90 min), one by the part-timer; two interviews by the
    college's mental-health advisor (no duration: the policy's 30 minutes count) and one not yet held."""
    counsellor = world.cast["counsellor"]
    now = timezone.now()
    past_session(world, room, days_ago=0.01)
    services.record_session(world.in_scope, by=counsellor, kind="crisis", duration_minutes=90, held_at=now)
    services.record_session(world.other_class, by=other_counsellor, duration_minutes=50, held_at=now)
    # A session a year ago is in another term.
    services.record_session(world.other_class, by=counsellor, held_at=now - dt.timedelta(days=365))
    advisor = world.cast["mental_health_advisor"]
    for conducted in (now, now, None):
        Interview.objects.create(
            student=world.in_scope, source="screening", reason="普查", assignee=advisor, due_on=timezone.localdate(),
            conducted_at=conducted, conducted_by=advisor if conducted else None,
        )  # fmt: skip
    return term_of()


def test_hours_and_class_hours_per_staff_member(world, term_of_work):
    rows = {row.username: row for row in st.statement(term_of_work.start, term_of_work.end)}
    assert set(rows) == {"T10005", "T10020", "T10003"}
    counselling = rows["T10005"].line("counselling")
    assert (counselling.count, counselling.minutes, counselling.hours) == (2, 140, Decimal("2.3"))
    assert counselling.class_hours == Decimal("2.3")  # one 课时 an hour, by the policy file
    assert rows["T10005"].line("interview") is None
    interviews = rows["T10003"].line("interview")
    assert (interviews.count, interviews.minutes, interviews.class_hours) == (2, 60, Decimal("1.0"))
    assert rows["T10003"].total_hours == Decimal("1.0")
    total = st.totals(list(rows.values()))
    assert total.line("counselling").count == 3 and total.line("counselling").minutes == 190
    previous = term_of_work.previous().previous()
    assert {row.username for row in st.statement(previous.start, previous.end)} == {"T10005"}


def test_a_staff_member_alone_gets_a_row_even_with_nothing(world, term_of_work):
    head_teacher = world.cast["head_teacher"]
    rows = st.statement(term_of_work.start, term_of_work.end, only_user=head_teacher)
    assert [(row.username, row.lines) for row in rows] == [(head_teacher.username, {})]


def test_supervisors_and_student_affairs_see_everyone_others_themselves(world, client_for, term_of_work):
    url = reverse("workforce:statement")
    for name in ["supervisor", "student_affairs"]:
        everyone = client_for(world.cast[name]).get(url)
        assert {row.username for row in everyone.context["rows"]} == {"T10005", "T10020", "T10003"}
        assert "张三" not in everyone.content.decode()
    for name in STAFF_NAMES:
        response = client_for(world.cast[name]).get(url)
        assert response.status_code == 200
        assert [row.username for row in response.context["rows"]] == [world.cast[name].username]
        assert response.context["total"] is None
    for name in ["student", "dorm_leader", "wellbeing_rep"]:
        assert client_for(world.cast[name]).get(url).status_code == 404
    entry = AuditEntry.objects.filter(what="workforce.statement", actor=world.cast["supervisor"]).get()
    assert (entry.action, entry.detail) == ("view", {"term": term_of_work.code, "all": True})


def test_the_page_moves_by_term_and_ignores_a_bad_term(world, client_for, term_of_work):
    client = client_for(world.cast["supervisor"])
    earlier = client.get(reverse("workforce:statement"), {"term": term_of_work.previous().previous().code})
    assert earlier.context["term"] == term_of_work.previous().previous()
    assert [row.username for row in earlier.context["rows"]] == ["T10005"]
    assert client.get(reverse("workforce:statement"), {"term": "2026-2027-9"}).context["term"] == term_of_work
    page = client.get(reverse("workforce:statement")).content.decode()
    assert term_of_work.label in page and "课时" in page


def test_the_old_counselling_workload_page_leads_here(world, client_for):
    for name in ["counselling:workload", "counselling:workload_export"]:
        response = client_for(world.cast["counsellor"]).get(reverse(name))
        assert response.status_code == 302 and response["Location"] == reverse("workforce:statement")


def test_the_export_is_formula_safe_stepped_up_and_audited(world, client_for, term_of_work):
    world.cast["counsellor"].full_name = '=HYPERLINK("http://evil")'
    world.cast["counsellor"].save()
    url = reverse("workforce:statement_export") + f"?term={term_of_work.code}"
    for name in ["student", "wellbeing_rep"]:
        assert client_for(world.cast[name]).get(url).status_code == 404
    response = client_for(world.cast["supervisor"]).get(url)
    assert response.status_code == 200 and response["X-Row-Count"] == "3"
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0] == st.export_headers()
    assert rows[0][2] == "心理咨询（小时）"
    assert '\'=HYPERLINK("http://evil")' in {row[1] for row in rows[1:]}
    mine = client_for(world.cast["mental_health_advisor"]).get(url)
    assert mine["X-Row-Count"] == "1"
    assert AuditEntry.objects.filter(what="workforce.statement", action="export").count() == 2
