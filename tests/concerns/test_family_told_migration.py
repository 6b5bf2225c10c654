"""The migration that makes a "family_told" step's evidence the case's family contact row: each step done
before is linked to the row that records the same contact (the text it kept stays); backwards, the link
goes and a step that only had the link gets the row's who, when and how written in as text."""

import datetime as dt

import pytest

from tests.concerns.conftest import OFFICE_TIME, SHANGHAI
from tests.conftest import build_world
from tests.helpers import empty_access_log_for_flush, freeze_time, migrate
from xinyu.care.models import FamilyContact
from xinyu.concerns.models import CaseStep
from xinyu.concerns.services import cases

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("latest_schema_afterwards")]

BEFORE = ("concerns", "0002_report_restricted_detail")
AFTER = ("concerns", "0003_family_told_steps_point_at_family_contacts")
LEGACY = {"note": "已谈话", "family_who": "母亲", "family_when": "2026-11-25 09:30", "family_how": "电话，请其到校"}


def at(hour, minute=0):
    return dt.datetime(2026, 11, 25, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture
def told():
    """A level-B case whose family_told step was done, and three family contacts on the case."""
    world = build_world()
    with freeze_time(OFFICE_TIME):
        case = cases.open_case(world.in_scope, "B", by=world.cast["advisor"], reason="倾向明显")
    step = case.steps.get(code="family_told")
    CaseStep.objects.filter(pk=step.pk).update(completed_at=OFFICE_TIME, completed_by=world.cast["college_leader"])
    by = world.cast["college_leader"]
    contact = {"student": world.in_scope, "case": case, "contacted_by": by, "method": "phone", "outcome": "已知情"}
    rows = {
        "mother_early": FamilyContact.objects.create(
            contact_name="张母", relation="母亲", contacted_at=at(9), **contact
        ),
        "mother_late": FamilyContact.objects.create(
            contact_name="张母", relation="母亲", contacted_at=at(20), **contact
        ),
        "father": FamilyContact.objects.create(
            contact_name="张父", relation="父亲", contacted_at=at(9, 30), **{**contact, "method": "in_person"}
        ),
    }
    migrate(BEFORE)
    yield step, rows
    migrate(AFTER)
    empty_access_log_for_flush()


def evidence(step) -> dict:
    return CaseStep.objects.get(pk=step.pk).evidence


def test_a_step_done_before_is_linked_to_the_nearest_row_naming_the_same_person_and_keeps_its_text(told):
    step, rows = told
    CaseStep.objects.filter(pk=step.pk).update(evidence=LEGACY)
    migrate(AFTER)
    assert evidence(step) == {**LEGACY, "family_contact": rows["mother_early"].pk}
    migrate(BEFORE)
    assert evidence(step) == LEGACY


def test_a_step_no_row_matches_keeps_only_its_text(told):
    step, _rows = told
    CaseStep.objects.filter(pk=step.pk).update(evidence={**LEGACY, "family_who": "外婆"})
    migrate(AFTER)
    assert evidence(step) == {**LEGACY, "family_who": "外婆"}


def test_backwards_a_step_with_only_the_link_gets_the_rows_text_and_forwards_links_it_again(told):
    step, rows = told
    CaseStep.objects.filter(pk=step.pk).update(evidence={"note": "已告知", "family_contact": rows["father"].pk})
    migrate(AFTER)
    migrate(BEFORE)
    written = {"note": "已告知", "family_who": "张父", "family_when": "2026-11-25 09:30", "family_how": "当面"}
    assert evidence(step) == written
    migrate(AFTER)
    assert evidence(step) == {**written, "family_contact": rows["father"].pk}


def test_steps_without_family_told_evidence_are_left_alone(told):
    step, _rows = told
    other = step.case.steps.get(code="watch")
    kept = {"watchers": "王老师、李同学", "watch_from": "2026-11-25 10:00", "family_who": "母亲"}
    CaseStep.objects.filter(pk=other.pk).update(evidence=kept, completed_at=OFFICE_TIME)
    migrate(AFTER)
    assert evidence(other) == kept
