"""Single sign-on (统一身份认证): what CAS and OpenID Connect share once the IdP has said who someone is.

The IdP names a 学号/工号; the account with that username signs in. Nobody is created by signing in: an
unknown number, or a person who left (inactive, or `left_on` passed), is refused with a page saying so,
and the refusal is counted in the sign-in throttle's table like a wrong password (per name and address),
so an address that is locked out for passwords is locked out here too.

A holder of T3/T4 access still proves the second factor in Xinyu after the IdP (the code step of
`xinyu.accounts.twofactor`), unless `SSO_TRUST_IDP_MFA` is on and the IdP asserted MFA for this sign-in.

The session remembers how it was signed in (`SESSION_KEY`): the protocol, the OIDC ID token (for the IdP's
logout) or the CAS ticket (for the CAS server's single logout), and whether the IdP asserted MFA.
"""

import datetime as dt
import time
from dataclasses import dataclass, field
from enum import Enum

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth import login as auth_login
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xinyu.accounts import throttle, twofactor
from xinyu.accounts.models import CasSession
from xinyu.accounts.redirects import safe_next
from xinyu.accounts.stepup import mark_reauthenticated
from xinyu.org.access_log import client_address

SESSION_KEY = "xinyu_sso"
# What the sign-in round trip carries in the session between leaving for the IdP and coming back.
START_SESSION_KEY = "xinyu_sso_start"
START_SECONDS = 10 * 60
CAS = "cas"
OIDC = "oidc"
PROTOCOL_NAMES = {CAS: "CAS", OIDC: "OpenID Connect"}
# The model backend loads the user of a session; SSO signs in through it (it checks is_active on each request).
SESSION_BACKEND = "xinyu.accounts.backends.ThrottledModelBackend"


class Refusal(Enum):
    UNKNOWN = "unknown"
    LEFT = "left"
    LOCKED = "locked"
    FAILED = "failed"
    NO_NUMBER = "no_number"
    UNAVAILABLE = "unavailable"


class Unavailable(Exception):
    """The IdP did not answer (network, timeout): nobody's fault at this end, try again later."""


REFUSAL_TEXTS = {
    Refusal.UNKNOWN: _(
        "The unified identity authentication knows you, but Xinyu has no account with your staff or student "
        "number %(number)s. Accounts are not created by signing in: ask your college's student affairs office "
        "or the psychology centre to check the roster."
    ),
    Refusal.LEFT: _(
        "The account with the number %(number)s is no longer in use (its holder has left or the account is "
        "switched off), so it cannot sign in, even through the unified identity authentication."
    ),
    Refusal.LOCKED: _("Too many failed sign-ins from this network. Please wait a while and try again."),
    Refusal.FAILED: _(
        "The unified identity authentication could not confirm this sign-in (the link may have expired or been "
        "used already). Please sign in again."
    ),
    Refusal.UNAVAILABLE: _(
        "The unified identity authentication is not answering at the moment. Please try again later, or sign "
        "in with your Xinyu password if you have one."
    ),
    Refusal.NO_NUMBER: _(
        "The unified identity authentication did not say your staff or student number, so Xinyu cannot tell "
        "which account is yours. Please tell the technical administrator."
    ),
}


def enabled_protocols() -> list[str]:
    return [name for name, on in ((CAS, settings.SSO_CAS_ENABLED), (OIDC, settings.SSO_OIDC_ENABLED)) if on]


@dataclass
class Assertion:
    """What the IdP said about the person signing in."""

    protocol: str
    number: str  # 学号/工号, as the IdP gave it
    mfa: bool = False
    extra: dict = field(default_factory=dict)  # kept in the session: id_token (OIDC) or ticket (CAS)


# The round trip --------------------------------------------------------------------------------------


def remember_start(request, protocol: str, next_url: str, *, reauthenticate: bool = False) -> None:
    request.session[START_SESSION_KEY] = {
        "protocol": protocol,
        "next": next_url,
        "at": int(time.time()),
        "reauthenticate": reauthenticate,
    }


