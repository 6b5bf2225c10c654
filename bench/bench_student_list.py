"""Scoped student list at 50,000 students: seed time, then p50/p95 and queries per request by viewer.

Seeds the demo college with `xinyu.org.demo` (timed), then requests the student list through
django.test.Client as a head teacher (one class), a college's mental-health advisor (one college), a
centre counsellor (whole school), with searches and a deep page; the baseline is a bare view returning
"ok" through the same middleware, in the same run. Target: p95 ≤ 200 ms.
"""

import gc
import time

from django.db import connection
from django.test import override_settings

from bench.harness import sized
from bench.pages import report_pages, signed_in
from xinyu.accounts.models import User
from xinyu.org.demo import build_demo_college, demo_accounts
from xinyu.org.views.students import PAGE_SIZE

STUDENTS = sized(50_000, 300)
WARM_UP = sized(20, 1)
REQUESTS = sized(200, 3)
TARGET_P95_MS = 200


def run(report):
    vendor = connection.vendor
    started = time.perf_counter()
    college = build_demo_college(students=STUDENTS)
    report(
        f"seed_demo {STUDENTS:,} students ({vendor})",
        time.perf_counter() - started,
        "s",
        f"{college.class_groups} classes, {college.dorm_rooms} rooms, {college.appointments} posts",
    )
    gc.collect()  # the seed's garbage (reference cycles) belongs to the seeding, not to a web worker
    if vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # what autovacuum does soon after a bulk load

    accounts = {a.key: a.username for a in demo_accounts()}
    people = {key: User.objects.get(username=accounts[key]) for key in accounts}
    cases = [
        ("bare Django view (baseline)", "counsellor", "/bench/bare/"),
        ("head teacher, one class", "head_teacher", "/students/"),
        ("mental-health advisor, one college", "mental_health_advisor", "/students/"),
        ("centre counsellor, whole school", "counsellor", "/students/"),
        ("centre counsellor, search name 王", "counsellor", "/students/?q=王"),
        ("centre counsellor, search 学号 prefix", "counsellor", f"/students/?q={accounts['student'][:6]}"),
        ("centre counsellor, last page", "counsellor", f"/students/?page={STUDENTS // PAGE_SIZE}"),
        ("mental-health advisor, htmx search fragment", "mental_health_advisor", "/students/?q=张"),
    ]
    with override_settings(ROOT_URLCONF="bench.student_list_urls", DEBUG=False):
        cases = [(label, signed_in(people[key], htmx="htmx" in label), url) for label, key, url in cases]
        report_pages(report, cases, what="the student list", target_ms=TARGET_P95_MS, warm_up=WARM_UP,
                     requests=REQUESTS)  # fmt: skip
