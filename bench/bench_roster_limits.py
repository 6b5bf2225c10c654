"""Roster files that once exhausted the machine: peak memory of each, parsed in a fresh process, against a
bare process measured in the same run. Targets: a 50,000-row roster imported in ≤ 500 MB; any refused
file in ≤ 200 MB.

Each file is generated here: the 50,000-row roster of bench_roster_import; a workbook whose shared-string
table unpacks to ~190 MB from ~17 MB (it took 83 s and 1.57 GB); one whose shared strings (40 MB) fit the
total limit but not the shared-string limit; 20,000 rows each with a stray cell in column XFD (2.7 GB
before: it is now imported, the stray cells unread); a CSV with a cell of 140,000 characters (a traceback
before); and 60,000 rows, over the row limit. Every process checks the file as an upload is checked
(`safety.check_file`), then imports it (previews the XFD file), and reports its own peak RSS
(VmHWM in /proc/self/status: unlike getrusage's ru_maxrss, it is not inherited from the parent across
fork and exec), so one file's memory never counts for another. Each file must meet the fate it was made
for (imported, previewed or refused), or its figure would measure something else.

Smoke mode shrinks the files a hundredfold and the limits the processes check them against (rows, unpacked
bytes, shared strings) with them, so that each file still meets the limit it was made for.
"""

import json
import os
import random
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import openpyxl
from django.db import connection

from bench import bench_roster_import as roster
from bench.harness import sized

