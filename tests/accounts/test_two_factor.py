"""Two-factor sign-in (TOTP) for everyone with T3 or T4 access, and step-up re-authentication (DESIGN.md §4)."""

import base64
import datetime as dt
import re
import time
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.http import HttpResponse
from django.test import Client, override_settings
from django.urls import path, reverse

from tests.conftest import PASSWORD
from tests.factories import UserFactory
from tests.helpers import freeze_time
from xinyu.accounts import twofactor
from xinyu.accounts.forms import CODE_ERRORS
from xinyu.accounts.models import LoginFailure, TwoFactorDevice
from xinyu.accounts.stepup import SESSION_KEY as REAUTH_KEY
from xinyu.accounts.stepup import step_up_required, step_up_url
from xinyu.audit.models import AuditEntry
from xinyu.common.access import signed_in
from xinyu.org import scope
from xinyu.urls import urlpatterns as project

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.accounts.test_two_factor")]
ENFORCED = override_settings(XINYU_ENFORCE_TWO_FACTOR=True)
T0 = dt.datetime(2026, 3, 2, 9, 0, 0, tzinfo=dt.UTC)

NEEDS_TWO_FACTOR = ["mental_health_advisor", "college_leader", "counsellor", "supervisor", "outsider"]
PASSWORD_ONLY = ["head_teacher", "advisor", "student_affairs", "leading_group_member", "dorm_leader", "student"]


# A view behind step-up, as exports, break-glass and counselling notes will be.
@signed_in
@step_up_required
def sensitive(request):

    return HttpResponse("sensitive page")


def _urlpatterns():

    return [*project, path("test-sensitive/", sensitive, name="test_sensitive")]


urlpatterns = _urlpatterns()
SENSITIVE = "/test-sensitive/"


# Helpers ----------------------------------------------------------------------------------------------


def sign_in(client, user, address="10.0.0.1", next_url=None):
    url = reverse("accounts:login") + (f"?next={next_url}" if next_url else "")
    return client.post(url, {"username": user.username, "password": PASSWORD}, REMOTE_ADDR=address)


def enrolled(user, *, last_used_step=None) -> TwoFactorDevice:
    device = twofactor.start_enrolment(user)
    device.confirmed_at = dt.datetime.now(dt.UTC)
    device.last_used_step = last_used_step
    device.save()
    return device


def code(device, offset=0) -> str:
    return twofactor.code_at_step(device.secret, twofactor.current_step() + offset)


def wrong(device) -> str:
    right = {code(device, offset) for offset in (-1, 0, 1)}
    return next(c for c in (f"{n:06d}" for n in range(1000)) if c not in right)


def signed_in_user(client):
    return client.get(reverse("core:home")).wsgi_request.user


def error_codes(response):
    return response.context["form"].errors


# Who needs it -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("key", NEEDS_TWO_FACTOR)
def test_t3_and_t4_posts_require_two_factor(world, key):
    assert scope.requires_two_factor(world.cast[key])
    with ENFORCED:
        assert twofactor.two_factor_required(world.cast[key])


@pytest.mark.parametrize("key", PASSWORD_ONLY)
def test_t2_t1_and_students_do_not(world, key):
    assert not scope.requires_two_factor(world.cast[key])
    with ENFORCED:
        assert not twofactor.two_factor_required(world.cast[key])


def test_not_required_while_enforcement_is_off(world):
    assert not twofactor.two_factor_required(world.cast["supervisor"])
    response = sign_in(Client(), world.cast["supervisor"])
    assert response["Location"] == reverse("core:home")


@ENFORCED
@pytest.mark.parametrize("key", ["head_teacher", "student"])
def test_password_only_users_sign_in_with_the_password(world, key):
    client = Client()
    response = sign_in(client, world.cast[key])
    assert response.status_code == 302 and response["Location"] == reverse("core:home")
    assert client.get(reverse("core:home")).status_code == 200
    assert not TwoFactorDevice.objects.exists()


