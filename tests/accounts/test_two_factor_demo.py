"""The demo college's T3/T4 accounts stay usable with two-factor sign-in: authenticators set up at seed time
with deterministic secrets, `totp_code` gives the code and `demo_accounts` says so."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse

from xinyu.accounts import twofactor
from xinyu.accounts.demo import seed_two_factor
from xinyu.accounts.models import TwoFactorDevice
from xinyu.audit.models import AuditEntry
from xinyu.org.demo import DEMO_PASSWORD, build_demo_college, demo_accounts
from xinyu.org.models import ClassGroup

pytestmark = pytest.mark.django_db
SEED = 7
# Demo accounts by key: who needs two factors (T3/T4 posts) and who does not.
NEEDS_CODE = {"centre_supervisor", "counsellor", "part_time_counsellor"}
PASSWORD_ONLY = {"leading_group_head", "leading_group_member", "student", "dorm_leader", "wellbeing_rep"}


@pytest.fixture
def demo(db):
    college = build_demo_college(students=300, seed=SEED, class_size=25)
    intake = max(ClassGroup.objects.values_list("enrolment_year", flat=True))
    accounts = {a.key: a for a in demo_accounts(intake=intake)}
    return college, accounts


def test_seed_sets_up_authenticators_for_t3_and_t4_accounts_only(demo):
    college, accounts = demo
    enrolled = seed_two_factor(college.school, SEED)
    devices = {d.user.username: d for d in TwoFactorDevice.objects.select_related("user")}
    for key in NEEDS_CODE:
        device = devices[accounts[key].username]
        assert device.is_confirmed and device.secret == twofactor.demo_secret(SEED, accounts[key].username)
    for key in PASSWORD_ONLY:
        assert accounts[key].username not in devices
    assert sorted(devices) == sorted(enrolled)
    assert AuditEntry.objects.filter(what=twofactor.AUDIT_WHAT).count() == len(enrolled)
    # Again: nothing new, the secrets unchanged.
    assert seed_two_factor(college.school, SEED) == []
    assert TwoFactorDevice.objects.count() == len(enrolled)


@override_settings(XINYU_ENFORCE_TWO_FACTOR=True)
def test_a_demo_account_signs_in_with_the_code_from_totp_code(demo):
    college, accounts = demo
    seed_two_factor(college.school, SEED)
    username = accounts["centre_supervisor"].username
    client = Client()
    response = client.post(reverse("accounts:login"), {"username": username, "password": DEMO_PASSWORD})
    assert response["Location"] == reverse("accounts:two_factor")
    out = StringIO()
    call_command("totp_code", username, stdout=out, stderr=StringIO())
    done = client.post(reverse("accounts:two_factor"), {"code": out.getvalue().strip()})
    assert done["Location"] == reverse("core:home")
    assert client.get(reverse("core:home")).status_code == 200

    out = StringIO()
    call_command("demo_accounts", stdout=out)
    assert "totp_code" in out.getvalue() and username in out.getvalue().split("totp_code")[0].splitlines()[-1]


def test_demo_accounts_says_nothing_of_codes_before_the_seed(demo):
    out = StringIO()
    call_command("demo_accounts", stdout=out)
    assert "totp_code" not in out.getvalue()
