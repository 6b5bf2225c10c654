"""The client's address (access log, sign-in throttle): X-Forwarded-For only from TRUSTED_PROXIES."""

import pytest
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse

from xinyu.accounts.models import LoginFailure
from xinyu.audit.services import client_address


def address(remote, forwarded=None):
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return client_address(RequestFactory().get("/", REMOTE_ADDR=remote, **headers))


def test_without_trusted_proxies_the_header_is_ignored():
    assert address("198.51.100.7", "10.1.2.3") == "198.51.100.7"
    assert address("198.51.100.7") == "198.51.100.7"


@override_settings(TRUSTED_PROXIES=["127.0.0.1", "10.0.0.0/8", "::1"])
@pytest.mark.parametrize(
    "remote,forwarded,expected",
    [
        ("127.0.0.1", "203.0.113.5", "203.0.113.5"),  # nginx on the same machine
        ("::1", "2001:db8::5", "2001:db8::5"),
        # A client writes anything on the left; the proxy appends what it saw: the rightmost untrusted hop.
        ("127.0.0.1", "1.1.1.1, 203.0.113.5", "203.0.113.5"),
        ("10.0.0.1", "203.0.113.5, 10.0.0.2", "203.0.113.5"),  # two proxies of ours
        ("127.0.0.1", "not-an-address", "127.0.0.1"),
        ("127.0.0.1", "", "127.0.0.1"),
        ("127.0.0.1", None, "127.0.0.1"),
        ("198.51.100.7", "203.0.113.5", "198.51.100.7"),  # not a proxy of ours: its header means nothing
    ],
)
def test_trusted_proxies_are_believed_and_nobody_else(remote, forwarded, expected):
    assert address(remote, forwarded) == expected


def test_an_address_that_is_not_one_is_none():
    assert address("") is None


def sign_in(remote, forwarded, username="T10001"):
    return Client().post(
        reverse("accounts:login"),
        {"username": username, "password": "wrong-password-1"},
        REMOTE_ADDR=remote,
        HTTP_X_FORWARDED_FOR=forwarded,
    )


@pytest.mark.django_db
@override_settings(LOGIN_FAILURE_LIMIT_PER_ACCOUNT=100, LOGIN_FAILURE_LIMIT_PER_ADDRESS=3)
def test_a_guesser_cannot_dodge_the_address_limit_with_made_up_headers(world):
    for n in range(3):
        sign_in("198.51.100.7", f"10.0.0.{n}", username=f"T2000{n}")
    assert set(LoginFailure.objects.values_list("address", flat=True)) == {"198.51.100.7"}
    response = Client().post(
        reverse("accounts:login"),
        {"username": "T10001", "password": "correct-horse-42"},
        REMOTE_ADDR="198.51.100.7",
        HTTP_X_FORWARDED_FOR="10.9.9.9",
    )
    assert response.status_code == 200  # locked: the socket's address is the one counted


@pytest.mark.django_db
@override_settings(
    TRUSTED_PROXIES=["127.0.0.1"], LOGIN_FAILURE_LIMIT_PER_ACCOUNT=100, LOGIN_FAILURE_LIMIT_PER_ADDRESS=3
)
def test_behind_a_trusted_proxy_each_client_is_counted_apart(world):
    for n in range(3):
        sign_in("127.0.0.1", "203.0.113.5", username=f"T2000{n}")
    assert set(LoginFailure.objects.values_list("address", flat=True)) == {"203.0.113.5"}
    response = Client().post(
        reverse("accounts:login"),
        {"username": "T10001", "password": "correct-horse-42"},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="203.0.113.6",
    )
    assert response.status_code == 302  # another client behind the same proxy is not locked out
