"""Several web machines, on loopback: two gunicorn processes behind a round-robin proxy, two RQ workers and
the clock (`run_clock --enqueue`), all on one PostgreSQL database and one Redis database, as README's
"Several web machines" deploys them. Through the proxy: a census sitting (bench/census.py), an urgent
concern report and its escalation; one gunicorn is killed (SIGKILL) mid-way through the submissions and the
RQ worker delivering the urgent report's messages mid-send. Afterwards nothing is lost: every submission
answered with success is stored with its results, every message of the report reaches the gateway and is
recorded as sent, each escalation happened exactly once, and `check_crisis_invariants` passes.

The proxy overwrites X-Forwarded-For with the address it was reached from (the test's browsers come from
127.0.0.2 and claim 6.6.6.6), the servers trust it (TRUSTED_PROXIES), and the access log records 127.0.0.2.
It retries an idempotent GET on the other server when one does not answer, never a POST; a browser whose
POST failed sends it again, as a person presses again.

Runs in .ci/run's RQ phase (TASK_BACKEND=rq, XINYU_REQUIRE_REDIS=1, PostgreSQL); skipped elsewhere. Every
process runs in its own process group and is killed whatever happens."""

import datetime as dt
import http.client
import itertools
import json
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import redis
from django.db import connection
from django.test import Client
from django.utils import timezone
from rq import Worker

from bench import census
from tests import rq_support
from tests.helpers import wait_for
from tests.notify.gateway import Gateway
from xinyu.accounts.models import User
from xinyu.audit.models import AuditEntry
from xinyu.concerns.models import Acknowledgement, AckRecipient, ConcernReport
from xinyu.notify.models import Notification, OutboxMessage
from xinyu.org.demo import demo_accounts
from xinyu.org.models import Appointment, Student
from xinyu.screening.models import Participation, Result

pytestmark = pytest.mark.django_db(transaction=True)

STUDENTS = 300  # the demo college's smallest size
SUBMISSIONS = 40
CONCURRENCY = 4
CLIENT = "127.0.0.2"  # where the browsers come from (loopback); the proxy and the servers are on 127.0.0.1
LEASE = 4  # NOTIFY_URGENT_LEASE_SECONDS in the processes (production: 30)
DOWN_SECONDS = 1.0  # a server that did not answer is left out this long, then tried again (a health check)
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "proxy-connection"}


# --- the load balancer --------------------------------------------------------------------------------


class Proxy:
    """Round robin over the servers' ports. X-Forwarded-For is overwritten with the peer's address; a GET
    or HEAD a server does not answer is sent to the next one (the server is then left out for a while); a
    POST is sent once, and a 502 answers it when its server does not."""

    def __init__(self, ports: list[int]):
        self.ports = ports
        self.turn = itertools.count()
        self.down_until: dict[int, float] = {}
        self.lock = threading.Lock()
        self.retried_gets = 0
        self.failed_posts = 0
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _proxy_handler(self))
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def start(self) -> "Proxy":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def pick(self) -> int:
        with self.lock:
            now = time.monotonic()
            alive = [port for port in self.ports if self.down_until.get(port, 0) <= now] or self.ports
            return alive[next(self.turn) % len(alive)]

    def mark_down(self, port: int) -> None:
        with self.lock:
            self.down_until[port] = time.monotonic() + DOWN_SECONDS


