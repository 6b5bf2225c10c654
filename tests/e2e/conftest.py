"""Browser tests: Playwright's sync API driving Debian's Chromium against pytest-django's live server.

One browser for the browser tests, a fresh browser context (cookies, storage) for every test.
Every page is watched: an uncaught script error, a Content-Security-Policy violation, a console error
or a static asset that fails to load fails the test, so these tests are what proves the strict CSP
(no inline scripts or styles) holds in a real browser.

Without Chromium the tests are skipped with the reason; with XINYU_REQUIRE_BROWSER=1 (CI) they fail.
"""

import os
import re
import threading
from pathlib import Path
from urllib.parse import urlparse

import pytest
from django.core.servers.basehttp import ThreadedWSGIServer
from django.db import connections
from playwright.sync_api import sync_playwright
from pytest_django.live_server_helper import LiveServer

from tests.helpers import empty_access_log_for_flush
from xinyu.env import env_bool

CHROMIUM_PATH = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ASYNC_UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"
# The flags this machine needs: no sandbox as root, and no background traffic to Google's hosts,
# which the closed network refuses.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"viewport": {"width": 1280, "height": 800}}
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 3,
}
# How long a step waits: a busy 2-core CI machine serves some pages slowly; only a failing step waits it out.
TIMEOUT_MS = 30_000


_SKIPPED_BECAUSE = pytest.StashKey[str]()


def pytest_terminal_summary(terminalreporter, config):
    """Says at the end of a run, not only with -rs, why the browser tests did not run."""
    if reason := config.stash.get(_SKIPPED_BECAUSE, None):
        terminalreporter.write_line(f"Browser tests skipped: {reason}.", yellow=True)


def results_dir(config) -> Path:
    """Where screenshots for humans go: test-results/e2e/ at the repository root (ignored by git)."""
    path = Path(config.rootpath) / "test-results" / "e2e"
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="package")
def browser(request):
    """One Chromium for all browser tests, started by the first and stopped after the last of them.

    Not for the whole session: while Playwright's sync API is running, the test thread looks to Django
    like async code (Playwright marks its event loop as running between calls), so the ORM refuses
    to run without DJANGO_ALLOW_ASYNC_UNSAFE and keeps the thread's database connections apart from
    the ones opened before. Both last only while this fixture does; the rest of the suite runs as usual.
    """
    if not (os.path.isfile(CHROMIUM_PATH) and os.access(CHROMIUM_PATH, os.X_OK)):
        reason = (
            f"browser tests need Chromium at {CHROMIUM_PATH}: "
            "`apt-get install chromium fonts-noto-cjk`, or point CHROMIUM_PATH at one"
        )
        if env_bool("XINYU_REQUIRE_BROWSER"):
            pytest.fail(f"XINYU_REQUIRE_BROWSER=1 and {reason}", pytrace=False)
        request.config.stash[_SKIPPED_BECAUSE] = reason
        pytest.skip(reason)

    allow_before = os.environ.get(ASYNC_UNSAFE)
    os.environ[ASYNC_UNSAFE] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGS, headless=True)
            yield browser
            browser.close()
            # Close the connections the tests opened while Playwright ran, before it stops and they
            # can no longer be reached (PostgreSQL would refuse to drop the test database).
            connections.close_all()
    finally:
        if allow_before is None:
            os.environ.pop(ASYNC_UNSAFE, None)
        else:
            os.environ[ASYNC_UNSAFE] = allow_before


