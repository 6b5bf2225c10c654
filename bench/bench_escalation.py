"""Escalation at 10,000 open cases: how long one tick takes when a few hundred C/D steps fall due.

Target (DESIGN.md §7): an overdue C/D step escalates ≤ 60 s after its deadline, with 10,000 open
cases in the database. The clock runs a tick every 15 s, so the worst-case delay is the interval plus the
time one tick takes; this measures the tick.

Seeds the demo college with 10,000 students (`xinyu.org.demo`), opens a case for every one of them in
bulk with the data `cases.open_case` writes (organiser, members, steps with owners and deadlines from the
policy, acknowledgements and their recipients; most steps already acknowledged, some waiting with a
deadline ahead), then, three times, makes 300 different C/D steps' next escalation fall due and runs one
`escalation.tick()` with the production task backend (the database; the outbox kick is a row insert).
Baseline in the same run: a tick with nothing due. Also shows the due-work query's plan (it must use the
index on `next_action_at`) and the time of the invariant check the clock runs every five minutes.
"""

import datetime as dt
import os
import random
import statistics
import time

from django.db import connection, transaction
from django.test import override_settings
from django.utils import timezone

from bench.harness import sized
from xinyu.accounts.models import User
from xinyu.concerns import escalation, invariants
from xinyu.concerns.models import (
    Acknowledgement,
    AckRecipient,
    CaseEvent,
    CaseMember,
    CaseStep,
    CrisisCase,
    DutyShift,
)
from xinyu.concerns.services.duty import duty_leader_for
from xinyu.org.demo import build_demo_college
from xinyu.org.models import Post, Student
from xinyu.org.responsibility import holders_of
from xinyu.policy import calendar
from xinyu.policy.loader import Deadline, policy_in_force

STUDENTS = sized(10_000, 300)
OVERDUE = sized(300, 5)
ROUNDS = sized(3, 2)
IDLE_TICKS = sized(5, 2)
INTERVAL_S = 15  # run_clock's default
TARGET_S = 60
LEVEL_WEIGHTS = {"A": 40, "B": 30, "C": 20, "D": 10}
ACKNOWLEDGED_SHARE = 0.9
BATCH = 2000
CLASS_ROLES = {"advisor", "head_teacher"}
COLLEGE_ROLES = {"mental_health_advisor", "college_leader_in_charge", "college_working_group"}
PRODUCTION_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


class _People:
    """holders_of, asked once per role and class group, college or school (what its answer depends on)."""

    def __init__(self, policy, at):
        self.policy, self.at, self.cache = policy, at, {}
        self.leader = duty_leader_for(policy, at)

    def __call__(self, role: str, student: Student, organiser=None) -> list:
        if role == "organiser":
            return [organiser] if organiser else []
        if role in CLASS_ROLES:
            key = (role, student.class_group_id)
        else:  # college roles by college, school roles: one school
            key = (role, student.class_group.college_id if role in COLLEGE_ROLES else 0)
        if key not in self.cache:
            leader = self.leader if role == "school_leader" else None
            self.cache[key] = holders_of(role, student, at=self.at, duty_leader=leader)
        return self.cache[key]


