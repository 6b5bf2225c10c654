"""Consent records per campaign and purpose, withdrawal, and the student's own privacy page."""

import dataclasses

import pytest
from django.test import override_settings
from django.urls import reverse

from tests.screening.test_campaigns import make_campaign
from xinyu.audit.models import AuditEntry
from xinyu.audit.services import Event, record
from xinyu.org.scope import Tier
from xinyu.privacy import breakglass, consent, views
from xinyu.privacy.models import ConsentRecord
from xinyu.screening.models import Participation
from xinyu.screening.questionnaire import record_consent as screening_consent


def agree(world, student=None):
    campaign = make_campaign(world)
    participation = Participation.objects.select_related("campaign", "student").get(
        campaign=campaign, student=student or world.in_scope
    )
    screening_consent(participation, agreed=True, consent_version="v1")
    return campaign


def test_screening_consent_writes_a_consent_record(world):
    campaign = agree(world)
    record = ConsentRecord.objects.get()
    assert record.student == world.in_scope
    assert record.purpose == ConsentRecord.Purpose.SCREENING and record.campaign == campaign
    assert record.text_version == "v1"
    assert record.text_digest == consent.text_digest(campaign.consent_text)
    assert record.given_at is not None and record.withdrawn_at is None


def test_declining_writes_no_consent_record(world):
    campaign = make_campaign(world)
    participation = Participation.objects.select_related("campaign").get(campaign=campaign, student=world.in_scope)
    screening_consent(participation, agreed=False, consent_version="v1")
    assert not ConsentRecord.objects.exists()


def test_consent_per_purpose_and_the_same_consent_once(world):
    first = consent.record_consent(world.in_scope, purpose="counselling", text="咨询知情同意书", version="2025-1")
    again = consent.record_consent(world.in_scope, purpose="counselling", text="咨询知情同意书", version="2025-1")
    other = consent.record_consent(world.in_scope, purpose="family_contact", text="家校联系同意", version="1")
    assert first == again and other != first
    with pytest.raises(consent.ConsentError):
        consent.record_consent(world.in_scope, purpose="awards", text="x", version="1")


def test_withdrawal_is_recorded_not_deleted(world):
    record = consent.record_consent(world.in_scope, purpose="counselling", text="同意书", version="1")
    with pytest.raises(consent.ConsentError):
        consent.withdraw_consent(record, by=world.cast["dorm_leader"], reason="")
    consent.withdraw_consent(record, by=world.cast["student"], reason="不想继续")
    record.refresh_from_db()
    assert record.withdrawn_at is not None and record.withdrawal_reason == "不想继续"
    assert ConsentRecord.objects.count() == 1
    entry = AuditEntry.objects.get(what="privacy.consent.withdraw")
    assert entry.student_id == world.in_scope.pk
    with pytest.raises(consent.ConsentError):
        consent.withdraw_consent(record, by=world.cast["student"])
    # Given again after withdrawal: a new record, the old one stays.
    consent.record_consent(world.in_scope, purpose="counselling", text="同意书", version="1")
    assert ConsentRecord.objects.count() == 2


def test_mine_lists_own_consents_only(world, client_for):
    agree(world)
    agree_other = consent.record_consent(world.other_class, purpose="counselling", text="同意书", version="1")
    response = client_for(world.cast["student"]).get(reverse("privacy:mine"))
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count('data-testid="consent"') == 1
    assert f'data-consent="{agree_other.pk}"' not in page


@pytest.mark.parametrize("who", ["advisor", "supervisor", "outsider"])
def test_mine_is_for_students_only(world, client_for, who):
    assert client_for(world.cast[who]).get(reverse("privacy:mine")).status_code == 404


def test_mine_needs_sign_in(world, client):
    response = client.get(reverse("privacy:mine"))
    assert response.status_code == 302 and "login" in response.url


