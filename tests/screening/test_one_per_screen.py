"""One question per screen: the campaign's setting or the student's choice; answers saved as they go,
resumable, required questions enforced, progress shown; works as plain forms and with htmx."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.screening.test_campaigns import make_campaign
from tests.screening.test_questionnaire import enter_by_code, instrument_id, participation_of
from xinyu.screening.models import Campaign, Participation, Response, Result
from xinyu.screening.questionnaire import pages, resume_screen, save_answer
from xinyu.screening.services import get_instrument

ANSWER = reverse("screening:answer")
STEP = reverse("screening:step")


@pytest.fixture
def one_campaign(world):
    return make_campaign(world, codes=("PHQ-9", "GAD-7"), one_item_per_screen=True)


@pytest.fixture
def student(world, client, one_campaign):
    """张三 has entered the sitting and agreed; `client` is their phone."""
    enter_by_code(client, world, one_campaign)
    client.post(reverse("screening:consent"), {"agree": "yes", "consent_version": "v1"})
    return client


def ids(campaign, world):
    participation = participation_of(campaign, world.in_scope)
    return instrument_id(participation, "PHQ-9"), instrument_id(participation, "GAD-7")


def step(client, position, instrument, item, value=None, direction="next", **headers):
    data = {"q": position, "instrument": instrument, "item": item, "direction": direction}
    if value is not None:
        data[f"a-{instrument}-{item}"] = value
    return client.post(STEP, data, **headers)


def test_first_screen_shows_one_question_and_the_progress(world, student, one_campaign):
    page = student.get(ANSWER)
    text = page.content.decode()
    assert page.status_code == 200
    assert text.count('data-testid="item"') == 1
    assert 'data-testid="screen" data-position="1"' in text
    assert 'data-testid="progress"' in text
    assert "1" in text and "17" in text  # question 1 of 9 + 7 + (PHQ-9's difficulty item)
    assert 'data-testid="back"' not in text  # nothing before the first


def test_next_saves_the_answer_and_moves_on_without_javascript(world, student, one_campaign):
    phq, _gad = ids(one_campaign, world)
    moved = step(student, 1, phq, 1, "2")
    assert moved.status_code == 302
    assert moved.url == f"{ANSWER}?q=2"
    response = Response.objects.get(participation__student=world.in_scope, instrument_id=phq)
    assert response.answers == {"1": "2"}
    text = student.get(moved.url).content.decode()
    assert 'data-position="2"' in text and 'data-number="2"' in text
    assert 'data-testid="back"' in text


def test_a_required_question_must_be_answered_before_going_on(world, student, one_campaign):
    phq, _gad = ids(one_campaign, world)
    refused = step(student, 1, phq, 1)
    assert refused.status_code == 400
    text = refused.content.decode()
    assert 'data-testid="submit-error"' in text
    assert 'data-position="1"' in text
    # Going back never needs an answer.
    step(student, 2, phq, 2, "1")  # answer 2 first
    assert step(student, 3, phq, 3, direction="back").url == f"{ANSWER}?q=2"


def test_an_optional_question_may_be_skipped(world, student, one_campaign):
    phq, _gad = ids(one_campaign, world)
    # PHQ-9's 10th (difficulty) question is optional.
    assert step(student, 10, phq, 10).url == f"{ANSWER}?q=11"


def test_a_wrong_answer_is_refused_and_nothing_is_saved(world, student, one_campaign):
    phq, _gad = ids(one_campaign, world)
    refused = step(student, 1, phq, 1, "9")
    assert refused.status_code == 400
    assert Response.objects.get(participation__student=world.in_scope, instrument_id=phq).answers == {}


def test_resumes_at_the_first_unanswered_question(world, student, one_campaign, client):
    phq, _gad = ids(one_campaign, world)
    for number in range(1, 5):
        step(student, number, phq, number, "1")
    # The connection drops; on entering again (another session) the questionnaire opens at question 5.

    phone = Client()
    enter_by_code(phone, world, one_campaign)
    text = phone.get(ANSWER).content.decode()
    assert 'data-position="5"' in text and 'data-number="5"' in text
    # Going back shows the saved answer checked.
    back = phone.get(f"{ANSWER}?q=2").content.decode()
    assert f'id="a-{phq}-2-1" value="1" autocomplete="off"\n                   checked' in back


def test_htmx_swaps_the_screen_and_pushes_its_address(world, student, one_campaign):
    phq, _gad = ids(one_campaign, world)
    swapped = step(student, 1, phq, 1, "0", HTTP_HX_REQUEST="true")
    assert swapped.status_code == 200
    assert swapped["HX-Push-Url"] == f"{ANSWER}?q=2"
    assert 'data-position="2"' in swapped.content.decode()
    refused = step(student, 2, phq, 2, HTTP_HX_REQUEST="true")
    assert refused.status_code == 200  # htmx swaps 2xx only: the error is shown in the screen
    assert 'data-testid="submit-error"' in refused.content.decode()
    assert "HX-Push-Url" in refused  # stays on question 2


def test_saving_as_you_go_still_works_in_this_mode(world, student, one_campaign):
    phq, _gad = ids(one_campaign, world)
    saved = student.post(reverse("screening:save"), {"instrument": phq, "item": 1, f"a-{phq}-1": "3"})
    assert saved.status_code == 200
    assert 'id="progress"' in saved.content.decode()
    assert Response.objects.get(participation__student=world.in_scope, instrument_id=phq).answers == {"1": "3"}


def test_finish_screen_lists_what_is_missing_and_submits_once(world, student, one_campaign):
    phq, gad = ids(one_campaign, world)
    for number in range(1, 10):
        step(student, number, phq, number, "0")
    for number in range(1, 7):
        step(student, 10 + number, gad, number, "1")
    finish = student.get(f"{ANSWER}?q=99").content.decode()  # past the end: the finish screen
    assert 'data-testid="finish"' in finish
    assert f"{ANSWER}?q=17" in finish  # GAD-7 question 7 still missing, with a link to it
    missing = student.post(reverse("screening:submit"), {"submission_key": "k1"})
    assert missing.status_code == 400
    text = missing.content.decode()
    assert 'data-testid="submit-error"' in text and 'data-position="17"' in text  # at the missing question
    assert step(student, 17, gad, 7, "1").url == f"{ANSWER}?q=18"
    finish = student.get(f"{ANSWER}?q=18").content.decode()
    assert 'data-testid="missing"' not in finish
    done = student.post(reverse("screening:submit"), {"submission_key": "k1"})
    assert done.url == reverse("screening:done")
    assert student.post(reverse("screening:submit"), {"submission_key": "k1"}).url == reverse("screening:done")
    assert Result.objects.filter(student=world.in_scope).count() == 2
    assert participation_of(one_campaign, world.in_scope).status == Participation.Status.SUBMITTED
    # After submitting, a step goes back to the questionnaire's state (the done page), changing nothing.
    assert step(student, 1, phq, 1, "3").url == ANSWER


def test_student_may_switch_between_one_per_screen_and_all(world, client):
    campaign = make_campaign(world, codes=("PHQ-9",))  # a page of questions by default
    enter_by_code(client, world, campaign)
    client.post(reverse("screening:consent"), {"agree": "yes", "consent_version": "v1"})
    page = client.get(ANSWER).content.decode()
    assert page.count('data-testid="item"') == 10
    assert 'data-testid="view-one"' in page
    one = client.get(f"{ANSWER}?view=one").content.decode()
    assert one.count('data-testid="item"') == 1
    assert client.get(ANSWER).content.decode().count('data-testid="item"') == 1  # the choice is remembered
    assert client.get(f"{ANSWER}?view=all").content.decode().count('data-testid="item"') == 10


def test_steps_need_a_bound_session(world, client, one_campaign):
    phq = one_campaign.instruments.get(code="PHQ-9").pk
    assert step(client, 1, phq, 1, "1").status_code == 404
    assert client.get(ANSWER).status_code == 404


def test_a_step_cannot_touch_an_instrument_of_another_questionnaire(world, student, one_campaign):

    upi = get_instrument("UPI")
    refused = step(student, 1, upi.pk, 1, "1")
    assert refused.status_code == 400
    assert not Response.objects.filter(instrument=upi).exists()


def test_malformed_step_is_404(world, student):
    assert student.post(STEP, {"q": "x", "instrument": "1", "item": "1"}).status_code == 404


def test_resume_screen_rules(world, student, one_campaign):

    participation = participation_of(one_campaign, world.in_scope)
    phq, gad = ids(one_campaign, world)
    assert resume_screen(pages(participation)) == 1
    for number in range(1, 10):
        save_answer(participation, phq, number, "0")
    assert resume_screen(pages(participation)) == 10  # where they stopped: the optional difficulty item
    save_answer(participation, gad, 1, "0")
    assert resume_screen(pages(participation)) == 12  # the skipped optional item does not pull them back
    for number in range(2, 8):
        save_answer(participation, gad, number, "0")
    assert resume_screen(pages(participation)) == 18  # all required answered: the finish screen
    save_answer(participation, phq, 3, "")  # cleared an early answer
    assert resume_screen(pages(participation)) == 3


def test_the_centre_creates_a_one_per_screen_campaign_with_a_reminder_text(world, client_for):

    client = client_for(world.cast["counsellor"])
    created = client.post(
        reverse("screening:campaign_new"),
        {
            "kind": "semester",
            "title": "每屏一题的排查",
            "instruments": [get_instrument("PHQ-9").pk],
            "opens_at": "2030-03-01T08:00",
            "closes_at": "2030-03-08T20:00",
            "student_statuses": ["enrolled"],
            "consent_text": "知情同意",
            "consent_version": "v1",
            "one_item_per_screen": "on",
            "reminder_text": "请按时完成",
        },
    )
    assert created.status_code == 302
    campaign = Campaign.objects.get(title="每屏一题的排查")
    assert campaign.one_item_per_screen
    assert campaign.reminder_text == "请按时完成"
