"""Escalation under time travel: nobody acknowledges → reminded, then one role up the chain per interval.

The policy (policy/quzhou-2021.toml): reminded 5 minutes after the deadline, then every 10 minutes one role
up advisor → college leader in charge → 学工部 → school leader (out of office hours the duty leader);
office-hours items count office minutes. Who was told is read from the inbox (the items of this one
acknowledgement), who was added from its recipients.
"""

import datetime as dt
import importlib
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.db import connection, connections

from tests.concerns.conftest import NIGHT_TIME, OFFICE_TIME, SHANGHAI
from tests.helpers import freeze_time
from xinyu.concerns import escalation
from xinyu.concerns import scope as concern_scope
from xinyu.concerns.models import Acknowledgement, AckRecipient, CaseEvent, CaseMember, CaseStep, ConcernReport
from xinyu.concerns.services import acks, cases, reports
from xinyu.notify.models import Notification
from xinyu.org import scope
from xinyu.policy.loader import clear_cache, policy_in_force

pytestmark = pytest.mark.django_db
MIN = dt.timedelta(minutes=1)
ROOT = Path(__file__).resolve().parents[2]

NAMES = {
    "advisor": "周辅导员",
    "mental_health_advisor": "吴心理辅导员",
    "college_leader": "郑副书记",
    "counsellor": "冯咨询师",
    "supervisor": "卫主任",
    "student_affairs": "蒋学工",
    "school_leader": "严分管校领导",
    "duty_leader": "韩值班领导",
    "security": "杨保卫",
}


def report_link(report) -> str:
    return f"/concerns/reports/{report.pk}/"


def who(*keys) -> set[str]:
    return {NAMES[key] for key in keys}


def told(ack, stage=None) -> set[str]:
    """The people with an inbox item from this acknowledgement (at `stage`, or at any stage)."""
    prefix = f"ack{ack.pk}:" if stage is None else f"ack{ack.pk}:{stage}:"
    return set(
        Notification.objects.filter(dedupe_key__startswith=prefix).values_list("recipient__full_name", flat=True)
    )


def asked(ack) -> set[str]:
    return set(AckRecipient.objects.filter(ack=ack).values_list("person__full_name", flat=True))


def tick_at(moment):
    with freeze_time(moment):
        return escalation.tick()


def urgent_report(world):
    return reports.submit_report(
        world.cast["dorm_leader"], world.in_scope, category="self_harm", urgency="urgent",
        description="说了不想活了", place="1号楼101",
    )  # fmt: skip


def open_case(world, level, at):
    with freeze_time(at):
        return cases.open_case(world.in_scope, level, by=world.cast["advisor"], reason="测试")


def walk(ack, timeline):
    """Tick at each (moment, stage, told at that stage, recipients after it); stage None: nothing happens."""
    for moment, stage, expected_told, expected_asked in timeline:
        before = Acknowledgement.objects.get(pk=ack.pk).stage
        tick_at(moment)
        ack.refresh_from_db()
        if stage is None:
            assert (ack.stage, told(ack, before + 1)) == (before, set()), moment
        else:
            assert ack.stage == stage, moment
            assert told(ack, stage) == expected_told, moment
        assert asked(ack) == expected_asked, moment


# --- an urgent report --------------------------------------------------------------------------------


