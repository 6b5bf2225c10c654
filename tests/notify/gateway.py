"""A webhook receiver on 127.0.0.1 for fault-injection tests and the benchmark.

It answers like an SMS gateway or a group robot: HTTP 200 and {"errcode": 0}. It can be told to fail
the next N requests (with a status, or by closing the connection), and it dedupes by Idempotency-Key as
a real gateway does: every request is recorded in `requests`, but each key has one effect in `effects`.
"""

import json
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    path: str
    key: str
    headers: dict
    body: bytes
    at: float  # time.perf_counter() when the request arrived

    @property
    def payload(self):
        return json.loads(self.body)


@dataclass
class Gateway:
    host: str = "127.0.0.1"
    port: int = 0
    requests: list[Received] = field(default_factory=list)
    arrivals: list[Received] = field(default_factory=list)  # as each request arrives, before any delay
    effects: dict[str, Received] = field(default_factory=dict)
    fail_next: int = 0
    fail_status: int = 500  # 0: drop the connection without an answer
    reply: bytes = b'{"errcode": 0, "errmsg": "ok"}'
    delay: float = 0.0  # seconds before answering (a slow gateway)

    def __post_init__(self):
        self.lock = threading.Lock()
        self.server = _Server((self.host, self.port), _handler(self))
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> "Gateway":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)

    def fail(self, times: int, status: int = 500) -> None:
        with self.lock:
            self.fail_next, self.fail_status = times, status

    def keys(self) -> list[str]:
        with self.lock:
            return [r.key for r in self.requests]

    def _receive(self, handler) -> tuple[int, bytes] | None:
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length)
        received = Received(
            path=handler.path,
            key=handler.headers.get("Idempotency-Key", ""),
            headers=dict(handler.headers.items()),
            body=body,
            at=time.perf_counter(),
        )
        with self.lock:
            self.arrivals.append(received)
            delay = self.delay
        if delay:
            time.sleep(delay)
        with self.lock:
            self.requests.append(received)
            if self.fail_next > 0:
                self.fail_next -= 1
                return (self.fail_status, b'{"error": "injected"}') if self.fail_status else None
            self.effects.setdefault(received.key, received)
        return 200, self.reply


class _Server(ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        """A sender that hangs up mid-answer (a killed worker) is expected here, not an error."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def _handler(gateway: Gateway):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):
            answer = gateway._receive(self)
            if answer is None:  # hang up without an answer, as a crashing gateway does
                self.close_connection = True
                return
            status, body = answer
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format, *args):  # quiet
            pass

    return Handler