# Enrolment --------------------------------------------------------------------------------------------


@ENFORCED
def test_first_sign_in_enrols_an_authenticator(world):
    user = world.cast["mental_health_advisor"]
    client = Client()
    response = sign_in(client, user, next_url=reverse("org:student_list"))
    assert response["Location"] == reverse("accounts:two_factor_enrol")
    assert not signed_in_user(client).is_authenticated

    page = client.get(reverse("accounts:two_factor_enrol"))
    assert page.status_code == 200
    device = TwoFactorDevice.objects.get(user=user)
    assert device.confirmed_at is None
    html = page.content.decode()
    svg = re.search(r"<svg.*?</svg>", html, re.S).group(0)
    assert "style" not in svg.lower() and "<path" in svg  # strict CSP: attributes only
    assert twofactor.grouped_secret(device.secret) in html
    # A reload shows the same key (the person may be halfway through typing it).
    assert twofactor.grouped_secret(device.secret) in client.get(reverse("accounts:two_factor_enrol")).content.decode()

    refused = client.post(reverse("accounts:two_factor_enrol"), {"code": wrong(device)})
    assert refused.status_code == 200 and "code" in error_codes(refused)
    assert not signed_in_user(client).is_authenticated

    done = client.post(reverse("accounts:two_factor_enrol"), {"code": code(device)})
    assert done.status_code == 302 and done["Location"] == reverse("org:student_list")
    assert signed_in_user(client) == user
    device.refresh_from_db()
    assert device.confirmed_at is not None and device.last_used_step is not None
    session = client.session
    assert session[twofactor.VERIFIED_SESSION_KEY] == user.pk
    assert isinstance(session[REAUTH_KEY], int)  # signing in with the second factor marks step-up too
    entry = AuditEntry.objects.get(what=twofactor.AUDIT_WHAT, action=AuditEntry.Action.CREATE)
    assert entry.actor == user and entry.detail["user"] == user.username
    assert client.get(reverse("org:student_list")).status_code == 200


@ENFORCED
def test_enrolment_needs_a_pending_sign_in(world, client):
    response = client.get(reverse("accounts:two_factor_enrol"))
    assert response["Location"] == reverse("accounts:login")
    assert not TwoFactorDevice.objects.exists()


@ENFORCED
def test_a_confirmed_device_cannot_be_replaced_by_enrolling_again(world):
    user = world.cast["counsellor"]
    device = enrolled(user)
    client = Client()
    sign_in(client, user)
    response = client.get(reverse("accounts:two_factor_enrol"))
    assert response["Location"] == reverse("accounts:two_factor")
    assert TwoFactorDevice.objects.get(user=user).secret == device.secret


# Signing in with a code -------------------------------------------------------------------------------


@ENFORCED
def test_sign_in_with_a_correct_code(world):
    user = world.cast["supervisor"]
    device = enrolled(user)
    client = Client()
    response = sign_in(client, user, next_url=reverse("org:student_list"))
    assert response["Location"] == reverse("accounts:two_factor")
    assert not signed_in_user(client).is_authenticated
    page = client.get(reverse("accounts:two_factor"))
    assert page.status_code == 200 and b'data-testid="two-factor-form"' in page.content

    done = client.post(reverse("accounts:two_factor"), {"code": code(device)})
    assert done["Location"] == reverse("org:student_list")
    assert signed_in_user(client) == user
    assert client.get(reverse("org:student_list")).status_code == 200


@ENFORCED
def test_code_typed_on_a_phone_with_spaces_and_full_width_digits(world):
    user = world.cast["supervisor"]
    device = enrolled(user)
    client = Client()
    sign_in(client, user)
    typed = code(device)
    full_width = "".join(chr(ord(d) + 0xFEE0) for d in typed[:3]) + " " + typed[3:]
    response = client.post(reverse("accounts:two_factor"), {"code": full_width})
    assert response.status_code == 302 and signed_in_user(client) == user


