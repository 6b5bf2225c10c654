"""Production settings pass Django's deployment checklist, and refuse to start without their keys.

Settings are computed from the environment when they are imported, and this process already runs
the test settings, so each check runs `manage.py` in a fresh interpreter with a production environment.
"""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent
KEYS = ("SECRET_KEY", "AUDIT_HMAC_KEY", "FIELD_ENCRYPTION_KEY", "FIELD_HASH_KEY")


def production_env(tmp_path, **overrides) -> dict[str, str]:
    """A production environment built from scratch: nothing from this test process leaks in (it carries
    XINYU_ENV=test, the test settings module and the test-only keys)."""
    env = {name: os.environ[name] for name in ("PATH", "HOME", "LANG", "SYSTEMROOT") if name in os.environ}
    env |= {
        "DJANGO_SETTINGS_MODULE": "xinyu.settings",
        "XINYU_ENV": "production",
        "XINYU_VAR_DIR": str(tmp_path / "var"),
        "STATIC_ROOT": str(tmp_path / "static"),
        "ALLOWED_HOSTS": "xinyu.example.edu.cn",
        **{name: secrets.token_urlsafe(48) for name in KEYS},  # throw-away keys, 64 characters each
    }
    env |= overrides
    return {name: value for name, value in env.items() if value is not None}


def manage(env, *args) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - a fixed command: this interpreter and the project's manage.py
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def ci_silenced_checks() -> str:
    """The checks .ci/run silences for the deployment checklist (its CI_SILENCED_CHECKS line)."""
    for line in (BASE_DIR / ".ci" / "run").read_text().splitlines():
        if line.startswith("CI_SILENCED_CHECKS="):
            return line.partition("=")[2]
    return ""


def test_production_settings_pass_the_deploy_check(tmp_path):
    # As CI runs it: the checks CI silences (each with its reason in .ci/run) are silenced here too.
    env = production_env(tmp_path, XINYU_SILENCED_CHECKS=ci_silenced_checks())
    result = manage(env, "check", "--deploy", "--fail-level", "WARNING")

    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "WARNINGS" not in output
    assert re.fullmatch(r"System check identified no issues \(\d silenced\)\.", result.stdout.strip()), output


def test_ci_silences_only_the_calendar_warning():
    """Silencing is visible and narrow: the calendar warning only, never a security check."""
    assert ci_silenced_checks() == "xinyu.W001"


def test_the_calendar_warning_stops_the_deploy_check_when_not_silenced(tmp_path):
    """Without the silencing, a policy whose calendar runs out within 60 days fails the checklist."""
    policy_dir = tmp_path / "policy"
    policy_dir.mkdir()
    text = (BASE_DIR / "policy" / "quzhou-2021.toml").read_text()
    short = re.sub(r"\[calendar\].*?\n(?=# 注)", '[calendar]\nholidays = ["2020-01-01"]\n', text, flags=re.DOTALL)
    assert short != text
    (policy_dir / "quzhou-2021.toml").write_text(short)
    result = manage(
        production_env(tmp_path, XINYU_POLICY_DIR=str(policy_dir)), "check", "--deploy", "--fail-level", "WARNING"
    )

    assert result.returncode != 0
    assert "xinyu.W001" in result.stderr
    assert "2020-12-31" in result.stderr


@pytest.mark.parametrize("key", KEYS)
def test_production_refuses_to_start_without_a_key(tmp_path, key):
    result = manage(production_env(tmp_path, **{key: None}), "check")

    assert result.returncode != 0
    assert f"{key} must be set in production" in result.stderr
    # Never a generated fallback: nothing was written for it under the var folder.
    assert not (tmp_path / "var" / f"{key.lower()}.txt").exists()
