"""Sign-in throttling: failures are counted per account name and per client address.

Unknown and known account names are counted alike, so the answer never tells whether an account exists.
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


def is_locked(username: str, address: str | None) -> bool:
    since = _window_start()
    recent = LoginFailure.objects.filter(at__gte=since)
    if recent.filter(username=username).count() >= settings.LOGIN_FAILURE_LIMIT_PER_ACCOUNT:
        return True
    return bool(address) and recent.filter(address=address).count() >= settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS


def record_failure(username: str, address: str | None) -> None:
    LoginFailure.objects.create(username=username[:150], address=address)


def clear_failures(username: str) -> None:
    LoginFailure.objects.filter(username=username).delete()


def purge_old_failures() -> int:
    deleted, _ = LoginFailure.objects.filter(at__lt=_window_start() - dt.timedelta(days=1)).delete()
    return deleted