@ENFORCED
@pytest.mark.parametrize("bad", ["", "12345", "abcdef", "1234567"])
def test_malformed_codes_are_refused_with_a_message(world, bad):
    user = world.cast["supervisor"]
    enrolled(user)
    client = Client()
    sign_in(client, user)
    response = client.post(reverse("accounts:two_factor"), {"code": bad})
    assert response.status_code == 200 and response.context["form"].errors["code"]
    assert not signed_in_user(client).is_authenticated


@ENFORCED
def test_wrong_code_is_refused_and_counted(world):
    user = world.cast["supervisor"]
    device = enrolled(user)
    client = Client()
    sign_in(client, user)
    response = client.post(reverse("accounts:two_factor"), {"code": wrong(device)}, REMOTE_ADDR="10.0.0.1")
    assert response.status_code == 200
    assert str(twofactor_error("wrong")) in response.context["form"].errors["code"]
    assert not signed_in_user(client).is_authenticated
    assert LoginFailure.objects.filter(username=f"totp:{user.username}").count() == 1


def twofactor_error(key):

    return CODE_ERRORS[key]


@ENFORCED
def test_a_code_is_accepted_once_only(world):
    user = world.cast["supervisor"]
    device = enrolled(user)
    with freeze_time(T0):
        first = Client()
        sign_in(first, user)
        used = code(device)
        assert first.post(reverse("accounts:two_factor"), {"code": used}).status_code == 302

        # Someone who saw the code (and knows the password) tries it in another browser.
        second = Client()
        sign_in(second, user)
        replayed = second.post(reverse("accounts:two_factor"), {"code": used})
        assert replayed.status_code == 200
        assert str(twofactor_error("replayed")) in replayed.context["form"].errors["code"]
        assert not signed_in_user(second).is_authenticated
        # An earlier code (still within the clock-drift window) is no good either.
        assert second.post(reverse("accounts:two_factor"), {"code": code(device, -1)}).status_code == 200
    with freeze_time(T0 + dt.timedelta(seconds=30)):
        assert second.post(reverse("accounts:two_factor"), {"code": code(device)}).status_code == 302
        assert signed_in_user(second) == user


@ENFORCED
@override_settings(LOGIN_FAILURE_LIMIT_PER_ACCOUNT=3, LOGIN_FAILURE_LIMIT_PER_ADDRESS=100)
def test_wrong_codes_are_throttled_like_passwords(world):
    user = world.cast["supervisor"]
    device = enrolled(user)
    client = Client()
    sign_in(client, user)
    for n in range(3):
        client.post(reverse("accounts:two_factor"), {"code": wrong(device)}, REMOTE_ADDR=f"10.0.0.{n + 1}")
    locked = client.post(reverse("accounts:two_factor"), {"code": code(device)}, REMOTE_ADDR="10.0.0.9")
    assert str(twofactor_error("locked")) in locked.context["form"].errors["code"]
    assert not signed_in_user(client).is_authenticated
    # A correct password again does not wipe the count of wrong codes.
    fresh = Client()
    assert sign_in(fresh, user, address="10.0.0.10")["Location"] == reverse("accounts:two_factor")
    still = fresh.post(reverse("accounts:two_factor"), {"code": code(device)}, REMOTE_ADDR="10.0.0.10")
    assert str(twofactor_error("locked")) in still.context["form"].errors["code"]
    # After the window the right code works.
    LoginFailure.objects.update(at="2000-01-01T00:00:00Z")
    assert fresh.post(reverse("accounts:two_factor"), {"code": code(device)}).status_code == 302


