"""Production settings pass Django's deployment checklist, and refuse to start without their keys.

Settings are computed from the environment when they are imported, and this process already runs
the test settings, so each check runs `manage.py` in a fresh interpreter with a production environment.
"""

import os
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


def test_production_settings_pass_the_deploy_check(tmp_path):
    result = manage(production_env(tmp_path), "check", "--deploy", "--fail-level", "WARNING")

    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "WARNINGS" not in output
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."


@pytest.mark.parametrize("key", KEYS)
def test_production_refuses_to_start_without_a_key(tmp_path, key):
    result = manage(production_env(tmp_path, **{key: None}), "check")

    assert result.returncode != 0
    assert f"{key} must be set in production" in result.stderr
    # Never a generated fallback: nothing was written for it under the var folder.
    assert not (tmp_path / "var" / f"{key.lower()}.txt").exists()
