"""Work lists with 5,000 items: the first page of "my work" and of the interviews, whole and filtered.

Seeds a demo college (timed), then gives the centre counsellor 5,000 open interviews (about 1 in 5 overdue)
and their college's mental-health advisor a few, and requests the lists through django.test.Client as each;
the baseline is a bare view returning "ok" through the same middleware, in the same run. Target: the first
page ≤ 200 ms (p95) with 5,000 items.
"""

import datetime as dt
import gc
import os
import time

from django.db import connection
from django.test import override_settings
from django.utils import timezone

from bench.bench_student_list import _measure, _signed_in
from bench.harness import sized
from xinyu.accounts.models import User
from xinyu.care.models import Interview
from xinyu.org.demo import build_demo_college, demo_accounts
from xinyu.org.models import Student

STUDENTS = sized(6_000, 300)  # the demo college's smallest is 300
ITEMS = sized(5_000, 60)
WARM_UP = sized(3, 1)
REQUESTS = sized(30, 2)
TARGET_P95_MS = 200


def _give_interviews(counsellor: User, advisor: User) -> None:
    """ITEMS open interviews for the counsellor over the school's students, a fifth of them overdue."""
    today = timezone.localdate()
    students = list(Student.objects.order_by("pk").values_list("pk", flat=True)[:ITEMS])
    interviews = [
        Interview(
            student_id=students[n % len(students)],
            source=Interview.Source.CONCERN_REPORT,
            due_on=today - dt.timedelta(days=1 + n % 30) if n % 5 == 0 else today + dt.timedelta(days=n % 7),
            assignee=counsellor,
            scheduled_by=advisor,
        )
        for n in range(ITEMS)
    ]
    Interview.objects.bulk_create(interviews, batch_size=1000)


def run(report):
    vendor = connection.vendor
    started = time.perf_counter()
    college = build_demo_college(students=STUDENTS)
    report(f"seed_demo {STUDENTS:,} students ({vendor})", time.perf_counter() - started, "s",
           f"{college.class_groups} classes")  # fmt: skip
    accounts = {account.key: account.username for account in demo_accounts()}
    counsellor = User.objects.get(username=accounts["counsellor"])
    advisor = User.objects.get(username=accounts["mental_health_advisor"])
    _give_interviews(counsellor, advisor)
    gc.collect()
    gc.freeze()  # as xinyu/wsgi.py does after start-up: a web worker's collections walk only what requests made
    if vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    some_college = Student.objects.values_list("class_group__college_id", flat=True).first()
    cases = [
        ("bare Django view (baseline)", counsellor, "/bench/bare/"),
        (f"my work, {ITEMS:,} items, first page", counsellor, "/my-work/"),
        ("my work, overdue only", counsellor, "/my-work/?overdue=on"),
        ("my work, one college, page 3", counsellor, f"/my-work/?college={some_college}&page=3"),
        (f"interviews, {ITEMS:,} items, first page", counsellor, "/interviews/"),
        ("interviews, the advisor's college", advisor, "/interviews/"),
    ]
    worst = 0.0
    with override_settings(ROOT_URLCONF="bench.student_list_urls", DEBUG=False):
        for label, person, url in cases:
            figures, cpu, queries = _measure(_signed_in(person, htmx=False), url, warm_up=WARM_UP, requests=REQUESTS)
            note = (
                f"p95 {figures['p95']:.1f} ms, max {figures['max']:.1f} ms, {queries} queries/request; "
                f"CPU p50/p95 {cpu['p50']:.1f}/{cpu['p95']:.1f} ms"
            )
            report(f"{label} p50", figures["p50"], "ms", note)
            if "baseline" not in label:
                worst = max(worst, figures["p95"])
    verdict = "meets" if worst <= TARGET_P95_MS else "MISSES"
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    note = f"{verdict} the {TARGET_P95_MS} ms target ({vendor}); load average {load} on {os.cpu_count()} CPUs"
    report("worst p95 of a work list's page", worst, "ms", note)
