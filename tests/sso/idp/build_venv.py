"""Builds the test identity provider's own virtual environment (.venv-idp at the repository's root) from
tests/sso/idp/requirements.lock, once: later runs find it ready (a stamp holds the lock file's digest).

Safe when several test processes (pytest-xdist workers, `make test`) try at once: a file lock lets one
build while the others wait, and the environment is built aside and moved into place when complete.
Run as `python tests/sso/idp/build_venv.py`; exits 1 (with pip's last lines) if PyPI cannot be reached.
"""

import fcntl
import hashlib
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
VENV = ROOT / ".venv-idp"
LOCK_FILE = HERE / "requirements.lock"
STAMP = VENV / ".installed"


def python_of(venv: Path) -> Path:
    return venv / "bin" / "python"


def wanted_stamp() -> str:
    return hashlib.sha256(LOCK_FILE.read_bytes()).hexdigest()


def ready() -> bool:
    return STAMP.exists() and STAMP.read_text().strip() == wanted_stamp() and python_of(VENV).exists()


def build(log=sys.stderr) -> Path:
    """The environment's directory, built if missing or out of date. Raises RuntimeError if pip fails."""
    if ready():
        return VENV
    VENV.parent.mkdir(parents=True, exist_ok=True)
    with open(ROOT / ".venv-idp.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if ready():  # another process built it while this one waited
            return VENV
        aside = Path(tempfile.mkdtemp(prefix=".venv-idp-", dir=ROOT))
        try:
            base = getattr(sys, "_base_executable", sys.executable)
            subprocess.run([base, "-m", "venv", str(aside)], check=True, capture_output=True)  # noqa: S603 - fixed
            result = subprocess.run(  # noqa: S603 - the new venv's pip, our lock file
                [str(python_of(aside)), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                 "--no-input", "--timeout", "30", "--retries", "2", "-r", str(LOCK_FILE)],
                capture_output=True, text=True, timeout=600,
            )  # fmt: skip
            if result.returncode != 0:
                raise RuntimeError(f"pip could not install the IdP's packages:\n{result.stderr[-2000:]}")
            # venv writes absolute paths into its scripts: make it again in place, keeping the packages.
            shutil.rmtree(VENV, ignore_errors=True)
            aside.rename(VENV)
            subprocess.run([base, "-m", "venv", str(VENV)], check=True, capture_output=True)  # noqa: S603 - fixed
            STAMP.write_text(wanted_stamp())
        finally:
            shutil.rmtree(aside, ignore_errors=True)
    print(f"built {VENV}", file=log)
    return VENV


if __name__ == "__main__":
    try:
        build()
    except (RuntimeError, subprocess.SubprocessError, OSError) as exc:
        print(exc, file=sys.stderr)
        sys.exit(1)