ROOT = Path(__file__).resolve().parent.parent
ROSTER_TARGET_MB = 500
REFUSED_TARGET_MB = 200
MB = 1024 * 1024
SCALE = sized(1, 100)
# The import limits of the measured processes: the settings' defaults, or as small as the smoke files.
LIMITS = sized(
    {},
    {
        "ROSTER_MAX_ROWS": str(roster.STUDENTS),
        "ROSTER_MAX_UNPACKED_BYTES": str(100 * MB // SCALE),
        "ROSTER_MAX_SHARED_STRINGS_BYTES": str(32 * MB // SCALE),
    },
)
BOMB_MB, SHARED_STRINGS_MB = 190 / SCALE, 40 / SCALE
STRAY_ROWS, TOO_MANY_ROWS = 20_000 // SCALE, 60_000 // SCALE
PROBE_TIMEOUT_SECONDS = 900
PROBE = """
import json, sys, time
import django
django.setup()
from pathlib import Path
from xinyu.roster import importer, safety
from xinyu.roster.problems import RefusedFile
from django.db import connection
connection.ensure_connection()
mode, path = sys.argv[1], Path(sys.argv[2]) if len(sys.argv) > 2 else None
started, outcome = time.perf_counter(), "baseline"
if path is not None:
    try:
        safety.check_file(path, path.name)
        plan = importer.import_file(path, path.name, dry_run=(mode == "preview"))
        done = "imported" if mode == "import" else "previewed"
        outcome = "problems: %d" % len(plan.problems) if plan.problems else done
    except RefusedFile as refused:
        outcome = "refused: " + refused.code
peak = next(line for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print(json.dumps({"rss_mb": int(peak.split()[1]) / 1024,
                  "seconds": time.perf_counter() - started, "outcome": outcome}))
"""


def _probe(mode: str, path: Path | None = None) -> dict:
    database = connection.settings_dict
    # As in production: DEBUG off, so no query log is kept (bench_roster_import does the same).
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "PYTHONPATH": str(ROOT),
        "DEBUG": "false",
        **LIMITS,
    }
    if connection.vendor == "sqlite":
        env["DATABASE_URL"] = f"sqlite:///{database['NAME']}"
    else:
        user, host, port = database["USER"], database["HOST"] or "127.0.0.1", database["PORT"] or 5432
        password = f":{database['PASSWORD']}" if database["PASSWORD"] else ""
        env["DATABASE_URL"] = f"postgres://{user}{password}@{host}:{port}/{database['NAME']}"
    args = [mode, str(path)] if path else [mode]
    result = subprocess.run(  # noqa: S603 - our own fixed command: this interpreter and a fixed script
        [sys.executable, "-c", PROBE, *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=PROBE_TIMEOUT_SECONDS,
    )
    if result.returncode != 0:
        raise RuntimeError(f"the {mode} process for {path} exited with {result.returncode}:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def _shared_strings_bomb(path: Path, megabytes: float) -> Path:
    """A workbook of one small sheet whose shared-string table unpacks to `megabytes` MB, about 11× its
    packed size (random digits pack poorly; the repeated markup packs well)."""
    rng = random.Random(7)
    source = path.with_suffix(".source.xlsx")
    workbook = openpyxl.Workbook()
    workbook.active.title = "学生"
    workbook.active.append(roster.HEADER)
    workbook.save(source)
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as new:
        for item in old.infolist():
            if item.filename != "xl/sharedStrings.xml":
                new.writestr(item, old.read(item.filename))
        with new.open("xl/sharedStrings.xml", "w", force_zip64=True) as strings:
            strings.write(
                b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            )
            written, target = 0, megabytes * MB
            while written < target:
                chunk = b"".join(
                    b"<si><t>" + str(rng.getrandbits(64)).encode() + b"\xe5\x90\x8d" * 40 + b"</t></si>"
                    for _ in range(1_000)
                )
                strings.write(chunk)
                written += len(chunk)
            strings.write(b"</sst>")
    source.unlink()
    return path


def _roster(path: Path) -> Path:
    roster._write_file(path)
    return path


def _stray_column(path: Path, rows: int) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "学生"
    sheet.append(roster.HEADER)
    for i, row in enumerate(roster._rows(random.Random(3))):
        if i == rows:
            break
        sheet.append(row)
        sheet.cell(row=i + 2, column=16384, value="x")  # column XFD
    workbook.save(path)
    return path


def _huge_csv_cell(path: Path) -> Path:
    row = next(roster._rows(random.Random(5)))
    row[1] = "陈" * 140_000
    path.write_text(",".join(roster.HEADER) + "\n" + ",".join(str(value) for value in row) + "\n", encoding="utf-8")
    return path


def _too_many_rows(path: Path, rows: int) -> Path:
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("学生")
    sheet.append(["学号", "姓名"])
    for i in range(rows):
        sheet.append([f"2025{i:06d}", "学生"])
    workbook.save(path)
    return path


def run(report):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        roster._network()
        big, small = folder / "sst-big.xlsx", folder / "sst-small.xlsx"
        # (name, mode, file, target MB, the outcome the file was made for)
        files = [
            (f"{roster.STUDENTS:,}-row roster, imported", "import", _roster(folder / "roster.xlsx"), ROSTER_TARGET_MB,
             "imported"),
            (f"shared strings {BOMB_MB:g} MB unpacked", "import", _shared_strings_bomb(big, BOMB_MB), REFUSED_TARGET_MB,
             "refused"),
            (f"shared strings {SHARED_STRINGS_MB:g} MB unpacked", "import",
             _shared_strings_bomb(small, SHARED_STRINGS_MB), REFUSED_TARGET_MB, "refused"),
            (f"{STRAY_ROWS:,} rows, stray cell in XFD, previewed", "preview",
             _stray_column(folder / "xfd.xlsx", STRAY_ROWS), ROSTER_TARGET_MB, "previewed"),
            ("CSV cell of 140,000 characters", "import", _huge_csv_cell(folder / "cell.csv"), REFUSED_TARGET_MB,
             "refused"),
            (f"{TOO_MANY_ROWS:,} rows (over the row limit)", "import",
             _too_many_rows(folder / "rows.xlsx", TOO_MANY_ROWS), REFUSED_TARGET_MB, "refused"),
        ]  # fmt: skip
        baseline = _probe("baseline")
        report("baseline: Django process, database open", baseline["rss_mb"], "MB", "peak RSS, same run")
        met, unexpected = True, []
        for name, mode, path, target, expected in files:
            started = time.perf_counter()
            figures = _probe(mode, path)
            size = path.stat().st_size / 1024 / 1024
            ok = figures["rss_mb"] <= target
            met &= ok
            if not figures["outcome"].startswith(expected):
                unexpected.append(f"{name}: {figures['outcome']} (made to be {expected})")
            note = f"{figures['outcome']}; {size:.1f} MB file; {figures['seconds']:.1f} s; target ≤ {target} MB"
            report(f"{name}: peak RSS", figures["rss_mb"], "MB", note)
            report(
                f"{name}: over baseline",
                figures["rss_mb"] - baseline["rss_mb"],
                "MB",
                f"{time.perf_counter() - started:.1f} s wall",
            )
    print(f"   memory targets: {'met' if met else 'NOT met'}")
    assert not unexpected, unexpected
