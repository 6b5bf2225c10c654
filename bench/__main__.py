"""`make bench`: run every benchmark in bench/ and print its figures.

Each `bench/bench_*.py` defines `run(report)`; it measures the target and a baseline in the same run and
calls `report(name, value, unit, note)` for each figure. Benchmarks use their own throw-away SQLite
database under var/bench/ (or a `<name>_bench` database on DATABASE_URL's server), never the demo database.
"""

import importlib
import os
import pkgutil
import sys
import time
from pathlib import Path

import django

from bench.harness import fresh_database, report

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")


def main(selected: list[str]) -> int:

    django.setup()

    modules = sorted(m.name for m in pkgutil.iter_modules([str(Path(__file__).parent)]) if m.name.startswith("bench_"))
    if selected:
        modules = [m for m in modules if any(s in m for s in selected)]
    for name in modules:
        module = importlib.import_module(f"bench.{name}")
        print(f"\n== {name}: {(module.__doc__ or '').strip().splitlines()[0]}")
        started = time.perf_counter()
        with fresh_database():
            module.run(report)
        print(f"   ({time.perf_counter() - started:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
