"""GET /fhir/Questionnaire/<id> and /fhir/QuestionnaireResponse/<id>: scoped like the instrument page (the
centre) and the student's results page (T3, audited, step-up), application/fhir+json, never cached, 404
out of scope; the download buttons on those pages."""

import json
from pathlib import Path

import pytest
from django.test import override_settings
from django.urls import reverse

from tests.screening.test_campaigns import make_campaign
from tests.screening.test_results import campaign, student_page  # noqa: F401 - the campaign fixture
from tests.screening.test_triage import gad7, submit
from xinyu.accounts.stepup import SESSION_KEY
from xinyu.accounts.twofactor import VERIFIED_SESSION_KEY
from xinyu.audit.models import AuditEntry
from xinyu.policy.screening import DEFAULT_RULES
from xinyu.screening.activation import activate_instrument
from xinyu.screening.fhir import questionnaire_to_definition, validate
from xinyu.screening.models import Instrument, Participation, Result
from xinyu.screening.questionnaire import record_consent, save_answer
from xinyu.screening.questionnaire import submit as submit_questionnaire
from xinyu.screening.scoring import score

CENTRE = ["counsellor", "supervisor"]
NOT_CENTRE = ["college_leader", "mental_health_advisor", "head_teacher", "advisor", "student", "outsider"]


def questionnaire_url(instrument) -> str:
    # "fhir:questionnaire"
    return reverse("fhir:questionnaire", args=[instrument.pk])


def response_url(result) -> str:
    # "fhir:questionnaire_response"
    return reverse("fhir:questionnaire_response", args=[result.response_id])


def phq9_instrument():
    return Instrument.objects.get(code="PHQ-9", is_active=True)


@pytest.mark.parametrize("who", CENTRE)
def test_the_centre_downloads_an_instrument_as_a_questionnaire(world, client_for, who):
    instrument = phq9_instrument()
    response = client_for(world.cast[who]).get(questionnaire_url(instrument))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/fhir+json; charset=utf-8"
    assert "no-store" in response["Cache-Control"]
    resource = json.loads(response.content)
    validate(resource)
    assert (resource["resourceType"], resource["id"], resource["version"]) == ("Questionnaire", str(instrument.pk), "1")
    assert questionnaire_to_definition(resource) == instrument.parsed()
    page = client_for(world.cast[who]).get(reverse("screening:instrument_detail", args=[instrument.pk]))
    assert f'href="{questionnaire_url(instrument)}"' in page.content.decode()


@pytest.mark.parametrize("who", NOT_CENTRE)
def test_no_one_else_gets_the_questionnaire(world, client_for, who):
    assert client_for(world.cast[who]).get(questionnaire_url(phq9_instrument())).status_code == 404


# Who reads whose answers, written out by hand from DESIGN.md §4 (T3: the college's working group over its
# college, the centre over the school) and the world (tests/conftest.py): in_scope studies in A1, other_class
# in A2 (college A), other_college in B1; the "outsider" is college B's mental-health advisor.
ANSWERS_MATRIX = {
    "dorm_leader": (404, 404, 404),
    "wellbeing_rep": (404, 404, 404),
    "student": (404, 404, 404),
    "head_teacher": (404, 404, 404),
    "advisor": (404, 404, 404),
    "mental_health_advisor": (200, 200, 404),
    "college_leader": (200, 200, 404),
    "outsider": (404, 404, 200),
    "counsellor": (200, 200, 200),
    "supervisor": (200, 200, 200),
    "leading_group_member": (404, 404, 404),
    "student_affairs": (404, 404, 404),
}


@pytest.mark.parametrize("who", sorted(ANSWERS_MATRIX))
def test_who_reads_whose_answers(world, campaign, client_for, who):  # noqa: F811
    submit(campaign, world.other_college, {"GAD-7": gad7(2)})
    client = client_for(world.cast[who])
    for key, expected in zip(("in_scope", "other_class", "other_college"), ANSWERS_MATRIX[who], strict=True):
        student = getattr(world, key)
        for result in Result.objects.filter(student=student):
            assert client.get(response_url(result)).status_code == expected, (key, result.instrument.code)
    opened = {entry.student_id for entry in AuditEntry.objects.filter(what="screening.response_fhir")}
    expected_students = {
        getattr(world, key).pk
        for key, status in zip(("in_scope", "other_class", "other_college"), ANSWERS_MATRIX[who], strict=True)
        if status == 200
    }
    assert opened == expected_students


def test_an_unknown_instrument_is_404(world, client_for):
    assert client_for(world.cast["counsellor"]).get("/fhir/Questionnaire/999999").status_code == 404


def in_scope_result(world):
    return Result.objects.select_related("response", "instrument").get(student=world.in_scope, instrument__code="PHQ-9")