def open_cases_in_bulk(policy, now: dt.datetime, rng: random.Random) -> dict:
    """One open case per student, as `cases.open_case` would leave it, written with bulk_create."""
    students = list(Student.objects.select_related("class_group").order_by("pk"))
    people = _People(policy, now)
    opened_by = User.objects.filter(appointments__post=Post.STUDENT_AFFAIRS_STAFF).first()
    deadlines: dict[tuple, dt.datetime] = {}

    def deadline(start, minutes, clock):
        key = (start, minutes, clock)
        if key not in deadlines:
            deadlines[key] = calendar.due_at(policy, start, Deadline(minutes, clock))
        return deadlines[key]

    levels = rng.choices(list(LEVEL_WEIGHTS), weights=list(LEVEL_WEIGHTS.values()), k=len(students))
    # Opened over the last day, on the hour; steps' deadlines from then.
    opened = [now.replace(minute=0, second=0, microsecond=0) - dt.timedelta(hours=rng.randrange(24)) for _ in students]
    cases = []
    for student, level in zip(students, levels, strict=True):
        organisers = people(policy.level(level).organiser, student)
        cases.append(
            CrisisCase(
                student=student,
                level=level,
                organiser=organisers[0] if organisers else None,
                opened_by=opened_by,
                policy_key=policy.key,
            )
        )
    CrisisCase.objects.bulk_create(cases, batch_size=BATCH)
    members, events, steps = [], [], []
    for case, start in zip(cases, opened, strict=True):
        if case.organiser:
            members.append(CaseMember(case=case, person=case.organiser, role=CaseMember.Role.ORGANISER))
        events.append(CaseEvent(case=case, kind=CaseEvent.Kind.OPENED, to_level=case.level, reason="bench"))
        for rule in policy.level(case.level).steps:
            owners = people(rule.role, case.student, organiser=case.organiser)
            steps.append(
                CaseStep(
                    case=case,
                    level=case.level,
                    code=rule.code,
                    title=rule.title,
                    role=rule.role,
                    assignee=owners[0] if owners else None,
                    due_at=deadline(start, rule.within_minutes, rule.clock),
                    evidence_required=list(rule.evidence),
                )
            )
            steps[-1].opened, steps[-1].rule = start, rule
    CaseMember.objects.bulk_create(members, batch_size=BATCH, ignore_conflicts=True)
    CaseEvent.objects.bulk_create(events, batch_size=BATCH)
    CaseStep.objects.bulk_create(steps, batch_size=BATCH)
    step_members = [
        CaseMember(case=step.case, person=step.assignee, role=CaseMember.Role.STEP) for step in steps if step.assignee
    ]
    CaseMember.objects.bulk_create(step_members, batch_size=BATCH, ignore_conflicts=True)
    acks = []
    for step in steps:
        due = deadline(step.opened, step.rule.ack_minutes, step.rule.clock)
        ack = Acknowledgement(step=step, due_at=due)
        if rng.random() < ACKNOWLEDGED_SHARE:
            ack.acknowledged_at, ack.acknowledged_by = step.opened + dt.timedelta(minutes=2), step.assignee
        else:  # still waiting, its next reminder ahead
            ack.next_action_at = now + dt.timedelta(minutes=rng.randrange(30, 120))
        acks.append(ack)
    Acknowledgement.objects.bulk_create(acks, batch_size=BATCH)
    AckRecipient.objects.bulk_create(
        [AckRecipient(ack=ack, person=ack.step.assignee) for ack in acks if ack.step.assignee], batch_size=BATCH
    )
    return {
        "cases": len(cases),
        "steps": len(steps),
        "acks": len(acks),
        "waiting": sum(a.acknowledged_at is None for a in acks),
    }


def make_due(pks: list[int], now: dt.datetime) -> None:
    """These C/D steps were reminded (stage 1) and nobody took them: their escalation is due this second."""
    Acknowledgement.objects.filter(pk__in=pks).update(
        acknowledged_at=None,
        acknowledged_by=None,
        cancelled_at=None,
        stage=1,
        next_action_at=now - dt.timedelta(seconds=1),
    )


class _QueryCounter:
    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def timed_tick(now: dt.datetime):
    counter = _QueryCounter()
    with connection.execute_wrapper(counter):
        started, started_cpu = time.perf_counter(), time.process_time()
        result = escalation.tick(now)
        seconds, cpu = time.perf_counter() - started, time.process_time() - started_cpu
    result.cpu = cpu
    return result, seconds, counter.count


