"""Roster sync through the API: 50,000 students in batches of 5,000 in ≤ 30 s, against the Excel import of
the same rows.

Timed: POST /api/v1/roster/sync/ with the test client (JSON encoding, token check, the checks, the plan, the
writes and the access log; everything but the socket), ten batches of 5,000 students with every column
filled (the rows of bench_roster_import: ID numbers, guardians, dorm rooms that the sync creates); then the
same ten batches again, which change nothing. The baseline, in the same run on the same database: the same
50,000 rows as one .xlsx file through the Excel importer (`importer.import_file`), after the students the
API made are removed (not timed). Smoke mode: 200 students in batches of 50.
"""

import json
import tempfile
import time
from pathlib import Path

from django.test import Client
from django.test.utils import override_settings

from bench import bench_roster_import as excel
from bench.harness import sized
from xinyu.accounts.models import User
from xinyu.api import tokens
from xinyu.api.models import ServiceAccount
from xinyu.org.models import Department, DormRoom, Guardian, Post, Student
from xinyu.org.services import appoint
from xinyu.roster import importer

STUDENTS = excel.STUDENTS
BATCH = sized(5000, 50)
TARGET_SECONDS = 30.0
FIELDS = (
    "student_number", "name", "gender", "date_of_birth", "id_number", "enrolment_year", "status", "college",
    "class_group", "major", "building", "room", "phone", "guardian_name", "guardian_relation", "guardian_phone",
)  # fmt: skip


def _token(school) -> str:
    office = Department.objects.create(school=school, name="学工部", kind=Department.Kind.STUDENT_AFFAIRS)
    owner = User.objects.create(username="T90001", full_name="蒋学工")
    appoint(owner, Post.STUDENT_AFFAIRS_STAFF, office)
    account = ServiceAccount.objects.create(name="学工系统", owner=owner)
    return tokens.create_token(account, ["roster.sync"]).secret


def _batches(rows: list[list]) -> list[dict]:
    students = [
        {
            name: (value.isoformat() if hasattr(value, "isoformat") else value)
            for name, value in zip(FIELDS, row, strict=True)
        }
        for row in rows
    ]
    return [{"students": students[start : start + BATCH]} for start in range(0, len(students), BATCH)]


def _sync(client: Client, token: str, batches: list[dict]) -> tuple[float, list[dict]]:
    summaries = []
    started = time.perf_counter()
    for batch in batches:
        response = client.post(
            "/api/v1/roster/sync/", json.dumps(batch), content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )  # fmt: skip
        assert response.status_code == 200, response.content[:2000]
        summaries.append(response.json()["summary"]["students"])
    return time.perf_counter() - started, summaries


def _remove_students() -> None:
    """What the sync made, removed without the ORM's per-row collector (not timed)."""
    Guardian.objects.all()._raw_delete("default")
    Student.objects.all()._raw_delete("default")
    User.objects.filter(kind=User.Kind.STUDENT)._raw_delete("default")
    DormRoom.objects.all()._raw_delete("default")


def run(report):
    with override_settings(DEBUG=False):  # as in production: no query log kept in memory
        _run(report)


def _run(report):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"roster-{STUDENTS}.xlsx"
        rows = excel._write_file(path)
        school = excel._network()
        token = _token(school)
        batches = _batches(rows)
        client = Client()
        seconds, summaries = _sync(client, token, batches)
        assert sum(s["created"] for s in summaries) == STUDENTS, summaries
        assert Student.objects.count() == STUDENTS
        again, summaries = _sync(client, token, batches)
        assert sum(s["unchanged"] for s in summaries) == STUDENTS, summaries

        _remove_students()
        started = time.perf_counter()
        plan = importer.import_file(path, path.name)
        baseline = time.perf_counter() - started
        assert not plan.problems, plan.problems[:5]
        assert Student.objects.count() == STUDENTS

    report(f"API sync, {STUDENTS} students in {len(batches)} batches", seconds, "s", f"target ≤ {TARGET_SECONDS:g} s")
    report("per batch", seconds / len(batches), "s", f"{BATCH} rows")
    report("API sync again (changes nothing)", again, "s")
    report("baseline: the same rows as one .xlsx, Excel import", baseline, "s", "same run")
    report("API sync / baseline", seconds / baseline, "×")
    met = "met" if seconds <= TARGET_SECONDS else "NOT met"
    print(f"   target of {TARGET_SECONDS:g} s for the API sync: {met} ({seconds:.1f} s)")
