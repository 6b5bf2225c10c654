import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from xinyu.accounts import sso, twofactor
from xinyu.accounts.stepup import step_up_url

SESSION_LAST_SEEN = "xinyu_last_seen"
LAST_SEEN_RESOLUTION_SECONDS = 60


class StaffIdleTimeoutMiddleware:
    """Signs staff out after a period without requests; students on phones are not timed out here."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and not user.is_student:
            now = int(time.time())
            last_seen = request.session.get(SESSION_LAST_SEEN)
            if last_seen is not None and now - last_seen > settings.STAFF_IDLE_TIMEOUT_SECONDS:
                logout(request)
                messages.info(request, _("You were signed out after a period of inactivity. Please sign in again."))
                return redirect(f"{reverse(settings.LOGIN_URL)}?next={request.path}")
            # Background polls (the inbox badge) are not activity: they must not keep an idle session alive.
            is_poll = request.headers.get("X-Xinyu-Poll") == "1"
            if not is_poll and (last_seen is None or now - last_seen >= LAST_SEEN_RESOLUTION_SECONDS):
                # Written at most once a minute, so that reading pages does not write the session each time.
                request.session[SESSION_LAST_SEEN] = now
        return self.get_response(request)


class ForcePasswordChangeMiddleware:
    """Imported accounts and accounts reset by an administrator must choose a new password first."""

    ALLOWED_PREFIXES = (
        "/accounts/password/",
        "/accounts/logout/",
        "/accounts/two-factor/",
        "/accounts/step-up/",
        "/accounts/sso/",
        "/static/",
        "/i18n/",
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and user.must_change_password
            and not request.path.startswith(self.ALLOWED_PREFIXES)
            # Signed in through the unified identity authentication: the local password is not in use.
            and sso.signed_in_with(request) is None
        ):
            return redirect("accounts:password_change")
        return self.get_response(request)


class TwoFactorMiddleware:
    """A signed-in session of a user who needs two factors, without the second factor proven in this
    session (signed in some other way, or before the requirement applied to them), is sent to the step-up
    page, which asks for a code (or enrolment). The two-factor pages, sign-out and static files stay open."""

    ALLOWED_PREFIXES = (
        "/accounts/two-factor/",
        "/accounts/step-up/",
        "/accounts/sso/",
        "/accounts/logout/",
        "/static/",
        "/i18n/",
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            settings.XINYU_ENFORCE_TWO_FACTOR
            and request.user.is_authenticated
            and not request.path.startswith(self.ALLOWED_PREFIXES)
            and not twofactor.session_verified(request)
            and twofactor.two_factor_required(request.user)
        ):
            # Come back to the page afterwards; a form's POST is not replayed, so return to the start page.
            back = (
                request.get_full_path() if request.method in ("GET", "HEAD") else reverse(settings.LOGIN_REDIRECT_URL)
            )
            target = step_up_url(back)
            if request.headers.get("HX-Request") == "true":
                response = HttpResponse(status=204)
                response["HX-Redirect"] = target
                return response
            return redirect(target)
        return self.get_response(request)