def _proxy_handler(proxy: Proxy):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0"

        def do_GET(self):
            self._forward(idempotent=True)

        def do_HEAD(self):
            self._forward(idempotent=True)

        def do_POST(self):
            self._forward(idempotent=False)

        def _forward(self, *, idempotent: bool):
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            headers = {
                name: value
                for name, value in self.headers.items()
                if name.lower() not in HOP_BY_HOP and name.lower() != "x-forwarded-for"
            }
            headers["X-Forwarded-For"] = self.client_address[0]  # never the client's own claim
            attempts = len(proxy.ports) if idempotent else 1
            for attempt in range(attempts):
                port = proxy.pick()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                try:
                    conn.request(self.command, self.path, body=body or None, headers=headers)
                    response = conn.getresponse()
                    payload = response.read()
                except OSError:
                    proxy.mark_down(port)
                    if attempt + 1 < attempts:
                        with proxy.lock:
                            proxy.retried_gets += 1
                        continue
                    if not idempotent:
                        with proxy.lock:
                            proxy.failed_posts += 1
                    self.send_error(502)
                    return
                finally:
                    conn.close()
                self.send_response_only(response.status, response.reason)
                for name, value in response.getheaders():
                    if name.lower() not in HOP_BY_HOP and name.lower() != "content-length":
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(payload)
                return

        def log_message(self, *args):
            pass

    return Handler


# --- the processes --------------------------------------------------------------------------------------


