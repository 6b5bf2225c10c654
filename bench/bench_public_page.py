"""Public mental-health page: requests/s for the home page and an article, signed out, through the full stack.

Requests go in-process through Django's WSGI handler (`django.core.handlers.wsgi.WSGIHandler`, every
middleware of the real settings: security, CSP, WhiteNoise, sessions, language, CSRF, auth, no-store …),
one request after another, as one worker process serves them. In-process rather than gunicorn on loopback
so that the figure measures Django and the page cache, not the HTTP parser or the machine's other load;
a deployment with one worker per core (2 here) serves about twice this. The baseline is the bare health
check (/health/: one `SELECT 1`; SQLite connections are not kept between requests) in the same run.
Each public answer is checked: 200, `Cache-Control: public`, no Set-Cookie. Target: ≥ 1,000 requests/s
for each page. Besides wall-clock requests/s, each figure gives requests per CPU-second of this process,
which the other processes busy on a shared machine do not distort.
"""

import io
import os
import time

from django.core.cache import cache
from django.core.handlers.wsgi import WSGIHandler
from django.test import override_settings

from bench.harness import sized
from xinyu.org.demo import build_demo_college
from xinyu.org.models import School
from xinyu.public.demo import seed_public
from xinyu.public.models import Article

STUDENTS = sized(600, 300)
SECONDS = sized(3.0, 0.05)
TARGET = 1000


def _environ(path: str, query: str = "") -> dict:
    return {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "80",
        "HTTP_HOST": "localhost",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_ACCEPT": "text/html",
        "HTTP_USER_AGENT": "Mozilla/5.0 (iPhone; bench)",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.url_scheme": "http",
        "wsgi.errors": io.StringIO(),
        "wsgi.version": (1, 0),
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }


def _request(handler, path: str) -> tuple[str, dict, bytes]:
    answer = {}

    def start_response(status, headers, exc_info=None):
        answer["status"], answer["headers"] = status, headers

    body = b"".join(handler(_environ(path), start_response))
    return answer["status"], answer["headers"], body


def _rate(handler, path: str, *, public: bool) -> tuple[float, float, int]:
    status, headers, body = _request(handler, path)  # warm: the first answer fills the page cache
    assert status.startswith("200"), (path, status)
    names = {name.lower(): value for name, value in headers}
    assert "set-cookie" not in names, (path, names)
    if public:
        assert names["cache-control"].startswith("public"), (path, names)
    count, started, started_cpu = 0, time.perf_counter(), time.process_time()
    deadline = started + SECONDS
    while True:
        _request(handler, path)
        count += 1
        if time.perf_counter() >= deadline:
            break
    wall, cpu = time.perf_counter() - started, time.process_time() - started_cpu
    return count / wall, count / max(cpu, 1e-9), len(body)


def run(report):
    build_demo_college(students=STUDENTS)
    school = School.objects.get()
    seed_public(school, 1)
    article = Article.objects.filter(status=Article.Status.PUBLISHED).order_by("-published_at").first()
    cache.clear()
    handler = WSGIHandler()
    cases = [
        ("health check (baseline)", "/health/", False),
        ("public home /xinli/", "/xinli/", True),
        ("article page", f"/xinli/articles/{article.pk}/", True),
        ("article list", "/xinli/articles/", True),
    ]
    worst = None
    with override_settings(DEBUG=False, ALLOWED_HOSTS=["localhost"]):
        for label, path, public in cases:
            rate, per_cpu, size = _rate(handler, path, public=public)
            report(
                f"{label} requests/s",
                rate,
                "req/s",
                f"{per_cpu:,.0f} per CPU-second of this process; {size:,} bytes, one process, signed out",
            )
            if public and label != "article list":
                worst = (rate, per_cpu) if worst is None else min(worst, (rate, per_cpu))
    rate, per_cpu = worst
    verdict = "meets" if rate >= TARGET else ("meets per CPU-second" if per_cpu >= TARGET else "MISSES")
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    report(
        "slower of home and article",
        rate,
        "req/s",
        f"{per_cpu:,.0f} per CPU-second: {verdict} the {TARGET:,} requests/s target (one process); "
        f"load average {load} on {os.cpu_count()} CPUs",
    )
