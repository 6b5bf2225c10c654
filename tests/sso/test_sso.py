"""Single sign-on against real servers on loopback (tests/sso/conftest.py): Xinyu's side through Django's
test client, the IdP's pages through requests, the ticket or code validated by Xinyu over HTTP."""

import datetime as dt
import queue
import re
import socket
import time
from urllib.parse import parse_qs, quote, urlsplit

import pytest
import requests
from django.contrib.auth import SESSION_KEY as AUTH_SESSION_KEY
from django.test import Client, override_settings
from django.urls import reverse

from tests.conftest import PASSWORD
from tests.factories import UserFactory
from tests.sso.conftest import XINYU, follow_to_xinyu
from xinyu.accounts import sso, twofactor
from xinyu.accounts.models import CasSession, LoginFailure, User
from xinyu.accounts.stepup import SESSION_KEY as REAUTH_KEY

pytestmark = pytest.mark.django_db
PROTOCOLS = [sso.CAS, sso.OIDC]
ADDRESS = "10.1.2.3"
ENFORCED = override_settings(XINYU_ENFORCE_TWO_FACTOR=True)


@pytest.fixture
def sso_on(idp):
    with idp.settings():
        yield idp


@pytest.fixture
def browser():
    with requests.Session() as session:
        yield session


def start(client, protocol, next_url="/reports/", **extra):
    response = client.get(reverse(f"accounts:sso_{protocol}_login"), {"next": next_url, **extra}, REMOTE_ADDR=ADDRESS)
    assert response.status_code == 302, response.content[:300]
    return response["Location"]


def sign_in(client, browser, protocol, login, next_url="/reports/"):
    """The whole round trip; returns Xinyu's answer to the callback and the callback's address."""
    back = follow_to_xinyu(browser, start(client, protocol, next_url), login)
    return client.get(back, REMOTE_ADDR=ADDRESS), back


def session_user(client):
    return client.session.get(AUTH_SESSION_KEY)


def refusal_reason(response):
    match = re.search(r'data-reason="([a-z_]+)"', response.content.decode())
    return match.group(1) if match else None


# Signing in ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_sign_in_matches_the_account_by_its_number(world, sso_on, browser, protocol):
    client = Client()
    response, back = sign_in(client, browser, protocol, "sun")
    assert back.startswith(f"/accounts/sso/{protocol}/callback/?")
    assert response.status_code == 302
    assert response["Location"] == "/reports/"
    assert session_user(client) == str(world.cast["head_teacher"].pk)
    assert sso.signed_in_with(_request(client))["protocol"] == protocol


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_full_width_number_from_the_idp_finds_the_student(world, sso_on, browser, protocol):
    client = Client()
    response, _ = sign_in(client, browser, protocol, "student", next_url="https://evil.example/")
    assert response.status_code == 302
    assert response["Location"] == reverse("core:home")  # never off-site
    assert User.objects.get(pk=session_user(client)).username == "2025000001"


def test_the_sign_in_page_offers_sso_only_when_it_is_on(world, idp):
    with idp.settings(SSO_OIDC_ENABLED=False):
        page = Client().get(reverse("accounts:login")).content.decode()
    assert "统一身份认证登录" in page
    assert 'data-testid="sso-cas"' in page and 'data-testid="sso-oidc"' not in page
    page = Client().get(reverse("accounts:login")).content.decode()
    assert "统一身份认证" not in page


def test_sso_pages_do_not_exist_while_sso_is_off(world):
    client = Client()
    for name in ("sso_cas_login", "sso_cas_callback", "sso_oidc_login", "sso_oidc_callback"):
        assert client.get(reverse(f"accounts:{name}")).status_code == 404


def test_the_local_password_still_works_with_sso_on(world, sso_on):
    client = Client()
    response = client.post(reverse("accounts:login"), {"username": "T10001", "password": PASSWORD})
    assert response.status_code == 302
    assert session_user(client) == str(world.cast["head_teacher"].pk)
    assert sso.signed_in_with(_request(client)) is None


