"""CAS 2.0/3.0 through python-cas (the protocol client django-cas-ng is built on): the login and logout
addresses, ticket validation against the CAS server, and the server's single logout.

django-cas-ng itself is not used: its views create accounts and sign in straight away, where Xinyu refuses
unknown people with its own page and puts the code step in between for T3/T4 holders (`xinyu.accounts.sso`).
"""

import requests
from cas import CASClient
from defusedxml import ElementTree
from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.urls import reverse
from django.utils.module_loading import import_string

from xinyu.accounts.models import CasSession
from xinyu.accounts.sso import CAS, Assertion, Unavailable

SAML_PROTOCOL = "{urn:oasis:names:tc:SAML:2.0:protocol}"


class _TimedSession(requests.Session):
    def request(self, *args, **kwargs):
        kwargs.setdefault("timeout", settings.SSO_HTTP_TIMEOUT_SECONDS)
        return super().request(*args, **kwargs)


def service_url(request) -> str:
    """This site's CAS callback: the address to register at the CAS server (no query: it must match exactly
    when the ticket is validated)."""
    return request.build_absolute_uri(reverse("accounts:sso_cas_callback"))


def client(request, *, renew: bool = False):
    server = settings.SSO_CAS_SERVER_URL
    return CASClient(
        version=settings.SSO_CAS_VERSION,
        service_url=service_url(request),
        server_url=server if server.endswith("/") else f"{server}/",
        renew=renew,
        session=_TimedSession(),
    )


def login_url(request, *, renew: bool = False) -> str:
    return client(request, renew=renew).get_login_url()


def logout_url(request) -> str:
    """The CAS server's logout, coming back to Xinyu's sign-in page."""
    return client(request).get_logout_url(
        redirect_url=request.build_absolute_uri(reverse(settings.LOGOUT_REDIRECT_URL))
    )


def _single(value) -> str:
    if isinstance(value, list):
        value = value[0] if len(value) == 1 else ""
    return (value or "").strip() if isinstance(value, str) else ""


def _values(value) -> list[str]:
    items = value if isinstance(value, list) else [value]
    return [item.strip().lower() for item in items if isinstance(item, str)]


def validate(request, ticket: str) -> Assertion | None:
    """Asks the CAS server about `ticket` (each ticket is good once); None if it does not confirm it.
    Raises `Unavailable` if the server does not answer."""
    try:
        user, attributes, _ = client(request).verify_ticket(ticket)
    except requests.RequestException as exc:
        raise Unavailable from exc
    except (ElementTree.ParseError, ValueError, IndexError, AttributeError):
        return None
    if not user:
        return None
    attributes = attributes or {}
    name = settings.SSO_CAS_USERNAME_ATTRIBUTE
    number = _single(attributes.get(name)) if name else user.strip()
    mfa_name = settings.SSO_CAS_MFA_ATTRIBUTE
    wanted = {value.lower() for value in settings.SSO_CAS_MFA_VALUES}
    mfa = bool(mfa_name) and bool(wanted.intersection(_values(attributes.get(mfa_name))))
    return Assertion(protocol=CAS, number=number, mfa=mfa, extra={"ticket": ticket})


def ticket_of_logout_request(body: str) -> str | None:
    """The service ticket a CAS single-logout request (SAML LogoutRequest) names."""
    try:
        root = ElementTree.fromstring(body)
    except (ElementTree.ParseError, ValueError):
        return None
    index = root.find(f".//{SAML_PROTOCOL}SessionIndex")
    return index.text.strip() if index is not None and index.text else None


def single_logout(body: str) -> bool:
    """Ends the Xinyu session the ticket signed in; True if there was one."""
    ticket = ticket_of_logout_request(body)
    if not ticket:
        return False
    link = CasSession.objects.filter(ticket=ticket).first()
    if link is None:
        return False
    store: SessionBase = import_string(f"{settings.SESSION_ENGINE}.SessionStore")()
    store.delete(link.session_key)
    link.delete()
    return True


def forget(session_key: str | None) -> None:
    if session_key:
        CasSession.objects.filter(session_key=session_key).delete()
