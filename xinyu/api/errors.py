"""The API's one error shape: `{"error": {"code": "...", "message": "..."}}`, with `problems` (each naming
the list, the row and the field) when a roster batch is refused. Messages are in the reader's language
(Chinese by default)."""

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response

from xinyu.common.access import public
from xinyu.policy.errors import DomainError

NO_STORE = "no-store, private"


class ApiError(exceptions.APIException):
    """Refused input or a rule of the work not met: a status, a code and a message."""

    def __init__(self, message: str, *, code: str = "invalid", status_code: int = 400, problems=None):
        super().__init__(detail=message, code=code)
        self.status_code = status_code
        self.problems = problems


def body(code: str, message: str, problems=None) -> dict:
    data = {"error": {"code": code, "message": str(message)}}
    if problems is not None:
        data["problems"] = problems
    return data


def _message(exc: exceptions.APIException) -> tuple[str, str]:
    detail = exc.detail
    if isinstance(detail, list | dict):
        # Only the parser and the generic views make these; the API's own views raise single messages.
        return "invalid", _("The request could not be read.")
    code = getattr(detail, "code", None) or exc.default_code
    if isinstance(exc, exceptions.ParseError):
        return "malformed_json", _("The request body is not valid JSON.")
    if isinstance(exc, exceptions.UnsupportedMediaType):
        return "unsupported_media_type", _("Send the request body as JSON (Content-Type: application/json).")
    if isinstance(exc, exceptions.MethodNotAllowed):
        return "method_not_allowed", _("This method is not allowed here.")
    if isinstance(exc, exceptions.NotAcceptable):
        return "not_acceptable", _("This API answers in JSON only.")
    if isinstance(exc, exceptions.NotAuthenticated):
        return "no_token", str(detail)
    return str(code), str(detail)


def handle(exc, context):
    """DRF's exception handler: every error in the one shape, never cached."""
    if isinstance(exc, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024)
        exc = ApiError(
            _("The request body is larger than %(mb)s MB. Send it in smaller batches.") % {"mb": limit},
            code="body_too_large",
            status_code=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    elif isinstance(exc, Http404):
        exc = ApiError(_("Not found."), code="not_found", status_code=status.HTTP_404_NOT_FOUND)
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(_("You may not do this."))
    elif isinstance(exc, DomainError):
        exc = ApiError(str(exc), code="refused", status_code=status.HTTP_400_BAD_REQUEST)
    if not isinstance(exc, exceptions.APIException):
        return None
    code, message = _message(exc)
    response = Response(body(code, message, getattr(exc, "problems", None)), status=exc.status_code)
    if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        request = context.get("request")
        view = context.get("view")
        if request is not None and view is not None:
            header = view.get_authenticate_header(request)
            if header:
                response["WWW-Authenticate"] = header
    response["Cache-Control"] = NO_STORE
    return response


@public
def not_found(request, *args, **kwargs):
    """No such endpoint: the error shape, not the site's HTML page (reveals nothing, so public)."""
    response = JsonResponse(body("not_found", _("There is no such endpoint in this API.")), status=404)
    response["Cache-Control"] = NO_STORE
    return response
