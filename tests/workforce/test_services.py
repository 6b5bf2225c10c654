"""Supervision requests and sessions: who may do what, the moves of a request, and the T4 text at rest."""

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from tests.workforce.conftest import GUIDANCE, QUESTION, counsel
from xinyu.workforce import services
from xinyu.workforce.models import Discussion, SupervisionRequest, SupervisionSession
from xinyu.workforce.services import WorkforceError

pytestmark = pytest.mark.django_db
Status = SupervisionRequest.Status


def _held(hours_ago=1):
    return timezone.now() - dt.timedelta(hours=hours_ago)


def test_a_counsellor_submits_a_case_they_counsel(world, supervision_request, case_session):
    assert supervision_request.status == Status.SUBMITTED
    assert supervision_request.counsellor == world.cast["counsellor"]
    assert supervision_request.session == case_session
    assert supervision_request.school == world.school


def test_the_question_is_encrypted_at_rest(supervision_request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT question FROM workforce_supervisionrequest WHERE id = %s", [supervision_request.pk])
        stored = cursor.fetchone()[0]
    assert QUESTION not in stored
    assert SupervisionRequest.objects.get().question == QUESTION


def test_a_counsellor_cannot_submit_a_student_they_never_counselled(world, other_counsellor, case_session):
    with pytest.raises(WorkforceError):
        services.submit_request(world.in_scope, by=other_counsellor, question="?")


def test_nobody_outside_the_centre_submits(world, case_session):
    with pytest.raises(WorkforceError):
        services.submit_request(world.in_scope, by=world.cast["mental_health_advisor"], question="?")


def test_another_counsellors_session_cannot_be_named(world, other_counsellor, case_session):
    counsel(world, other_counsellor)
    with pytest.raises(WorkforceError, match="not one of yours"):
        services.submit_request(world.in_scope, by=other_counsellor, question="?", session=case_session)


def test_an_empty_question_is_refused(world, case_session):
    with pytest.raises(WorkforceError, match="question"):
        services.submit_request(world.in_scope, by=world.cast["counsellor"], question="  ")


def test_a_case_waits_in_the_queue_once(world, supervision_request):
    with pytest.raises(WorkforceError, match="already waiting"):
        services.submit_request(world.in_scope, by=world.cast["counsellor"], question="再问")


def test_the_supervisor_records_an_individual_session_with_guidance(world, supervision_request):
    supervisor = world.cast["supervisor"]
    session = services.record_session(
        world.school, by=supervisor, kind="individual", held_at=_held(), duration_minutes=60,
        discussions=[(supervision_request, "讨论", GUIDANCE)],
    )  # fmt: skip
    assert set(session.counsellors.all()) == {world.cast["counsellor"]}
    supervision_request.refresh_from_db()
    assert supervision_request.status == Status.DISCUSSED
    assert supervision_request.guidance_read_at is None
    assert Discussion.objects.get().guidance == GUIDANCE


def test_a_counsellor_cannot_record_a_session(world, supervision_request):
    with pytest.raises(WorkforceError, match="supervisors"):
        services.record_session(world.school, by=world.cast["counsellor"], kind="group", held_at=_held(),
                                duration_minutes=60, counsellors=[world.cast["counsellor"]])  # fmt: skip


def test_individual_supervision_has_one_counsellor(world, other_counsellor, supervision_request):
    with pytest.raises(WorkforceError, match="one counsellor"):
        services.record_session(
            world.school, by=world.cast["supervisor"], kind="individual", held_at=_held(), duration_minutes=60,
            counsellors=[other_counsellor], discussions=[(supervision_request, "", GUIDANCE)],
        )  # fmt: skip
    assert not SupervisionSession.objects.exists()


def test_guidance_is_required_and_a_future_session_refused(world, supervision_request):
    supervisor = world.cast["supervisor"]
    with pytest.raises(WorkforceError, match="guidance"):
        services.record_session(world.school, by=supervisor, kind="individual", held_at=_held(), duration_minutes=60,
                                discussions=[(supervision_request, "讨论", " ")])  # fmt: skip
    with pytest.raises(WorkforceError, match="future"):
        services.record_session(world.school, by=supervisor, kind="group", held_at=_held(-24), duration_minutes=60,
                                counsellors=[world.cast["counsellor"]])  # fmt: skip
    with pytest.raises(WorkforceError, match="not a counsellor"):
        services.record_session(world.school, by=supervisor, kind="group", held_at=_held(), duration_minutes=60,
                                counsellors=[world.cast["head_teacher"]])  # fmt: skip
    assert not SupervisionSession.objects.exists()
    assert SupervisionRequest.objects.get().status == Status.SUBMITTED


def test_a_discussed_case_cannot_be_discussed_again_until_brought_again(world, supervision_request):
    supervisor, counsellor = world.cast["supervisor"], world.cast["counsellor"]
    services.record_session(world.school, by=supervisor, kind="individual", held_at=_held(), duration_minutes=50,
                            discussions=[(supervision_request, "", GUIDANCE)])  # fmt: skip
    with pytest.raises(WorkforceError, match="no longer waiting"):
        services.record_session(world.school, by=supervisor, kind="individual", held_at=_held(), duration_minutes=50,
                                discussions=[(supervision_request, "", GUIDANCE)])  # fmt: skip
    services.bring_again(supervision_request, by=counsellor)
    assert SupervisionRequest.objects.get().status == Status.SUBMITTED
    services.record_session(world.school, by=supervisor, kind="individual", held_at=_held(), duration_minutes=50,
                            discussions=[(supervision_request, "", "第二次指导")])  # fmt: skip
    services.close_request(supervision_request, by=counsellor)
    assert SupervisionRequest.objects.get().status == Status.CLOSED
    with pytest.raises(WorkforceError):
        services.bring_again(supervision_request, by=counsellor)


def test_scheduling_and_withdrawing(world, supervision_request):
    at = timezone.now() + dt.timedelta(days=2)
    with pytest.raises(WorkforceError, match="supervisors"):
        services.schedule_request(supervision_request, by=world.cast["counsellor"], at=at)
    services.schedule_request(supervision_request, by=world.cast["supervisor"], at=at)
    assert SupervisionRequest.objects.get().status == Status.SCHEDULED
    with pytest.raises(WorkforceError, match="submitted"):
        services.withdraw_request(supervision_request, by=world.cast["supervisor"])
    services.withdraw_request(supervision_request, by=world.cast["counsellor"])
    assert SupervisionRequest.objects.get().status == Status.WITHDRAWN
    with pytest.raises(WorkforceError):
        services.close_request(supervision_request, by=world.cast["counsellor"])


@pytest.mark.parametrize(("current", "target"), list(SupervisionRequest.MOVES.pairs()))
def test_the_moves_table(current, target):
    declared = {
        ("submitted", "scheduled"), ("submitted", "discussed"), ("submitted", "withdrawn"),
        ("scheduled", "discussed"), ("scheduled", "withdrawn"), ("discussed", "submitted"), ("discussed", "closed"),
    }  # fmt: skip
    assert SupervisionRequest.MOVES.allows(current, target) is ((current, target) in declared)


def test_guidance_is_marked_read_by_the_treating_counsellor_only(world, supervision_request):
    services.record_session(world.school, by=world.cast["supervisor"], kind="individual", held_at=_held(),
                            duration_minutes=50, discussions=[(supervision_request, "", GUIDANCE)])  # fmt: skip
    services.mark_guidance_read(supervision_request, by=world.cast["supervisor"])
    assert SupervisionRequest.objects.get().guidance_read_at is None
    services.mark_guidance_read(supervision_request, by=world.cast["counsellor"])
    assert SupervisionRequest.objects.get().guidance_read_at is not None
