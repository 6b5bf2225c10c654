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
fork and exec), so one file's memory never counts for another.
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

ROOT = Path(__file__).resolve().parent.parent
ROSTER_TARGET_MB = 500
REFUSED_TARGET_MB = 200
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
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings", "PYTHONPATH": str(ROOT), "DEBUG": "false"}
    if connection.vendor == "sqlite":
        env["DATABASE_URL"] = f"sqlite:///{database['NAME']}"
    else:
        user, host, port = database["USER"], database["HOST"] or "127.0.0.1", database["PORT"] or 5432
        password = f":{database['PASSWORD']}" if database["PASSWORD"] else ""
        env["DATABASE_URL"] = f"postgres://{user}{password}@{host}:{port}/{database['NAME']}"
    args = [mode, str(path)] if path else [mode]
    result = subprocess.run(  # noqa: S603 - our own fixed command: this interpreter and a fixed script
        [sys.executable, "-c", PROBE, *args], env=env, cwd=ROOT, capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def _shared_strings_bomb(path: Path, megabytes: int) -> Path:
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
            written, target = 0, megabytes * 1024 * 1024
            while written < target:
                chunk = b"".join(
                    b"<si><t>" + str(rng.getrandbits(64)).encode() + b"\xe5\x90\x8d" * 40 + b"</t></si>"
                    for _ in range(10_000)
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
        files = [
            ("50,000-row roster, imported", "import", _roster(folder / "roster-50000.xlsx"), ROSTER_TARGET_MB),
            ("shared strings 190 MB unpacked", "import", _shared_strings_bomb(folder / "sst-190.xlsx", 190),
             REFUSED_TARGET_MB),
            ("shared strings 40 MB unpacked", "import", _shared_strings_bomb(folder / "sst-40.xlsx", 40),
             REFUSED_TARGET_MB),
            ("20,000 rows, stray cell in XFD, previewed", "preview", _stray_column(folder / "xfd.xlsx", 20_000),
             ROSTER_TARGET_MB),
            ("CSV cell of 140,000 characters", "import", _huge_csv_cell(folder / "cell.csv"), REFUSED_TARGET_MB),
            ("60,000 rows (over the row limit)", "import", _too_many_rows(folder / "rows.xlsx", 60_000),
             REFUSED_TARGET_MB),
        ]  # fmt: skip
        baseline = _probe("baseline")
        report("baseline: Django process, database open", baseline["rss_mb"], "MB", "peak RSS, same run")
        met = True
        for name, mode, path, target in files:
            started = time.perf_counter()
            figures = _probe(mode, path)
            size = path.stat().st_size / 1024 / 1024
            ok = figures["rss_mb"] <= target
            met &= ok
            note = f"{figures['outcome']}; {size:.1f} MB file; {figures['seconds']:.1f} s; target ≤ {target} MB"
            report(f"{name}: peak RSS", figures["rss_mb"], "MB", note)
            report(
                f"{name}: over baseline",
                figures["rss_mb"] - baseline["rss_mb"],
                "MB",
                f"{time.perf_counter() - started:.1f} s wall",
            )
    print(f"   memory targets: {'met' if met else 'NOT met'}")
