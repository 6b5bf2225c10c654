"""Who calls: a service token in `Authorization: Bearer xy_…`, acting as its service account's owner; and
whether the token may use the operation the endpoint declares. Every refusal says why, in the reader's
language, in the API's one error shape (`errors.py`)."""

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import BasePermission

from xinyu.api import tokens

SCHEME = "Bearer"


class Refused(exceptions.AuthenticationFailed):
    """401 with a code: missing, malformed, unknown, expired, revoked, inactive."""

    def __init__(self, code: str, message: str):
        super().__init__(detail=message, code=code)


class TokenAuthentication(BaseAuthentication):
    def authenticate(self, request):
        header = get_authorization_header(request)
        if not header:
            return None
        try:
            text = header.decode("ascii")
        except UnicodeDecodeError:
            raise Refused("malformed_token", _("The Authorization header must be: Bearer and the token.")) from None
        scheme, _space, raw = text.partition(" ")
        raw = raw.strip()
        if scheme.lower() != SCHEME.lower() or not raw or " " in raw:
            raise Refused("malformed_token", _("The Authorization header must be: Bearer and the token."))
        if tokens.split(raw) is None:
            raise Refused("malformed_token", _("This is not a Xinyu service token."))
        token = tokens.find_token(raw)
        if token is None:
            raise Refused("unknown_token", _("This token is not known."))
        now = timezone.now()
        if token.revoked_at is not None:
            raise Refused("revoked_token", _("This token has been revoked."))
        if token.expires_at <= now:
            raise Refused("expired_token", _("This token has expired."))
        owner = token.account.owner
        if not token.account.active:
            raise Refused("inactive_account", _("This token's service account is switched off."))
        if not owner.is_active or owner.has_left or owner.is_student:
            raise Refused(
                "inactive_owner", _("The person responsible for this service account can no longer use Xinyu.")
            )
        tokens.mark_used(token, now)
        return owner, token

    def authenticate_header(self, request):
        return f'{SCHEME} realm="xinyu"'


class HasOperation(BasePermission):
    """The view's `operation` must be among the token's."""

    def has_permission(self, request, view):
        token = request.auth
        if token is None:
            raise exceptions.NotAuthenticated(_("Send a service token: Authorization: Bearer and the token."))
        if view.operation not in token.operations:
            raise exceptions.PermissionDenied(
                _("This token may not use the operation %(operation)s.") % {"operation": view.operation},
                code="operation_not_allowed",
            )
        return True


class TokenScheme(OpenApiAuthenticationExtension):
    """The schema's name for the token: a bearer token (the schema view and the docs use it)."""

    target_class = "xinyu.api.auth.TokenAuthentication"
    name = "ServiceToken"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "bearerFormat": "xy_<prefix>_<secret>"}