def test_an_urgent_report_nobody_takes_is_reminded_then_climbs_the_chain(crisis_world):
    w = crisis_world
    with freeze_time(OFFICE_TIME):
        report = urgent_report(w)
    ack = report.ack
    first = who("advisor", "mental_health_advisor", "counsellor", "supervisor")
    due = OFFICE_TIME + 15 * MIN
    assert (ack.due_at, ack.next_action_at, told(ack, 0)) == (due, due + 5 * MIN, first)
    everyone = first | who("college_leader", "student_affairs", "school_leader")
    walk(
        ack,
        [
            (due - MIN, None, None, first),
            (due, None, None, first),  # the deadline itself: reminders start renotify_after later
            (due + 5 * MIN - dt.timedelta(seconds=1), None, None, first),
            (due + 5 * MIN, 1, first, first),  # the same people reminded
            (due + 14 * MIN, None, None, first),
            (due + 15 * MIN, 2, who("college_leader"), first | who("college_leader")),
            (due + 25 * MIN, 3, who("student_affairs"), first | who("college_leader", "student_affairs")),
            (due + 35 * MIN, 4, who("school_leader"), everyone),  # office hours: the school leader in charge
            (due + 45 * MIN, 5, everyone, everyone),  # the top: everyone asked is reminded again
            (due + 55 * MIN, 6, everyone, everyone),
        ],
    )
    # Those escalated to who hold T2 on the student (the college leader, 学工部) handle the report like those
    # first asked. The school leader holds no post over students and no role on a case: they are told that
    # a report waits untaken and whom to push, never whom it is about, and cannot open it.
    assert report in concern_scope.reports_for(w.cast["college_leader"])
    assert report in concern_scope.reports_for(w.cast["student_affairs"])
    assert report not in concern_scope.reports_for(w.cast["school_leader"])
    assert report not in concern_scope.reports_for(w.cast["outsider"])
    leader_items = Notification.objects.filter(recipient=w.cast["school_leader"])
    assert {(n.title, n.link, n.tier, n.student_id) for n in leader_items} == {
        (
            "A concern report in your school has not been taken in time. Please call the Student Affairs "
            "Department to make sure it is taken now.",
            "",
            0,
            w.in_scope.pk,
        )
    }
    assert {n.link for n in Notification.objects.filter(recipient=w.cast["student_affairs"])} == {report_link(report)}


def test_at_night_an_urgent_report_climbs_to_the_duty_leader(crisis_world):
    w = crisis_world
    with freeze_time(NIGHT_TIME):
        ack = urgent_report(w).ack
    first = who("advisor", "mental_health_advisor", "counsellor", "supervisor")
    due = NIGHT_TIME + 15 * MIN
    walk(
        ack,
        [
            (due + 5 * MIN, 1, first, first),
            (due + 15 * MIN, 2, who("college_leader"), first | who("college_leader")),
            (due + 25 * MIN, 3, who("student_affairs"), first | who("college_leader", "student_affairs")),
            (due + 35 * MIN, 4, who("duty_leader"), first | who("college_leader", "student_affairs", "duty_leader")),
        ],
    )
    assert Notification.objects.filter(recipient=w.cast["school_leader"]).count() == 0


def test_taking_the_report_stops_everything(crisis_world):
    w = crisis_world
    with freeze_time(OFFICE_TIME):
        report = urgent_report(w)
    due = OFFICE_TIME + 15 * MIN
    tick_at(due + 5 * MIN)
    tick_at(due + 15 * MIN)
    with freeze_time(due + 16 * MIN):
        reports.acknowledge_report(report, by=w.cast["college_leader"])  # escalated to, and takes it
    report.ack.refresh_from_db()
    assert (report.ack.acknowledged_by, report.ack.next_action_at) == (w.cast["college_leader"], None)
    items = Notification.objects.count()
    for minutes in (25, 35, 45, 600):
        assert tick_at(due + minutes * MIN).due == 0
    assert Notification.objects.count() == items
    assert report.ack.stage == 2


# --- a step of each level ------------------------------------------------------------------------------

# level, opened at, step, its first owner, then who is added at each escalation after the reminder.
LEVELS = [
    ("A", OFFICE_TIME, "first_talk", "mental_health_advisor", ["college_leader", "student_affairs", "school_leader"]),
    ("B", OFFICE_TIME, "watch", "college_leader", ["student_affairs", "school_leader"]),
    ("B", OFFICE_TIME, "risk_assessment", "counsellor", ["student_affairs", "school_leader"]),
    ("C", NIGHT_TIME, "on_site_protection", "college_leader", ["student_affairs", "duty_leader"]),
    ("C", OFFICE_TIME, "on_site_protection", "college_leader", ["student_affairs", "school_leader"]),
    ("D", NIGHT_TIME, "emergency_call", "college_leader", ["student_affairs", "duty_leader"]),
    ("D", NIGHT_TIME, "scene_control", "security", ["student_affairs", "duty_leader"]),
]