# Refusals -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_an_unknown_person_is_refused_and_nothing_is_created(world, sso_on, browser, protocol):
    users_before = User.objects.count()
    client = Client()
    response, _ = sign_in(client, browser, protocol, "ghost")
    assert response.status_code == 403
    assert refusal_reason(response) == "unknown"
    page = response.content.decode()
    assert "T99999" in page and "不会因登录而自动创建" in page
    assert User.objects.count() == users_before
    assert session_user(client) is None
    assert LoginFailure.objects.filter(username="T99999", address=ADDRESS).count() == 1


@pytest.mark.parametrize("protocol", PROTOCOLS)
@pytest.mark.parametrize("how", ["left_on", "inactive"])
def test_a_person_who_left_cannot_sign_in(world, sso_on, browser, protocol, how):
    if how == "left_on":
        UserFactory(username="T30001", left_on=dt.date.today() - dt.timedelta(days=1))
    else:
        UserFactory(username="T30001", is_active=False)
    client = Client()
    response, _ = sign_in(client, browser, protocol, "leaver")
    assert response.status_code == 403
    assert refusal_reason(response) == "left"
    assert session_user(client) is None


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_no_number_from_the_idp_is_refused(world, sso_on, browser, protocol):
    response, _ = sign_in(Client(), browser, protocol, "nameless")
    assert response.status_code == 403
    assert refusal_reason(response) == "no_number"


@override_settings(LOGIN_FAILURE_LIMIT_PER_ADDRESS=2)
def test_an_address_locked_out_for_passwords_is_locked_out_here_too(world, sso_on, browser):
    for _ in range(2):
        LoginFailure.objects.create(username="someone", address=ADDRESS)
    client = Client()
    response, _ = sign_in(client, browser, sso.CAS, "sun")
    assert response.status_code == 429
    assert refusal_reason(response) == "locked"
    assert session_user(client) is None


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_a_callback_without_a_started_sign_in_is_refused(world, sso_on, browser, protocol):
    """Signing someone in with an attacker's ticket or code (login CSRF): the round trip was not started
    in this browser."""
    _, back = sign_in(Client(), browser, protocol, "ghost")  # any callback address
    victim = Client()
    response = victim.get(back)
    assert response.status_code == 400
    assert refusal_reason(response) == "failed"
    assert session_user(victim) is None


# Replays ------------------------------------------------------------------------------------------------


def test_a_replayed_cas_ticket_is_refused(world, sso_on, browser):
    first = Client()
    response, back = sign_in(first, browser, sso.CAS, "sun")
    assert response.status_code == 302
    replay = Client()
    start(replay, sso.CAS)  # a round trip of its own is under way; the ticket is the used one
    response = replay.get(back, REMOTE_ADDR=ADDRESS)
    assert response.status_code == 400
    assert refusal_reason(response) == "failed"
    assert session_user(replay) is None


def test_a_replayed_oidc_code_is_refused(world, sso_on, browser):
    first = Client()
    response, back = sign_in(first, browser, sso.OIDC, "sun")
    assert response.status_code == 302
    # The same callback again in the same browser: its state was used up.
    assert first.get(back).status_code == 400
    # Another browser with a round trip of its own (its state) and the used code: the IdP refuses the code.
    replay = Client()
    state = parse_qs(urlsplit(start(replay, sso.OIDC)).query)["state"][0]
    code = parse_qs(urlsplit(back).query)["code"][0]
    response = replay.get(reverse("accounts:sso_oidc_callback"), {"code": code, "state": state})
    assert response.status_code == 400
    assert session_user(replay) is None


def test_a_wrong_oidc_state_is_refused(world, sso_on, browser):
    client = Client()
    back = follow_to_xinyu(browser, start(client, sso.OIDC), "sun")
    query = parse_qs(urlsplit(back).query)
    response = client.get(reverse("accounts:sso_oidc_callback"), {"code": query["code"][0], "state": "forged"})
    assert response.status_code == 400
    assert session_user(client) is None


# Signing out ----------------------------------------------------------------------------------------------