def take_start(request, protocol: str) -> dict | None:
    """The start of this round trip, once (a callback without one, or another protocol's, is refused)."""
    data = request.session.pop(START_SESSION_KEY, None)
    if not isinstance(data, dict) or data.get("protocol") != protocol:
        return None
    if not isinstance(data.get("at"), int) or time.time() - data["at"] > START_SECONDS:
        return None
    return data


def refuse(request, reason: Refusal, number: str = "", *, status: int = 403):
    return render(
        request,
        "accounts/sso_refused.html",
        {"message": REFUSAL_TEXTS[reason] % {"number": number}, "reason": reason.value},
        status=status,
    )


# Signing in ----------------------------------------------------------------------------------------


def account_for(number: str):
    """The account named by the IdP's number (None: no such account)."""
    return get_user_model().objects.filter(username=throttle.normalise_username(number)).first()


def trusted_mfa(assertion: Assertion) -> bool:
    return settings.SSO_TRUST_IDP_MFA and assertion.mfa


def complete(request, assertion: Assertion, start: dict):
    """Sign in the account the IdP named (or refuse), then go on where the sign-in was started from."""
    address = client_address(request)
    number = throttle.normalise_username(assertion.number)
    if not number:
        return refuse(request, Refusal.NO_NUMBER)
    if throttle.address_locked(address):
        return refuse(request, Refusal.LOCKED, status=429)
    user = account_for(number)
    if user is None or user.has_left:
        throttle.record_failure(number, address)
        return refuse(request, Refusal.UNKNOWN if user is None else Refusal.LEFT, number)
    throttle.clear_failures(number)
    next_url = safe_next(request, start.get("next"))
    session_data = {"protocol": assertion.protocol, "mfa": assertion.mfa, **assertion.extra}

    if start.get("reauthenticate") and request.user.is_authenticated and request.user.pk == user.pk:
        # Step-up through the IdP: a fresh round trip proves it is still them; for a user who needs two
        # factors it counts only when the IdP asserted MFA and that is trusted.
        if twofactor.two_factor_required(user) and not trusted_mfa(assertion):
            return refuse(request, Refusal.FAILED)
        _remember(request, session_data)
        if twofactor.two_factor_required(user):
            twofactor.mark_verified(request, method=f"{assertion.protocol}-mfa")
        else:
            mark_reauthenticated(request, method=assertion.protocol)
        return redirect(next_url)

    if twofactor.two_factor_required(user) and not trusted_mfa(assertion):
        twofactor.begin_pending(request, user, next_url)
        _remember(request, session_data)
        if twofactor.confirmed_device(user) is None:
            return redirect("accounts:two_factor_enrol")
        return redirect("accounts:two_factor")

    auth_login(request, user, backend=SESSION_BACKEND)
    _remember(request, session_data)
    if twofactor.two_factor_required(user):
        twofactor.mark_verified(request, method=f"{assertion.protocol}-mfa")
    return redirect(next_url)


def _remember(request, data: dict) -> None:
    request.session[SESSION_KEY] = data
    ticket = data.get("ticket")
    if ticket and request.user.is_authenticated:
        _link_cas_ticket(request, ticket)


def _link_cas_ticket(request, ticket: str) -> None:
    if request.session.session_key is None:
        request.session.save()
    CasSession.objects.update_or_create(ticket=ticket[:255], defaults={"session_key": request.session.session_key})
    # Links of sessions that expired on their own are of no use to a single logout any more.
    expired = timezone.now() - dt.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    CasSession.objects.filter(created_at__lt=expired).delete()


@receiver(user_logged_in)
def _relink_after_code_step(sender, request, user, **kwargs):
    """Signing in changes the session's key: the CAS ticket follows it (single logout finds the session).
    Covers the code step after a CAS sign-in, which signs in later than the CAS callback."""
    if request is None or not hasattr(request, "session"):
        return
    data = request.session.get(SESSION_KEY)
    if isinstance(data, dict) and data.get("ticket"):
        _link_cas_ticket(request, data["ticket"])


def signed_in_with(request) -> dict | None:
    """How this session was signed in through SSO (None: the local password, or not signed in)."""
    data = request.session.get(SESSION_KEY)
    return data if isinstance(data, dict) and data.get("protocol") in (CAS, OIDC) else None