@pytest.mark.parametrize(("level", "opened", "code", "owner", "climb"), LEVELS)
def test_an_unacknowledged_step_escalates_on_time_at_each_level(crisis_world, level, opened, code, owner, climb):
    w = crisis_world
    case = open_case(w, level, opened)
    step = case.steps.get(code=code)
    ack = step.ack
    assert (step.assignee, told(ack, 0)) == (w.cast[owner], {w.cast[owner].full_name})
    rule = next(s for s in policy_in_force(opened.date()).level(level).steps if s.code == code)
    policy = policy_in_force(opened.date())
    due = acks.later(policy, rule.clock, opened, rule.ack_minutes)
    assert ack.due_at == due
    renotify = acks.later(policy, rule.clock, due, 5)
    first = who(owner)
    timeline = [(due, None, None, first), (renotify - dt.timedelta(seconds=1), None, None, first)]
    timeline.append((renotify, 1, first, first))
    moment, added = renotify, set(first)
    for stage, key in enumerate(climb, start=2):
        timeline.append((moment + 9 * MIN, None, None, set(added)))
        moment = acks.later(policy, rule.clock, moment, 10)
        added |= who(key)
        timeline.append((moment, stage, who(key), set(added)))
    walk(ack, timeline)
    # The people escalated to work on the case: they see the student (T2) while it is open.
    for key in climb:
        person = w.cast[key]
        assert CaseMember.objects.filter(case=case, person=person).exists()
        assert scope.tier_for(person, w.in_scope)[0] >= scope.Tier.T2
    events = case.events.filter(kind__in=[CaseEvent.Kind.RENOTIFIED, CaseEvent.Kind.ESCALATED], detail__step=code)
    assert [(e.kind, e.detail["stage"]) for e in events] == [("renotified", 1)] + [
        ("escalated", stage) for stage in range(2, len(climb) + 2)
    ]
    assert [e.detail["added"] for e in events][1:] == [[w.cast[key].username] for key in climb]
    # At the top it keeps reminding everyone asked, every interval.
    moment = acks.later(policy, rule.clock, moment, 10)
    walk(ack, [(moment, len(climb) + 2, added, added)])


def test_office_hours_steps_escalate_in_office_minutes(crisis_world):
    """An A step due 16:30 on Wednesday: reminded 16:35, climbs 16:45 / 16:55 / 17:05, reminders 17:15 and
    17:25, then the next slot is five office minutes into Thursday (08:05), not 17:35 in the evening."""
    w = crisis_world
    ack = open_case(w, "A", OFFICE_TIME).steps.get(code="first_talk").ack
    wednesday = OFFICE_TIME.replace(hour=16, minute=30)
    assert ack.due_at == wednesday
    for minutes in (5, 15, 25, 35, 45, 55):
        tick_at(wednesday + minutes * MIN)
    ack.refresh_from_db()
    assert (ack.stage, ack.next_action_at) == (6, dt.datetime(2026, 11, 26, 8, 5, tzinfo=SHANGHAI))
    assert tick_at(dt.datetime(2026, 11, 25, 23, 0, tzinfo=SHANGHAI)).due == 0
    tick_at(dt.datetime(2026, 11, 26, 8, 5, tzinfo=SHANGHAI))
    ack.refresh_from_db()
    assert (ack.stage, told(ack, 7)) == (7, who("mental_health_advisor", "college_leader", "student_affairs",
                                              "school_leader"))  # fmt: skip


def test_an_a_step_over_the_weekend_is_not_overdue_on_saturday(crisis_world):
    w = crisis_world
    friday = dt.datetime(2026, 11, 27, 16, 0, tzinfo=SHANGHAI)
    ack = open_case(w, "A", friday).steps.get(code="first_talk").ack
    # 240 office minutes: Friday 16:00–17:30 (90), Monday 08:00–10:30 (150).
    monday = dt.datetime(2026, 11, 30, 10, 30, tzinfo=SHANGHAI)
    assert (ack.due_at, ack.next_action_at) == (monday, monday + 5 * MIN)
    for moment in (friday + 2 * dt.timedelta(hours=4), dt.datetime(2026, 11, 28, 12, 0, tzinfo=SHANGHAI), monday):
        assert tick_at(moment).due == 0
    with freeze_time(dt.datetime(2026, 11, 29, 20, 0, tzinfo=SHANGHAI)):  # Sunday evening
        cases.acknowledge_step(ack.step, by=w.cast["mental_health_advisor"])
    tick_at(monday + dt.timedelta(hours=3))
    ack.refresh_from_db()
    assert (ack.stage, told(ack) - told(ack, 0)) == (0, set())


def test_acknowledging_a_step_stops_everything(crisis_world):
    w = crisis_world
    case = open_case(w, "C", NIGHT_TIME)
    ack = case.steps.get(code="on_site_protection").ack
    due = NIGHT_TIME + 5 * MIN
    tick_at(due + 5 * MIN)
    tick_at(due + 15 * MIN)  # 学工部 added
    with freeze_time(due + 16 * MIN):
        cases.acknowledge_step(ack.step, by=w.cast["student_affairs"])
    ack.refresh_from_db()
    assert (ack.acknowledged_by, ack.stage, ack.next_action_at) == (w.cast["student_affairs"], 2, None)
    for minutes in (25, 35, 120):
        tick_at(due + minutes * MIN)
    ack.refresh_from_db()
    assert ack.stage == 2
    assert told(ack) == who("college_leader", "student_affairs")


