"""What every benchmark shares: the figures' format, smoke mode and the throw-away databases."""

import contextlib
import os
import statistics

from django.conf import settings
from django.db import connection
from django.test.utils import setup_databases, teardown_databases

SMOKE_VARIABLE = "BENCH_SMOKE"


def smoke() -> bool:
    """Smoke mode (`python -m bench --smoke`): every benchmark at tiny sizes, to show that it runs to the end.
    Its figures measure nothing."""
    return os.environ.get(SMOKE_VARIABLE) == "1"


def sized(full, tiny):
    """A benchmark's size, duration or repetition count: `tiny` in smoke mode, `full` otherwise."""
    return tiny if smoke() else full


def report(name: str, value: float, unit: str, note: str = "") -> None:
    print(f"   {name:<48} {value:>12.2f} {unit:<6} {note}")


class Figures:
    """The `report` a benchmark's `run` is given: prints each figure and remembers its name, so that a
    benchmark which reported no baseline can be told apart from one that did."""

    def __init__(self):
        self.names: list[str] = []

    def __call__(self, name: str, value: float, unit: str, note: str = "") -> None:
        report(name, value, unit, note)
        self.names.append(name)

    @property
    def has_baseline(self) -> bool:
        return any("baseline" in name for name in self.names)


def percentile(samples: list[float], pct: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered)) - 1))
    return ordered[index]


def summary(samples: list[float]) -> dict:
    return {"p50": statistics.median(samples), "p95": percentile(samples, 95), "max": max(samples)}


@contextlib.contextmanager
def template_database():
    """A new, migrated database that each benchmark's own database is copied from, dropped afterwards."""
    old = setup_databases(verbosity=0, interactive=False, serialized_aliases=set())
    try:
        yield connection
    finally:
        teardown_databases(old, verbosity=0)


@contextlib.contextmanager
def fresh_database(suffix: str):
    """A copy of the template database for one benchmark, dropped afterwards: no benchmark sees another's
    rows, and none pays for the migrations again."""
    creation = connection.creation
    template = connection.settings_dict["NAME"]
    connection.close()  # SQLite: the copy is of a closed file; PostgreSQL: a template must have no sessions
    creation.clone_test_db(suffix=suffix, verbosity=0)
    _use_database(creation.get_test_db_clone_settings(suffix)["NAME"])
    try:
        yield connection
    finally:
        connection.close()
        _use_database(template)
        creation.destroy_test_db(verbosity=0, suffix=suffix)


def _use_database(name: str) -> None:
    # As Django's own test database set-up does: both, since subprocesses are given settings_dict's name.
    settings.DATABASES[connection.alias]["NAME"] = name
    connection.settings_dict["NAME"] = name
