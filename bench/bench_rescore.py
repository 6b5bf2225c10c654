"""Re-scoring: 1,000,000 stored responses re-scored under changed rules, against a plain bulk_update.

The issue's target: re-scoring 1,000,000 STORED responses in ≤ 60 s. Synthetic rows are bulk-inserted
directly (2,000 students × 125 campaigns = 250,000 participations, each with PHQ-9, GAD-7, UPI and
SCL-90 answers and their results scored under the default rules; not timed). Timed:
- the target, twice: `xinyu.screening.tasks.rescore` (1) after a policy change to UPI's and SCL-90's
  settings: their results are stale (a new rules_version) and are scored and written, some change class;
  PHQ-9's and GAD-7's already carry the current rules_version and are skipped unread; (2) after a scorer
  fix (SCORER_VERSION bumped): every result is stale, scored and written — the worst case. Answers are read
  in chunks with `.iterator()`, scored with each instrument's compiled scorer, and the changed rows written
  by a writer thread (COPY into a temporary table, one UPDATE … FROM per chunk) while scoring goes on;
- the baseline, in the same run: reading result rows in the same chunks and a plain `bulk_update` of
  them with their values unchanged (batches of BULK_UPDATE_BATCH, its best size) — the storage floor
  without scoring, as Django offers it. bulk_update runs at about a thousand rows a second here, so the
  baseline is measured on the first BASELINE_ROWS rows and reported per million as well.
BENCH_RESCORE_RESPONSES overrides the count (a multiple of 4 × the students). Smoke mode: 160 responses of
20 students.
"""

import datetime as dt
import gc
import os
import random
import time

from django.db import connection, transaction
from django.utils import timezone

from bench.bench_scoring import _generator
from bench.harness import sized
from xinyu.accounts.models import User
from xinyu.org.models import ClassGroup, College, School, Student
from xinyu.policy import screening as rules_module
from xinyu.policy.screening import DEFAULT_RULES, ScoringRules
from xinyu.screening.models import Campaign, Instrument, Participation, Response, Result
from xinyu.screening.scoring import rules_version, scorer_for
from xinyu.screening.tasks import CHUNK, FIELDS, rescore

RESPONSES = int(os.environ.get("BENCH_RESCORE_RESPONSES", sized("1000000", "160")))
STUDENTS = sized(2000, 20)
MIX = ("PHQ-9", "GAD-7", "UPI", "SCL-90")
TARGET_SECONDS = 60.0
INSERT_BATCH = 5000
# bulk_update's CASE expressions grow with the batch: its best batch size is small.
BULK_UPDATE_BATCH = 200
BASELINE_ROWS = int(os.environ.get("BENCH_RESCORE_BASELINE_ROWS", sized("50000", "80")))
CHANGED_RULES = ScoringRules(upi_class2_min_total=18, scl90_factor_op=">")


def _seed(rng) -> None:
    school = School.objects.create(name="基准学校", code="BENCH")
    college = College.objects.create(school=school, name="基准学院", code="B")
    group = ClassGroup.objects.create(college=college, name="基准班", enrolment_year=2025)
    students = Student.objects.bulk_create(
        Student(school=school, student_number=f"B{n:07d}", name=f"学生{n}", gender="male", enrolment_year=2025,
                class_group=group)
        for n in range(STUDENTS)
    )  # fmt: skip
    creator = User.objects.create(username="bench", full_name="基准")
    campaigns_needed = RESPONSES // (len(MIX) * STUDENTS)
    now = timezone.now()
    campaigns = Campaign.objects.bulk_create(
        Campaign(school=school, kind="semester", title=f"基准{n}", opens_at=now - dt.timedelta(days=n + 1),
                 closes_at=now, consent_text="同意", consent_version="1", created_by=creator)
        for n in range(campaigns_needed)
    )  # fmt: skip
    instruments = {code: Instrument.objects.get(code=code, is_active=True) for code in MIX}
    scorers = {}
    for code, instrument in instruments.items():
        definition = instrument.parsed()
        scorers[code] = (scorer_for(definition, DEFAULT_RULES), rules_version(definition, DEFAULT_RULES))
    makers = _generator(rng)
    for campaign in campaigns:
        with transaction.atomic():
            participations = Participation.objects.bulk_create(
                (Participation(campaign=campaign, student=student, status="submitted", submitted_at=now)
                 for student in students), batch_size=INSERT_BATCH,
            )  # fmt: skip
            responses, answer_sets = [], []
            for participation in participations:
                for code in MIX:
                    answers = makers[code][1]()
                    answer_sets.append((code, answers))
                    responses.append(
                        Response(participation=participation, instrument=instruments[code],
                                 answers={str(k): v for k, v in answers.items()}, completed_at=now)
                    )  # fmt: skip
            Response.objects.bulk_create(responses, batch_size=INSERT_BATCH)
            results = []
            for response, participation, (code, answers) in zip(
                responses, (p for p in participations for _ in MIX), answer_sets, strict=True
            ):
                scorer, version = scorers[code]
                outcome = scorer.score(answers)
                detail = outcome.to_dict()
                results.append(
                    Result(response=response, student_id=participation.student_id, campaign=campaign,
                           instrument=instruments[code], total=outcome.total,
                           band=outcome.band.code if outcome.band else "",
                           classification=outcome.classification.code if outcome.classification else "",
                           severity=outcome.severity or "", flags=detail["flags"], detail=detail,
                           rules_version=version, scored_at=now)
                )  # fmt: skip
            Result.objects.bulk_create(results, batch_size=INSERT_BATCH)


