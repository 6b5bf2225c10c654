"""Every step-up (a fresh proof of identity) is in the access log: who, when, from where; no student."""

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from tests.accounts.test_two_factor import code, enrolled, sign_in
from tests.conftest import PASSWORD
from xinyu.accounts.stepup import STEP_UP_WHAT
from xinyu.audit.models import AuditEntry
from xinyu.audit.verify import verify_chain

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("world")]
ENFORCED = override_settings(XINYU_ENFORCE_TWO_FACTOR=True)
STEP_UP = reverse("accounts:step_up")


def step_ups():
    return list(
        AuditEntry.objects.filter(what=STEP_UP_WHAT)
        .order_by("id")
        .values_list("actor_username", "action", "student_id", "student_number", "address", "tier", "detail")
    )


@ENFORCED
def test_a_step_up_with_the_password_is_logged(world, client_for):
    user = world.cast["head_teacher"]
    client = client_for(user)
    client.post(STEP_UP, {"password": "not-it-at-all", "next": "/"}, REMOTE_ADDR="10.8.0.7")
    assert step_ups() == []  # a failed attempt is not a step-up (the throttle counts it)
    done = client.post(STEP_UP, {"password": PASSWORD, "next": "/"}, REMOTE_ADDR="10.8.0.7")
    assert done.status_code == 302
    assert step_ups() == [(user.username, "create", None, "", "10.8.0.7", 0, {"method": "password"})]
    assert AuditEntry.objects.get(what=STEP_UP_WHAT).actor_id == user.pk
    assert verify_chain()[1] is None


@ENFORCED
def test_a_step_up_with_a_code_is_logged_and_so_is_the_code_at_sign_in(world):
    user = world.cast["supervisor"]
    device = enrolled(user)
    client = Client()
    sign_in(client, user, address="10.8.0.8")
    client.post(reverse("accounts:two_factor"), {"code": code(device)}, REMOTE_ADDR="10.8.0.8")
    device.refresh_from_db()
    done = client.post(STEP_UP, {"code": code(device, 1), "next": "/"}, REMOTE_ADDR="10.8.0.9")
    assert done.status_code == 302
    assert step_ups() == [
        (user.username, "create", None, "", "10.8.0.8", 0, {"method": "code"}),
        (user.username, "create", None, "", "10.8.0.9", 0, {"method": "code"}),
    ]
