"""The leading group's pages at scale: the compliance board and the month × college grid, against a bare
count of the school's students.

The issue's targets: the board and the grid ≤ 200 ms at 15,000 students (and ≤ 1 s at 1,000,000 with a
year of records, on PostgreSQL). Neither reads students one by one: the grid reads the colleges' monthly
reports (frozen when sent; no roll-up to keep), the board counts the roster once for the year (kept with the
budget) and reads the ledger. Seeded directly (not timed): STUDENTS students (BENCH_LEADING_STUDENTS, 15,000
by default) in 8 colleges, a year of every college's monthly reports, a ledger of 500 lines. Timed, p50 of
REPEATS: `compliance.board.board(school, year)`, `reports.overview.grid(colleges, year)`; the baseline: one
COUNT of the school's enrolled students. Smoke mode: 80 students.
"""

import datetime as dt
import os
import random
import time
from decimal import Decimal

from django.utils import timezone

from bench.harness import sized, summary
from xinyu.accounts.models import User
from xinyu.compliance.board import board
from xinyu.compliance.models import Budget, Category, LedgerLine
from xinyu.org.models import ClassGroup, College, School, Student
from xinyu.reports.models import MonthlyReport
from xinyu.reports.overview import grid

STUDENTS = int(os.environ.get("BENCH_LEADING_STUDENTS", sized("15000", "80")))
COLLEGES = 8
YEAR = 2026
REPEATS = sized(9, 2)
BATCH = 5000


def _seed(rng: random.Random):
    school = School.objects.create(name="基准学校", code="LEAD")
    colleges = College.objects.bulk_create(College(school=school, name=f"学院{n}", code=f"L{n}") for n in range(8))
    groups = ClassGroup.objects.bulk_create(
        ClassGroup(college=colleges[n % COLLEGES], name=f"班{n:04d}", enrolment_year=2023 + n % 4)
        for n in range(max(8, STUDENTS // 40))
    )
    for start in range(0, STUDENTS, BATCH):
        Student.objects.bulk_create(
            Student(school=school, class_group=groups[n % len(groups)], student_number=f"L{n:07d}", name=f"学生{n}",
                    gender="male", enrolment_year=2024, status=Student.Status.ENROLLED)
            for n in range(start, min(start + BATCH, STUDENTS))
        )  # fmt: skip
    staff = User.objects.create(username="T70001", full_name="学工部", kind=User.Kind.STAFF)
    for college in colleges:
        MonthlyReport.objects.bulk_create(
            MonthlyReport(college=college, month=dt.date(YEAR, month, 1), due_on=dt.date(YEAR, month, 28),
                          status="sent", sent_at=timezone.now(), drafted_by=staff, sent_by=staff,
                          figures={"college": college.code, "students_on_roll": STUDENTS // COLLEGES})
            for month in range(1, 12)
        )  # fmt: skip
    Budget.objects.create(school=school, year=YEAR, amount=Decimal(STUDENTS * 25), headcount_on=dt.date(YEAR, 9, 30))
    categories = list(Category.values)
    LedgerLine.objects.bulk_create(
        LedgerLine(school=school, date=dt.date(YEAR, rng.randint(1, 12), 1), category=rng.choice(categories),
                   description="基准", amount=Decimal(rng.randint(100, 5000)), document_number=f"V{n}")
        for n in range(sized(500, 5))
    )  # fmt: skip
    return school, College.objects.filter(school=school)


def _p50(function) -> float:
    samples = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        function()
        samples.append(time.perf_counter() - started)
    return summary(samples)["p50"] * 1000


def run(report):
    school, colleges = _seed(random.Random(3))
    today = dt.date(YEAR, 12, 20)
    board_ms = _p50(lambda: board(school, YEAR))
    grid_ms = _p50(lambda: grid(colleges, YEAR, today))
    count_ms = _p50(lambda: Student.objects.filter(school=school, status=Student.Status.ENROLLED).count())
    report("compliance board p50", board_ms, "ms", f"{STUDENTS} students; target ≤ 200 ms")
    report("month × college grid p50", grid_ms, "ms", f"{COLLEGES} colleges × 12 months; target ≤ 200 ms")
    report("baseline: one count of the students p50", count_ms, "ms", "COUNT(enrolled students)")
