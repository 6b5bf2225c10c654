"""Service tokens: hashed at rest, refused when unknown, malformed, expired, revoked or used for another
operation, with a Chinese message in the one error shape; the `api_token` command."""

import datetime as dt
import hashlib
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from xinyu.api import tokens
from xinyu.api.models import ServiceAccount, ServiceToken
from xinyu.audit.models import AuditEntry

pytestmark = pytest.mark.django_db
URL = "/api/v1/network/"


def error_of(response) -> dict:
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "no-store, private"
    return response.json()["error"]


def test_only_a_hash_of_the_secret_is_kept(world, token_for):
    secret = token_for(world.cast["supervisor"], "network.read")
    token = ServiceToken.objects.get()
    assert secret.startswith(f"xy_{token.prefix}_")
    assert token.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert all(secret not in str(value) for value in token.__dict__.values())
    assert AuditEntry.objects.filter(what="api.token", detail__prefix=token.prefix).exists()


@pytest.mark.parametrize(
    ("header", "code"),
    [
        (None, "no_token"),
        ("Bearer", "malformed_token"),
        ("Token abc", "malformed_token"),
        ("Bearer not-a-token", "malformed_token"),
        ("Bearer xy_nothere_secret", "unknown_token"),
    ],
)
def test_missing_and_malformed_tokens_get_401_in_chinese(world, api, header, code):
    headers = {"HTTP_AUTHORIZATION": header} if header else {}
    response = api("get", URL, **headers)
    assert response.status_code == 401
    error = error_of(response)
    assert error["code"] == code
    assert any("\u4e00" <= char <= "\u9fff" for char in error["message"])
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_wrong_secret_with_a_real_prefix_is_unknown(world, api, token_for):
    secret = token_for(world.cast["supervisor"], "network.read")
    response = api("get", URL, secret[:-3] + "AAA")
    assert response.status_code == 401
    assert error_of(response)["code"] == "unknown_token"


def test_expired_token(world, api, token_for):
    secret = token_for(world.cast["supervisor"], "network.read")
    ServiceToken.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    response = api("get", URL, secret)
    assert response.status_code == 401
    assert error_of(response) == {"code": "expired_token", "message": "此令牌已过期。"}


def test_revoked_token(world, api, token_for):
    secret = token_for(world.cast["supervisor"], "network.read")
    assert api("get", URL, secret).status_code == 200
    tokens.revoke_token(ServiceToken.objects.get())
    response = api("get", URL, secret)
    assert response.status_code == 401
    assert error_of(response)["code"] == "revoked_token"


def test_switched_off_account_and_departed_owner(world, api, token_for):
    owner = world.cast["supervisor"]
    secret = token_for(owner, "network.read")
    ServiceAccount.objects.update(active=False)
    assert error_of(api("get", URL, secret))["code"] == "inactive_account"
    ServiceAccount.objects.update(active=True)
    owner.left_on = timezone.localdate()
    owner.save(update_fields=["left_on"])
    assert error_of(api("get", URL, secret))["code"] == "inactive_owner"


def test_wrong_operation_gets_403(world, api, token_for):
    secret = token_for(world.cast["supervisor"], "aggregates.read")
    response = api("get", URL, secret)
    assert response.status_code == 403
    assert error_of(response)["code"] == "operation_not_allowed"


def test_last_used_is_written(world, api, token_for):
    secret = token_for(world.cast["supervisor"], "network.read")
    assert ServiceToken.objects.get().last_used_at is None
    api("get", URL, secret)
    assert ServiceToken.objects.get().last_used_at is not None


def test_token_refuses_unknown_operations(world):
    account = ServiceAccount.objects.create(name="x", owner=world.cast["supervisor"])
    with pytest.raises(tokens.TokenError):
        tokens.create_token(account, ["students.read"])
    with pytest.raises(tokens.TokenError):
        tokens.create_token(account, [])


def test_command_creates_lists_and_revokes(world, api):
    out = StringIO()
    call_command(
        "api_token", "create", "--account", "学工系统", "--owner", "T10009",
        "--operations", "roster.sync,network.read", "--days", "10", stdout=out,
    )  # fmt: skip
    lines = out.getvalue().splitlines()
    secret = next(line for line in lines if line.startswith("xy_"))
    token = ServiceToken.objects.get()
    assert token.account.owner == world.cast["student_affairs"]
    assert token.operations == ["roster.sync", "network.read"]
    assert "仅显示这一次" in out.getvalue()
    listing = StringIO()
    call_command("api_token", "list", stdout=listing)
    assert token.prefix in listing.getvalue() and secret not in listing.getvalue()
    assert "有效" in listing.getvalue()
    call_command("api_token", "revoke", token.prefix, stdout=StringIO())
    assert ServiceToken.objects.get().revoked_at is not None
    assert api("get", URL, secret).status_code == 401
    with pytest.raises(CommandError):
        call_command("api_token", "revoke", "nothere", stdout=StringIO())
    with pytest.raises(CommandError):
        call_command("api_token", "create", "--account", "新系统", "--operations", "network.read", stdout=StringIO())