@ENFORCED
@override_settings(LOGIN_FAILURE_LIMIT_PER_ACCOUNT=100, LOGIN_FAILURE_LIMIT_PER_ADDRESS=3)
def test_wrong_codes_count_against_the_address_too(world):
    user = world.cast["supervisor"]
    device = enrolled(user)
    client = Client()
    sign_in(client, user, address="10.9.9.9")
    for _ in range(3):
        client.post(reverse("accounts:two_factor"), {"code": wrong(device)}, REMOTE_ADDR="10.9.9.9")
    response = client.post(reverse("accounts:two_factor"), {"code": code(device)}, REMOTE_ADDR="10.9.9.9")
    assert str(twofactor_error("locked")) in response.context["form"].errors["code"]


@ENFORCED
def test_the_pending_sign_in_reaches_no_other_page(world):
    user = world.cast["supervisor"]
    enrolled(user)
    client = Client()
    sign_in(client, user)
    assert twofactor.PENDING_SESSION_KEY in client.session
    assert "_auth_user_id" not in client.session
    for url in (
        reverse("core:home"),
        reverse("org:student_list"),
        reverse("org:student_detail", args=[world.in_scope.pk]),
        reverse("accounts:password_change"),
        reverse("accounts:step_up"),
        SENSITIVE,
    ):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login")), url
    admin = client.get(reverse("admin:index"))
    assert admin.status_code == 302 and "login" in admin["Location"]


@ENFORCED
def test_the_pending_sign_in_expires(world):
    user = world.cast["supervisor"]
    device = enrolled(user)
    client = Client()
    with freeze_time(T0):
        sign_in(client, user)
    with freeze_time(T0 + dt.timedelta(seconds=twofactor.PENDING_SECONDS + 1)):
        response = client.post(reverse("accounts:two_factor"), {"code": code(device)})
        assert response["Location"] == reverse("accounts:login")
        assert not signed_in_user(client).is_authenticated


@ENFORCED
def test_code_page_without_a_password_step_goes_to_sign_in(world, client):
    assert client.get(reverse("accounts:two_factor"))["Location"] == reverse("accounts:login")


@ENFORCED
def test_unsafe_next_after_sign_in_is_refused(world):
    user = world.cast["supervisor"]
    device = enrolled(user)
    client = Client()
    sign_in(client, user, next_url="https://evil.example/")
    response = client.post(reverse("accounts:two_factor"), {"code": code(device)})
    assert response["Location"] == reverse("core:home")


@ENFORCED
def test_must_change_password_comes_after_the_second_factor(world):
    user = world.cast["supervisor"]
    user.must_change_password = True
    user.save()
    device = enrolled(user)
    client = Client()
    assert sign_in(client, user)["Location"] == reverse("accounts:two_factor")
    client.post(reverse("accounts:two_factor"), {"code": code(device)})
    assert client.get(reverse("core:home"))["Location"] == reverse("accounts:password_change")


# A session signed in some other way -------------------------------------------------------------------


@ENFORCED
def test_session_signed_in_without_the_second_factor_is_sent_to_prove_it(world, client_for):
    user = world.cast["counsellor"]
    device = enrolled(user)
    client = client_for(user)
    url = reverse("org:student_list")
    response = client.get(url)
    assert response["Location"] == step_up_url(url)
    assert client.get(reverse("admin:index"))["Location"] == step_up_url(reverse("admin:index"))
    # htmx requests are told to navigate instead of swapping the page in.
    hx = client.get(url, headers={"HX-Request": "true"})
    assert hx.status_code == 204 and hx["HX-Redirect"] == step_up_url(url)
    # A POST is not carried over: after the proof, the home page.
    assert client.post(url)["Location"] == step_up_url(reverse("core:home"))

    page = client.get(step_up_url(url))
    assert page.status_code == 200 and page.context["uses_code"]
    done = client.post(reverse("accounts:step_up"), {"code": code(device), "next": url})
    assert done["Location"] == url
    assert client.get(url).status_code == 200


