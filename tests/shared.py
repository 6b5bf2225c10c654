"""Fixtures built once for a run of tests instead of once per test.

Each test's database work runs in a transaction rolled back at its end (pytest-django's `db`). A fixture
made with `@shared_fixture` is built once, inside an outer transaction that the tests' own transactions
nest in as savepoints, and every test gets a deep copy of what was built: what a test changes, in the
database or in memory, never reaches the next one. The outer transaction lasts while consecutive tests of
one module ask for the same shared fixtures, and is rolled back as soon as they stop (another module,
another set of fixtures, a test asking for none). Tests that commit (`transactional_db`, the browser tests'
live server) build their own, as if the fixture were an ordinary one.

A shared fixture's parameters name the other shared fixtures it builds on, and nothing else.
"""

import copy
import inspect
from collections.abc import Callable

import pytest
from django.db import transaction

BUILD = "_shared_build"


def shared_fixture(build: Callable) -> Callable:
    """`@shared_fixture` over a function building something from other shared fixtures (its parameters)."""
    name = build.__name__
    needs = tuple(inspect.signature(build).parameters)

    def fixture(request, _shared_data, db, **values):
        if name in _shared_data:
            return _shared_data[name]
        return build(**values)

    setattr(fixture, BUILD, build)
    fixture.__name__ = name
    fixture.__doc__ = build.__doc__
    fixture.__signature__ = inspect.Signature(
        inspect.Parameter(arg, inspect.Parameter.POSITIONAL_OR_KEYWORD)
        for arg in ("request", "_shared_data", "db", *needs)
    )
    return pytest.fixture(name=name)(fixture)


def _shared_builds(request) -> dict[str, Callable]:
    """The shared fixtures this test uses, by name, as they resolve for it (a module may override one)."""
    builds = {}
    for name, definitions in request.node._fixtureinfo.name2fixturedefs.items():
        build = getattr(definitions[-1].func, BUILD, None)
        if build is not None:
            builds[name] = build
    return builds


def _commits(request) -> bool:
    marker = request.node.get_closest_marker("django_db")
    flagged = bool(marker and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences")))
    return flagged or bool({"transactional_db", "live_server"} & set(request.fixturenames))


class _Outer:
    """The outer transaction and what was built in it."""

    def __init__(self):
        self.key = None
        self.atomic = None
        self.values: dict = {}

    def values_for(self, key, builds: dict[str, Callable]) -> dict:
        if key != self.key:
            self.close()
            self._open(key, builds)
        return copy.deepcopy(self.values)

    def _open(self, key, builds):
        self.atomic = transaction.atomic()
        self.atomic.__enter__()
        try:
            for name in _in_build_order(builds):
                build = builds[name]
                self.values[name] = build(**{need: self.values[need] for need in inspect.signature(build).parameters})
        except BaseException:
            self.close()
            raise
        self.key = key

    def close(self):
        if self.atomic is not None:
            transaction.set_rollback(True)
            self.atomic.__exit__(None, None, None)
        self.key, self.atomic, self.values = None, None, {}


def _in_build_order(builds: dict[str, Callable]) -> list[str]:
    order: list[str] = []

    def visit(name):
        if name in order:
            return
        if name not in builds:
            raise LookupError(f"a shared fixture builds only on other shared fixtures, not on {name!r}")
        for need in inspect.signature(builds[name]).parameters:
            visit(need)
        order.append(name)

    for name in builds:
        visit(name)
    return order


OUTER = _Outer()


@pytest.fixture
def _shared_data(request, django_db_setup, django_db_blocker) -> dict:
    """Copies of the shared fixtures this test uses, or nothing when it builds its own."""
    builds = _shared_builds(request)
    with django_db_blocker.unblock():
        if _inside_another_transaction():
            return {}
        if not builds or _commits(request):
            OUTER.close()
            return {}
        key = (request.node.module.__name__, tuple(builds.items()))
        return OUTER.values_for(key, builds)


def _inside_another_transaction() -> bool:
    """A module's own outer transaction (a module-scoped fixture) or pytest-django's per-test one is open."""
    open_blocks = transaction.get_connection().atomic_blocks
    return bool(open_blocks) and open_blocks[-1] is not OUTER.atomic


@pytest.fixture
def _django_db_helper(_shared_data, _django_db_helper):
    """pytest-django's per-test transaction, opened after the shared one (`_shared_data` comes first)."""
    yield


@pytest.fixture(scope="module", autouse=True)
def _shared_data_per_module(django_db_blocker):
    yield
    with django_db_blocker.unblock():
        OUTER.close()
