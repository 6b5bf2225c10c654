"""A student's own screenings: supportive wording where the campaign allows it, never raw labels; only
their own; reading it is audited."""

import pytest
from django.urls import reverse

from tests.policy.centre_policy import other_centre  # noqa: F401 - a fixture
from tests.screening.test_campaigns import make_campaign
from tests.screening.test_questionnaire import enter_by_code, instrument_id, participation_of
from xinyu.audit.models import AuditEntry
from xinyu.org.models import Student
from xinyu.policy.loader import policy_in_force
from xinyu.screening.models import Participation
from xinyu.screening.own_results import SUPPORTIVE, own_history, supportive_line
from xinyu.screening.questionnaire import record_consent, save_answer, submit

URL = reverse("screening:my_results")
RAW_LABELS = (
    "重度",
    "中度",
    "轻度",
    "第一类",
    "第二类",
    "第三类",
    "severe",
    "moderate",
    "PHQ-9 总分",
    "suicid",
    "得分",
)


def answered(campaign, student, values):
    participation = Participation.objects.get(campaign=campaign, student=student)
    record_consent(participation, agreed=True, consent_version="v1")
    instrument = campaign.instruments.get()
    for number, value in enumerate(values, start=1):
        save_answer(participation, instrument.pk, number, str(value))
    return submit(participation, f"k-{campaign.pk}-{student.pk}")


@pytest.fixture
def history(world):
    """张三 took three campaigns: two show a summary (one of them with a red flag), one does not."""
    calm = make_campaign(world, title="2024新生普查", show_summary_to_student=True, resources_text="中心电话 0570-1")
    answered(calm, world.in_scope, [0] * 9)
    hard = make_campaign(world, title="2025春季排查", show_summary_to_student=True)
    answered(hard, world.in_scope, [3] * 9)  # severe, item 9 flagged
    hidden = make_campaign(world, title="2025秋季排查")
    answered(hidden, world.in_scope, [2] * 9)
    pending = make_campaign(world, title="尚未作答的测评", show_summary_to_student=True)
    return {"calm": calm, "hard": hard, "hidden": hidden, "pending": pending}


def test_wording_is_supportive_and_covers_every_severity():
    assert supportive_line("none") == str(SUPPORTIVE["none"])
    assert supportive_line("moderately_severe") == supportive_line("severe")
    assert supportive_line("") == supportive_line("none")
    assert supportive_line("unknown-level") == str(SUPPORTIVE["moderate"])


def test_student_sees_supportive_summaries_with_resources_and_no_raw_labels(world, client_for, history):
    page = client_for(world.cast["student"]).get(URL)
    assert page.status_code == 200
    text = page.content.decode()
    assert "2024新生普查" in text and "2025春季排查" in text
    assert supportive_line("none") in text
    assert supportive_line("severe") in text
    assert "中心电话 0570-1" in text  # the campaign's own resources
    assert "12356" in text  # the help lines, always
    assert text.count('data-testid="immediate-help"') == 1  # the red-flag campaign shows immediate help
    assert "尚未作答的测评" not in text  # not submitted: not in the history
    for label in RAW_LABELS:
        assert label not in text, label


def test_nothing_of_the_result_for_a_campaign_that_does_not_allow_it(world, client_for, history):
    text = client_for(world.cast["student"]).get(URL).content.decode()
    rows = own_history(world.in_scope)
    hidden = next(row for row in rows if row.campaign == history["hidden"])
    assert not hidden.shows_summary and hidden.summary == [] and not hidden.red_flag
    start = text.index(f'data-campaign="{history["hidden"].pk}"')
    card = text[start : text.index("</section>", start)]
    assert 'data-testid="no-summary"' in card
    assert 'data-testid="own-summary"' not in card
    assert 'data-testid="immediate-help"' not in card
    for line in SUPPORTIVE.values():
        assert str(line) not in card


def test_reading_is_audited_per_campaign_shown(world, client_for, history):
    client_for(world.cast["student"]).get(URL)
    entries = AuditEntry.objects.filter(what="screening.own_summary", student=world.in_scope)
    assert sorted(entry.detail["campaign"] for entry in entries) == sorted([history["calm"].pk, history["hard"].pk])
    assert {entry.actor_id for entry in entries} == {world.cast["student"].pk}


