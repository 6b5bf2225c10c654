"""The crisis board: for the centre and 学工部 only; open cases by level and college with drills apart,
overdue steps, time to first acknowledgement; every student it names is in the access log."""

import datetime as dt

import pytest
from django.urls import reverse

from tests.concerns.conftest import OFFICE_TIME
from tests.factories import student_with_account
from tests.helpers import freeze_time, last_entry_id, queries_for_page
from xinyu.audit.models import AuditEntry
from xinyu.concerns.services import cases, reports
from xinyu.concerns.views.board import human_duration

pytestmark = pytest.mark.django_db

CAST = [
    "dorm_leader", "wellbeing_rep", "head_teacher", "advisor", "mental_health_advisor", "college_leader",
    "counsellor", "leading_group_member", "outsider", "student", "supervisor", "student_affairs",
    "school_leader", "duty_leader", "security",
]  # fmt: skip
BOARD = {"counsellor", "supervisor", "student_affairs"}


@pytest.fixture
def board_world(crisis_world):
    """Open cases A (张三, college A), B (李四, college A), C (王五, college B) and a D drill about 张三."""
    w = crisis_world
    with freeze_time(OFFICE_TIME):
        by = w.cast["counsellor"]
        w.cases = {
            "A": cases.open_case(w.in_scope, "A", by=by, reason="适应问题"),
            "B": cases.open_case(w.other_class, "B", by=by, reason="情绪异常"),
            "C": cases.open_case(w.other_college, "C", by=by, reason="自伤"),
            "drill": cases.open_case(w.in_scope, "D", by=by, reason="演练", is_drill=True),
        }
    return w


def counts(response) -> dict:
    return {
        "levels": {k: v for k, v in response.context["level_counts"].items() if k != "total"},
        "drills": {k: v for k, v in response.context["drill_counts"].items() if k != "total" and v},
        "colleges": {c["name"]: (c["cells"], c["total"]) for c in response.context["colleges"]},
    }


@freeze_time(OFFICE_TIME)
@pytest.mark.parametrize("who", CAST)
def test_board(board_world, client_for, who):
    w = board_world
    before = AuditEntry.objects.count()
    before_id = last_entry_id()
    response = client_for(w.cast[who]).get(reverse("concerns:board"))
    if who not in BOARD:
        assert response.status_code == 404
        body = response.content.decode()
        for student in (w.in_scope, w.other_class, w.other_college):
            assert student.name not in body
        assert AuditEntry.objects.count() == before
        return
    assert response.status_code == 200
    assert counts(response) == {
        "levels": {"A": 1, "B": 1, "C": 1, "D": 0},
        "drills": {"D": 1},  # shown apart, never counted
        "colleges": {"信息工程学院": ([1, 1, 0, 0], 2), "机电工程学院": ([0, 0, 1, 0], 1)},
    }
    assert [(case.level, case.is_drill, case.student.name) for case in response.context["page"]] == [
        ("D", True, "张三"), ("C", False, "王五"), ("B", False, "李四"), ("A", False, "张三"),
    ]  # fmt: skip
    body = response.content.decode()
    assert 'data-testid="board-drills" data-count="1"' in body
    for case in w.cases.values():
        assert reverse("concerns:case_detail", args=[case.pk]) in body
    entries = AuditEntry.objects.filter(id__gt=before_id)
    assert sorted(entries.values_list("student_number", flat=True)) == sorted(
        [w.in_scope.student_number, w.other_class.student_number, w.other_college.student_number]
    )
    assert set(entries.values_list("what", "tier")) == {("crisis.board", 2)}


def test_overdue_steps_are_listed_with_how_late(board_world, client_for):
    w = board_world
    with freeze_time(OFFICE_TIME + dt.timedelta(minutes=20)):
        response = client_for(w.cast["supervisor"]).get(reverse("concerns:board"))
    steps = {(step.case.level, step.code, step.late_by) for step in response.context["overdue_steps"]}
    # C: taking charge, on-site protection and leaders told are due in 15 minutes; the D drill's 110/120
    # call in 5, taking charge and telling all leads in 15.
    assert steps == {
        ("C", "take_charge", human_duration(dt.timedelta(minutes=5))),
        ("C", "on_site_protection", human_duration(dt.timedelta(minutes=5))),
        ("C", "leaders_told", human_duration(dt.timedelta(minutes=5))),
        ("D", "take_charge", human_duration(dt.timedelta(minutes=5))),
        ("D", "emergency_call", human_duration(dt.timedelta(minutes=15))),
        ("D", "all_leads_told", human_duration(dt.timedelta(minutes=5))),
    }
    assert response.context["overdue_total"] == 6
    assert {case.level: case.overdue_steps for case in response.context["page"]} == {"D": 3, "C": 3, "B": 0, "A": 0}