class OneRequestAtATimeServer(ThreadedWSGIServer):
    """The live server, handling one request at a time while it shares the test's database connection.

    With SQLite's in-memory test database, pytest-django hands the test's one connection to every
    server thread; two requests at once on it fail with "database table is locked" (a page load racing
    an htmx request is enough). Each request then runs to its last byte under a lock. PostgreSQL
    gives each server thread its own connection, and requests there run side by side as in production.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.request_lock = threading.Lock()

    def get_app(self):
        app = super().get_app()
        if not self.connections_override:
            return app

        def serialised(environ, start_response):
            with self.request_lock:
                result = app(environ, start_response)
                try:
                    body = b"".join(result)
                finally:
                    if hasattr(result, "close"):
                        result.close()
            return [body]

        return serialised


@pytest.fixture(scope="package")
def live_server(request, django_db_setup, browser):
    """pytest-django's live server (same address options), with the server class above.

    Started once the test database exists and Playwright runs, so that it is handed the very
    connection the tests use (for SQLite's in-memory database), not one the server opens again.
    """
    address = request.config.getvalue("liveserver") or os.getenv("DJANGO_LIVE_TEST_SERVER_ADDRESS") or "localhost"
    server = LiveServer(address, start=False)
    server.thread.server_class = OneRequestAtATimeServer
    server.start()
    yield server
    server.stop()


class PageWatch:
    """What went wrong in the browser while a test ran: script errors, CSP violations, failed loads."""

    # Chromium reports a CSP refusal on the console: "Refused to execute inline script because it
    # violates the following Content Security Policy directive: ...".
    CSP = re.compile(r"Content[ -]Security[ -]Policy", re.IGNORECASE)

    def __init__(self):
        self.problems: list[str] = []
        self.csp_violations: list[str] = []
        # Pages the test opened on purpose that answer with an error status (a 404 for an outsider);
        # the test asserts that status itself, so the browser's "failed to load" about them is expected.
        self._error_documents: set[str] = set()

    def attach(self, page):
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.problems.append(f"uncaught script error: {error}"))
        page.on("response", self._on_response)
        page.on("requestfailed", self._on_request_failed)

    @staticmethod
    def _is_favicon(url: str) -> bool:
        # Chromium asks for /favicon.ico on its own when a page names no icon; not the page's doing.
        return urlparse(url).path == "/favicon.ico"

    def _on_console(self, message):
        text = message.text
        if self.CSP.search(text):
            self.csp_violations.append(text)
            self.problems.append(f"CSP violation: {text}")
        elif message.type == "error":
            url = (message.location or {}).get("url", "")
            if text.startswith("Failed to load resource") and (url in self._error_documents or self._is_favicon(url)):
                return
            self.problems.append(f"console error: {text} ({url})")

    def _on_response(self, response):
        if response.status < 400 or self._is_favicon(response.url):
            return
        if response.request.resource_type == "document":
            self._error_documents.add(response.url)
        else:
            self.problems.append(f"{response.status} for {response.request.resource_type} {response.url}")

    def _on_request_failed(self, request):
        # ERR_ABORTED: the browser dropped a request because the page navigated away, not a fault.
        if request.resource_type == "document" or request.failure == "net::ERR_ABORTED":
            return
        self.problems.append(f"request failed: {request.resource_type} {request.url} ({request.failure})")

    def take(self) -> list[str]:
        problems, self.problems = self.problems, []
        self.csp_violations = []
        return problems


@pytest.fixture
def page_watch():
    return PageWatch()


@pytest.fixture(scope="session")
def screenshot_dir(request) -> Path:
    """test-results/e2e/, for humans to look at; emptied of the failure screenshots of an earlier run."""
    folder = results_dir(request.config)
    for stale in folder.glob("FAILED-*.png"):
        stale.unlink()
    return folder


def _open_page(browser, live_server, request, page_watch, screenshot_dir, options):
    context = browser.new_context(base_url=live_server.url, locale="zh-CN", timezone_id="Asia/Shanghai", **options)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page_watch.attach(page)
    yield page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        page.screenshot(path=screenshot_dir / f"FAILED-{request.node.name}.png", full_page=True)
    context.close()
    # Let a request still in flight finish before the test's teardown touches the shared connection.
    server = getattr(live_server.thread, "httpd", None)
    if isinstance(server, OneRequestAtATimeServer):
        with server.request_lock:
            pass
    problems = page_watch.take()
    if problems:
        pytest.fail("the browser reported problems:\n  " + "\n  ".join(problems), pytrace=False)


@pytest.fixture
def page(browser, live_server, transactional_db, request, page_watch, screenshot_dir, _empty_access_log):
    """A desktop browser tab in a fresh context, pointed at the live server."""
    yield from _open_page(browser, live_server, request, page_watch, screenshot_dir, DESKTOP)


@pytest.fixture
def phone_page(browser, live_server, transactional_db, request, page_watch, screenshot_dir, _empty_access_log):
    """A phone-sized tab (390×844, touch, 3× pixels) in a fresh context, pointed at the live server."""
    yield from _open_page(browser, live_server, request, page_watch, screenshot_dir, PHONE)


@pytest.fixture
def _empty_access_log(transactional_db):
    """Empties the access log after a browser test, before pytest-django flushes the database.

    The log is append-only by design: on SQLite a trigger refuses DELETE, so the flush that ends a
    transactional test would fail once a page has written an entry. The triggers are dropped only
    for this one statement, in the test database. PostgreSQL's flush uses TRUNCATE, which its
    row-level trigger does not see.
    """
    yield
    empty_access_log_for_flush()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keeps each phase's report on the test item, so a page fixture can screenshot a failed test."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report
