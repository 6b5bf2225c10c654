"""A college's monthly report assembled at 15,000 students, against the same number of bare counts.

The issue's target: one college's monthly report assembled in ≤ 1 s at 15,000 students. Seeded directly (not
timed): one college holding all 15,000 students in 300 classes, and a month of records about them — 400
concern reports from dorm leaders, the class, the students themselves and screening, 40 crisis cases opened
and 25 closed, 600 registry entries (30 added, 12 removed in the month), 3,000 interviews due, a screening
round the whole college was invited to (15,000 participations, 80 % submitted). Timed:
- the target: `xinyu.reports.figures.monthly_figures(college, month)`, p50 and max of REPEATS runs;
- the baseline, in the same run: as many bare COUNT queries on the college's students as the report runs
  queries — the floor of asking the database that many questions.
Smoke mode: 60 students in 3 classes.
"""

import datetime as dt
import random
import time

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bench.harness import sized, summary
from xinyu.accounts.models import User
from xinyu.care.models import Interview, RegistryEntry
from xinyu.concerns.models import ConcernReport, CrisisCase
from xinyu.org.models import Appointment, ClassGroup, College, Post, School, Student
from xinyu.reports.figures import bounds, monthly_figures
from xinyu.screening.models import Campaign, Participation

STUDENTS = sized(15000, 60)
CLASSES = sized(300, 3)
REPEATS = sized(7, 2)
TARGET_SECONDS = 1.0
MONTH = dt.date(2026, 11, 1)
BATCH = 2000


def _seed(rng: random.Random) -> College:
    school = School.objects.create(name="基准学院", code="BENCH")
    college = College.objects.create(school=school, name="基准二级学院", code="B1")
    groups = ClassGroup.objects.bulk_create(
        ClassGroup(college=college, name=f"班级{n:03d}", enrolment_year=2025) for n in range(CLASSES)
    )
    users = User.objects.bulk_create(
        User(username=f"S{n:06d}", full_name=f"学生{n}", kind=User.Kind.STUDENT) for n in range(STUDENTS)
    )
    students = Student.objects.bulk_create(
        (
            Student(school=school, class_group=groups[n % CLASSES], student_number=f"B{n:06d}", name=f"学生{n}",
                    gender="male", enrolment_year=2025,
                    user=users[n], status=Student.Status.ENROLLED)
            for n in range(STUDENTS)
        ),
        batch_size=BATCH,
    )  # fmt: skip
    staff = User.objects.create(username="T90001", full_name="基准辅导员", kind=User.Kind.STAFF)
    dorm = User.objects.create(username="T90002", full_name="寝室长", kind=User.Kind.STAFF)
    Appointment.objects.create(person=dorm, post=Post.DORM_LEADER, school=school, starts_on=dt.date(2025, 9, 1))
    start, end = bounds(MONTH)
    span = (end - start).total_seconds()

    def moment():
        return start + dt.timedelta(seconds=rng.uniform(0, span - 1))

    reporters = [staff, dorm, *users[:50]]
    reports = ConcernReport.objects.bulk_create(
        ConcernReport(student=rng.choice(students), reporter=rng.choice(reporters), category="emotional_change",
                      description="基准", status=rng.choice(["new", "crisis", "no_crisis"]))
        for _ in range(sized(400, 5))
    )  # fmt: skip
    ConcernReport.objects.filter(pk__in=[r.pk for r in reports]).update(created_at=moment())
    cases = CrisisCase.objects.bulk_create(
        CrisisCase(student=students[n], level=rng.choice("ABCD"), opened_by=staff, policy_key="bench",
                   status="closed" if n < sized(25, 1) else "open")
        for n in range(sized(40, 2))
    )  # fmt: skip
    for case in cases:
        opened = moment()
        closed = opened + dt.timedelta(days=3) if case.status == "closed" else None
        CrisisCase.objects.filter(pk=case.pk).update(opened_at=opened, closed_at=closed)
    RegistryEntry.objects.bulk_create(
        (
            RegistryEntry(student=students[-(n + 1)], source="crisis", reason="基准", status="active",
                          confirmed_at=moment() if n < 30 else start - dt.timedelta(days=60),
                          removed_at=moment() if 30 <= n < 42 else None)
            for n in range(sized(600, 4))
        ),
        batch_size=BATCH,
    )  # fmt: skip
    held = [rng.random() < 0.7 for _ in range(sized(3000, 6))]
    Interview.objects.bulk_create(
        (
            Interview(student=rng.choice(students), source="concern_report", assignee=staff,
                      due_on=MONTH + dt.timedelta(days=rng.randint(0, 29)),
                      conducted_at=moment() if done else None, outcome="watch" if done else "")
            for done in held
        ),
        batch_size=BATCH,
    )  # fmt: skip
    campaign = Campaign.objects.create(
        school=school, kind="semester", title="基准测评", opens_at=start, closes_at=end, consent_text="同意",
        consent_version="v1", created_by=staff,
    )  # fmt: skip
    Participation.objects.bulk_create(
        (
            Participation(campaign=campaign, student=student, status="submitted" if rng.random() < 0.8 else "pending")
            for student in students
        ),
        batch_size=BATCH,
    )
    return college


def _timed(function) -> list[float]:
    samples = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        function()
        samples.append(time.perf_counter() - started)
    return samples


def run(report):
    college = _seed(random.Random(11))
    with CaptureQueriesContext(connection) as captured:
        figures = monthly_figures(college, MONTH)
    queries = len(captured.captured_queries)
    assert figures["students_on_roll"] == STUDENTS, figures["students_on_roll"]
    target = summary(_timed(lambda: monthly_figures(college, MONTH)))
    students = Student.objects.filter(class_group__college=college)

    def bare():
        for _ in range(queries):
            students.count()

    baseline = summary(_timed(bare))
    now = timezone.now().date().isoformat()
    report("monthly_figures p50", target["p50"] * 1000, "ms", f"{STUDENTS} students, {queries} queries ({now})")
    report("monthly_figures max", target["max"] * 1000, "ms", f"target ≤ {TARGET_SECONDS * 1000:.0f} ms")
    report("baseline: as many bare counts p50", baseline["p50"] * 1000, "ms", f"{queries} × COUNT(students)")
