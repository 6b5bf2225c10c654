"""A census sitting driven like browsers, shared by bench_screening_load and the deployment test
(tests/deploy/test_several_web_machines.py): the campaign and its sittings made through the services, a
bounded loopback load script (threads, http.client, a time cap) and a gunicorn server in its own process
group, stopped (and killed if it will not stop) whatever happens.

Each student's browser GETs the entry page for its CSRF cookie and token, POSTs code + 学号 + check (the
session is bound), GETs the questionnaire for the token and submission key, then POSTs the submission (the
answers were saved through the services beforehand)."""

import contextlib
import datetime as dt
import http.client
import os
import queue
import random
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection
from django.utils import timezone

from xinyu.accounts.models import User
from xinyu.org.demo import build_demo_college, demo_accounts
from xinyu.org.models import Appointment, ClassGroup, Student
from xinyu.screening.campaigns import create_campaign
from xinyu.screening.models import Campaign, Participation
from xinyu.screening.questionnaire import pages, record_consent, save_answer
from xinyu.screening.scope import SITTING_POSTS
from xinyu.screening.services import get_instrument, load_shipped_instruments
from xinyu.screening.sittings import open_sitting

ROOT = Path(__file__).resolve().parent.parent
CODES = ("PHQ-9", "GAD-7")
TIME_CAP = 120.0  # seconds for one driven phase; requests not started by then count as errors


# --- the load script: a bounded loopback client -------------------------------------------------------


@dataclass
class Browser:
    """One student's browser: its cookies and the last CSRF token and submission key it was given."""

    student_number: str
    check: str
    code: str
    cookies: dict = field(default_factory=dict)
    csrf: str = ""
    submission_key: str = ""


TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
KEY = re.compile(r'name="submission_key" value="([^"]+)"')


def request(
    port: int,
    browser: Browser,
    method: str,
    path: str,
    form: dict | None = None,
    *,
    source: str | None = None,
    headers: dict | None = None,
):
    """One request on a fresh loopback connection (sync workers close after each); keeps the cookies.
    `source`: the loopback address it comes from (127.0.0.2, say; the default is the kernel's choice)."""
    body = urllib.parse.urlencode(form).encode() if form is not None else None
    headers = {
        **(headers or {}),
        "Host": "127.0.0.1",
        "Cookie": "; ".join(f"{k}={v}" for k, v in browser.cookies.items()),
    }
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30, source_address=(source, 0) if source else None)
    try:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        text = response.read().decode("utf-8", "replace")
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                browser.cookies[key.strip()] = rest.split(";", 1)[0]
        return response.status, response.getheader("Location") or "", text
    finally:
        conn.close()


class Sitting:
    """The four requests of one student's sitting against the server on `port`; each returns an error
    text, or "" when the answer was the one a browser expects."""

    def __init__(self, port: int, *, source: str | None = None):
        self.port = port
        self.source = source

    def _request(self, browser: Browser, method: str, path: str, form: dict | None = None):
        return request(self.port, browser, method, path, form, source=self.source)

    def get_entry(self, browser: Browser) -> str:
        status, _, text = self._request(browser, "GET", f"/screening/enter/?code={browser.code}")
        found = TOKEN.search(text)
        browser.csrf = found.group(1) if found else ""
        return "" if status == 200 and found else f"entry page {status}"

    def post_entry(self, browser: Browser) -> str:
        form = {
            "csrfmiddlewaretoken": browser.csrf,
            "code": browser.code,
            "student_number": browser.student_number,
            "check": browser.check,
        }
        status, location, _ = self._request(browser, "POST", "/screening/enter/", form)
        return "" if status == 302 and location.endswith("/screening/answer/") else f"entry {status} {location}"

    def get_questionnaire(self, browser: Browser) -> str:
        status, _, text = self._request(browser, "GET", "/screening/answer/")
        token, key = TOKEN.search(text), KEY.search(text)
        if status != 200 or not token or not key:
            return f"questionnaire page {status}"
        browser.csrf, browser.submission_key = token.group(1), key.group(1)
        return ""

    def post_submit(self, browser: Browser) -> str:
        form = {"csrfmiddlewaretoken": browser.csrf, "submission_key": browser.submission_key}
        status, location, _ = self._request(browser, "POST", "/screening/answer/submit/", form)
        return "" if status == 302 and location.endswith("/screening/answer/done/") else f"submit {status}"


def drive(jobs: list, step, concurrency: int, time_cap: float = TIME_CAP) -> tuple[float, list[float], list[str]]:
    """Run `step(job)` for every job on `concurrency` threads; returns (seconds, latencies ms, errors).
    Bounded: a fixed list of jobs and `time_cap`; `step` returns an error text or ""."""
    todo: queue.SimpleQueue = queue.SimpleQueue()
    for job in jobs:
        todo.put(job)
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    deadline = time.monotonic() + time_cap

    def worker():
        while time.monotonic() < deadline:
            try:
                job = todo.get_nowait()
            except queue.Empty:
                return
            started = time.perf_counter()
            try:
                error = step(job)
            except OSError as exc:
                error = f"{type(exc).__name__}: {exc}"
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                latencies.append(elapsed)
                if error:
                    errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    while not todo.empty():  # not started within the time cap
        todo.get_nowait()
        errors.append("not sent within the time cap")
    return seconds, latencies, errors


