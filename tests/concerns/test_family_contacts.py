"""A crisis step that tells the family has one fact as its evidence: the case's care.FamilyContact row.
Completing the step records a new row (or takes one already recorded on the case) in the same transaction;
the step keeps only the row's id; closing checks that every such step points at one of the case's rows."""

import datetime as dt

import pytest
from django.urls import reverse

from tests.concerns.conftest import OFFICE_TIME
from xinyu.audit.models import AuditEntry
from xinyu.care.models import FamilyContact
from xinyu.concerns.errors import ConcernError
from xinyu.concerns.evidence import EvidenceError
from xinyu.concerns.models import CaseEvent, CaseStep
from xinyu.concerns.services import case_records as care
from xinyu.concerns.services import cases

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("office_time")]

NEW_CONTACT = {
    "family_who": "张母", "family_relation": "母亲", "family_when": "2026-11-25 09:30", "family_how": "phone",
    "family_outcome": "已知情，今晚到校",
}  # fmt: skip


@pytest.fixture
def case(crisis_world):
    return cases.open_case(crisis_world.in_scope, "B", by=crisis_world.cast["advisor"], reason="倾向明显")


def told(case) -> CaseStep:
    return case.steps.get(code="family_told", superseded_at__isnull=True)


def test_completing_the_step_records_the_family_contact_and_keeps_only_its_id(crisis_world, case):
    organiser = crisis_world.cast["college_leader"]
    step = cases.complete_step(told(case), by=organiser, evidence={**NEW_CONTACT, "note": "请其到校"})
    contact = FamilyContact.objects.get()
    assert (contact.student, contact.case, contact.contacted_by) == (crisis_world.in_scope, case, organiser)
    assert (contact.contact_name, contact.relation, contact.method, contact.outcome) == (
        "张母", "母亲", "phone", "已知情，今晚到校",
    )  # fmt: skip
    assert contact.contacted_at == OFFICE_TIME - dt.timedelta(minutes=30)
    step.refresh_from_db()
    assert step.evidence == {"note": "请其到校", "family_contact": contact.pk}
    event = case.events.get(kind=CaseEvent.Kind.FAMILY_CONTACT)
    assert event.detail == {"family_contact": contact.pk, "step": "family_told"}
    assert AuditEntry.objects.filter(what="care.family_contact", detail__family_contact=contact.pk).exists()


def test_the_step_can_point_at_a_contact_already_recorded_on_the_case(crisis_world, case):
    organiser = crisis_world.cast["college_leader"]
    contact = care.record_family_contact(
        crisis_world.in_scope, by=organiser, case=case, contact_name="张父", relation="父亲",
        contacted_at=OFFICE_TIME - dt.timedelta(hours=1), method="in_person", outcome="已到校",
    )  # fmt: skip
    step = cases.complete_step(told(case), by=organiser, evidence={"family_contact": str(contact.pk)})
    assert step.evidence == {"family_contact": contact.pk}
    assert FamilyContact.objects.count() == 1


def test_a_contact_of_another_case_or_nothing_at_all_is_refused_and_nothing_is_written(crisis_world, case):
    w = crisis_world
    organiser = w.cast["college_leader"]
    other = care.record_family_contact(
        w.other_class, by=w.cast["counsellor"], contact_name="李母", relation="母亲",
        contacted_at=OFFICE_TIME - dt.timedelta(hours=1), method="phone", outcome="已知情",
    )  # fmt: skip
    with pytest.raises(EvidenceError) as refused:
        cases.complete_step(told(case), by=organiser, evidence={"family_contact": str(other.pk)})
    assert set(refused.value.fields) == {"family_contact"}
    with pytest.raises(EvidenceError) as refused:
        cases.complete_step(told(case), by=organiser, evidence={"note": "已告知"})
    assert set(refused.value.fields) == {"family_who", "family_relation", "family_when", "family_how", "family_outcome"}
    with pytest.raises(EvidenceError) as refused:
        cases.complete_step(
            told(case), by=organiser, evidence={**NEW_CONTACT, "family_how": "电话", "family_when": "今天"}
        )
    assert set(refused.value.fields) == {"family_how", "family_when"}
    with pytest.raises(ConcernError, match="future"):
        cases.complete_step(told(case), by=organiser, evidence={**NEW_CONTACT, "family_when": "2026-11-26 09:30"})
    assert FamilyContact.objects.filter(case=case).count() == 0
    assert told(case).completed_at is None and not told(case).evidence


