"""Step-up re-authentication: some actions need a fresh proof of identity, not only a signed-in session.

Exports, break-glass and reading counselling notes call for it (DESIGN.md §4). Signing in
with the second factor, or the step-up page (`accounts:step_up`), marks the session; the mark is good
for the policy's `step_up_minutes`. Every step-up is written to the access log.
"""

import time
from functools import wraps

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from xinyu.audit.models import AuditEntry
from xinyu.org.access_log import Event, record_request
from xinyu.policy.loader import policy_in_force

SESSION_KEY = "xinyu_reauthenticated_at"
STEP_UP_WHAT = "accounts.step_up"


def _window_seconds() -> int:

    return policy_in_force().care.step_up_minutes * 60


def mark_reauthenticated(request, *, method: str) -> None:
    """The session has just proven who it is (`method`: "code" from the authenticator app, at sign-in or on
    the step-up page, or "password" on the step-up page). Written to the access log: who, when, from where."""
    request.session[SESSION_KEY] = int(time.time())
    record_request(request, Event(AuditEntry.Action.CREATE, STEP_UP_WHAT, detail={"method": method}))


def recently_reauthenticated(request) -> bool:
    if not settings.XINYU_ENFORCE_TWO_FACTOR:
        return True
    at = request.session.get(SESSION_KEY)
    return isinstance(at, int) and time.time() - at <= _window_seconds()


def step_up_url(next_path: str) -> str:
    return f"{reverse('accounts:step_up')}?{urlencode({'next': next_path})}"


def step_up_required(view):
    """Place inside the access declaration: `@requires(...)` then `@step_up_required`.

    Without a recent re-authentication, GET requests go to the step-up page and come back; other
    methods are refused with a redirect there too (nothing is done before the proof). htmx requests
    get an `HX-Redirect` to the same place, so the whole page goes there.
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not recently_reauthenticated(request):
            target = step_up_url(request.get_full_path())
            if request.headers.get("HX-Request") == "true":
                # An htmx request would swap the step-up page into a fragment: navigate the page instead.
                response = HttpResponse(status=204)
                response["HX-Redirect"] = target
                return response
            return redirect(target)
        return view(request, *args, **kwargs)

    return wrapper
