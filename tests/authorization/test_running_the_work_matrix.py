"""The pages of the people who run the work (monthly reports, the year, the status report, research, the
compliance board, the policy in force, retention) × every cast member: who gets the page and who a 404,
written out by hand from the regulation's posts (第四条–第十一条) and DESIGN.md §10. Nothing on them names a student."""

import datetime as dt

import pytest
from django.urls import reverse

from tests.helpers import freeze_time
from tests.reports.conftest import TODAY
from xinyu.reports import annual, monthly, research

pytestmark = pytest.mark.django_db

CAST = [
    "dorm_leader", "wellbeing_rep", "head_teacher", "advisor", "mental_health_advisor", "college_leader",
    "counsellor", "leading_group_member", "outsider", "student", "supervisor", "student_affairs",
]  # fmt: skip
SCHOOL = {"leading_group_member", "supervisor", "student_affairs"}  # 领导小组, 中心负责人, 学工部
COLLEGE_A = {"mental_health_advisor", "college_leader"}  # college A's office and its leader in charge
READERS = {
    "reports:monthly_index": SCHOOL | COLLEGE_A | {"outsider"},  # college B's mental-health advisor: their own
    "reports:monthly": SCHOOL | COLLEGE_A,
    "reports:monthly_docx": SCHOOL | COLLEGE_A,
    "reports:monthly_grid": SCHOOL,
    "reports:month_summary": SCHOOL,
    "reports:annual": SCHOOL,
    "reports:annual_docx": SCHOOL,
    "reports:status": SCHOOL,
    "reports:status_docx": SCHOOL,
    "reports:decision": SCHOOL | {"college_leader"},  # its owner
    "reports:research": {"supervisor"},
    "reports:research_study": {"supervisor"},
    "reports:research_outputs": {"supervisor"},
    "compliance:board": SCHOOL,
    "compliance:ledger": SCHOOL,
    "compliance:qualifications": SCHOOL,
    "compliance:facilities": SCHOOL,
    "compliance:policy": {"counsellor", "supervisor", "student_affairs"},  # the centre and 学工部
    "privacy:retention": {"counsellor", "supervisor", "student_affairs"},
}
STUDENT_NAMES = ("张三", "李四", "王五")


@pytest.fixture
def records(world):
    with freeze_time(TODAY):
        advisor = world.cast["mental_health_advisor"]
        report = monthly.start_report(world.college_a, dt.date(2026, 11, 1), by=advisor)
        monthly.save_narrative(report, by=advisor, activities="班会", problems="无", concerns="无", next_focus="复评")
        meeting = annual.record_symposium(world.school, by=world.cast["student_affairs"], held_on=dt.date(2026, 12, 1),
                                          place="会议室", attendees="领导小组", papers=[], minutes="")  # fmt: skip
        decision = annual.add_decision(meeting, by=world.cast["student_affairs"], text="完善月报",
                                       owner=world.cast["college_leader"], due_on=dt.date(2027, 1, 31))  # fmt: skip
        study = research.approve_study(world.school, by=world.cast["supervisor"], title="睡眠研究", purpose="睡眠",
                                       starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2027, 1, 1))  # fmt: skip
    return {"college": world.college_a.pk, "decision": decision.pk, "study": study.pk}


def url(name: str, records) -> str:
    args = {
        "reports:monthly": [records["college"], "2026-11"],
        "reports:monthly_docx": [records["college"], "2026-11"],
        "reports:month_summary": ["2026-11"],
        "reports:annual": [2026],
        "reports:annual_docx": [2026],
        "reports:status": [2026],
        "reports:status_docx": [2026],
        "reports:decision": [records["decision"]],
        "reports:research_study": [records["study"]],
    }.get(name, [])
    return reverse(name, args=args)


@pytest.mark.parametrize("who", CAST)
def test_matrix(world, records, client_for, who):
    client = client_for(world.cast[who])
    problems = []
    with freeze_time(TODAY):
        for name, readers in READERS.items():
            response = client.get(url(name, records))
            expected = 200 if who in readers else 404
            if response.status_code != expected:
                problems.append(f"{name}: {response.status_code}, expected {expected}")
            elif expected == 200 and response["Content-Type"].startswith("text/html"):
                body = response.content.decode()
                problems += [f"{name} names {student}" for student in STUDENT_NAMES if student in body]
    assert not problems, "\n".join(problems)
