import time

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from tests.conftest import PASSWORD
from tests.factories import UserFactory
from xinyu.accounts.middleware import SESSION_LAST_SEEN
from xinyu.accounts.models import LoginFailure

pytestmark = pytest.mark.django_db
LOGIN = "accounts:login"


def sign_in(client, username, password, address="10.0.0.1"):
    return client.post(reverse(LOGIN), {"username": username, "password": password}, REMOTE_ADDR=address)


def form_errors(response):
    return response.context["form"].non_field_errors()


def test_sign_in_with_staff_number(world):
    client = Client()
    response = sign_in(client, "T10001", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("core:home")
    assert client.get(reverse("core:home")).context["user"] == world.cast["head_teacher"]


def test_full_width_digits_typed_on_a_phone_are_accepted(world):
    response = sign_in(Client(), "２０２５０００００１", PASSWORD)
    assert response.status_code == 302


def test_unknown_and_known_accounts_get_the_same_answer(world):
    unknown = sign_in(Client(), "T99999", "wrong-password-1")
    known = sign_in(Client(), "T10001", "wrong-password-1")
    assert unknown.status_code == known.status_code == 200
    assert form_errors(unknown) == form_errors(known)


@override_settings(LOGIN_FAILURE_LIMIT_PER_ACCOUNT=3, LOGIN_FAILURE_LIMIT_PER_ADDRESS=100)
def test_account_is_locked_after_repeated_failures_even_with_the_right_password(world):
    for n in range(3):
        sign_in(Client(), "T10001", "wrong-password-1", address=f"10.0.0.{n + 1}")
    locked = sign_in(Client(), "T10001", PASSWORD, address="10.0.0.9")
    assert locked.status_code == 200
    assert [e.code for e in locked.context["form"].errors.as_data()["__all__"]] == ["locked"]
    # The same lock-out answer for an account that does not exist.
    for n in range(3):
        sign_in(Client(), "T99999", "wrong-password-1", address=f"10.0.1.{n + 1}")
    ghost = sign_in(Client(), "T99999", "whatever-else-1", address="10.0.1.9")
    assert form_errors(ghost) == form_errors(locked)


@override_settings(LOGIN_FAILURE_LIMIT_PER_ACCOUNT=100, LOGIN_FAILURE_LIMIT_PER_ADDRESS=4)
def test_address_is_locked_after_failures_across_accounts(world):
    for n in range(4):
        sign_in(Client(), f"T2000{n}", "wrong-password-1", address="10.9.9.9")
    assert sign_in(Client(), "T10001", PASSWORD, address="10.9.9.9").status_code == 200
    assert sign_in(Client(), "T10001", PASSWORD, address="10.9.9.8").status_code == 302


@override_settings(LOGIN_FAILURE_LIMIT_PER_ACCOUNT=3, LOGIN_FAILURE_WINDOW_SECONDS=60)
def test_lock_lifts_after_the_window(world):
    for _ in range(3):
        sign_in(Client(), "T10001", "wrong-password-1")
    assert sign_in(Client(), "T10001", PASSWORD).status_code == 200
    LoginFailure.objects.update(at="2000-01-01T00:00:00Z")
    assert sign_in(Client(), "T10001", PASSWORD).status_code == 302


def test_success_clears_the_account_failures(world):
    sign_in(Client(), "T10001", "wrong-password-1")
    sign_in(Client(), "T10001", PASSWORD)
    assert not LoginFailure.objects.filter(username="T10001").exists()


def test_imported_account_must_change_password_first(world):
    user = world.cast["advisor"]
    user.must_change_password = True
    user.save()
    client = Client()
    sign_in(client, user.username, PASSWORD)
    assert client.get(reverse("org:student_list"))["Location"] == reverse("accounts:password_change")
    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "Bright-river-2027",
            "new_password2": "Bright-river-2027",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.must_change_password is False
    assert user.check_password("Bright-river-2027")
    assert client.get(reverse("org:student_list")).status_code == 200


def test_password_change_page_needs_sign_in(client, world):
    response = client.get(reverse("accounts:password_change"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse(LOGIN))


@override_settings(STAFF_IDLE_TIMEOUT_SECONDS=60)
def test_staff_session_times_out_when_idle(world, client_for):
    client = client_for(world.cast["head_teacher"])
    assert client.get(reverse("core:home")).status_code == 200
    session = client.session
    session[SESSION_LAST_SEEN] = int(time.time()) - 61
    session.save()
    response = client.get(reverse("core:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse(LOGIN))
    assert client.get(reverse("core:home")).status_code == 302


@override_settings(STAFF_IDLE_TIMEOUT_SECONDS=60)
def test_students_are_not_idle_timed_out(world, client_for):
    client = client_for(world.cast["student"])
    client.get(reverse("core:home"))
    session = client.session
    session[SESSION_LAST_SEEN] = int(time.time()) - 3600
    session.save()
    assert client.get(reverse("core:home")).status_code == 200


def test_logout_needs_post_and_ends_the_session(world, client_for):
    client = client_for(world.cast["head_teacher"])
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert client.post(reverse("accounts:logout")).status_code == 302
    assert client.get(reverse("core:home")).status_code == 302


def test_logout_when_signed_out_goes_to_sign_in(client, world):
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse(LOGIN))


def test_inactive_staff_cannot_sign_in(world):
    user = UserFactory(username="T30000", is_active=False)
    assert sign_in(Client(), user.username, PASSWORD).status_code == 200
