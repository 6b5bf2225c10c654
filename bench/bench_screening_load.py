"""Screening under load through gunicorn: sitting entry and final submission by many students, and a baseline.

Seeds the demo college, creates a PHQ-9 + GAD-7 campaign, opens a sitting for every class (by its head
teacher or advisor), and for N students records consent and saves complete answers through the services.
Then starts `gunicorn xinyu.wsgi` (settings bench.settings_server: DEBUG off, this benchmark's database,
the bench URLconf with a baseline view) on 127.0.0.1 and drives it from a bounded loopback load script
(threads, http.client, a fixed number of requests and a time cap), like browsers: each student GETs the
entry page for its CSRF cookie and token, POSTs code + 学号 + check (measured: the session is bound), GETs
the questionnaire for the token and submission key, then POSTs the submission (measured, answers already
saved). Baseline: a bare view doing three inserts in one transaction, through the same middleware.
Afterwards it checks that exactly N participations are submitted with N × instruments Results, and seals
and verifies the access log. The figure the scale-out issue asks for: the submission's rate as a share of
the bare view's in the same run, with 4 and 8 workers (BENCH_SCREENING_WORKERS; 4 by default).
Targets: entry ≥ 200/s with p99 ≤ 200 ms; submission ≥ 300/s with p99 ≤ 300 ms; zero errors, zero lost.
On SQLite it says so and runs one worker. The load script shares the machine's cores with the server.
The load script, the campaign and the server (in its own process group, stopped whatever happens) are
bench/census.py's, shared with the deployment test.
"""

import os
import subprocess
import time

from django.db import connection

from bench.census import CODES, Browser, Sitting, database_url, drive, request, start_gunicorn, stop_server
from bench.census import prepare as prepare_census
from bench.harness import percentile, sized
from xinyu.audit.seal import seal_audit
from xinyu.audit.verify import verify_chain
from xinyu.screening.models import Campaign, Participation, Result

STUDENTS = int(os.environ.get("BENCH_SCREENING_STUDENTS", sized("1500", "300")))
SUBMISSIONS = int(os.environ.get("BENCH_SCREENING_SUBMISSIONS", sized("1200", "20")))
CONCURRENCY = int(os.environ.get("BENCH_SCREENING_CONCURRENCY", sized("16", "4")))
# gunicorn's workers on PostgreSQL (BENCH_SCREENING_WORKERS: 4 by default; 8 for the scale-out figure).
POSTGRESQL_WORKERS = int(os.environ.get("BENCH_SCREENING_WORKERS", sized("4", "1")))
TARGETS = {"entry": (200, 200), "submission": (300, 300)}  # requests/s, p99 ms


# --- the server ---------------------------------------------------------------------------------------


def start_server(workers: int) -> tuple[subprocess.Popen, int]:
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="bench.settings_server",
        DATABASE_URL=database_url(),
        XINYU_ENV="development",  # the same var/ keys as this process (the ID numbers were encrypted here)
        DEBUG="false",
        ALLOWED_HOSTS="127.0.0.1",
        TASK_BACKEND="database",  # as deployed: triage's notifications are queued, not sent in the request
        LOG_LEVEL="WARNING",
    )
    return start_gunicorn(env, workers)


def _cpu_seconds(pid: int) -> float:
    """User + system CPU of `pid` and its descendants (the gunicorn workers), from /proc (Linux)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        with open(f"/proc/{pid}/task/{pid}/children") as children:
            kids = [int(kid) for kid in children.read().split()]
    except OSError:
        return 0.0
    own = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return own + sum(_cpu_seconds(kid) for kid in kids)


def prepare(report) -> tuple[Campaign, list[Browser]]:
    return prepare_census(STUDENTS, SUBMISSIONS, report)


# --- the benchmark ------------------------------------------------------------------------------------


def _measured(server: subprocess.Popen, jobs: list, step) -> tuple:
    """drive() plus the CPU per request of the server's workers and of this load script (ms)."""
    server_cpu, client_cpu = _cpu_seconds(server.pid), time.process_time()
    seconds, latencies, errors = drive(jobs, step, CONCURRENCY)
    count = max(1, len(latencies))
    cpu = ((_cpu_seconds(server.pid) - server_cpu) * 1000 / count, (time.process_time() - client_cpu) * 1000 / count)
    return seconds, latencies, errors, cpu


