"""Every benchmark in bench/ runs to the end in smoke mode (tiny sizes), so that none can rot unnoticed.

`python -m bench --smoke` runs in a fresh interpreter, as `make bench` does, with the benchmarks' own
settings (this process runs the test settings) and a throw-away var/ and temporary directory; on
PostgreSQL its databases are `<name>_smoke_bench…` on DATABASE_URL's server. Afterwards nothing may be
left: no process of its group (gunicorn, task workers), no file, no database; the demo database and the
repository's var/ are untouched. Select with `-m bench_smoke`, leave out with `-m "not bench_smoke"`.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest

pytestmark = pytest.mark.bench_smoke

BASE_DIR = Path(__file__).resolve().parent.parent
BENCHMARKS = sorted(path.stem for path in (BASE_DIR / "bench").glob("bench_*.py"))
TIMEOUT_SECONDS = 600


def _postgres_url() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) else None


def _with_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def _smoke_database_prefix(url: str) -> str:
    return f"{urlsplit(url).path.lstrip('/')}_smoke"


def _environment(tmp_path: Path) -> dict[str, str]:
    """Built from scratch: this process carries XINYU_ENV=test, the test settings and the test-only keys."""
    env = {name: os.environ[name] for name in ("PATH", "HOME", "LANG", "LC_ALL") if name in os.environ}
    env |= {"XINYU_VAR_DIR": str(tmp_path / "var"), "TMPDIR": str(tmp_path / "tmp")}
    if url := _postgres_url():  # else SQLite, under XINYU_VAR_DIR
        env["DATABASE_URL"] = _with_database(url, _smoke_database_prefix(url))
    return env


def _snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file under `folder`: its size and modification time."""
    return {str(path): (path.stat().st_size, path.stat().st_mtime_ns) for path in folder.rglob("*") if path.is_file()}


def _group_alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    return True


def _leftover_databases(url: str) -> list[str]:
    with psycopg.connect(_with_database(url, "postgres"), autocommit=True) as connection:
        rows = connection.execute(
            "SELECT datname FROM pg_database WHERE starts_with(datname, %s)", [_smoke_database_prefix(url)]
        ).fetchall()
    return [name for (name,) in rows]


def _sections(output: str) -> dict[str, str]:
    """The output of each benchmark, by name: from its `== bench_x:` line to the next."""
    sections, name = {}, None
    for line in output.splitlines():
        if line.startswith("== bench_"):
            name = line.removeprefix("== ").partition(":")[0]
            sections[name] = ""
        elif name:
            sections[name] += line + "\n"
    return sections


def test_every_benchmark_runs_to_the_end_in_smoke_mode(tmp_path):
    (tmp_path / "tmp").mkdir()
    var_before = _snapshot(BASE_DIR / "var")
    process = subprocess.Popen(
        [sys.executable, "-m", "bench", "--smoke"],
        cwd=BASE_DIR,
        env=_environment(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group: whatever it starts can be found and stopped
    )
    try:
        output, _ = process.communicate(timeout=TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        output, _ = process.communicate()
        pytest.fail(f"the benchmarks did not finish within {TIMEOUT_SECONDS} s:\n{output}")
    finally:
        deadline = time.monotonic() + 10
        while _group_alive(process.pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        left_running = _group_alive(process.pid)
        if left_running:
            os.killpg(process.pid, signal.SIGKILL)

    assert process.returncode == 0, output
    assert output.rstrip().endswith(f"{len(BENCHMARKS)} of {len(BENCHMARKS)} benchmarks ran to the end."), output
    sections = _sections(output)
    assert sorted(sections) == BENCHMARKS, output
    for name, section in sections.items():
        figures = [line for line in section.splitlines() if line.startswith("   ") and not line.startswith("   (")]
        assert any("baseline" in line for line in figures), f"{name} printed no baseline:\n{section}"
        assert len(figures) >= 2, f"{name} printed no figure besides its baseline:\n{section}"
    assert not left_running, "the benchmarks left processes running"
    assert not any((tmp_path / "tmp").iterdir()), "the benchmarks left temporary files"
    databases = tmp_path / "var" / "bench"  # SQLite's
    assert not databases.exists() or not any(databases.iterdir()), "the benchmarks left a database file"
    assert _snapshot(BASE_DIR / "var") == var_before, "the benchmarks wrote to the repository's var/"
    if url := _postgres_url():
        assert _leftover_databases(url) == [], "the benchmarks left databases"