def test_withdraw_page_in_scope_and_out(world, client_for):
    own = consent.record_consent(world.in_scope, purpose="counselling", text="同意书", version="1")
    url = reverse("privacy:consent_withdraw", args=[own.pk])
    # Another student, a dorm leader, staff: 404, nothing withdrawn.
    for who in ("dorm_leader", "wellbeing_rep", "advisor", "supervisor"):
        assert client_for(world.cast[who]).post(url, {"reason": "x"}).status_code == 404
    own.refresh_from_db()
    assert own.withdrawn_at is None
    # Not without ticking the confirmation (the page says what changes first).
    student = client_for(world.cast["student"])
    assert 'data-testid="withdraw-effect"' in student.get(reverse("privacy:mine")).content.decode()
    assert student.post(url, {"reason": ""}).status_code == 302
    own.refresh_from_db()
    assert own.withdrawn_at is None
    response = student.post(url, {"reason": "", "confirm": "yes"})
    assert response.status_code == 302 and response.url == reverse("privacy:mine")
    own.refresh_from_db()
    assert own.withdrawn_at is not None
    page = client_for(world.cast["student"]).get(reverse("privacy:mine")).content.decode()
    assert 'data-withdrawn="yes"' in page


def _staff_read(world, who, what="screening.results"):
    record(
        world.cast[who],
        Event(AuditEntry.Action.VIEW, what, student=world.in_scope, tier=Tier.T3, post="mental_health_advisor"),
    )


def test_access_log_shows_who_opened_the_file_but_not_the_break_glass_reason(world, client_for):
    _staff_read(world, "mental_health_advisor")
    breakglass.open_break_glass(world.cast["outsider"], world.in_scope, reason="紧急情况：联系不上辅导员，需要家长电话")
    response = client_for(world.cast["student"]).get(reverse("privacy:mine"))
    page = response.content.decode()
    assert 'data-testid="access-log"' in page
    assert world.cast["mental_health_advisor"].full_name in page
    assert world.cast["outsider"].full_name in page
    assert "联系不上辅导员" not in page
    # Others' files are not listed.
    record(world.cast["advisor"], Event(AuditEntry.Action.VIEW, "student.detail", student=world.other_class, tier=2))
    assert (
        world.cast["advisor"].full_name
        not in client_for(world.cast["student"]).get(reverse("privacy:mine")).content.decode()
    )


@override_settings()
def test_access_log_leaves_out_a_dorm_leaders_check_in_list(world, client_for):
    """The check-in list names the student and nothing more; listing it would tell the student why."""
    _staff_read(world, "mental_health_advisor")
    record(
        world.cast["dorm_leader"],
        Event(AuditEntry.Action.VIEW, "care.check_in.list", student=world.in_scope, tier=Tier.T2, post="dorm_leader"),
    )
    page = client_for(world.cast["student"]).get(reverse("privacy:mine")).content.decode()
    assert world.cast["mental_health_advisor"].full_name in page
    assert world.cast["dorm_leader"].full_name not in page


def test_access_log_hidden_when_policy_says_so(world, client_for, monkeypatch):

    real = views.policy_in_force()
    changed = dataclasses.replace(real, care=dataclasses.replace(real.care, student_sees_access_log=False))
    monkeypatch.setattr(views, "policy_in_force", lambda: changed)
    _staff_read(world, "mental_health_advisor")
    page = client_for(world.cast["student"]).get(reverse("privacy:mine")).content.decode()
    assert 'data-testid="access-log"' not in page
    assert world.cast["mental_health_advisor"].full_name not in page


def test_navigation_links(world, client_for):
    page = client_for(world.cast["student"]).get(reverse("core:home")).content.decode()
    assert f'href="{reverse("privacy:mine")}" data-testid="nav-my-privacy"' in page
    page = client_for(world.cast["outsider"]).get(reverse("core:home")).content.decode()
    assert f'href="{reverse("privacy:break_glass_list")}" data-testid="nav-privacy"' in page