@ENFORCED
def test_session_without_a_device_enrols_from_the_step_up_page(world, client_for):
    user = world.cast["mental_health_advisor"]
    client = client_for(user)
    url = reverse("org:student_list")
    to_step_up = client.get(url)["Location"]
    to_enrol = client.get(to_step_up)
    assert to_enrol["Location"].startswith(reverse("accounts:two_factor_enrol"))
    page = client.get(to_enrol["Location"])
    assert page.status_code == 200
    device = TwoFactorDevice.objects.get(user=user)
    done = client.post(reverse("accounts:two_factor_enrol"), {"code": code(device), "next": url})
    assert done["Location"] == url
    assert client.get(url).status_code == 200
    assert AuditEntry.objects.filter(what=twofactor.AUDIT_WHAT, actor=user).count() == 1


@ENFORCED
@pytest.mark.parametrize("key", ["head_teacher", "student"])
def test_password_only_sessions_are_left_alone(world, client_for, key):
    assert client_for(world.cast[key]).get(reverse("core:home")).status_code == 200


def test_nothing_is_asked_while_enforcement_is_off(world, client_for):
    client = client_for(world.cast["supervisor"])
    assert client.get(reverse("org:student_list")).status_code == 200
    assert client.get(SENSITIVE).status_code == 200


# Step-up ----------------------------------------------------------------------------------------------


@ENFORCED
def test_step_up_with_the_password_for_a_user_without_an_authenticator(world, client_for):
    user = world.cast["head_teacher"]
    client = client_for(user)
    response = client.get(SENSITIVE)
    assert response["Location"] == step_up_url(SENSITIVE)
    page = client.get(response["Location"])
    assert page.status_code == 200 and not page.context["uses_code"]

    refused = client.post(reverse("accounts:step_up"), {"password": "not-it-at-all", "next": SENSITIVE})
    assert refused.status_code == 200 and refused.context["form"].errors["password"]
    assert LoginFailure.objects.filter(username=user.username).count() == 1
    assert client.get(SENSITIVE).status_code == 302

    done = client.post(reverse("accounts:step_up"), {"password": PASSWORD, "next": SENSITIVE})
    assert done["Location"] == SENSITIVE
    assert client.get(SENSITIVE).content == b"sensitive page"


@ENFORCED
@override_settings(LOGIN_FAILURE_LIMIT_PER_ACCOUNT=2)
def test_step_up_passwords_are_throttled(world, client_for):
    client = client_for(world.cast["head_teacher"])
    for _ in range(2):
        client.post(reverse("accounts:step_up"), {"password": "not-it-at-all", "next": SENSITIVE})
    locked = client.post(reverse("accounts:step_up"), {"password": PASSWORD, "next": SENSITIVE})
    assert locked.status_code == 200 and locked.context["form"].errors["password"]
    assert client.get(SENSITIVE).status_code == 302


@ENFORCED
def test_step_up_with_a_code_and_its_expiry(world):
    user = world.cast["supervisor"]
    device = enrolled(user)
    client = Client()
    with freeze_time(T0):
        sign_in(client, user)
        client.post(reverse("accounts:two_factor"), {"code": code(device)})
        # Signing in with the second factor counts as a fresh proof.
        assert client.get(SENSITIVE).status_code == 200
    minutes = 10  # the policy's step_up_minutes
    with freeze_time(T0 + dt.timedelta(minutes=minutes - 1)):
        assert client.get(SENSITIVE).status_code == 200
    with freeze_time(T0 + dt.timedelta(minutes=minutes, seconds=1)):
        response = client.get(SENSITIVE)
        assert response["Location"] == step_up_url(SENSITIVE)
        # Ordinary pages stay open: the second factor was proven at sign-in.
        assert client.get(reverse("org:student_list")).status_code == 200
        done = client.post(reverse("accounts:step_up"), {"code": code(device), "next": SENSITIVE})
        assert done["Location"] == SENSITIVE
        assert client.get(SENSITIVE).status_code == 200


