"""FHIR R4 read endpoints: an instrument version as a Questionnaire (the centre, like the instrument page)
and a student's answers to one instrument as a QuestionnaireResponse (T3, like the student's results page:
audited, after a recent re-authentication as every export of student data). Out of scope is 404; answers
are never cached (Cache-Control: no-store)."""

import json

from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET

from xinyu.accounts.stepup import step_up_required
from xinyu.common.access import requires, staff_only
from xinyu.org.access_log import Read, record_read
from xinyu.org.scope import Tier
from xinyu.screening import scope
from xinyu.screening.fhir import definition_to_questionnaire, questionnaire_response
from xinyu.screening.models import Instrument, Result

FHIR_JSON = "application/fhir+json; charset=utf-8"
RESPONSE_SYSTEM = "urn:xinyu:fhir:questionnaire-response"
STUDENT_SYSTEM = "urn:xinyu:fhir:student-number"


def _fhir(resource: dict, filename: str) -> HttpResponse:
    response = HttpResponse(json.dumps(resource, ensure_ascii=False, indent=2), content_type=FHIR_JSON)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "no-store, private"
    return response


@requires(scope.may_manage_instruments, "instruments")
@require_GET
def questionnaire(request, pk):
    """GET /fhir/Questionnaire/<id>: the instrument version `id`, its resource id being that number."""
    instrument = get_object_or_404(Instrument, pk=pk)
    resource = definition_to_questionnaire(instrument.parsed())
    resource["id"] = str(instrument.pk)
    return _fhir(resource, f"Questionnaire-{instrument.pk}.json")


def questionnaire_response_resource(result: Result) -> dict:
    """The answers behind `result` (one student, one instrument, one campaign) as a QuestionnaireResponse."""
    response = result.response
    definition = result.instrument.parsed()
    answers = {int(number): value for number, value in (response.answers or {}).items() if str(number).isdigit()}
    return questionnaire_response(
        definition,
        answers,
        authored=response.completed_at or result.scored_at,
        subject={"identifier": {"system": STUDENT_SYSTEM, "value": result.student.student_number}},
        identifier={"system": RESPONSE_SYSTEM, "value": str(response.pk)},
        resource_id=str(response.pk),
    )


@staff_only
@step_up_required
@require_GET
def questionnaire_response_view(request, pk):
    """GET /fhir/QuestionnaireResponse/<id>: the scored answers `id` of a student `user` sees at T3."""
    result = get_object_or_404(Result.objects.select_related("response", "instrument", "student"), response_id=pk)
    # the same check as the student's results page, which shows this result
    student = scope.get_student_for_user(request.user, result.student_id, Tier.T3)
    _tier, grant = scope.tier_for(request.user, student)
    with transaction.atomic():
        resource = questionnaire_response_resource(result)
        record_read(
            request,
            Read.SCREENING_RESPONSE_FHIR,
            student=student,
            tier=Tier.T3,
            post=grant.post if grant else "",
        )
    return _fhir(resource, f"QuestionnaireResponse-{result.response_id}.json")
