"""Other parts propose registry entries: an interview's outcome, a crisis closure (service and close form)."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.concerns.conftest import OFFICE_TIME
from tests.helpers import freeze_time
from tests.screening.test_triage import gad7, make_campaign, submit
from xinyu.care.models import RegistryEntry
from xinyu.concerns.services import case_records as care
from xinyu.concerns.services import cases
from xinyu.concerns.services.interviews import record_interview, schedule_follow_up
from xinyu.screening.triage import triage_submission


def test_an_interview_recommending_the_registry_proposes_an_entry(world):
    participation, results = submit(make_campaign(world), world.in_scope, {"GAD-7": gad7(12)})
    interview = triage_submission(participation, results).interview
    record_interview(
        interview,
        by=world.cast["mental_health_advisor"],
        conducted_at=timezone.now() - dt.timedelta(hours=1),
        method="in_person",
        outcome="recommend_registry",
        notes="家庭经济困难，情绪低落",
    )
    entry = RegistryEntry.objects.get(student=world.in_scope)
    assert (entry.status, entry.source, entry.reason) == ("proposed", "census_interview", "家庭经济困难，情绪低落")
    assert entry.events.get().detail["source_object"] == f"care.interview:{interview.pk}"


def _closable_case(w):
    case = cases.open_case(w.in_scope, "A", by=w.cast["advisor"], reason="适应问题")
    organiser = w.cast["mental_health_advisor"]
    for step in case.steps.all():
        cases.complete_step(
            step,
            by=organiser,
            evidence={
                "note": "已谈话",
                "family_who": "张母",
                "family_relation": "母亲",
                "family_when": "2026-11-25 09:30",
                "family_how": "phone",
                "family_outcome": "已知情",
            },
        )
    care.record_family_contact(
        w.in_scope,
        by=organiser,
        case=case,
        contact_name="张母",
        relation="母亲",
        contacted_at=OFFICE_TIME - dt.timedelta(minutes=30),
        method="phone",
        outcome="知情",
    )
    schedule_follow_up(case, by=organiser, due_on=dt.date(2026, 12, 9), assignee=w.cast["advisor"])
    care.record_review_support(w.in_scope, by=organiser, case=case, assessment="稳定", support="每周谈话")
    cases.record_centre_assessment(case, by=w.cast["counsellor"], summary="可结案")
    return case, organiser


@pytest.mark.parametrize("propose", [False, True])
def test_closing_a_crisis_may_propose_an_entry(crisis_world, propose):
    with freeze_time(OFFICE_TIME):
        case, organiser = _closable_case(crisis_world)
        cases.close_case(case, by=organiser, filing_note="资料已备案，建议纳入重点关注", propose_registry=propose)
    entries = RegistryEntry.objects.filter(student=crisis_world.in_scope)
    assert entries.count() == int(propose)
    if propose:
        assert (entries.get().source, entries.get().reason) == ("crisis", "资料已备案，建议纳入重点关注")


def test_the_close_form_has_the_checkbox(crisis_world, client_for):
    with freeze_time(OFFICE_TIME):
        case, organiser = _closable_case(crisis_world)
        page = client_for(organiser).get(reverse("concerns:case_detail", args=[case.pk]))
        assert 'name="propose_registry"' in page.content.decode()
        client_for(organiser).post(
            reverse("concerns:case_close", args=[case.pk]), {"filing_note": "已备案", "propose_registry": "on"}
        )
    case.refresh_from_db()
    assert case.status == "closed"
    assert RegistryEntry.objects.get(student=crisis_world.in_scope).source == "crisis"