@ENFORCED
@pytest.mark.parametrize("unsafe", ["https://evil.example/steal", "//evil.example/", "javascript:alert(1)"])
def test_step_up_refuses_an_unsafe_next(world, client_for, unsafe):
    client = client_for(world.cast["head_teacher"])
    response = client.post(reverse("accounts:step_up"), {"password": PASSWORD, "next": unsafe})
    assert response["Location"] == reverse("core:home")
    page = client.get(f"{reverse('accounts:step_up')}?next={unsafe}")
    assert unsafe not in page.content.decode()


def test_step_up_needs_sign_in(world, client):
    response = client.get(reverse("accounts:step_up"))
    assert response["Location"].startswith(reverse("accounts:login"))


# Storage, demo, command -------------------------------------------------------------------------------


def test_the_secret_is_not_stored_in_plaintext(world):
    device = enrolled(world.cast["supervisor"])
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM accounts_twofactordevice WHERE id = %s", [device.pk])
        (stored,) = cursor.fetchone()
    assert device.secret not in stored and len(device.secret) == 32
    assert TwoFactorDevice.objects.get(pk=device.pk).secret == device.secret


def test_totp_code_prints_the_current_code(world):
    device = enrolled(world.cast["supervisor"])
    out = StringIO()
    with freeze_time(T0):
        call_command("totp_code", world.cast["supervisor"].username, stdout=out, stderr=StringIO())
        assert out.getvalue().strip() == code(device)


def test_totp_code_for_an_account_without_an_authenticator(world):
    with pytest.raises(CommandError):
        call_command("totp_code", world.cast["head_teacher"].username, stdout=StringIO(), stderr=StringIO())


@override_settings(XINYU_ENV="production")
def test_totp_code_refuses_to_run_in_production(world):
    enrolled(world.cast["supervisor"])
    out = StringIO()
    with pytest.raises(CommandError, match="生产环境"):
        call_command("totp_code", world.cast["supervisor"].username, stdout=out, stderr=StringIO())
    assert out.getvalue() == ""


def test_codes_follow_rfc_6238():
    # RFC 6238 appendix B, SHA-1 secret "12345678901234567890", 59 s → 94287082 (8 digits; 6 → 287082).

    secret = base64.b32encode(b"12345678901234567890").decode()
    assert twofactor.code_at_step(secret, 59 // 30) == "287082"
    with freeze_time(dt.datetime.fromtimestamp(59, dt.UTC)):
        assert twofactor.current_step() == 1
    assert time.time() > 59


@ENFORCED
def test_step_up_tells_htmx_to_navigate(world, client_for):
    client = client_for(world.cast["head_teacher"])
    response = client.get(SENSITIVE, headers={"HX-Request": "true"})
    assert response.status_code == 204 and response["HX-Redirect"] == step_up_url(SENSITIVE)


@ENFORCED
def test_password_step_for_someone_else_ends_the_signed_in_session(world, client_for):
    client = client_for(world.cast["head_teacher"])
    assert signed_in_user(client) == world.cast["head_teacher"]
    enrolled(world.cast["supervisor"])
    assert sign_in(client, world.cast["supervisor"])["Location"] == reverse("accounts:two_factor")
    assert not signed_in_user(client).is_authenticated


@ENFORCED
def test_signing_in_through_the_admin_login_still_needs_the_code(world):
    # Django's admin has a password-only sign-in form of its own (for accounts with is_staff). The back office
    # is the technical administrator's, who needs the second factor like the centre.
    user = UserFactory(username="A00001", full_name="系统管理员", is_staff=True, is_superuser=True)
    device = enrolled(user)
    client = Client()
    client.post(reverse("admin:login"), {"username": user.username, "password": PASSWORD})
    assert "_auth_user_id" in client.session
    response = client.get(reverse("admin:index"))
    assert response["Location"] == step_up_url(reverse("admin:index"))
    assert client.get(reverse("org:network"))["Location"] == step_up_url(reverse("org:network"))
    client.post(reverse("accounts:step_up"), {"code": code(device), "next": reverse("admin:index")})
    assert client.get(reverse("admin:index")).status_code == 200