@pytest.mark.parametrize(
    ("params", "levels"),
    [
        ({"college": "b"}, ["C"]),
        ({"college": "a"}, ["D", "B", "A"]),
        ({"level": "B"}, ["B"]),
        ({"overdue": "on"}, ["D", "C"]),
        ({"college": "a", "overdue": "on"}, ["D"]),
        ({"level": "E"}, ["D", "C", "B", "A"]),  # not a level: said so, and nothing filtered
    ],
)
def test_the_open_cases_filter_by_college_level_and_overdue_steps(board_world, client_for, params, levels):
    w = board_world
    colleges = {"a": w.college_a.pk, "b": w.college_b.pk}
    params = {key: colleges.get(value, value) if key == "college" else value for key, value in params.items()}
    with freeze_time(OFFICE_TIME + dt.timedelta(minutes=20)):
        response = client_for(w.cast["counsellor"]).get(reverse("concerns:board"), params)
    assert [case.level for case in response.context["page"]] == levels
    assert response.context["level_counts"]["total"] == 3  # the counts above stay the whole board's
    body = response.content.decode()
    assert ("is-invalid" in body) == (params.get("level") == "E")


def test_time_to_first_acknowledgement_over_the_last_thirty_days(crisis_world, client_for):
    w = crisis_world

    def report(taken_after_minutes=None, *, is_drill=False):
        with freeze_time(OFFICE_TIME) as clock:
            made = reports.submit_report(
                w.cast["dorm_leader"], w.in_scope, category="self_harm", urgency="urgent", description="x",
                is_drill=is_drill,
            )  # fmt: skip
            if taken_after_minutes is not None:
                clock.shift(dt.timedelta(minutes=taken_after_minutes))
                reports.acknowledge_report(made, by=w.cast["advisor"])
        return made

    with freeze_time(OFFICE_TIME - dt.timedelta(days=31)):
        reports.acknowledge_report(
            reports.submit_report(w.cast["dorm_leader"], w.in_scope, category="other", urgency="urgent",
                                  description="too old to count"),
            by=w.cast["advisor"],
        )  # fmt: skip
    report(5)
    report(10)
    report(40)  # urgent reports are due in 15 minutes: late
    report()  # still waiting
    report(90, is_drill=True)  # drills never count
    with freeze_time(OFFICE_TIME + dt.timedelta(hours=2)):
        response = client_for(w.cast["counsellor"]).get(reverse("concerns:board"))
    times = response.context["ack_times"]
    assert (times.reports, times.acknowledged, times.late, times.waiting) == (4, 3, 1, 1)
    assert (times.median, times.worst) == (dt.timedelta(minutes=10), dt.timedelta(minutes=40))
    body = response.content.decode()
    assert f'data-testid="ack-median">{human_duration(dt.timedelta(minutes=10))}<' in body
    assert f'data-testid="ack-worst">{human_duration(dt.timedelta(minutes=40))}<' in body


def test_human_duration():
    assert [human_duration(dt.timedelta(minutes=m)) for m in (0, 7, 60, 95, 24 * 60 + 30)] == [
        "0 min", "7 min", "1 h 0 min", "1 h 35 min", "1 d 0 h",
    ]  # fmt: skip
    assert human_duration(None) == "—"


def test_board_queries_do_not_grow_with_rows(crisis_world, client_for):
    w = crisis_world
    client = client_for(w.cast["student_affairs"])
    url = reverse("concerns:board")
    students = [
        student_with_account(name=f"学生{n}", student_number=f"202530000{n}", class_group=w.a1, school=w.school)
        for n in range(3)
    ]
    with freeze_time(OFFICE_TIME) as clock:
        cases.open_case(students[0], "C", by=w.cast["counsellor"], reason="自伤")
        clock.shift(dt.timedelta(minutes=30))  # its first steps are overdue
        one, response = queries_for_page(client, url)
        assert len(response.context["page"]) == 1 and response.context["overdue_steps"]
        cases.open_case(students[1], "C", by=w.cast["counsellor"], reason="自伤")
        cases.open_case(students[2], "A", by=w.cast["counsellor"], reason="适应")
        clock.shift(dt.timedelta(minutes=30))
        three, response = queries_for_page(client, url)
        assert len(response.context["page"]) == 3
    assert one == three
