"""The "my work" inbox: reports to take and to triage, crisis steps assigned or escalated to me, interviews due;
each with its deadline and an overdue mark. Every view × the cast, exact sets, query counts."""

import datetime as dt

import pytest
from django.urls import reverse

from tests.concerns.conftest import OFFICE_TIME
from tests.factories import student_with_account
from tests.helpers import freeze_time, last_entry_id, queries_for_page
from xinyu.audit.models import AuditEntry
from xinyu.care.models import Interview
from xinyu.concerns.models import AckRecipient, CaseMember
from xinyu.concerns.services import cases, reports

pytestmark = pytest.mark.django_db

CAST = [
    "dorm_leader", "wellbeing_rep", "head_teacher", "advisor", "mental_health_advisor", "college_leader",
    "counsellor", "leading_group_member", "outsider", "student", "supervisor", "student_affairs",
    "school_leader", "duty_leader", "security",
]  # fmt: skip
STUDENTS = {"dorm_leader", "wellbeing_rep", "student"}
TODAY = OFFICE_TIME.date()


def submit(world, student=None, *, urgency="urgent", reporter="dorm_leader"):
    return reports.submit_report(
        world.cast[reporter], student or world.in_scope, category="self_harm", urgency=urgency,
        description="说了不想活了",
    )  # fmt: skip


def follow_up(world, assignee, due_on, *, done=False, student=None):
    return Interview.objects.create(
        student=student or world.in_scope, source=Interview.Source.CONCERN_REPORT, due_on=due_on,
        assignee=world.cast[assignee], scheduled_by=world.cast["mental_health_advisor"],
        conducted_at=OFFICE_TIME if done else None, conducted_by=world.cast[assignee] if done else None,
        outcome="watch" if done else "",
    )  # fmt: skip


def items(response) -> dict[str, set]:
    work = response.context["work"]
    return {
        "waiting": {report.pk for report in work.reports_waiting},
        "taken": {report.pk for report in work.reports_taken},
        "steps": {step.code for step in work.steps},
        "follow_ups": {item.pk for item in work.interviews},
    }


@pytest.fixture
def busy_world(crisis_world):
    """An urgent report about in_scope waiting, an open B case about other_class, follow-ups for the advisor."""
    w = crisis_world
    with freeze_time(OFFICE_TIME):
        w.report = submit(w)
        w.case = cases.open_case(w.other_class, "B", by=w.cast["mental_health_advisor"], reason="情绪明显异常")
        w.follow_ups = {
            "overdue": follow_up(w, "advisor", TODAY - dt.timedelta(days=1)),
            "today": follow_up(w, "advisor", TODAY),
            "this_week": follow_up(w, "advisor", TODAY + dt.timedelta(days=7)),
            "later": follow_up(w, "advisor", TODAY + dt.timedelta(days=8)),
            "done": follow_up(w, "advisor", TODAY - dt.timedelta(days=2), done=True),
        }
    return w


def expected(w, who) -> dict[str, set]:
    """Written out by hand: the urgent report goes to the advisor, the mental-health advisor and the
    centre; the B case's organiser (college leader) owns four steps, the centre's counsellor the assessment."""
    report, fu = {w.report.pk}, w.follow_ups
    table = {
        "advisor": {"waiting": report, "follow_ups": {fu["overdue"].pk, fu["today"].pk, fu["this_week"].pk}},
        "mental_health_advisor": {"waiting": report},
        "counsellor": {"waiting": report, "steps": {"risk_assessment"}},
        "supervisor": {"waiting": report},
        "college_leader": {"steps": {"watch", "family_told", "referral", "written_report"}},
    }
    empty = {"waiting": set(), "taken": set(), "steps": set(), "follow_ups": set()}
    return {**empty, **table.get(who, {})}


@freeze_time(OFFICE_TIME)
@pytest.mark.parametrize("who", CAST)
def test_my_work(busy_world, client_for, who):
    w = busy_world
    before = AuditEntry.objects.count()
    before_id = last_entry_id()
    response = client_for(w.cast[who]).get(reverse("core:my_work"))
    if who in STUDENTS:
        assert response.status_code == 404
        assert AuditEntry.objects.count() == before
        return
    assert response.status_code == 200
    assert items(response) == expected(w, who)
    # Each student the page names is in the access log once, with the read.
    named = {w.in_scope.student_number} if expected(w, who)["waiting"] or expected(w, who)["follow_ups"] else set()
    if expected(w, who)["steps"]:
        named.add(w.other_class.student_number)
    entries = AuditEntry.objects.filter(id__gt=before_id)
    assert sorted(entries.values_list("student_number", flat=True)) == sorted(named)
    assert set(entries.values_list("what", "actor_username", "tier")) <= {("concern.my_work", w.cast[who].username, 2)}
    body = response.content.decode()
    if not named:
        for student in (w.in_scope, w.other_class, w.other_college):
            assert student.name not in body


@freeze_time(OFFICE_TIME)
def test_overdue_marks_follow_the_deadlines(busy_world, client_for):
    w = busy_world
    client = client_for(w.cast["advisor"])
    work = client.get(reverse("core:my_work")).context["work"]
    assert [report.overdue for report in work.reports_waiting] == [False]
    assert {item.pk: item.overdue for item in work.interviews} == {
        w.follow_ups["overdue"].pk: True, w.follow_ups["today"].pk: False, w.follow_ups["this_week"].pk: False,
    }  # fmt: skip
    with freeze_time(OFFICE_TIME + dt.timedelta(minutes=16)):  # urgent reports are due in 15 minutes
        work = client_for(w.cast["advisor"]).get(reverse("core:my_work")).context["work"]
        assert [report.overdue for report in work.reports_waiting] == [True]
        body = client_for(w.cast["college_leader"]).get(reverse("core:my_work")).content.decode()
        assert 'data-testid="overdue"' not in body  # the watch step is due in 2 hours
    with freeze_time(OFFICE_TIME + dt.timedelta(hours=3)):
        work = client_for(w.cast["college_leader"]).get(reverse("core:my_work")).context["work"]
        assert {step.code for step in work.steps if step.overdue} == {"watch"}