def plan_of_due_query(now: dt.datetime) -> tuple[bool, str]:
    query = escalation.due_acknowledgements(now).values_list("pk", "step__case__policy_key", "report__created_at")
    plan = query.explain()
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, Acknowledgement._meta.db_table)
    index = next(name for name, info in constraints.items() if info["columns"] == ["next_action_at"] and info["index"])
    line = next((line.strip() for line in plan.splitlines() if index in line), plan.splitlines()[0].strip())
    return index in plan, line


def run(report):
    vendor = connection.vendor
    rng = random.Random(2021)
    started = time.perf_counter()
    build_demo_college(students=STUDENTS)
    report(f"seed_demo {STUDENTS:,} students ({vendor})", time.perf_counter() - started, "s")

    now = timezone.now()
    policy = policy_in_force(timezone.localdate(now))
    deputy = User.objects.filter(appointments__post=Post.LEADING_GROUP_DEPUTY).first()
    DutyShift.objects.create(
        person=deputy, starts_at=now - dt.timedelta(hours=12), ends_at=now + dt.timedelta(hours=12)
    )
    started = time.perf_counter()
    with transaction.atomic():
        counts = open_cases_in_bulk(policy, now, rng)
    report(
        f"open {counts['cases']:,} cases in bulk",
        time.perf_counter() - started,
        "s",
        f"{counts['steps']:,} steps and acknowledgements, {counts['waiting']:,} still waiting (deadline ahead)",
    )
    if vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    assert CrisisCase.objects.filter(status="open").count() == STUDENTS

    uses_index, line = plan_of_due_query(now)
    report("due-work query uses the next_action_at index", float(uses_index), "yes=1", line[:110])

    with override_settings(TASKS=PRODUCTION_TASKS):
        idle = [timed_tick(now) for _ in range(IDLE_TICKS)]
        report(
            "baseline: tick with nothing due",
            statistics.median(s for _, s, _ in idle) * 1000,
            "ms",
            f"{idle[0][2]} queries, {idle[0][0].due} due",
        )
        candidates = rng.sample(
            sorted(
                Acknowledgement.objects.filter(step__level__in=["C", "D"], step__assignee__isnull=False).values_list(
                    "pk", flat=True
                )
            ),
            OVERDUE * ROUNDS,
        )
        times, per_round = [], []
        for round_ in range(ROUNDS):
            pks = candidates[round_ * OVERDUE : (round_ + 1) * OVERDUE]
            moment = now + dt.timedelta(seconds=1 + round_)
            make_due(pks, moment)
            result, seconds, queries = timed_tick(moment)
            handled = result.escalated + result.renotified
            assert (result.due, handled, result.failed) == (OVERDUE, OVERDUE, 0), result
            assert not Acknowledgement.objects.filter(pk__in=pks, next_action_at__lte=moment).exists()
            times.append(seconds)
            per_round.append((result, queries))
        result, queries = per_round[0]
        report(
            f"tick with {OVERDUE} C/D steps due (median of {ROUNDS})",
            statistics.median(times) * 1000,
            "ms",
            f"{statistics.median(times) / OVERDUE * 1000:.1f} ms (this process's CPU {result.cpu / OVERDUE * 1000:.1f} "
            f"ms) and {queries / OVERDUE:.0f} queries per step; "
            f"{result.escalated} escalated, {result.renotified} reminded at the chain's top",
        )
        started = time.perf_counter()
        problems = invariants.check(moment)
        report(f"invariant check at {STUDENTS:,} open cases", (time.perf_counter() - started) * 1000, "ms",
               f"{len(problems)} problems")  # fmt: skip
    worst = INTERVAL_S + max(times)
    verdict = "meets" if worst <= TARGET_S else "MISSES"
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    report(
        "worst-case escalation delay (interval + tick)",
        worst,
        "s",
        f"{verdict} the ≤ {TARGET_S} s target: a {INTERVAL_S} s clock interval + {max(times):.2f} s for the slowest "
        f"tick ({vendor}); load average {load} on {os.cpu_count()} CPUs",
    )
