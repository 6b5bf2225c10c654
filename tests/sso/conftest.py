"""A real identity provider on loopback for the single sign-on tests: django-cas-server (CAS) and
django-oauth-toolkit (OpenID Connect, RS256) in their own virtual environment (.venv-idp, built from
tests/sso/idp/requirements.lock on first use), started once per test process and stopped at its end.

Without PyPI (the environment cannot be built) the tests are skipped with the reason; with
XINYU_REQUIRE_IDP=1 (CI) they fail instead.
"""

import json
import os
import queue
import select
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.test import override_settings

from xinyu.env import env_bool

IDP_DIR = Path(__file__).resolve().parent / "idp"
sys.path.insert(0, str(IDP_DIR))
import build_venv  # noqa: E402

XINYU = "http://testserver"
CLIENT_ID = "xinyu-test"
CLIENT_SECRET = "xinyu-test-secret-0123456789"
IDP_PASSWORD = "idp-password-42"
START_TIMEOUT_SECONDS = 60

# People the IdP knows: its own login name, the 学号/工号 it releases, and whether it asserts MFA.
IDP_PEOPLE = {
    "sun": ("T10001", False),  # the head teacher: password only in Xinyu
    "wu": ("T10003", False),  # the mental-health advisor: T3, needs two factors
    "wu-mfa": ("T10003", True),
    "wu-acr": ("T10003", "acr"),  # OIDC: MFA said by `acr` only (CAS: an MFA attribute of another value)
    "ghost": ("T99999", False),  # no such account in Xinyu
    "leaver": ("T30001", False),  # an account whose holder left
    "student": ("２０２５０００００１", False),  # full-width digits, as some IdPs keep them
    "nameless": ("", False),
}


@dataclass
class Idp:
    base_url: str
    slo_requests: "queue.Queue[str]" = field(default_factory=queue.Queue)

    @property
    def cas_url(self) -> str:
        return f"{self.base_url}/cas/"

    @property
    def discovery_url(self) -> str:
        return f"{self.base_url}/o/.well-known/openid-configuration"

    def settings(self, **overrides):
        values = {
            "SSO_CAS_ENABLED": True,
            "SSO_CAS_SERVER_URL": self.cas_url,
            "SSO_CAS_VERSION": 3,
            "SSO_CAS_USERNAME_ATTRIBUTE": "employeeNumber",
            "SSO_CAS_MFA_ATTRIBUTE": "authnMethod",
            "SSO_CAS_MFA_VALUES": ["mfa"],
            "SSO_OIDC_ENABLED": True,
            "SSO_OIDC_DISCOVERY_URL": self.discovery_url,
            "SSO_OIDC_CLIENT_ID": CLIENT_ID,
            "SSO_OIDC_CLIENT_SECRET": CLIENT_SECRET,
            "SSO_OIDC_USERNAME_CLAIM": "xh",
            "SSO_OIDC_MFA_AMR": ["mfa"],
            "SSO_OIDC_MFA_ACR": [],
            "SSO_TRUST_IDP_MFA": False,
        }
        values.update(overrides)
        return override_settings(**values)


def _config(slo_url: str) -> dict:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    users = {}
    for login, (number, mfa) in IDP_PEOPLE.items():
        cas_attributes = {"employeeNumber": number} if number else {}
        claims = {"xh": number} if number else {}
        if mfa == "acr":
            cas_attributes["authnMethod"] = "password"
            claims.update(amr=["pwd"], acr="urn:example:loa:mfa")
        elif mfa:
            cas_attributes["authnMethod"] = "mfa"
            claims["amr"] = ["pwd", "mfa"]
        else:
            claims["amr"] = ["pwd"]
        users[login] = {"password": IDP_PASSWORD, "cas_attributes": cas_attributes, "oidc_claims": claims}
    return {
        "rsa_private_key": pem,
        "users": users,
        "cas_service_pattern": f"^{XINYU}/accounts/sso/cas/callback/$",
        "cas_single_logout_callback": slo_url,
        "oidc_client_id": CLIENT_ID,
        "oidc_client_secret": CLIENT_SECRET,
        "oidc_redirect_uris": [f"{XINYU}/accounts/sso/oidc/callback/"],
        "oidc_post_logout_redirect_uris": [f"{XINYU}/accounts/login/"],
    }