def test_cas_sign_out_ends_the_session_and_goes_to_the_cas_logout(world, sso_on, browser):
    client = Client()
    sign_in(client, browser, sso.CAS, "sun")
    assert CasSession.objects.count() == 1
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert response["Location"] == f"{sso_on.cas_url}logout?service={_quoted(XINYU + '/accounts/login/')}"
    assert session_user(client) is None
    assert client.get(reverse("core:home")).status_code == 302
    assert CasSession.objects.count() == 0
    # The IdP's session ends too: the next sign-in asks for the IdP's password again.
    follow_to_xinyu(browser, response["Location"])
    with pytest.raises(AssertionError, match="asks to sign in"):
        follow_to_xinyu(browser, start(Client(), sso.CAS))


def test_cas_single_logout_from_the_server_ends_the_xinyu_session(world, sso_on, browser):
    client = Client()
    _, back = sign_in(client, browser, sso.CAS, "sun")
    ticket = parse_qs(urlsplit(back).query)["ticket"][0]
    assert session_user(client) is not None
    browser.get(f"{sso_on.cas_url}logout", timeout=20)  # signed out at the IdP, from another site
    body = _single_logout_request(sso_on, ticket)
    anyone = Client(enforce_csrf_checks=True)
    assert anyone.post(reverse("accounts:sso_cas_callback"), {"logoutRequest": body}).status_code == 200
    assert session_user(client) is None
    assert client.get(reverse("core:home")).status_code == 302
    assert not CasSession.objects.filter(ticket=ticket).exists()


def test_a_single_logout_naming_an_unknown_ticket_ends_nothing(world, sso_on, browser):
    client = Client()
    sign_in(client, browser, sso.CAS, "sun")
    body = (
        '<samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="x" Version="2.0">'
        "<samlp:SessionIndex>ST-not-issued</samlp:SessionIndex></samlp:LogoutRequest>"
    )
    assert Client().post(reverse("accounts:sso_cas_callback"), {"logoutRequest": body}).status_code == 200
    assert Client().post(reverse("accounts:sso_cas_callback"), {"logoutRequest": "<not xml"}).status_code == 200
    assert session_user(client) is not None


def test_oidc_sign_out_ends_the_session_and_goes_to_the_end_session_endpoint(world, sso_on, browser):
    client = Client()
    sign_in(client, browser, sso.OIDC, "sun")
    id_token = sso.signed_in_with(_request(client))["id_token"]
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    target = urlsplit(response["Location"])
    assert f"{target.scheme}://{target.netloc}{target.path}" == f"{sso_on.base_url}/o/logout/"
    query = parse_qs(target.query)
    assert query["id_token_hint"] == [id_token]
    assert query["post_logout_redirect_uri"] == [f"{XINYU}/accounts/login/"]
    assert session_user(client) is None
    # The provider accepts the hint, ends its session and sends the browser back to Xinyu's sign-in page.
    assert follow_to_xinyu(browser, response["Location"]).startswith("/accounts/login/")
    with pytest.raises(AssertionError, match="asks to sign in"):
        follow_to_xinyu(browser, start(Client(), sso.OIDC))


def test_no_idp_logout_when_switched_off(world, idp, browser):
    with idp.settings(SSO_LOGOUT_AT_IDP=False):
        client = Client()
        sign_in(client, browser, sso.OIDC, "sun")
        response = client.post(reverse("accounts:logout"))
    assert response["Location"] == reverse("accounts:login")


# The second factor -----------------------------------------------------------------------------------------


@ENFORCED
@pytest.mark.parametrize("protocol", PROTOCOLS)
@pytest.mark.parametrize(
    ("login", "trust", "needs_code"),
    [("wu", False, True), ("wu-mfa", False, True), ("wu", True, True), ("wu-mfa", True, False)],
)
def test_t3_holders_need_the_second_factor_unless_the_idps_mfa_is_trusted(
    world, idp, browser, protocol, login, trust, needs_code
):
    with idp.settings(SSO_TRUST_IDP_MFA=trust):
        client = Client()
        response, _ = sign_in(client, browser, protocol, login)
        if needs_code:
            assert response["Location"] == reverse("accounts:two_factor_enrol")
            assert session_user(client) is None
            assert client.session[twofactor.PENDING_SESSION_KEY]["user"] == world.cast["mental_health_advisor"].pk
        else:
            assert response["Location"] == "/reports/"
            assert session_user(client) == str(world.cast["mental_health_advisor"].pk)
            home = client.get(reverse("core:home"))
            assert home.status_code == 200  # no detour to the step-up page
            assert REAUTH_KEY in client.session