@pytest.mark.parametrize("who", ["mental_health_advisor", "college_leader", "counsellor", "supervisor"])
def test_t3_downloads_the_answers_as_a_questionnaire_response(world, campaign, client_for, who):  # noqa: F811
    result = in_scope_result(world)
    response = client_for(world.cast[who]).get(response_url(result))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/fhir+json; charset=utf-8"
    assert "no-store" in response["Cache-Control"]
    resource = json.loads(response.content)
    validate(resource)
    assert (resource["resourceType"], resource["id"], resource["status"]) == (
        "QuestionnaireResponse",
        str(result.response_id),
        "completed",
    )
    assert resource["subject"]["identifier"]["value"] == world.in_scope.student_number
    definition = result.instrument.parsed()
    codes = {item["linkId"]: item["answer"][0]["valueCoding"]["code"] for item in resource["item"]}
    answers = {}
    for item in definition.items:
        if item.link_id in codes:
            option = next(
                o for o in definition.option_set(item.option_set).options if codes[item.link_id] in (o.code, o.loinc)
            )
            answers[item.number] = option.code
    assert score(definition, answers, rules=DEFAULT_RULES).total == result.total
    entry = AuditEntry.objects.get(what="screening.response_fhir")
    assert (entry.action, entry.tier, entry.student_id) == ("view", 3, world.in_scope.pk)
    page = client_for(world.cast[who]).get(student_page(world.in_scope)).content.decode()
    assert f'href="{response_url(result)}"' in page


@pytest.mark.parametrize("who", ["head_teacher", "advisor", "outsider", "student", "student_affairs", "dorm_leader"])
def test_below_t3_the_answers_are_404_and_nothing_is_logged(world, campaign, client_for, who):  # noqa: F811
    assert client_for(world.cast[who]).get(response_url(in_scope_result(world))).status_code == 404
    assert not AuditEntry.objects.filter(what="screening.response_fhir").exists()


def test_a_response_without_a_result_is_404(world, client_for):
    assert client_for(world.cast["counsellor"]).get("/fhir/QuestionnaireResponse/999999").status_code == 404


@override_settings(XINYU_ENFORCE_TWO_FACTOR=True)
def test_the_answers_need_a_recent_step_up(world, campaign, client_for):  # noqa: F811
    client = client_for(world.cast["counsellor"])
    store = client.session
    store[VERIFIED_SESSION_KEY] = world.cast["counsellor"].pk
    store.pop(SESSION_KEY, None)
    store.save()

    response = client.get(response_url(in_scope_result(world)))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:step_up"))
    assert not AuditEntry.objects.filter(what="screening.response_fhir").exists()


# --- an imported SDC questionnaire, as the centre uploads it and the student answers it ------------------------


def upload(client, name: str):
    """Upload the file, see its preview, and save it as a draft."""
    path = Path(__file__).parent / "fhir" / f"{name}.json"
    with path.open("rb") as handle:
        preview = client.post(reverse("screening:instrument_import"), {"file": handle})
    assert preview.status_code == 200, preview.content.decode()[-2000:]
    return client.post(reverse("screening:instrument_import_confirm"), {"sealed": preview.context["sealed"]})


def test_a_published_sdc_questionnaire_is_uploaded_asked_with_its_headings_and_scored(world, client_for):
    centre = client_for(world.cast["counsellor"])
    for name in ("phq-9-lhc-sdc", "gad-7-sdc-contained"):
        assert upload(centre, name).status_code == 302
    for code in ("44249-1", "GAD7"):
        activate_instrument(Instrument.objects.get(code=code), by=world.cast["counsellor"], confirm_missing=True)
    sdc_campaign = make_campaign(world, codes=("44249-1", "GAD7"))
    participation = Participation.objects.get(campaign=sdc_campaign, student=world.in_scope)
    student = client_for(world.cast["student"])
    student.post(reverse("screening:start_mine", args=[participation.pk]))
    record_consent(participation, agreed=True, consent_version="v1")

    first = student.get(reverse("screening:answer"), {"view": "one"}).content.decode()
    assert 'data-testid="item-note"' in first and "Over the last 2 weeks" in first
    page = student.get(reverse("screening:answer"), {"view": "all"}).content.decode()
    assert page.count('data-testid="item"') == 17  # 10 PHQ-9 questions (not the total) and 7 GAD-7 questions
    assert "total score" not in page
    assert 'data-testid="item-heading"' in page and "If you checked off any problems" in page

    answers = {"44249-1": ["LA6570-1"] * 9 + ["LA6573-5"], "GAD7": ["LA6569-3"] * 7}
    for code, values in answers.items():
        instrument = Instrument.objects.get(code=code)
        for number, value in enumerate(values, start=1):
            save_answer(participation, instrument.pk, number, value)
    submit_questionnaire(participation, "key-fhir")
    totals = dict(Result.objects.filter(student=world.in_scope).values_list("instrument__code", "total"))
    assert totals == {"44249-1": 18, "GAD7": 7}
