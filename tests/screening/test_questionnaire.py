"""Consent, answers saved as you go, required items, the idempotent submission and quality flags."""

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.screening.test_campaigns import make_campaign
from xinyu.audit.models import AuditEntry
from xinyu.concerns.models import ConcernReport
from xinyu.screening import questionnaire
from xinyu.screening.models import Participation, Response, Result, Sitting
from xinyu.screening.questionnaire import (
    MissingAnswers,
    QuestionnaireError,
    has_red_flag,
    missing_items,
    record_consent,
    resume_position,
    save_answer,
    submit,
)
from xinyu.screening.sittings import open_sitting


def participation_of(campaign, student) -> Participation:
    return Participation.objects.select_related("campaign", "student").get(campaign=campaign, student=student)


@pytest.fixture
def started(world):
    """张三 agreed to a PHQ-9 + GAD-7 campaign a while ago (so no too-fast flag)."""
    campaign = make_campaign(world, codes=("PHQ-9", "GAD-7"))
    participation = record_consent(participation_of(campaign, world.in_scope), agreed=True, consent_version="v1")
    Participation.objects.filter(pk=participation.pk).update(started_at=timezone.now() - dt.timedelta(minutes=10))
    participation.refresh_from_db()
    return participation


def instrument_id(participation, code) -> int:
    return Response.objects.get(participation=participation, instrument__code=code).instrument_id


def answer_all(participation, code, values):
    for number, value in enumerate(values, start=1):
        save_answer(participation, instrument_id(participation, code), number, value)


def test_consent_opens_the_questionnaire(world, started):
    assert started.status == Participation.Status.IN_PROGRESS
    assert started.consent_version == "v1"
    assert started.consented_at is not None
    assert sorted(Response.objects.filter(participation=started).values_list("instrument__code", flat=True)) == [
        "GAD-7",
        "PHQ-9",
    ]


def test_declining_is_recorded(world):
    campaign = make_campaign(world)
    participation = record_consent(participation_of(campaign, world.in_scope), agreed=False, consent_version="v1")
    participation.refresh_from_db()
    assert participation.status == Participation.Status.DECLINED
    assert participation.consent_version == "v1"
    assert participation.consented_at is None
    assert not Response.objects.filter(participation=participation).exists()
    with pytest.raises(QuestionnaireError, match="declined"):
        submit(participation, "key-1")


def test_consent_to_an_old_version_is_refused(world):
    campaign = make_campaign(world)
    with pytest.raises(QuestionnaireError, match="consent text has changed"):
        record_consent(participation_of(campaign, world.in_scope), agreed=True, consent_version="v0")


def test_answers_saved_as_you_go_and_resumed(world, started):
    phq = instrument_id(started, "PHQ-9")
    assert resume_position(started) == (0, 1)
    save_answer(started, phq, 1, "2")
    save_answer(started, phq, 2, "1")
    assert Response.objects.get(participation=started, instrument_id=phq).answers == {"1": "2", "2": "1"}
    assert resume_position(started) == (0, 3)
    save_answer(started, phq, 2, "")
    assert Response.objects.get(participation=started, instrument_id=phq).answers == {"1": "2"}
    assert resume_position(started) == (0, 2)
    answer_all(started, "PHQ-9", ["0"] * 9)
    # PHQ-9 item 10 (how difficult) is optional but still offered in its place.
    assert resume_position(started) == (0, 10)
    save_answer(started, phq, 10, "0")
    assert resume_position(started) == (1, 1)


def test_invalid_answers_are_refused(world, started):
    phq = instrument_id(started, "PHQ-9")
    with pytest.raises(QuestionnaireError, match="not one of the answers"):
        save_answer(started, phq, 1, "7")
    with pytest.raises(QuestionnaireError, match="No such question"):
        save_answer(started, phq, 11, "1")
    with pytest.raises(QuestionnaireError, match="No such question"):
        save_answer(started, phq, 0, "1")
    with pytest.raises(QuestionnaireError, match="No such questionnaire"):
        save_answer(started, instrument_id(started, "GAD-7") + 1000, 1, "1")


