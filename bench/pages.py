"""Pages requested through django.test.Client, as a signed-in person's browser would: p50/p95 wall-clock and
CPU time, queries per request, and the verdict against a p95 target (bench_student_list, bench_work_lists)."""

import os
import time

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bench.harness import summary
from xinyu.accounts.models import User
from xinyu.accounts.twofactor import VERIFIED_SESSION_KEY


def signed_in(person: User, *, htmx: bool = False) -> Client:
    """A browser session of `person` as after a full sign-in: second factor proven where their posts need
    it (without it, every page sends a T3/T4 viewer to the step-up page)."""
    client = Client(headers={"HX-Request": "true"} if htmx else {})
    client.force_login(person)
    session = client.session
    session[VERIFIED_SESSION_KEY] = person.pk
    session.save()
    return client


def measure(client: Client, url: str, *, warm_up: int, requests: int) -> tuple[dict, dict, int]:
    """Wall-clock and this process's CPU time per request (ms), and the queries of one request. CPU time
    does not count waiting for other processes on a busy machine (nor PostgreSQL's own work)."""
    for _ in range(warm_up):
        assert client.get(url).status_code == 200, url
    wall, cpu = [], []
    for _ in range(requests):
        started, started_cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
        assert response.status_code == 200, url
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return summary(wall), summary(cpu), len(queries)


def report_pages(report, cases, *, what: str, target_ms: float, warm_up: int, requests: int) -> None:
    """Each (label, client, url) case's p50 with its p95, CPU time and queries; then the worst p95 of the
    cases that are not the baseline (a label with "baseline" in it), against `target_ms`."""
    worst = 0.0
    for label, client, url in cases:
        figures, cpu, queries = measure(client, url, warm_up=warm_up, requests=requests)
        note = (
            f"p95 {figures['p95']:.1f} ms, max {figures['max']:.1f} ms, {queries} queries/request; "
            f"CPU p50/p95 {cpu['p50']:.1f}/{cpu['p95']:.1f} ms"
        )
        report(f"{label} p50", figures["p50"], "ms", note)
        if "baseline" not in label:
            worst = max(worst, figures["p95"])
    verdict = "meets" if worst <= target_ms else "MISSES"
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    note = f"{verdict} the {target_ms:g} ms target ({connection.vendor}); load average {load} on {os.cpu_count()} CPUs"
    report(f"worst p95 of {what}", worst, "ms", note)
