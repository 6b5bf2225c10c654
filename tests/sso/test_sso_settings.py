"""SSO settings read from the environment: off by default, and a half-configured protocol refuses to start."""

import os
import subprocess
import sys

import pytest

from xinyu.env import sso_origins


def _settings_with(**env):
    code = "import xinyu.settings as s; print(s.SSO_CAS_ENABLED, s.SSO_OIDC_ENABLED, s.SECURE_CSP['form-action'])"
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SSO_")}
    return subprocess.run(  # noqa: S603 - this interpreter and a fixed snippet
        [sys.executable, "-c", code], env={**clean, "XINYU_ENV": "test", **env}, capture_output=True, text=True
    )


def test_sso_is_off_by_default():
    result = _settings_with()
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[:2] == ["False", "False"]


@pytest.mark.parametrize(
    ("env", "says"),
    [
        ({"SSO_CAS_ENABLED": "true"}, "SSO_CAS_SERVER_URL"),
        ({"SSO_OIDC_ENABLED": "true", "SSO_OIDC_DISCOVERY_URL": "https://id.example.edu.cn/x"}, "SSO_OIDC_CLIENT_ID"),
        ({"SSO_CAS_VERSION": "1"}, "SSO_CAS_VERSION"),
    ],
)
def test_a_half_configured_protocol_stops_the_start(env, says):
    result = _settings_with(**env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and says in result.stderr


def test_the_idps_are_allowed_as_form_targets_for_signing_out():
    result = _settings_with(SSO_CAS_ENABLED="true", SSO_CAS_SERVER_URL="https://cas.example.edu.cn/cas/")
    assert result.returncode == 0, result.stderr
    assert "'https://cas.example.edu.cn'" in result.stdout


def test_sso_origins():
    urls = ["https://cas.example.edu.cn/cas/", "", "https://id.example.edu.cn:8443/.well-known/x", "not a url"]
    assert sso_origins(urls) == ["https://cas.example.edu.cn", "https://id.example.edu.cn:8443"]