def _baseline(count: int) -> float:
    """Read `count` result rows in the same chunks and bulk_update them with their own values."""
    started = time.perf_counter()
    batch = []
    rows = Result.objects.order_by("pk").only(*FIELDS).iterator(chunk_size=CHUNK)
    for n, row in enumerate(rows, start=1):
        if n > count:
            break
        batch.append(row)
        if len(batch) == CHUNK:
            with transaction.atomic():
                Result.objects.bulk_update(batch, FIELDS, batch_size=BULK_UPDATE_BATCH)
            batch.clear()
    if batch:
        with transaction.atomic():
            Result.objects.bulk_update(batch, FIELDS, batch_size=BULK_UPDATE_BATCH)
    return time.perf_counter() - started


def run(report):
    vendor = connection.vendor
    rng = random.Random(2026)
    started = time.perf_counter()
    _seed(rng)
    stored = Response.objects.count()
    report(
        f"seed {stored:,} responses + results ({vendor})", time.perf_counter() - started, "s", "not part of the target"
    )
    if vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    before = dict(Result.objects.values_list("instrument__code").annotate(n=__import__("django").db.models.Count("pk")))
    gc.collect()
    started = time.perf_counter()
    progress = rescore(rules=CHANGED_RULES)
    elapsed = time.perf_counter() - started
    classes = Result.objects.filter(instrument__code="UPI", classification="class_2").count()
    report(
        f"rescore {progress.done:,} stored responses after a policy change ({vendor})",
        elapsed,
        "s",
        f"target ≤ {TARGET_SECONDS:g} s; {progress.changed:,} stale (UPI, SCL-90) scored and written, the rest already "
        f"current; {progress.incomplete} incomplete; "
        f"{progress.done / elapsed:,.0f} responses/s; UPI 第二类 now {classes:,}; by instrument {before}",
    )
    again = time.perf_counter()
    second = rescore(rules=CHANGED_RULES)
    report(
        f"rescore again, nothing changed ({second.done:,})",
        time.perf_counter() - again,
        "s",
        f"{second.changed} rows written: every result already carries the current rules_version",
    )
    # The worst case: a scorer fix (SCORER_VERSION bumped) makes every stored result stale.
    gc.collect()
    rules_module.SCORER_VERSION += 1
    try:
        started = time.perf_counter()
        full = rescore(rules=CHANGED_RULES)
        elapsed = time.perf_counter() - started
    finally:
        rules_module.SCORER_VERSION -= 1
    report(
        f"rescore {full.done:,} after a scorer fix: all stale ({vendor})",
        elapsed,
        "s",
        f"target ≤ {TARGET_SECONDS:g} s; {full.changed:,} rows scored and written; "
        f"{full.done / elapsed:,.0f} responses/s",
    )
    gc.collect()
    rows = min(full.changed, BASELINE_ROWS)
    baseline = _baseline(rows)
    report(
        f"baseline: read + plain bulk_update of {rows:,} rows",
        baseline,
        "s",
        f"values unchanged; {baseline / rows * 1_000_000:,.0f} s per million rows; rescore wrote "
        f"{full.changed / elapsed:,.0f} rows/s",
    )