@ENFORCED
def test_the_code_step_after_cas_keeps_single_logout_working(world, sso_on, browser):
    device = twofactor.start_enrolment(world.cast["mental_health_advisor"])
    device.confirmed_at = dt.datetime.now(dt.UTC)
    device.save()
    client = Client()
    response, back = sign_in(client, browser, sso.CAS, "wu")
    assert response["Location"] == reverse("accounts:two_factor")
    code = twofactor.current_code(device.secret)
    done = client.post(reverse("accounts:two_factor"), {"code": code}, REMOTE_ADDR=ADDRESS)
    assert done.status_code == 302 and done["Location"] == "/reports/"
    assert session_user(client) == str(world.cast["mental_health_advisor"].pk)
    ticket = parse_qs(urlsplit(back).query)["ticket"][0]
    assert CasSession.objects.get(ticket=ticket).session_key == client.session.session_key


# Step-up for someone signed in through the IdP ---------------------------------------------------------------


@ENFORCED
@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_step_up_without_a_local_password_is_a_fresh_idp_sign_in(world, sso_on, browser, protocol):
    head_teacher = world.cast["head_teacher"]
    head_teacher.set_unusable_password()
    head_teacher.save()
    client = Client()
    sign_in(client, browser, protocol, "sun")
    assert REAUTH_KEY not in client.session
    page = client.get(reverse("accounts:step_up"), {"next": "/reports/"})
    assert page.status_code == 200
    assert 'data-testid="step-up-form"' not in page.content.decode()  # no password to ask for
    link = re.search(r'href="([^"]*reauthenticate=1[^"]*)"', page.content.decode()).group(1).replace("&amp;", "&")
    leave = client.get(link)
    assert leave.status_code == 302
    # The IdP is asked to check again (CAS renew, OIDC prompt=login): its password form comes back.
    back = follow_to_xinyu(browser, leave["Location"], "sun")
    response = client.get(back)
    assert response["Location"] == "/reports/"
    assert REAUTH_KEY in client.session
    assert session_user(client) == str(head_teacher.pk)


@ENFORCED
def test_step_up_through_the_idp_for_someone_else_does_not_count(world, sso_on, browser):
    head_teacher = world.cast["head_teacher"]
    head_teacher.set_unusable_password()
    head_teacher.save()
    client = Client()
    sign_in(client, browser, sso.CAS, "sun")
    leave = client.get(reverse("accounts:sso_cas_login"), {"next": "/reports/", "reauthenticate": "1"})
    back = follow_to_xinyu(browser, leave["Location"], "student")
    client.get(back)
    # Another person signed in at the IdP: that is a new sign-in as them, not the head teacher's step-up.
    assert session_user(client) != str(head_teacher.pk)


# Helpers -----------------------------------------------------------------------------------------------------


def _request(client):
    return client.get(reverse("core:home")).wsgi_request


def _quoted(url):
    return quote(url, safe="")