def _figures(report, label, seconds, latencies, errors, cpu, target=None):
    done = len(latencies)
    rate = done / seconds if seconds else 0.0
    p50, p95, p99 = (percentile(latencies, p) for p in (50, 95, 99)) if latencies else (0.0, 0.0, 0.0)
    verdict = ""
    if target:
        rate_target, p99_target = target
        met = rate >= rate_target and p99 <= p99_target and not errors
        verdict = f"; target ≥{rate_target}/s, p99 ≤{p99_target} ms, 0 errors: {'met' if met else 'MISSED'}"
    report(
        f"{label}",
        rate,
        "req/s",
        f"{done} in {seconds:.2f} s; p50/p95/p99 {p50:.1f}/{p95:.1f}/{p99:.1f} ms; errors {len(errors)}{verdict}; "
        f"CPU/request: gunicorn {cpu[0]:.1f} ms, load script {cpu[1]:.1f} ms",
    )
    for error in sorted(set(errors))[:5]:
        print(f"      error ({errors.count(error)}×): {error[:200]}")


def run(report):
    vendor = connection.vendor
    workers = POSTGRESQL_WORKERS if vendor == "postgresql" else 1
    if vendor != "postgresql":
        report("SQLite: one gunicorn worker (writers serialise)", 1, "worker", "set DATABASE_URL for PostgreSQL")
    campaign, browsers = prepare(report)
    if vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    connection.close()  # the server's workers have the database to themselves
    server, port = start_server(workers)
    try:
        load = os.getloadavg()[0]
        note = f"{os.cpu_count()} CPUs, load average {load:.2f} before the run; {CONCURRENCY} client threads"
        report("gunicorn sync workers", workers, "", note)

        sitting = Sitting(port)
        get_entry, post_entry = sitting.get_entry, sitting.post_entry
        get_questionnaire, post_submit = sitting.get_questionnaire, sitting.post_submit

        def post_baseline(browser: Browser) -> str:
            form = {"csrfmiddlewaretoken": browser.csrf}
            status, _, _ = request(port, browser, "POST", "/bench/three-inserts/", form)
            return "" if status == 200 else f"baseline {status}"

        warm = [Browser("", "", "") for _ in range(workers * 4)]
        for browser in warm:  # each worker imports and connects before the clock starts
            request(port, browser, "GET", "/screening/enter/")
        _, _, errors = drive(browsers, get_entry, CONCURRENCY)
        assert not errors, errors[:3]
        _figures(
            report, "sitting entry (code + 学号 + check)", *_measured(server, browsers, post_entry), TARGETS["entry"]
        )
        _, _, errors = drive(browsers, get_questionnaire, CONCURRENCY)
        assert not errors, errors[:3]
        submission = _measured(server, browsers, post_submit)
        _figures(report, "final submission (2 instruments)", *submission, TARGETS["submission"])
        baseline = _measured(server, browsers, post_baseline)
        _figures(report, "baseline: bare view, 3 inserts in 1 transaction", *baseline)
        rates = [len(figures[1]) / figures[0] if figures[0] else 0.0 for figures in (submission, baseline)]
        report(
            "submission's share of the bare view's rate",
            100 * rates[0] / rates[1] if rates[1] else 0.0,
            "%",
            f"{workers} workers; the issue's target ≥ 40 % (24 % with the access log's lock on the request path)",
        )
    finally:
        stop_server(server)

    submitted = Participation.objects.filter(campaign=campaign, status=Participation.Status.SUBMITTED).count()
    results = Result.objects.filter(campaign=campaign).count()
    expected = len(browsers) * len(CODES)
    lost = len(browsers) - submitted
    sealed = seal_audit().sealed
    checked, broken = verify_chain()
    report(
        "verify: access log sealed and chained",
        checked,
        "entries",
        f"{sealed} sealed after the run; {'intact' if broken is None else f'BROKEN at #{broken.seq}'}",
    )
    report(
        "verify: participations submitted",
        submitted,
        "",
        f"expected {len(browsers)}; lost {lost}; Results {results} (expected {expected})"
        f"{'' if submitted == len(browsers) and results == expected else ' — MISMATCH'}",
    )
