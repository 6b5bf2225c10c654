from django.conf import settings
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request, candidate: str | None) -> str:
    """`candidate` if it points into this site; the home page otherwise."""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse(settings.LOGIN_REDIRECT_URL)
