"""The year's status report as a Word file for 50,000 screening results, against reading the results once.

The issue's target: the status report's Word file for 50,000 screening results in ≤ 30 s. Seeded directly
(not timed): one school of 25,000 students in 8 colleges and 400 classes, a round of the year in which
each answered PHQ-9 and GAD-7 (50,000 results, bands drawn at random). Timed, once each:
- the target: `status_report(school, year)` then `status_to_docx(...)` (the figures, eight charts drawn by
  matplotlib, the tables);
- the baseline, in the same run: reading the same 50,000 result rows with their students (the query the
  report cannot do without).
Smoke mode: 100 students.
"""

import datetime as dt
import random
import time

from django.utils import timezone

from bench.harness import sized
from xinyu.accounts.models import User
from xinyu.org.models import ClassGroup, College, School, Student
from xinyu.reports.status import status_report
from xinyu.reports.word import status_to_docx
from xinyu.screening.models import Campaign, Instrument, Participation, Response, Result
from xinyu.screening.services import load_shipped_instruments

STUDENTS = sized(25000, 100)
COLLEGES = 8
CLASSES = sized(400, 8)
YEAR = 2026
TARGET_SECONDS = 30.0
BATCH = 5000
BANDS = {"PHQ-9": ("minimal", "mild", "moderate", "moderately_severe", "severe"),
         "GAD-7": ("minimal", "mild", "moderate", "severe")}  # fmt: skip


def _seed(rng: random.Random) -> School:
    load_shipped_instruments()
    school = School.objects.create(name="基准学校", code="STATUS")
    colleges = College.objects.bulk_create(
        College(school=school, name=f"学院{n}", code=f"C{n}") for n in range(COLLEGES)
    )
    groups = ClassGroup.objects.bulk_create(
        ClassGroup(college=colleges[n % COLLEGES], name=f"班{n:03d}", enrolment_year=2023 + n % 4)
        for n in range(CLASSES)
    )
    students = Student.objects.bulk_create(
        (
            Student(school=school, class_group=groups[n % CLASSES], student_number=f"T{n:06d}", name=f"学生{n}",
                    gender=rng.choice(["male", "female"]), enrolment_year=groups[n % CLASSES].enrolment_year,
                    status=Student.Status.ENROLLED)
            for n in range(STUDENTS)
        ),
        batch_size=BATCH,
    )  # fmt: skip
    staff = User.objects.create(username="T80001", full_name="中心老师", kind=User.Kind.STAFF)
    opens = timezone.make_aware(dt.datetime(YEAR, 9, 10, 8, 0))
    campaign = Campaign.objects.create(
        school=school, kind="census", title="基准普查", opens_at=opens, closes_at=opens + dt.timedelta(days=14),
        consent_text="同意", consent_version="v1", created_by=staff,
    )  # fmt: skip
    participations = Participation.objects.bulk_create(
        (Participation(campaign=campaign, student=s, status="submitted", submitted_at=opens) for s in students),
        batch_size=BATCH,
    )
    instruments = {code: Instrument.objects.filter(code=code).order_by("-pk").first() for code in BANDS}
    for code, instrument in instruments.items():
        responses = Response.objects.bulk_create(
            (Response(participation=p, instrument=instrument, answers={}, completed_at=opens) for p in participations),
            batch_size=BATCH,
        )
        Result.objects.bulk_create(
            (
                Result(response=response, student=p.student, campaign=campaign, instrument=instrument,
                       total=rng.randint(0, 27), band=band, severity=band, rules_version="bench", scored_at=opens)
                for response, p in zip(responses, participations, strict=True)
                for band in [rng.choice(BANDS[code])]
            ),
            batch_size=BATCH,
        )  # fmt: skip
    return school


def run(report):
    school = _seed(random.Random(5))
    results = Result.objects.filter(campaign__school=school).count()
    started = time.perf_counter()
    content = status_to_docx(status_report(school, YEAR))
    target = time.perf_counter() - started
    started = time.perf_counter()
    rows = len(list(Result.objects.filter(campaign__school=school).select_related("student__class_group__college")))
    baseline = time.perf_counter() - started
    assert rows == results
    report(
        "status report Word file",
        target,
        "s",
        f"{results} results, {len(content) // 1024} KB; ≤ {TARGET_SECONDS:.0f} s",
    )
    report("baseline: reading the results once", baseline, "s", f"{rows} rows with their students")