def _slo_catcher(found: queue.Queue) -> ThreadingHTTPServer:
    """Stands in for Xinyu's address when the CAS server sends a single logout: keeps the request's body,
    which the tests then hand to Xinyu's test client as the CAS server would have."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
            found.put(parse_qs(body).get("logoutRequest", [""])[0])
            self.send_response(200)
            self.end_headers()

        def log_message(self, format, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _unavailable(reason: str):
    if env_bool("XINYU_REQUIRE_IDP"):
        pytest.fail(f"XINYU_REQUIRE_IDP=1 and {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def idp(tmp_path_factory):
    try:
        venv = build_venv.build()
    except (RuntimeError, subprocess.SubprocessError, OSError) as exc:
        _unavailable(f"the test identity provider's environment could not be built (PyPI unreachable?): {exc}")
    found: queue.Queue = queue.Queue()
    catcher = _slo_catcher(found)
    workdir = tmp_path_factory.mktemp("idp")
    config = workdir / "config.json"
    config.write_text(json.dumps(_config(f"http://127.0.0.1:{catcher.server_address[1]}/slo")))
    # Xinyu's settings module and database are not the IdP's.
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL")}
    env.update(IDP_CONFIG=str(config), IDP_DIR=str(workdir))
    stderr = open(workdir / "stderr.log", "w")  # noqa: SIM115 - closed after the process
    process = subprocess.Popen(  # noqa: S603 - the IdP venv's interpreter and our serve.py
        [str(build_venv.python_of(venv)), str(IDP_DIR / "serve.py")],
        stdout=subprocess.PIPE,
        stderr=stderr,
        env=env,
        text=True,
    )
    try:
        port = _wait_for_port(process, workdir)
        yield Idp(base_url=f"http://127.0.0.1:{port}", slo_requests=found)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        process.stdout.close()
        stderr.close()
        catcher.shutdown()
        catcher.server_close()


def _wait_for_port(process, workdir) -> int:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        ready, _, _ = select.select([process.stdout], [], [], 0.5)
        if ready:
            line = process.stdout.readline()
            if line.startswith("listening on "):
                return int(line.split()[-1])
        if process.poll() is not None:
            break
    log = (workdir / "stderr.log").read_text()[-3000:]
    pytest.fail(f"the test identity provider did not start:\n{log}", pytrace=False)


# Driving the IdP's pages like a browser -----------------------------------------------------------------


class _Forms(HTMLParser):
    def __init__(self):
        super().__init__()
        self.action = None
        self.fields: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and self.action is None:
            self.action = attrs.get("action") or ""
        elif tag == "input" and attrs.get("name") and attrs.get("type") != "checkbox":
            self.fields[attrs["name"]] = attrs.get("value") or ""


def follow_to_xinyu(browser: requests.Session, url: str, login: str | None = None) -> str:
    """Opens `url` at the IdP; signs in as `login` on the IdP's own form if it asks; follows the IdP's
    redirects until one leads back to Xinyu, and returns that address (path and query)."""
    for _ in range(10):
        if url.startswith(XINYU):
            parts = urlsplit(url)
            return f"{parts.path}?{parts.query}" if parts.query else parts.path
        response = browser.get(url, allow_redirects=False, timeout=20)
        if response.is_redirect:
            url = urljoin(url, response.headers["Location"])
            continue
        assert response.status_code == 200, response.text[:500]
        assert login is not None, f"the IdP asks to sign in at {url}"
        form = _Forms()
        form.feed(response.text)
        data = {**form.fields, "username": login, "password": IDP_PASSWORD}
        posted = browser.post(urljoin(url, form.action), data=data, allow_redirects=False, timeout=20)
        assert posted.is_redirect, posted.text[:2000]
        url = urljoin(url, posted.headers["Location"])
        login = None
    raise AssertionError("too many redirects at the IdP")