def test_answers_before_consent_are_refused(world):
    campaign = make_campaign(world)
    participation = participation_of(campaign, world.in_scope)
    with pytest.raises(QuestionnaireError, match="consent text first"):
        save_answer(participation, campaign.instruments.get().pk, 1, "1")


def test_required_items_are_listed_at_submit(world, started):
    answer_all(started, "PHQ-9", ["1"] * 8)
    answer_all(started, "GAD-7", ["1"] * 7)
    with pytest.raises(MissingAnswers) as refused:
        submit(started, "key-1")
    assert [number for _name, number in refused.value.missing] == [9]
    assert missing_items(started) == refused.value.missing
    assert not Result.objects.exists()


def test_submit_scores_stores_audits_and_is_idempotent(world, started):
    answer_all(started, "PHQ-9", ["1", "2", "0", "1", "1", "0", "1", "0", "0"])
    answer_all(started, "GAD-7", ["0", "1", "0", "1", "0", "1", "0"])
    results = submit(started, "key-1")
    assert [(r.instrument.code, r.total, r.severity) for r in results] == [
        ("PHQ-9", 6, "mild"),
        ("GAD-7", 3, "none"),
    ]
    assert all(r.rules_version and r.student == world.in_scope for r in results)
    assert not has_red_flag(results)
    again = submit(started, "key-1")
    retried_with_other_key = submit(started, "key-2")
    assert [r.pk for r in again] == [r.pk for r in results] == [r.pk for r in retried_with_other_key]
    assert Result.objects.count() == 2
    started.refresh_from_db()
    assert started.status == Participation.Status.SUBMITTED
    assert started.submission_key == "key-1"
    assert started.quality_flags == []
    entries = AuditEntry.objects.filter(what="screening.submission")
    assert entries.count() == 1
    assert entries.get().student == world.in_scope
    with pytest.raises(QuestionnaireError, match="already submitted"):
        save_answer(started, instrument_id(started, "PHQ-9"), 1, "0")


def test_red_flag_reaches_triage(world):
    campaign = make_campaign(world)
    participation = record_consent(participation_of(campaign, world.in_scope), agreed=True, consent_version="v1")
    answer_all(participation, "PHQ-9", ["0"] * 8 + ["1"])
    results = submit(participation, "key-red")
    assert has_red_flag(results)
    assert [flag["code"] for flag in results[0].flags] == ["suicidal_ideation"]
    report = ConcernReport.objects.get(student=world.in_scope)
    assert report.urgency == ConcernReport.Urgency.URGENT


def test_quality_flags_are_recorded_for_review(world):
    campaign = make_campaign(world, codes=("GAD-7",))
    participation = record_consent(participation_of(campaign, world.in_scope), agreed=True, consent_version="v1")
    answer_all(participation, "GAD-7", ["2"] * 7)
    results = submit(participation, "key-fast")
    participation.refresh_from_db()
    codes = [flag["code"] for flag in participation.quality_flags]
    assert codes == ["too_fast", "same_answer"]
    assert participation.quality_flags[1] == {"code": "same_answer", "instrument": "GAD-7", "answer": "2"}
    # Never as risk: the result is scored from the answers alone.
    assert results[0].flags == []


def test_closed_campaign_refuses_answers(world, started):
    type(started.campaign).objects.filter(pk=started.campaign_id).update(closes_at=timezone.now())
    with pytest.raises(QuestionnaireError, match="not open"):
        save_answer(started, instrument_id(started, "PHQ-9"), 1, "1")


def test_missing_key_is_refused(world, started):
    with pytest.raises(QuestionnaireError, match="missing its key"):
        questionnaire.submit(started, "  ")


# --- The pages ---


def enter_by_code(client, world, campaign, student=None):
    """Open a sitting of A1 and enter it as `student` (张三 by default) in `client`."""

    student = student or world.in_scope
    sitting = Sitting.objects.filter(campaign=campaign, class_group=student.class_group).first() or open_sitting(
        campaign, student.class_group, world.cast["head_teacher"]
    )
    return client.post(
        reverse("screening:enter"),
        {"code": sitting.code, "student_number": student.student_number, "check": student.reveal_id_number()[-6:]},
    )


