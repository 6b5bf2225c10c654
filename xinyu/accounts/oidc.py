"""OpenID Connect through Authlib: authorization code flow with PKCE, state and nonce; the ID token's
signature is checked against the provider's published keys (discovery document, jwks_uri).

Authlib rather than mozilla-django-oidc: its Django client is a small protocol layer with no views or
backend of its own, so Xinyu keeps its own refusal page and the code step for T3/T4 holders
(`xinyu.accounts.sso`); mozilla-django-oidc's callback signs in by itself.
"""

import requests
from authlib.integrations.base_client import OAuthError
from authlib.integrations.django_client import OAuth
from django.conf import settings
from django.urls import reverse
from joserfc.errors import JoseError

from xinyu.accounts.sso import OIDC, Assertion, Unavailable

_clients: dict[tuple, object] = {}


def client():
    """The provider's client (its discovery document and keys are fetched once per process and setting)."""
    key = (settings.SSO_OIDC_DISCOVERY_URL, settings.SSO_OIDC_CLIENT_ID, settings.SSO_OIDC_CLIENT_SECRET)
    found = _clients.get(key)
    if found is None:
        found = OAuth().register(
            "xinyu",
            client_id=settings.SSO_OIDC_CLIENT_ID,
            client_secret=settings.SSO_OIDC_CLIENT_SECRET,
            server_metadata_url=settings.SSO_OIDC_DISCOVERY_URL,
            client_kwargs={
                "scope": settings.SSO_OIDC_SCOPES,
                "code_challenge_method": "S256",
                "default_timeout": settings.SSO_HTTP_TIMEOUT_SECONDS,
            },
        )
        _clients[key] = found
    return found


def redirect_uri(request) -> str:
    """This site's OIDC callback: the redirect URI to register at the provider."""
    return request.build_absolute_uri(reverse("accounts:sso_oidc_callback"))


def login_redirect(request, *, reauthenticate: bool = False):
    """To the provider's authorization endpoint. Raises `Unavailable` if its discovery document cannot be had."""
    extra = {"prompt": "login", "max_age": 0} if reauthenticate else {}
    try:
        return client().authorize_redirect(request, redirect_uri(request), **extra)
    except (requests.RequestException, ValueError) as exc:
        raise Unavailable from exc


def validate(request) -> Assertion | None:
    """Checks the callback's state, exchanges the code at the token endpoint (a code is good once) and checks
    the ID token (signature, issuer, audience, expiry, nonce). None if anything fails; `Unavailable` if the
    provider does not answer."""
    try:
        token = client().authorize_access_token(request)
    except requests.RequestException as exc:
        raise Unavailable from exc
    except (OAuthError, JoseError, ValueError, KeyError, RuntimeError):
        return None
    claims = token.get("userinfo") or {}
    if not claims or not token.get("id_token"):
        return None
    number = claims.get(settings.SSO_OIDC_USERNAME_CLAIM)
    if number is None:
        # Some providers put their own claims in the userinfo answer only.
        try:
            number = client().userinfo(token=token).get(settings.SSO_OIDC_USERNAME_CLAIM)
        except requests.RequestException as exc:
            raise Unavailable from exc
        except (OAuthError, ValueError, KeyError, RuntimeError):
            number = None
    amr = claims.get("amr") or []
    amr = [amr] if isinstance(amr, str) else amr
    mfa = bool(set(settings.SSO_OIDC_MFA_AMR).intersection(amr)) or (
        claims.get("acr") is not None and claims.get("acr") in settings.SSO_OIDC_MFA_ACR
    )
    return Assertion(
        protocol=OIDC,
        number=number if isinstance(number, str) else "",
        mfa=mfa,
        extra={"id_token": token["id_token"]},
    )


def logout_url(request, id_token: str | None) -> str | None:
    """The provider's end_session_endpoint with id_token_hint and post_logout_redirect_uri (None if the
    provider has none)."""
    try:
        result = client().create_logout_url(
            post_logout_redirect_uri=request.build_absolute_uri(reverse(settings.LOGOUT_REDIRECT_URL)),
            id_token_hint=id_token,
            client_id=settings.SSO_OIDC_CLIENT_ID,
        )
    except (RuntimeError, requests.RequestException, ValueError):
        return None
    return result["url"]