def test_a_cancelled_acknowledgement_never_escalates(crisis_world):
    """Raising the level supersedes the old level's steps and cancels their acknowledgements."""
    w = crisis_world
    case = open_case(w, "B", OFFICE_TIME)
    old = [step.ack for step in case.steps.all()]
    with freeze_time(OFFICE_TIME + 10 * MIN):
        cases.raise_level(case, by=w.cast["advisor"], to_level="C", reason="已有自伤行为")
    for minutes in range(15, 240, 10):
        tick_at(OFFICE_TIME + minutes * MIN)
    for ack in old:
        ack.refresh_from_db()
        assert (ack.cancelled_at, ack.next_action_at, ack.stage) == (OFFICE_TIME + 10 * MIN, None, 0)
        assert told(ack) == told(ack, 0)
    assert not case.events.filter(kind=CaseEvent.Kind.ESCALATED, detail__step="watch").exists()


def test_a_step_that_no_longer_waits_is_cancelled_not_escalated(crisis_world):
    """Belt and braces: a step superseded or done without its acknowledgement being closed is not chased."""
    w = crisis_world
    case = open_case(w, "B", OFFICE_TIME)
    step = case.steps.get(code="watch")
    CaseStep.objects.filter(pk=step.pk).update(superseded_at=OFFICE_TIME + MIN)
    result = tick_at(OFFICE_TIME + 40 * MIN)
    step.ack.refresh_from_db()
    assert (result.cancelled, step.ack.cancelled_at, step.ack.stage) == (1, OFFICE_TIME + 40 * MIN, 0)


def test_a_report_taken_without_its_acknowledgement_closing_is_not_chased(crisis_world):
    w = crisis_world
    with freeze_time(OFFICE_TIME):
        report = urgent_report(w)
    ConcernReport.objects.filter(pk=report.pk).update(status="acknowledged")
    assert tick_at(OFFICE_TIME + 20 * MIN).cancelled == 1


# --- exactly once: twice at the same moment, two clocks racing, a late clock, a crash, a restart ---------


def test_ticking_twice_for_the_same_moment_does_nothing_the_second_time(crisis_world):
    w = crisis_world
    case = open_case(w, "D", NIGHT_TIME)
    moment = NIGHT_TIME + 30 * MIN
    due = escalation.due_acknowledgements(moment).count()
    first = tick_at(moment)
    assert (first.due, first.renotified + first.escalated, first.failed) == (due, due, 0)
    assert due >= 4
    items, events = Notification.objects.count(), CaseEvent.objects.count()
    stages = dict(Acknowledgement.objects.values_list("pk", "stage"))
    second = tick_at(moment)
    assert (second.due, Notification.objects.count(), CaseEvent.objects.count()) == (0, items, events)
    assert dict(Acknowledgement.objects.values_list("pk", "stage")) == stages
    assert process_again(case, moment) == {"skipped"}


def process_again(case, moment):
    """process_due called directly for every step of the case, as a second clock would."""
    policy = cases.case_policy(case)
    return {escalation.process_due(step.ack, policy, now=moment) for step in case.steps.all()}


def test_a_late_tick_catches_up_every_escalation_that_fell_due(crisis_world):
    """The clock was down from 23:00 to 23:45: one tick tells everyone who should have been told by now, and
    the schedule stays anchored on the deadline (next reminder 23:50), not on when the tick came."""
    w = crisis_world
    case = open_case(w, "C", NIGHT_TIME)
    ack = case.steps.get(code="on_site_protection").ack  # due 23:05
    result = tick_at(NIGHT_TIME + 45 * MIN)
    ack.refresh_from_db()
    assert result.escalated >= 1
    assert (ack.stage, ack.next_action_at) == (3, NIGHT_TIME + 50 * MIN)
    assert (told(ack, 1), told(ack, 2), told(ack, 3)) == (
        who("college_leader"),
        who("student_affairs"),
        who("duty_leader"),
    )
    assert tick_at(NIGHT_TIME + 50 * MIN).renotified >= 1
    assert told(ack, 4) == who("college_leader", "student_affairs", "duty_leader")