@freeze_time(OFFICE_TIME)
def test_taking_moves_a_report_to_triage_for_the_taker_and_off_the_others_lists(busy_world, client_for):
    w = busy_world
    reports.acknowledge_report(w.report, by=w.cast["advisor"])
    assert items(client_for(w.cast["advisor"]).get(reverse("core:my_work")))["taken"] == {w.report.pk}
    assert items(client_for(w.cast["advisor"]).get(reverse("core:my_work")))["waiting"] == set()
    assert items(client_for(w.cast["counsellor"]).get(reverse("core:my_work")))["waiting"] == set()
    reports.triage_report(w.report, by=w.cast["advisor"], crisis_level=None, note="误会，已谈话")
    assert items(client_for(w.cast["advisor"]).get(reverse("core:my_work")))["taken"] == set()


@freeze_time(OFFICE_TIME)
def test_steps_escalated_to_me_show_up_marked(busy_world, client_for):
    w = busy_world
    leader = w.cast["school_leader"]
    step = w.case.steps.get(code="watch")
    # Escalation adds the person as a recipient and as a case member (xinyu.concerns.services.acks).
    AckRecipient.objects.create(ack=step.ack, person=leader, stage=3)
    CaseMember.objects.create(case=w.case, person=leader, role=CaseMember.Role.ESCALATED)
    work = client_for(leader).get(reverse("core:my_work")).context["work"]
    assert [(s.code, s.escalated_to_me) for s in work.steps] == [("watch", True)]
    own = client_for(w.cast["college_leader"]).get(reverse("core:my_work")).context["work"]
    assert {s.code: s.escalated_to_me for s in own.steps} == dict.fromkeys(
        ["watch", "family_told", "referral", "written_report"], False
    )
    cases.complete_step(
        step, by=w.cast["college_leader"], evidence={"watchers": "王老师、李同学", "watch_from": "10:30"}
    )
    assert items(client_for(leader).get(reverse("core:my_work")))["steps"] == set()


@freeze_time(OFFICE_TIME)
def test_steps_of_a_superseded_level_are_gone(busy_world, client_for):
    w = busy_world
    cases.raise_level(w.case, by=w.cast["mental_health_advisor"], to_level="C", reason="已有自伤行为")
    steps = items(client_for(w.cast["college_leader"]).get(reverse("core:my_work")))["steps"]
    # In office hours the school leader organises C; the college leader owns its on-site steps.
    assert steps == {"on_site_protection", "watch_24h", "family_told", "written_report"}


@freeze_time(OFFICE_TIME)
@pytest.mark.parametrize("who", CAST)
def test_home_page_shows_my_work_counts(busy_world, client_for, who):
    w = busy_world
    response = client_for(w.cast[who]).get(reverse("core:home"))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="work-summary"' in body
    assert reverse("concerns:report_new") in body
    if who in STUDENTS:
        assert 'data-testid="count-reports"' not in body
        return
    want = expected(w, who)
    due_follow_ups = len(want["follow_ups"] - {w.follow_ups["this_week"].pk})  # due today or earlier
    assert f'data-testid="count-reports" data-count="{len(want["waiting"])}"' in body
    assert f'data-testid="count-steps" data-count="{len(want["steps"])}"' in body
    assert f'data-testid="count-interviews" data-count="{due_follow_ups}"' in body
    # Yesterday's interview; October's college monthly report, due on 6 November, for the colleges' offices
    # that write it and for 学工部, who chases it.
    overdue = {"advisor", "mental_health_advisor", "outsider", "student_affairs"}
    assert ('data-testid="count-overdue"' in body) == (who in overdue)
    for student in (w.in_scope, w.other_class, w.other_college):
        assert student.name not in body.split('data-testid="work-summary"')[1].split("</section>")[0]


def test_my_work_queries_do_not_grow_with_rows(crisis_world, client_for):
    w = crisis_world
    counsellor = w.cast["counsellor"]
    client = client_for(counsellor)
    url = reverse("core:my_work")
    students = [w.in_scope, w.other_class, w.other_college]
    students += [
        student_with_account(name=f"学生{n}", student_number=f"202520000{n}", class_group=w.a1, school=w.school)
        for n in range(3)
    ]

    def add(n):
        reports_student, case_student = students[n], students[3 + n]
        submit(w, reports_student)
        reports.acknowledge_report(submit(w, reports_student), by=counsellor)
        cases.open_case(case_student, "B", by=w.cast["mental_health_advisor"], reason="倾向")
        follow_up(w, "counsellor", TODAY, student=reports_student)

    with freeze_time(OFFICE_TIME):
        add(0)
        one, response = queries_for_page(client, url)
        assert {key: len(value) for key, value in items(response).items()} == dict.fromkeys(
            ["waiting", "taken", "steps", "follow_ups"], 1
        )
        add(1)
        add(2)
        three, response = queries_for_page(client, url)
        assert {key: len(value) for key, value in items(response).items()} == {
            "waiting": 3, "taken": 3, "steps": 1, "follow_ups": 3,
        }  # fmt: skip
        assert len(response.context["work"].steps) == 3  # one risk assessment per case
    assert one == three
