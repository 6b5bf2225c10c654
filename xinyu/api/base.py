"""What every API view shares: token authentication, one operation per view, the error shape, `no-store`,
and the access log of what each answer showed (as pages write it), naming the token."""

from django.db import transaction
from rest_framework.views import APIView

from xinyu.api.errors import NO_STORE
from xinyu.org.access_log import Read, client_address, read_event, record_reads

# How every API view is declared for the URL access-rule test (tests/authorization/test_url_access_rules.py):
# reached only with a service token allowed the view's operation.
ACCESS_RULE = "api_token"


class ApiView(APIView):
    operation: str = ""

    @classmethod
    def as_view(cls, **initkwargs):
        view = super().as_view(**initkwargs)
        view.access_rule = ACCESS_RULE
        return view

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Cache-Control"] = NO_STORE
        return response

    def via(self) -> dict:
        """The access log's note of the call: which token, for which service account."""
        token = self.request.auth
        return {"via": "api", "token": token.prefix, "service_account": token.account.name}

    def log_reads(self, what: Read, **detail) -> None:
        record_reads(
            self.request.user,
            [read_event(what, detail={**detail, **self.via()})],
            address=client_address(self.request._request),
        )


def atomic_read(method):
    """Answer and log in one transaction: nothing is logged for an answer that failed, nothing answered
    without its entry (as the pages do)."""

    def wrapper(self, request, *args, **kwargs):
        with transaction.atomic():
            return method(self, request, *args, **kwargs)

    wrapper.__name__, wrapper.__doc__ = method.__name__, method.__doc__
    return wrapper