def test_a_crash_mid_escalation_leaves_nothing_half_done_and_the_next_tick_does_it(crisis_world, monkeypatch):
    w = crisis_world
    with freeze_time(OFFICE_TIME):
        report = urgent_report(w)
    ack = report.ack
    tick_at(OFFICE_TIME + 20 * MIN)  # reminded

    def crash(*args, **kwargs):
        raise ConnectionError("the worker died here")

    monkeypatch.setattr(acks, "notify", crash)  # after the recipient rows, before the save
    result = tick_at(OFFICE_TIME + 30 * MIN)
    assert (result.due, result.failed, result.failures) == (1, 1, [ack.pk])
    ack.refresh_from_db()
    assert (ack.stage, asked(ack)) == (1, who("advisor", "mental_health_advisor", "counsellor", "supervisor"))
    monkeypatch.undo()
    result = tick_at(OFFICE_TIME + 31 * MIN)
    ack.refresh_from_db()
    assert (result.escalated, ack.stage, told(ack, 2)) == (1, 2, who("college_leader"))
    assert ack.next_action_at == OFFICE_TIME + 40 * MIN  # still on the deadline's schedule


def test_the_tick_keeps_no_state_between_runs(crisis_world):
    """Fresh module state (a new process's): reloaded modules and an empty policy cache pick up the work
    where the database says it stands."""
    w = crisis_world
    case = open_case(w, "C", NIGHT_TIME)
    ack = case.steps.get(code="on_site_protection").ack
    tick_at(NIGHT_TIME + 10 * MIN)
    clear_cache()
    fresh = importlib.reload(escalation)
    with freeze_time(NIGHT_TIME + 20 * MIN):
        fresh.tick()
    ack.refresh_from_db()
    assert (ack.stage, told(ack, 2)) == (2, who("student_affairs"))
    module_state = {
        name
        for name, value in vars(fresh).items()
        if not name.startswith("__") and isinstance(value, list | dict | set) and name != "__builtins__"
    }
    assert module_state == set()


# --- PostgreSQL: real concurrency and a real second process ----------------------------------------------

postgres_only = pytest.mark.skipif(
    os.environ.get("DATABASE_URL", "").split(":", 1)[0] not in ("postgres", "postgresql", "pgsql"),
    reason="row locks and a second process on the same database need PostgreSQL",
)


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_clocks_racing_never_escalate_twice(crisis_world):
    w = crisis_world
    case = open_case(w, "D", NIGHT_TIME)
    with freeze_time(NIGHT_TIME):
        for student in (w.other_class, w.other_college):
            cases.open_case(student, "D", by=w.cast["advisor"], reason="测试")
    moment = NIGHT_TIME + 30 * MIN
    due = escalation.due_acknowledgements(moment).count()
    assert due >= 12
    barrier, results, errors = threading.Barrier(2), [], []

    def clock():
        try:
            barrier.wait()
            results.append(escalation.tick(moment))
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=clock) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    done = sum(r.renotified + r.escalated for r in results)
    assert (done, sum(r.failed for r in results)) == (due, 0)
    # Each acknowledgement moved exactly as far as one clock would have moved it.
    assert escalation.due_acknowledgements(moment).count() == 0
    events = CaseEvent.objects.filter(kind__in=[CaseEvent.Kind.RENOTIFIED, CaseEvent.Kind.ESCALATED])
    per_step = {}
    for event in events:
        key = (event.case_id, event.detail["step"], event.detail["stage"])
        per_step[key] = per_step.get(key, 0) + 1
    assert set(per_step.values()) == {1}
    assert process_again(case, moment) == {"skipped"}


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_new_process_picks_up_what_is_due(crisis_world):
    """The state lives in the database: a clock started in another process (as after a restart) reminds
    the people of a report that fell due while no clock ran."""
    w = crisis_world
    with freeze_time(dt.datetime.now(dt.UTC) - 21 * MIN):
        report = urgent_report(w)
    ack = report.ack
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "xinyu.test_settings",
        "DATABASE_URL": "postgres://{USER}@{HOST}:{PORT}/{NAME}".format(**connection.settings_dict),
    }
    done = subprocess.run(
        [sys.executable, "manage.py", "run_clock", "--once"], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    ack.refresh_from_db()
    assert (ack.stage, told(ack, 1)) == (1, who("advisor", "mental_health_advisor", "counsellor", "supervisor"))