def test_pages_need_a_bound_session(world, client):
    make_campaign(world)
    for name in ("screening:answer", "screening:done"):
        assert client.get(reverse(name)).status_code == 404
    for name in ("screening:consent", "screening:save", "screening:submit"):
        assert client.post(reverse(name)).status_code == 404


def test_entry_page_refuses_a_wrong_check(world, client):
    campaign = make_campaign(world)

    sitting = open_sitting(campaign, world.a1, world.cast["head_teacher"])
    page = client.get(reverse("screening:enter") + f"?code={sitting.code}")
    assert page.status_code == 200
    assert sitting.code in page.content.decode()
    refused = client.post(
        reverse("screening:enter"), {"code": sitting.code, "student_number": "2025000001", "check": "000000"}
    )
    assert refused.status_code == 200
    assert 'data-testid="entry-error"' in refused.content.decode()
    assert client.get(reverse("screening:answer")).status_code == 404


def test_whole_flow_in_the_browser_session(world, client):
    campaign = make_campaign(world)
    assert enter_by_code(client, world, campaign).url == reverse("screening:answer")
    consent_page = client.get(reverse("screening:answer"))
    assert campaign.consent_text in consent_page.content.decode()
    client.post(reverse("screening:consent"), {"agree": "yes", "consent_version": "v1"})
    participation = participation_of(campaign, world.in_scope)
    phq = instrument_id(participation, "PHQ-9")
    saved = client.post(reverse("screening:save"), {"instrument": phq, "item": 1, f"a-{phq}-1": "2"})
    assert saved.status_code == 200
    assert 'id="progress"' in saved.content.decode()
    assert Response.objects.get(participation=participation).answers == {"1": "2"}
    # A reload shows the saved answer checked.
    reloaded = client.get(reverse("screening:answer")).content.decode()
    assert re.search(rf'name="a-{phq}-1" id="a-{phq}-1-2" value="2" autocomplete="off"\s+checked', reloaded)
    assert not re.search(rf'name="a-{phq}-1" id="a-{phq}-1-1" value="1" autocomplete="off"\s+checked', reloaded)
    # The page opens where the student stopped: the first option of the first unanswered item has the focus.
    assert reloaded.count(" autofocus") == 1
    assert re.search(rf'id="a-{phq}-2-0" value="0" autocomplete="off"\s+autofocus', reloaded)
    missing = client.post(reverse("screening:submit"), {"submission_key": "k1"})
    assert missing.status_code == 400
    assert 'data-testid="missing"' in missing.content.decode()
    answers = {f"a-{phq}-{n}": "0" for n in range(2, 10)} | {f"a-{phq}-9": "1"}
    done = client.post(reverse("screening:submit"), {"submission_key": "k1", **answers})
    assert done.url == reverse("screening:done")
    retried = client.post(reverse("screening:submit"), {"submission_key": "k1", **answers})
    assert retried.url == reverse("screening:done")
    assert Result.objects.count() == 1
    page = client.get(reverse("screening:done")).content.decode()
    assert 'data-testid="immediate-help"' in page
    assert "12356" in page
    assert 'data-testid="summary"' not in page


def test_summary_only_when_the_campaign_allows(world, client):
    campaign = make_campaign(world, show_summary_to_student=True)
    enter_by_code(client, world, campaign)
    client.post(reverse("screening:consent"), {"agree": "yes", "consent_version": "v1"})
    phq = instrument_id(participation_of(campaign, world.in_scope), "PHQ-9")
    client.post(reverse("screening:submit"), {"submission_key": "k2"} | {f"a-{phq}-{n}": "0" for n in range(1, 10)})
    page = client.get(reverse("screening:done")).content.decode()
    assert 'data-testid="summary"' in page
    assert 'data-testid="immediate-help"' not in page
    assert AuditEntry.objects.filter(what="screening.own_summary", student=world.in_scope).count() == 1


def test_declining_in_the_page(world, client):
    campaign = make_campaign(world)
    enter_by_code(client, world, campaign)
    client.post(reverse("screening:consent"), {"agree": "no", "consent_version": "v1"})
    assert 'data-testid="declined"' in client.get(reverse("screening:answer")).content.decode()
    assert participation_of(campaign, world.in_scope).status == Participation.Status.DECLINED