class Processes:
    """Every process started, each in its own process group, killed (with its children) whatever happens."""

    def __init__(self, tmp_path, env):
        self.tmp_path = tmp_path
        self.env = env
        self.started: list[subprocess.Popen] = []
        self.logs = []

    def log(self, name):
        handle = (self.tmp_path / f"{name}.log").open("wb")
        self.logs.append(handle)
        return handle

    def manage(self, name, *args) -> subprocess.Popen:
        process = subprocess.Popen(  # noqa: S603 (this interpreter, the project's manage.py)
            [sys.executable, "manage.py", *args],
            cwd=census.ROOT,
            env=self.env,
            stdout=self.log(name),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.started.append(process)
        return process

    def gunicorn(self, name) -> tuple[subprocess.Popen, int]:
        server, port = census.start_gunicorn(self.env, workers=2, log=self.log(name))
        self.started.append(server)
        return server, port

    def kill_all(self) -> None:
        for process in self.started:
            rq_support.kill_tree(process.pid)
            process.wait(timeout=10)
        for handle in self.logs:
            handle.close()

    def output(self) -> str:
        return "\n".join(
            f"--- {path.name}\n{path.read_text(errors='replace')[-3000:]}"
            for path in sorted(self.tmp_path.glob("*.log"))
        )


def persist(step):
    """A step as a person does it: tried again (up to three times) when the answer was not the expected one."""

    def run(browser):
        error = ""
        for _attempt in range(3):
            if not (error := step(browser)):
                return ""
            time.sleep(0.2)
        return error

    return run


def signed_in(user) -> census.Browser:
    """A staff member's browser with a session made by Django's own login, in the database session store
    the servers share."""
    client = Client()
    client.force_login(user)
    return census.Browser("", "", "", cookies={"sessionid": client.cookies["sessionid"].value})


def send(port: int, browser: census.Browser, method: str, path: str, form: dict | None = None):
    return census.request(port, browser, method, path, form, source=CLIENT, headers={"X-Forwarded-For": "6.6.6.6"})


def test_two_web_machines_two_workers_and_the_clock_lose_nothing_when_killed(tmp_path, capsys):
    if connection.vendor != "postgresql":
        if rq_support.required():
            pytest.fail("the deployment test needs PostgreSQL (DATABASE_URL) in the RQ phase")
        pytest.skip("several web machines share a PostgreSQL database; set DATABASE_URL=postgres://…")
    rq_support.use_backend("rq")
    rq_support.flush()
    began = time.perf_counter()

    campaign, browsers = census.prepare(STUDENTS, SUBMISSIONS)
    accounts = {account.key: account.username for account in demo_accounts()}
    advisor = User.objects.get(username=accounts["advisor"])
    advised = Appointment.objects.current().filter(person=advisor).exclude(class_group=None)
    student = Student.objects.filter(class_group_id__in=advised.values("class_group_id")).order_by("pk").first()
    gateway = Gateway().start()
    var = tmp_path / "var"
    var.mkdir()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "xinyu.settings",
        "XINYU_ENV": "development",  # the real settings; the test's keys stay in os.environ
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "TRUSTED_PROXIES": "127.0.0.1/32",
        "XINYU_VAR_DIR": str(var),  # the shared media storage
        "DATABASE_URL": census.database_url(),
        "TASK_BACKEND": "rq",
        "REDIS_URL": rq_support.redis_url(),
        "NOTIFY_EMAIL": "false",
        "NOTIFY_WEBHOOKS": json.dumps([{"name": "sms", "url": f"{gateway.url}/sms", "kind": "sms"}]),
        "NOTIFY_URGENT_LEASE_SECONDS": str(LEASE),
        "NOTIFY_WEBHOOK_TIMEOUT_SECONDS": "10",
        "XINYU_ENFORCE_TWO_FACTOR": "false",  # the staff sessions are made by force_login
        "LOG_LEVEL": "WARNING",
    }
    connection.close()  # the servers and workers have the database to themselves
    processes = Processes(tmp_path, env)
    proxy = None
    try:
        workers = [processes.manage(f"rq-worker-{n}", *rq_support.worker_command()) for n in (1, 2)]
        processes.manage("clock", "run_clock", "--enqueue", "--interval", "1", "--invariants-every", "5")
        (first, first_port), (_second, second_port) = processes.gunicorn("web-1"), processes.gunicorn("web-2")
        proxy = Proxy([first_port, second_port]).start()
        sitting = census.Sitting(proxy.port, source=CLIENT)

        # The census sitting: everyone enters; one server dies while the submissions are under way.
        for step in (sitting.get_entry, sitting.post_entry, sitting.get_questionnaire):
            _, _, errors = census.drive(browsers, persist(step), CONCURRENCY, time_cap=60)
            assert not errors, (errors[:3], processes.output())
        answered: dict[str, str] = {}

        def submit(browser):
            error = persist(sitting.post_submit)(browser)
            answered[browser.student_number] = error
            return error

        driving = threading.Thread(target=census.drive, args=(browsers, submit, CONCURRENCY, 60))
        driving.start()
        wait_for(lambda: len(answered) >= SUBMISSIONS // 3, seconds=60, what="a third of the submissions")
        rq_support.kill_tree(first.pid)  # the machine dies: master and workers, requests in flight
        driving.join(timeout=90)
        succeeded = [number for number, error in answered.items() if not error]

        # The census's own messages (red flags) are out before the report, and the gateway turns slow: the
        # worker sending the report's messages is still waiting for it when it is killed.
        wait_for(
            lambda: not OutboxMessage.objects.exclude(status=OutboxMessage.Status.SENT).exists(),
            seconds=60,
            what="the census's messages to be sent",
        )
        gateway.delay = 2.0

        # An urgent report, through the surviving server; its messages go out through the RQ workers. The
        # dead server is tried again once its time out is over: one of the two GETs goes there first.
        reporter = signed_in(advisor)
        time.sleep(DOWN_SECONDS)
        retried = proxy.retried_gets
        for _attempt in range(2):
            status, _, page = send(proxy.port, reporter, "GET", "/concerns/report/")
            assert status == 200, page[:500]
        assert proxy.retried_gets == retried + 1
        form = {
            "csrfmiddlewaretoken": census.TOKEN.search(page).group(1),
            "who": student.pk,
            "category": "self_harm",
            "urgency": "urgent",
            "description": "夜里在宿舍说了不想活了",
            "place": "宿舍",
        }
        status, location, page = send(proxy.port, reporter, "POST", "/concerns/report/", form)
        assert (status, "/thanks/" in location) == (302, True), (status, location, page[:500])
        report = ConcernReport.objects.get(student=student)
        messages = OutboxMessage.objects.filter(notification__dedupe_key__startswith=f"ack{report.ack.pk}:")
        assert messages.filter(channel="webhook:sms").exists()

        # The worker sending them dies mid-send (the gateway is slow); the other one sends them again.
        keys = {str(key) for key in messages.values_list("idempotency_key", flat=True)}
        wait_for(
            lambda: keys & {arrival.key for arrival in gateway.arrivals},
            seconds=30,
            what="the first of the report's messages at the gateway",
        )
        sender = wait_for(
            lambda: _worker_running(workers, "deliver_outbox"), seconds=10, what="the worker sending the messages"
        )
        rq_support.kill_tree(sender.pid)
        gateway.delay = 0
        wait_for(
            lambda: not messages.exclude(status=OutboxMessage.Status.SENT).exists(),
            seconds=60,
            what="every message of the urgent report to be sent",
        )

        # Nobody takes the report: its next action falls due, twice, and the clock's tick (a task on the
        # surviving worker) reminds, then escalates, each once.
        ack = Acknowledgement.objects.get(report=report)
        for stage in (1, 2):
            Acknowledgement.objects.filter(pk=ack.pk).update(next_action_at=timezone.now() - dt.timedelta(seconds=1))
            wait_for(
                lambda stage=stage: Acknowledgement.objects.get(pk=ack.pk).stage >= stage,
                seconds=30,
                what=f"stage {stage} of the acknowledgement",
            )
        time.sleep(3)  # three more passes of the clock: nothing is done twice
        ack.refresh_from_db()
        assert (ack.stage, ack.next_action_at > timezone.now()) == (2, True)
        escalated_to = set(AckRecipient.objects.filter(ack=ack, stage=2).values_list("person_id", flat=True))
        told = Notification.objects.filter(dedupe_key__startswith=f"ack{ack.pk}:2:")
        assert escalated_to and set(told.values_list("recipient_id", flat=True)) == escalated_to
        assert told.count() == len(escalated_to)
        wait_for(
            lambda: not messages.exclude(status=OutboxMessage.Status.SENT).exists(),
            seconds=30,
            what="the escalation's messages to be sent",
        )

        invariants = subprocess.run(
            [sys.executable, "manage.py", "check_crisis_invariants"],
            cwd=census.ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        processes.kill_all()
        if proxy:
            proxy.stop()
        gateway.stop()

    # Every submission answered with success is stored, with its results.
    submitted = Participation.objects.filter(
        campaign=campaign,
        status=Participation.Status.SUBMITTED,
        student__student_number__in=succeeded,
    )
    assert submitted.count() == len(succeeded), processes.output()
    assert Result.objects.filter(campaign=campaign, response__participation__in=submitted).count() == len(
        succeeded
    ) * len(census.CODES)
    assert len(succeeded) == SUBMISSIONS, [error for error in answered.values() if error][:3]
    # Every message went out, the escalation's too (the receiver drops repeats by their idempotency key).
    keys = {str(key) for key in messages.values_list("idempotency_key", flat=True)}
    assert keys <= set(gateway.keys())
    assert invariants.returncode == 0, invariants.stdout + invariants.stderr
    # The access log has the browsers' address from the proxy, never what they claimed.
    assert AuditEntry.objects.filter(address=CLIENT).exists()
    assert not AuditEntry.objects.filter(address="6.6.6.6").exists()
    with capsys.disabled():
        print(
            f"\nseveral web machines: {len(succeeded)}/{SUBMISSIONS} submissions stored, {proxy.retried_gets} GETs "
            f"retried and {proxy.failed_posts} POSTs failed after a server was killed, {messages.count()} messages "
            f"sent ({sum(count for key, count in Counter(gateway.keys()).items() if key in keys)} requests at the "
            "gateway) after a worker was killed mid-send; "
            f"{time.perf_counter() - began:.1f} s"
        )


def _worker_running(workers: list[subprocess.Popen], task_name: str):
    """The worker process (of `workers`) whose current RQ job is `task_name`, or None."""
    pids = {process.pid: process for process in workers if process.poll() is None}
    with redis.Redis.from_url(rq_support.redis_url()) as connection_:
        for worker in Worker.all(connection=connection_):
            job = worker.get_current_job()
            if job is not None and job.func_name.endswith(task_name) and worker.pid in pids:
                return pids[worker.pid]
    return None
