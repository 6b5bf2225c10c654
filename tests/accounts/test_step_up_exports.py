"""Every export asks for a fresh proof of identity (step-up) before anything leaves Xinyu."""

import time

import pytest
from django.test import override_settings
from django.urls import reverse

from xinyu.accounts.stepup import SESSION_KEY
from xinyu.accounts.twofactor import VERIFIED_SESSION_KEY
from xinyu.audit.models import AuditEntry

pytestmark = pytest.mark.django_db

EXPORTS = [
    ("student_affairs", "roster:export_students", []),
    ("supervisor", "screening:campaign_results_export", [1]),
    ("supervisor", "workforce:statement_export", []),
    ("mental_health_advisor", "studentfile:file_export", ["in_scope"]),
]


def _url(world, name, args):
    return reverse(name, args=[world.in_scope.pk if arg == "in_scope" else arg for arg in args])


@override_settings(XINYU_ENFORCE_TWO_FACTOR=True)
@pytest.mark.parametrize(("who", "name", "args"), EXPORTS)
def test_an_export_without_a_recent_step_up_goes_to_the_step_up_page(world, client_for, who, name, args):
    client = client_for(world.cast[who])
    session = client.session
    session[VERIFIED_SESSION_KEY] = world.cast[who].pk  # signed in with both factors …
    session[SESSION_KEY] = int(time.time()) - 3600  # … an hour ago: too long for an export
    session.save()
    before = AuditEntry.objects.count()
    response = client.get(_url(world, name, args))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:step_up") + "?next=")
    assert AuditEntry.objects.count() == before  # nothing was read, so nothing is logged


@override_settings(XINYU_ENFORCE_TWO_FACTOR=True)
def test_a_recent_step_up_lets_the_roster_export_through(world, client_for):
    client = client_for(world.cast["student_affairs"])
    session = client.session
    session[SESSION_KEY] = int(time.time())
    session.save()
    response = client.get(reverse("roster:export_students"))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
