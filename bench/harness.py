import contextlib
import statistics

from django.db import connection
from django.test.utils import setup_databases, teardown_databases


def report(name: str, value: float, unit: str, note: str = "") -> None:
    print(f"   {name:<48} {value:>12.2f} {unit:<6} {note}")


def percentile(samples: list[float], pct: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered)) - 1))
    return ordered[index]


def summary(samples: list[float]) -> dict:
    return {"p50": statistics.median(samples), "p95": percentile(samples, 95), "max": max(samples)}


@contextlib.contextmanager
def fresh_database():
    """A new, migrated test database for one benchmark, dropped afterwards."""
    old = setup_databases(verbosity=0, interactive=False)
    try:
        yield connection
    finally:
        teardown_databases(old, verbosity=0)