def test_another_student_sees_only_their_own(world, client_for, history):
    other = Student.objects.get(user=world.cast["dorm_leader"])
    answered(history["calm"], other, [1] * 8 + [0])  # mild, no flag
    text = client_for(world.cast["dorm_leader"]).get(URL).content.decode()
    assert "2024新生普查" in text
    assert "2025春季排查" not in text and "2025秋季排查" not in text  # 张三's, not theirs
    assert supportive_line("mild") in text
    assert supportive_line("severe") not in text and 'data-testid="immediate-help"' not in text
    assert not AuditEntry.objects.filter(what="screening.own_summary", student=world.in_scope).exists()


def test_a_student_without_screenings_sees_an_empty_history(world, client_for):
    text = client_for(world.cast["wellbeing_rep"]).get(URL).content.decode()
    assert 'data-testid="no-history"' in text
    assert "12356" in text
    assert not AuditEntry.objects.filter(what="screening.own_summary").exists()


@pytest.mark.parametrize("who", ["counsellor", "supervisor", "head_teacher", "mental_health_advisor", "outsider"])
def test_staff_get_404(world, client_for, history, who):
    assert client_for(world.cast[who]).get(URL).status_code == 404


def test_signed_out_is_sent_to_sign_in(client):
    assert client.get(URL).status_code == 302


def test_done_page_uses_the_same_supportive_wording(world, client):

    campaign = make_campaign(world, show_summary_to_student=True)
    enter_by_code(client, world, campaign)
    client.post(reverse("screening:consent"), {"agree": "yes", "consent_version": "v1"})
    phq = instrument_id(participation_of(campaign, world.in_scope), "PHQ-9")
    client.post(reverse("screening:submit"), {"submission_key": "k"} | {f"a-{phq}-{n}": "2" for n in range(1, 10)})
    text = client.get(reverse("screening:done")).content.decode()
    assert supportive_line("severe") in text
    for label in RAW_LABELS:
        assert label not in text, label


def test_my_campaigns_links_to_the_history(world, client_for):
    assert URL in client_for(world.cast["student"]).get(reverse("screening:my_campaigns")).content.decode()


def test_the_help_after_an_item_9_answer_names_the_centre_its_phone_and_room_once(world, client_for, history):
    text = client_for(world.cast["student"]).get(URL).content.decode()
    assert text.count('data-testid="immediate-help"') == 1
    assert text.count('data-testid="help-lines"') == 1  # the help once, in the alert, not again below
    assert text.count("12356") == 1
    alert = text[text.index('data-testid="immediate-help"') :]
    alert = alert[: alert.index("</div>")]
    centre = policy_in_force().centre
    assert centre.name == "阳光心理中心"
    assert f"阳光心理中心：电话 {centre.phone}" in alert
    assert centre.main_room.name in alert and centre.main_room.location in alert


@pytest.mark.usefixtures("other_centre")
def test_the_help_comes_from_the_policy_file(world, client_for, history):
    text = client_for(world.cast["student"]).get(URL).content.decode()
    assert "0570-7654321" in text and "测试楼九层测试接待室" in text and "测试热线" in text
    assert "12356" not in text


@pytest.mark.usefixtures("other_centre")
def test_done_page_help_names_the_centre_from_the_policy_file(world, client):
    campaign = make_campaign(world, show_summary_to_student=True)
    enter_by_code(client, world, campaign)
    client.post(reverse("screening:consent"), {"agree": "yes", "consent_version": "v1"})
    phq = instrument_id(participation_of(campaign, world.in_scope), "PHQ-9")
    client.post(reverse("screening:submit"), {"submission_key": "k"} | {f"a-{phq}-{n}": "3" for n in range(1, 10)})
    text = client.get(reverse("screening:done")).content.decode()
    alert = text[text.index('data-testid="immediate-help"') :]
    alert = alert[: alert.index("</div>")]
    assert "0570-7654321" in alert and "测试接待室" in alert and "测试值班电话：0570-7777777" in alert
    assert text.count('data-testid="resources"') == 0  # the help once: in the alert