def test_closing_needs_every_family_told_step_to_point_at_one_of_the_cases_contacts(crisis_world, case):
    w = crisis_world
    organiser = w.cast["college_leader"]
    cases.complete_step(told(case), by=organiser, evidence=NEW_CONTACT)
    gap = "A step that tells the family has no family contact recorded."
    assert gap not in cases.closing_gaps(case)
    care.record_family_contact(
        w.in_scope, by=organiser, case=case, contact_name="张父", relation="父亲",
        contacted_at=OFFICE_TIME - dt.timedelta(hours=1), method="in_person", outcome="已到校",
    )  # fmt: skip
    # The step's contact gone from the case (say, moved to another record by mistake): closing says so.
    FamilyContact.objects.filter(pk=told(case).evidence["family_contact"]).update(case=None)
    assert gap in cases.closing_gaps(case)
    # A step done before contacts were its evidence, and matched to no row, keeps what was written.
    CaseStep.objects.filter(pk=told(case).pk).update(evidence={"family_who": "母亲", "family_how": "电话"})
    assert gap not in cases.closing_gaps(case)


def test_the_case_page_offers_the_cases_contacts_and_shows_the_row_as_the_evidence(crisis_world, client_for, case):
    w = crisis_world
    organiser = w.cast["college_leader"]
    contact = care.record_family_contact(
        w.in_scope, by=organiser, case=case, contact_name="张父", relation="父亲",
        contacted_at=OFFICE_TIME - dt.timedelta(hours=1), method="in_person", outcome="已到校面谈",
    )  # fmt: skip
    client = client_for(organiser)
    step = told(case)
    page = client.get(reverse("concerns:case_detail", args=[case.pk])).content.decode()
    assert f'<option value="{contact.pk}">张父（父亲），2026-11-25 09:00，' in page
    response = client.post(
        reverse("concerns:case_step_complete", args=[case.pk, step.pk]), {"family_contact": contact.pk}
    )
    assert response.status_code == 302
    assert told(case).evidence == {"family_contact": contact.pk}
    page = client.get(reverse("concerns:case_detail", args=[case.pk])).content.decode()
    evidence = page[page.index('data-testid="evidence"') :]
    assert "张父（父亲），2026-11-25 09:00" in evidence[: evidence.index("</ul>")]
    head_teacher = client_for(w.cast["head_teacher"]).get(reverse("concerns:case_detail", args=[case.pk]))
    assert "张父" not in head_teacher.content.decode()


def test_the_step_form_records_a_new_family_contact(crisis_world, client_for, case):
    organiser = crisis_world.cast["college_leader"]
    client = client_for(organiser)
    step = told(case)
    page = client.get(reverse("concerns:case_detail", args=[case.pk])).content.decode()
    form = page[page.index(f'action="{reverse("concerns:case_step_complete", args=[case.pk, step.pk])}"') :]
    form = form[: form.index("</form>")]
    assert 'name="family_contact"' not in form  # nothing recorded on the case yet to choose from
    for name in ("family_who", "family_relation", "family_when", "family_how", "family_outcome"):
        tag = form[form.rindex("<", 0, form.index(f'name="{name}"')) :]
        assert " required" in tag[: tag.index(">")], name
    values = {"family_who": "张母", "family_relation": "母亲", "family_when": "2026-11-25T09:30",
              "family_how": "video", "family_outcome": "已知情"}  # fmt: skip
    refused = client.post(reverse("concerns:case_step_complete", args=[case.pk, step.pk]), {**values, "family_how": ""})
    assert refused.status_code == 400 and not FamilyContact.objects.exists()
    done = client.post(reverse("concerns:case_step_complete", args=[case.pk, step.pk]), values)
    assert done.status_code == 302
    contact = FamilyContact.objects.get()
    assert (contact.method, contact.contacted_at) == ("video", OFFICE_TIME - dt.timedelta(minutes=30))
    assert told(case).evidence == {"family_contact": contact.pk}


def test_only_those_who_read_the_cases_records_choose_a_recorded_contact(crisis_world, client_for, case):
    """The step's owner at T2 (here the head teacher) records a new contact; the recorded ones (T3) are
    neither offered to them nor taken from them."""
    w = crisis_world
    contact = care.record_family_contact(
        w.in_scope, by=w.cast["college_leader"], case=case, contact_name="张父", relation="父亲",
        contacted_at=OFFICE_TIME - dt.timedelta(hours=1), method="in_person", outcome="已到校面谈",
    )  # fmt: skip
    CaseStep.objects.filter(pk=told(case).pk).update(assignee=w.cast["head_teacher"])
    client = client_for(w.cast["head_teacher"])
    step = told(case)
    page = client.get(reverse("concerns:case_detail", args=[case.pk])).content.decode()
    assert f'action="{reverse("concerns:case_step_complete", args=[case.pk, step.pk])}"' in page
    assert 'name="family_contact"' not in page and "张父" not in page
    with pytest.raises(EvidenceError):
        cases.complete_step(step, by=w.cast["head_teacher"], evidence={"family_contact": str(contact.pk)})
    done = client.post(reverse("concerns:case_step_complete", args=[case.pk, step.pk]), {**NEW_CONTACT})
    assert done.status_code == 302
    assert told(case).evidence == {"family_contact": FamilyContact.objects.get(contact_name="张母").pk}
