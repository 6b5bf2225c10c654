"""Sign-in throttling: failures are counted per account name and per client address.

Unknown and known account names are counted alike, so the answer never tells whether an account exists.
The client address is `client_address` (X-Forwarded-For only from TRUSTED_PROXIES), so a client cannot
spread its failures over made-up addresses.
"""

import datetime as dt
import unicodedata

from django.conf import settings
from django.utils import timezone

from xinyu.accounts.models import LoginFailure


def normalise_username(raw: str) -> str:
    """学号/工号 as typed on a phone: full-width digits and spaces become plain ones."""
    return unicodedata.normalize("NFKC", raw or "").strip()


def _window_start() -> dt.datetime:
    return timezone.now() - dt.timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)


def account_locked(username: str) -> bool:
    """Too many failures for this account name within the window. For signing in with a password this is a
    pause, not a lock: the holder still gets in with the password and a code from their authenticator app
    (xinyu.accounts.backends), so nobody can keep them out by typing wrong passwords."""
    recent = LoginFailure.objects.filter(at__gte=_window_start(), username=username)
    return recent.count() >= settings.LOGIN_FAILURE_LIMIT_PER_ACCOUNT


def address_locked(address: str | None) -> bool:
    """Too many failures from this client address within the window, whatever the accounts."""
    if not address:
        return False
    recent = LoginFailure.objects.filter(at__gte=_window_start(), address=address)
    return recent.count() >= settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS


def is_locked(username: str, address: str | None) -> bool:
    return account_locked(username) or address_locked(address)


def record_failure(username: str, address: str | None) -> None:
    LoginFailure.objects.create(username=username[:150], address=address)


def clear_failures(username: str) -> None:
    LoginFailure.objects.filter(username=username).delete()


def purge_old_failures() -> int:
    deleted, _ = LoginFailure.objects.filter(at__lt=_window_start() - dt.timedelta(days=1)).delete()
    return deleted
