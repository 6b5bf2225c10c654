"""`make bench`: run every benchmark in bench/ and print its figures.

Each `bench/bench_*.py` defines `run(report)`; it measures the target and a baseline in the same run and
calls `report(name, value, unit, note)` for each figure (a benchmark that reports no figure named
"baseline" fails). Benchmarks use their own throw-away SQLite database under var/bench/ (XINYU_VAR_DIR's
bench/ when set), or a `<name>_bench` database on DATABASE_URL's server, never the demo database: it is
migrated once and each benchmark works on its own copy, dropped afterwards.

    python -m bench [--smoke] [part of a name …]

`--smoke` runs every benchmark at tiny sizes, to show that it runs to the end (tests/test_bench_smoke.py).
A benchmark that fails is reported and the others still run; the exit status says whether any failed.
"""

import importlib
import os
import pkgutil
import sys
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")


def main(arguments: list[str]) -> int:
    # Imported here, in this order: smoke mode is set before anything reads its sizes, and Django is set up
    # (with bench.settings, on the path added above) before the harness touches the database.
    from bench.harness import SMOKE_VARIABLE  # noqa: PLC0415 - after sys.path and the settings module are set

    if "--smoke" in arguments:
        os.environ[SMOKE_VARIABLE] = "1"  # before any benchmark module reads its sizes
    selected = [argument for argument in arguments if argument != "--smoke"]

    import django  # noqa: PLC0415 - see above

    django.setup()
    from bench.harness import Figures, fresh_database, smoke, template_database  # noqa: PLC0415 - after setup

    modules = sorted(m.name for m in pkgutil.iter_modules([str(Path(__file__).parent)]) if m.name.startswith("bench_"))
    if selected:
        modules = [m for m in modules if any(s in m for s in selected)]
    if smoke():
        print("Smoke mode: every benchmark at tiny sizes; the figures below measure nothing.")
    failed = []
    with template_database():
        for name in modules:
            started = time.perf_counter()
            print(f"\n== {name}: ", end="")
            try:
                module = importlib.import_module(f"bench.{name}")
                print((module.__doc__ or "").strip().partition("\n")[0], flush=True)
                figures = Figures()
                with fresh_database(name.removeprefix("bench_")):
                    module.run(figures)
                if not figures.has_baseline:
                    raise AssertionError(f"{name} reported no baseline figure")
            except Exception:
                print(f"\n!! {name} failed:", flush=True)
                traceback.print_exc(file=sys.stdout)
                failed.append(name)
            print(f"   ({time.perf_counter() - started:.1f} s)", flush=True)
    print(f"\n{len(modules) - len(failed)} of {len(modules)} benchmarks ran to the end", end="")
    print(f"; failed: {', '.join(failed)}" if failed else ".")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