# --- the server ---------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url() -> str:
    """This process's database as a DATABASE_URL for the processes it starts."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    user = urllib.parse.quote(db["USER"] or "")
    password = f":{urllib.parse.quote(db['PASSWORD'])}" if db.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def start_gunicorn(env: dict, workers: int, *, log=None, timeout: float = 60) -> tuple[subprocess.Popen, int]:
    """`gunicorn xinyu.wsgi` on a free loopback port with the environment `env`, in its own process group
    (so that its workers can be killed with it); returns the server and its port once it accepts."""
    port = free_port()
    command = [
        str(Path(sys.executable).parent / "gunicorn"),
        "xinyu.wsgi",
        f"--workers={workers}",
        f"--bind=127.0.0.1:{port}",
        "--worker-class=sync",
        "--log-level=warning",
        f"--chdir={ROOT}",
    ]
    server = subprocess.Popen(  # noqa: S603 (our own fixed command)
        command, env=env, cwd=ROOT, start_new_session=True, stdout=log, stderr=log
    )
    try:
        wait_for_port(server, port, timeout=timeout)
    except BaseException:
        stop_server(server)
        raise
    return server, port


def wait_for_port(server: subprocess.Popen, port: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            if server.poll() is not None:
                raise RuntimeError(f"gunicorn exited at start ({server.returncode})") from None
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not start within {timeout:g} s")


def stop_server(server: subprocess.Popen) -> None:
    """SIGTERM (gunicorn stops its workers and waits for them), then SIGKILL to the whole group."""
    if server.poll() is None:
        server.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            server.wait(timeout=30)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(server.pid, signal.SIGKILL)  # workers left behind, if any
    server.wait()


# --- preparing the campaign ---------------------------------------------------------------------------


def prepare(students: int, submissions: int, report=None) -> tuple[Campaign, list[Browser]]:
    """The demo college with `students` students, a PHQ-9 + GAD-7 campaign with a sitting open in every
    class (by its head teacher or advisor), and `submissions` students who have consented and saved complete
    answers through the services: the browsers that will submit them."""
    started = time.perf_counter()
    build_demo_college(students=students)
    load_shipped_instruments()
    accounts = {account.key: account.username for account in demo_accounts()}
    counsellor = User.objects.get(username=accounts["counsellor"])
    now = timezone.now()
    campaign = create_campaign(
        school=Student.objects.select_related("school").first().school,
        kind=Campaign.Kind.SEMESTER,
        title="负载测试普查",
        instruments=[get_instrument(code) for code in CODES],
        opens_at=now - dt.timedelta(hours=1),
        closes_at=now + dt.timedelta(days=1),
        consent_text="我已了解本次测评的目的与保密规则。",
        consent_version="v1",
        by=counsellor,
    )
    # One sitting per class, opened by its head teacher or advisor (classes without either are skipped).
    openers = {}
    for appointment in Appointment.objects.current().filter(post__in=SITTING_POSTS).select_related("person"):
        openers.setdefault(appointment.class_group_id, appointment.person)
    codes = {}
    for class_group in ClassGroup.objects.filter(pk__in=openers):
        codes[class_group.pk] = open_sitting(campaign, class_group, openers[class_group.pk]).code
    participations = list(
        Participation.objects.filter(campaign=campaign, student__class_group_id__in=codes)
        .select_related("campaign", "student")
        .order_by("pk")[:submissions]
    )
    if len(participations) < submissions:
        raise RuntimeError(f"only {len(participations)} students in classes with a sitting")
    if report:
        report("seed: demo college, campaign, sittings", time.perf_counter() - started, "s", f"{students} students")
    started = time.perf_counter()
    rng = random.Random(20251129)
    browsers = []
    for participation in participations:
        participation = record_consent(participation, agreed=True, consent_version="v1")
        for page in pages(participation):
            for item in page.definition.items:
                options = page.definition.option_set(item.option_set).options if item.option_set else ()
                if options:  # mostly low answers, a few higher: some interview tasks, the odd red flag
                    codes_ = [option.code for option in options]
                    value = codes_[min(len(codes_) - 1, int(rng.expovariate(2.5)))]
                    save_answer(participation, page.response.instrument_id, item.number, value)
        student = participation.student
        browsers.append(Browser(student.student_number, student.reveal_id_number()[-6:], codes[student.class_group_id]))
    if connection.vendor == "postgresql":  # as autovacuum would after such a load: plans from real statistics
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    if report:
        report(
            "prepare: consent + answers via the services",
            time.perf_counter() - started,
            "s",
            f"{len(browsers)} participations, {len(openers)} sittings",
        )
    return campaign, browsers
