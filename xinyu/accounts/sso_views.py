"""The sign-in round trips through the unified identity authentication (CAS, OpenID Connect)."""

from functools import wraps

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.csrf import csrf_exempt

from xinyu.accounts import cas, oidc, sso
from xinyu.common.access import public


def _require(protocol: str) -> None:
    """The protocol's pages exist only while it is switched on."""
    if protocol not in sso.enabled_protocols():
        raise Http404


def _start(request, protocol: str):
    _require(protocol)
    reauthenticate = request.GET.get("reauthenticate") == "1" and request.user.is_authenticated
    sso.remember_start(request, protocol, request.GET.get("next", ""), reauthenticate=reauthenticate)
    return reauthenticate


def _unavailable(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except sso.Unavailable:
            return sso.refuse(request, sso.Refusal.UNAVAILABLE, status=503)

    return wrapper


@public
def cas_login(request):
    reauthenticate = _start(request, sso.CAS)
    return redirect(cas.login_url(request, renew=reauthenticate))


@public
@_unavailable
def oidc_login(request):
    reauthenticate = _start(request, sso.OIDC)
    return oidc.login_redirect(request, reauthenticate=reauthenticate)


@public
@csrf_exempt
@_unavailable
def cas_callback(request):
    """GET: the CAS server sends the browser back with a ticket. POST: the CAS server's single logout
    (a SAML LogoutRequest naming the ticket; no browser, hence no CSRF token)."""
    _require(sso.CAS)
    if request.method == "POST":
        cas.single_logout(request.POST.get("logoutRequest", ""))
        return HttpResponse("ok", content_type="text/plain")
    ticket = request.GET.get("ticket", "")
    start = sso.take_start(request, sso.CAS)
    if not ticket or start is None:
        return sso.refuse(request, sso.Refusal.FAILED, status=400)
    assertion = cas.validate(request, ticket)
    if assertion is None:
        return sso.refuse(request, sso.Refusal.FAILED, status=400)
    return sso.complete(request, assertion, start)


@public
@_unavailable
def oidc_callback(request):
    _require(sso.OIDC)
    start = sso.take_start(request, sso.OIDC)
    if start is None:
        return sso.refuse(request, sso.Refusal.FAILED, status=400)
    assertion = oidc.validate(request)
    if assertion is None:
        return sso.refuse(request, sso.Refusal.FAILED, status=400)
    return sso.complete(request, assertion, start)


def idp_logout_url(request, data: dict | None) -> str | None:
    """Where to send the browser after Xinyu's sign-out to end the IdP's session too (None: nowhere)."""
    if not data or not settings.SSO_LOGOUT_AT_IDP or data["protocol"] not in sso.enabled_protocols():
        return None
    if data["protocol"] == sso.CAS:
        return cas.logout_url(request)
    return oidc.logout_url(request, data.get("id_token"))
