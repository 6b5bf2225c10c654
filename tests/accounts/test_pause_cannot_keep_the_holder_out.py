"""Wrong passwords cannot keep an account's holder out: while the account's password sign-in is paused, the
password with a code from the holder's authenticator app still signs in; the guesser gets the same answer
whatever they send, and their own address is locked out soon."""

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from tests.accounts.test_two_factor import code, enrolled, wrong
from tests.conftest import PASSWORD
from xinyu.accounts.stepup import STEP_UP_WHAT
from xinyu.accounts.twofactor import VERIFIED_SESSION_KEY
from xinyu.audit.models import AuditEntry

pytestmark = pytest.mark.django_db
LOGIN = reverse("accounts:login")
LIMITS = override_settings(LOGIN_FAILURE_LIMIT_PER_ACCOUNT=3, LOGIN_FAILURE_LIMIT_PER_ADDRESS=8)
ATTACKER, HOLDER = "203.0.113.66", "10.20.30.40"


def attempt(username, password, *, address, code_=None, client=None):
    data = {"username": username, "password": password}
    if code_ is not None:
        data["code"] = code_
    return (client or Client()).post(LOGIN, data, REMOTE_ADDR=address)


def errors(response):
    return [(e.code, str(e.message)) for e in response.context["form"].errors.as_data().get("__all__", [])]


def pause(user):
    for n in range(3):
        assert attempt(user.username, f"guess-number-{n}", address=ATTACKER).status_code == 200


@LIMITS
@override_settings(XINYU_ENFORCE_TWO_FACTOR=True)
def test_the_holder_gets_in_with_password_and_code_while_the_account_is_paused(world):
    user = world.cast["supervisor"]
    device = enrolled(user)
    pause(user)
    paused = attempt(user.username, PASSWORD, address=HOLDER)
    assert paused.status_code == 200 and errors(paused)[0][0] == "locked"
    assert 'data-testid="login-code"' in paused.content.decode()  # the page asks for the code now

    client = Client()
    done = attempt(user.username, PASSWORD, address=HOLDER, code_=code(device), client=client)
    assert done.status_code == 302 and done["Location"] == reverse("core:home")
    # Signed in with both factors: no code step, the session counts as verified and freshly stepped up.
    assert client.session[VERIFIED_SESSION_KEY] == user.pk
    assert client.get(reverse("counselling:session_list")).status_code == 200
    assert AuditEntry.objects.filter(what=STEP_UP_WHAT, actor_username=user.username).count() == 1


@LIMITS
def test_the_guesser_learns_nothing_and_their_address_is_locked(world):
    user = world.cast["supervisor"]
    device = enrolled(user)
    pause(user)
    # Whatever the guesser sends while the account is paused, the answer is the same.
    answers = [
        errors(attempt(user.username, "guess-number-9", address=ATTACKER)),
        errors(attempt(user.username, "guess-number-9", address=ATTACKER, code_=code(device))),
        errors(attempt(user.username, PASSWORD, address=ATTACKER)),
        errors(attempt(user.username, PASSWORD, address=ATTACKER, code_=wrong(device))),
    ]
    assert all(answer == answers[0] for answer in answers) and answers[0][0][0] == "locked"
    # Eight failures from that address: it is locked for every account, even with both factors right.
    attempt("T10001", "guess-number-9", address=ATTACKER)
    locked = attempt(user.username, PASSWORD, address=ATTACKER, code_=code(device))
    assert locked.status_code == 200 and errors(locked)[0][0] == "locked"
    # The holder, elsewhere, still gets in.
    assert attempt(user.username, PASSWORD, address=HOLDER, code_=code(device)).status_code == 302


@LIMITS
def test_a_code_signs_in_once_only(world):
    user = world.cast["supervisor"]
    device = enrolled(user)
    pause(user)
    once = code(device)
    assert attempt(user.username, PASSWORD, address=HOLDER, code_=once).status_code == 302
    pause(user)
    assert attempt(user.username, PASSWORD, address=HOLDER, code_=once).status_code == 200


@LIMITS
def test_an_account_without_an_authenticator_waits_out_the_pause(world):
    """Documented: without an app there is no second proof, so the pause (the failure window) holds."""
    user = world.cast["head_teacher"]
    pause(user)
    response = attempt(user.username, PASSWORD, address=HOLDER, code_="123456")
    assert response.status_code == 200 and errors(response)[0][0] == "locked"


@LIMITS
def test_the_code_field_is_not_shown_before_the_pause(world):
    page = Client().get(LOGIN).content.decode()
    assert 'data-testid="login-code"' not in page
    wrong_once = attempt(world.cast["supervisor"].username, "guess-number-1", address=HOLDER)
    assert 'data-testid="login-code"' not in wrong_once.content.decode()