def _single_logout_request(idp, ticket, timeout=20):
    """The logout request the CAS server sent for `ticket` (the server sends them in the background)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            body = idp.slo_requests.get(timeout=max(0.1, deadline - time.monotonic()))
        except queue.Empty:
            break
        if ticket in body:
            return body
    raise AssertionError(f"the CAS server sent no single logout for {ticket}")


def test_cas_2_validation_works_too(world, idp, browser):
    with idp.settings(SSO_CAS_VERSION=2):
        client = Client()
        response, _ = sign_in(client, browser, sso.CAS, "sun")
    assert response.status_code == 302
    assert session_user(client) == str(world.cast["head_teacher"].pk)


@ENFORCED
def test_step_up_offers_the_password_and_the_idp_to_someone_who_has_both(world, sso_on, browser):
    client = Client()
    sign_in(client, browser, sso.OIDC, "sun")
    page = client.get(reverse("accounts:step_up"), {"next": "/reports/"}).content.decode()
    assert 'data-testid="step-up-form"' in page and 'data-testid="step-up-sso"' in page
    assert "通过统一身份认证重新登录" in page
    response = client.post(reverse("accounts:step_up"), {"password": PASSWORD, "next": "/reports/"})
    assert response["Location"] == "/reports/"
    assert REAUTH_KEY in client.session


def test_an_sso_sign_in_is_not_sent_to_set_a_local_password(world, sso_on, browser):
    head_teacher = world.cast["head_teacher"]
    head_teacher.must_change_password = True
    head_teacher.save()
    client = Client()
    sign_in(client, browser, sso.CAS, "sun")
    assert client.get(reverse("core:home")).status_code == 200
    local = Client()
    local.post(reverse("accounts:login"), {"username": "T10001", "password": PASSWORD})
    assert local.get(reverse("core:home"))["Location"] == reverse("accounts:password_change")


@ENFORCED
def test_a_password_sign_in_after_an_unfinished_sso_sign_in_is_a_password_sign_in(world, sso_on, browser):
    client = Client()
    response, _ = sign_in(client, browser, sso.OIDC, "wu")  # stops at the code step
    assert response["Location"] == reverse("accounts:two_factor_enrol")
    client.post(reverse("accounts:login"), {"username": "T10001", "password": PASSWORD})
    assert session_user(client) == str(world.cast["head_teacher"].pk)
    assert sso.SESSION_KEY not in client.session
    assert client.post(reverse("accounts:logout"))["Location"] == reverse("accounts:login")


def test_links_of_expired_cas_sessions_are_dropped(world, sso_on, browser):
    CasSession.objects.create(ticket="ST-old", session_key="gone")
    CasSession.objects.update(created_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    sign_in(Client(), browser, sso.CAS, "sun")
    assert not CasSession.objects.filter(ticket="ST-old").exists()
    assert CasSession.objects.count() == 1


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_an_idp_that_does_not_answer_gets_a_clear_page(world, idp):
    nowhere = f"http://127.0.0.1:{_closed_port()}"
    with idp.settings(
        SSO_CAS_SERVER_URL=f"{nowhere}/cas/",
        SSO_OIDC_DISCOVERY_URL=f"{nowhere}/o/.well-known/openid-configuration",
        SSO_HTTP_TIMEOUT_SECONDS=2,
    ):
        client = Client()
        response = client.get(reverse("accounts:sso_oidc_login"))
        assert response.status_code == 503
        assert refusal_reason(response) == "unavailable"
        assert "暂时无法访问" in response.content.decode()
        start(client, sso.CAS)
        response = client.get(reverse("accounts:sso_cas_callback"), {"ticket": "ST-1"})
        assert response.status_code == 503
        assert refusal_reason(response) == "unavailable"
        assert session_user(client) is None


@ENFORCED
@pytest.mark.parametrize(("protocol", "trusted"), [(sso.OIDC, True), (sso.CAS, False)])
def test_mfa_by_acr_counts_where_listed_and_other_cas_values_do_not(world, idp, browser, protocol, trusted):
    """wu-acr: OIDC says acr=urn:example:loa:mfa (amr pwd only); CAS says authnMethod=password."""
    with idp.settings(SSO_TRUST_IDP_MFA=True, SSO_OIDC_MFA_ACR=["urn:example:loa:mfa"]):
        client = Client()
        response, _ = sign_in(client, browser, protocol, "wu-acr")
    if trusted:
        assert response["Location"] == "/reports/"
        assert session_user(client) == str(world.cast["mental_health_advisor"].pk)
    else:
        assert response["Location"] == reverse("accounts:two_factor_enrol")
        assert session_user(client) is None


@ENFORCED
def test_acr_not_listed_is_not_mfa(world, idp, browser):
    with idp.settings(SSO_TRUST_IDP_MFA=True, SSO_OIDC_MFA_ACR=[]):
        client = Client()
        response, _ = sign_in(client, browser, sso.OIDC, "wu-acr")
    assert response["Location"] == reverse("accounts:two_factor_enrol")


def test_the_number_may_come_from_the_userinfo_endpoint(world, idp, browser):
    with idp.settings(SSO_OIDC_USERNAME_CLAIM="xh_userinfo"):
        client = Client()
        response, _ = sign_in(client, browser, sso.OIDC, "sun")
    assert response.status_code == 302
    assert session_user(client) == str(world.cast["head_teacher"].pk)