def test_second_device_loses_the_page(world):
    campaign = make_campaign(world)
    first, second = Client(), Client()
    enter_by_code(first, world, campaign)
    assert first.get(reverse("screening:answer")).status_code == 200
    enter_by_code(second, world, campaign)
    assert second.get(reverse("screening:answer")).status_code == 200
    assert first.get(reverse("screening:answer")).status_code == 404


def test_a_session_answers_only_for_its_own_student(world, client):
    campaign = make_campaign(world)
    rep = world.cast["wellbeing_rep"].student
    enter_by_code(client, world, campaign, student=rep)
    client.post(reverse("screening:consent"), {"agree": "yes", "consent_version": "v1"})
    mine = participation_of(campaign, world.in_scope)
    phq = campaign.instruments.get().pk
    client.post(reverse("screening:save"), {"instrument": phq, "item": 1, f"a-{phq}-1": "3"})
    assert participation_of(campaign, rep).responses.get().answers == {"1": "3"}
    assert not mine.responses.exists()


def test_signed_in_student_answers_their_own_campaign(world, client_for):
    campaign = make_campaign(world)
    student = client_for(world.cast["student"])
    page = student.get(reverse("screening:my_campaigns"))
    assert campaign.title in page.content.decode()
    participation = participation_of(campaign, world.in_scope)
    started = student.post(reverse("screening:start_mine", args=[participation.pk]))
    assert started.url == reverse("screening:answer")
    assert campaign.consent_text in student.get(reverse("screening:answer")).content.decode()
    # Another student's participation is out of reach.
    other = participation_of(campaign, world.other_class)
    assert student.post(reverse("screening:start_mine", args=[other.pk])).status_code == 404
    # Staff have no "my screenings".
    assert client_for(world.cast["head_teacher"]).get(reverse("screening:my_campaigns")).status_code == 404
    assert (
        client_for(world.cast["counsellor"]).post(reverse("screening:start_mine", args=[other.pk])).status_code == 404
    )


# The moves Participation.Status declares: what each service does from each status, against the table.

PARTICIPATION_SERVICES = {
    "agree": (
        lambda p: record_consent(p, agreed=True, consent_version="v1"),
        {Participation.Status.PENDING: Participation.Status.IN_PROGRESS,
         Participation.Status.IN_PROGRESS: Participation.Status.IN_PROGRESS},
    ),
    "decline": (
        lambda p: record_consent(p, agreed=False, consent_version="v1"),
        {Participation.Status.PENDING: Participation.Status.DECLINED,
         Participation.Status.IN_PROGRESS: Participation.Status.DECLINED},
    ),
    "submit": (lambda p: submit(p, "key-1"), {Participation.Status.IN_PROGRESS: Participation.Status.SUBMITTED}),
}  # fmt: skip


def test_the_table_holds_exactly_the_moves_the_questionnaire_makes():
    made = {pair for _call, works in PARTICIPATION_SERVICES.values() for pair in works.items()}
    declared = {pair for pair in Participation.MOVES.pairs() if Participation.MOVES.allows(*pair)}
    assert made == declared
    assert Participation.MOVES.final() == {Participation.Status.SUBMITTED, Participation.Status.DECLINED}


@pytest.mark.parametrize("current", Participation.Status.values)
@pytest.mark.parametrize("service", PARTICIPATION_SERVICES)
def test_consent_and_submission_move_as_the_table_says(world, started, service, current):
    answer_all(started, "PHQ-9", ["1"] * 9)
    answer_all(started, "GAD-7", ["1"] * 7)
    call, works = PARTICIPATION_SERVICES[service]
    Participation.objects.filter(pk=started.pk).update(status=current)
    started.refresh_from_db()
    # Consent once the questionnaire is settled, or a second submission, changes nothing and says nothing.
    settled = (
        current == Participation.Status.SUBMITTED if service == "submit" else current in Participation.MOVES.final()
    )
    if current in works:
        call(started)
        started.refresh_from_db()
        assert started.status == works[current]
    elif settled:
        call(started)
        started.refresh_from_db()
        assert started.status == current
    else:
        with pytest.raises(QuestionnaireError):
            call(started)
        started.refresh_from_db()
        assert started.status == current
