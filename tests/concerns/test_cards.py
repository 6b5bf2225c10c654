"""The printable crisis cards: one A4 page per level with its steps and deadlines as the policy states them,
and a phone tree from the network's current posts and this week's duty roster. Staff only."""

import datetime as dt
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation

from tests.concerns.conftest import OFFICE_TIME
from tests.factories import UserFactory
from tests.policy.centre_policy import other_centre  # noqa: F401 - a fixture
from xinyu.accounts.models import User
from xinyu.concerns.queries import deadline_text, level_roles
from xinyu.policy.loader import load_policy_file, policy_in_force

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("office_time")]

CAST = [
    "dorm_leader", "wellbeing_rep", "head_teacher", "advisor", "mental_health_advisor", "college_leader",
    "counsellor", "leading_group_member", "outsider", "student", "supervisor", "student_affairs",
    "school_leader", "duty_leader", "security",
]  # fmt: skip
STUDENTS = {"dorm_leader", "wellbeing_rep", "student"}


@pytest.fixture
def phones(crisis_world):
    """Staff phones, so the phone tree has numbers to show."""
    for n, who in enumerate(["mental_health_advisor", "college_leader", "counsellor", "supervisor",
                             "student_affairs", "school_leader", "duty_leader", "security", "outsider"]):  # fmt: skip
        User.objects.filter(pk=crisis_world.cast[who].pk).update(phone=f"1370000{n:04d}")
    return {who: user.phone for who, user in ((w, User.objects.get(pk=u.pk)) for w, u in crisis_world.cast.items())}


def card(client, level, college=None):
    query = {"college": college.pk} if college is not None else {}
    return client.get(reverse("concerns:card", args=[level]), query)


@pytest.mark.parametrize("who", CAST)
def test_cards_are_for_staff(crisis_world, client_for, who):
    client = client_for(crisis_world.cast[who])
    expected = 404 if who in STUDENTS else 200
    assert client.get(reverse("concerns:cards")).status_code == expected
    for level in "ABCD":
        assert card(client, level, crisis_world.college_a).status_code == expected


def test_staff_without_a_post_get_404(crisis_world, client_for):
    client = client_for(UserFactory(username="T19999", full_name="新入职"))
    assert client.get(reverse("concerns:cards")).status_code == 404
    assert card(client, "C").status_code == 404


def test_unknown_level_or_college_is_404(crisis_world, client_for):
    client = client_for(crisis_world.cast["advisor"])
    assert card(client, "E").status_code == 404
    assert client.get(reverse("concerns:card", args=["C"]), {"college": "x"}).status_code == 404
    assert client.get(reverse("concerns:card", args=["C"]), {"college": 999999}).status_code == 404


def test_the_index_lists_every_level_and_the_colleges_to_choose(crisis_world, client_for):
    body = client_for(crisis_world.cast["advisor"]).get(reverse("concerns:cards")).content.decode()
    assert body.count('data-testid="card-level"') == 4
    for level in "ABCD":
        assert f'href="{reverse("concerns:card", args=[level])}?college={crisis_world.college_a.pk}"' in body
    assert crisis_world.college_a.name in body and crisis_world.college_b.name in body
    # Drills start from here, for the centre only.
    assert 'data-testid="start-drill"' not in body
    centre = client_for(crisis_world.cast["counsellor"]).get(reverse("concerns:cards")).content.decode()
    assert f'href="{reverse("concerns:case_new_drill")}"' in centre


def test_a_level_c_card_for_college_a(crisis_world, client_for, phones):
    w = crisis_world
    body = card(client_for(w.cast["advisor"]), "C", w.college_a).content.decode()
    policy = policy_in_force(OFFICE_TIME.date())
    rule = policy.level("C")
    codes = [line.split('data-code="')[1].split('"')[0] for line in body.split('data-testid="card-step"')[1:]]
    assert codes == [step.code for step in rule.steps]
    for step in rule.steps:
        assert step.title in body
    assert rule.meaning in body and rule.closing in body
    tree = body[body.index('data-testid="phone-tree"') :]
    rows = [row.split('"')[0] for row in tree.split('data-role="')[1:]]
    assert rows == level_roles(rule) == [
        "school_leader", "college_leader_in_charge", "student_affairs", "logistics_security", "centre",
    ]  # fmt: skip
    for who in ("school_leader", "college_leader", "student_affairs", "security", "counsellor", "supervisor"):
        assert f"{w.cast[who].full_name} {phones[who]}" in body, who
    # The duty leader on this week's roster, 110 and 120.
    duty = body[body.index('data-testid="card-duty"') :]
    assert f"{w.cast['duty_leader'].full_name} {phones['duty_leader']}" in duty
    assert [n.split(">")[1].split("<")[0] for n in body.split('data-testid="emergency-number"')[1:]] == ["110", "120"]
    # A card names staff, never a student; and it prints with its own stylesheet, no inline styles.
    for student in w.students.values():
        assert student.name not in body
    assert "xinyu/print.css" in body and " style=" not in body


def test_a_vacant_post_shows_who_the_alert_falls_to(crisis_world, client_for, phones):
    """College B has no college leader in charge: the card says so, and names 学工部, who would be alerted."""
    w = crisis_world
    body = card(client_for(w.cast["outsider"]), "B", w.college_b).content.decode()
    row = body.split('data-role="college_leader_in_charge"')[1].split("</tr>")[0]
    assert 'data-testid="tree-person"' not in row
    assert f"{w.cast['student_affairs'].full_name} {phones['student_affairs']}" in row
    mental_health = body.split('data-role="college_working_group"')[1].split("</tr>")[0]
    assert f"{w.cast['outsider'].full_name} {phones['outsider']}" in mental_health
    assert w.cast["mental_health_advisor"].full_name not in body  # college A's people stay off college B's card


def test_per_class_roles_and_no_college(crisis_world, client_for):
    body = card(client_for(crisis_world.cast["student_affairs"]), "A").content.decode()
    assert 'data-testid="tree-person"' not in body  # no college chosen for 学工部 staff: school contacts only
    assert body.count('data-testid="card-step"') == 3


def test_a_college_post_holder_gets_their_own_college_by_default(crisis_world, client_for):
    body = client_for(crisis_world.cast["mental_health_advisor"]).get(reverse("concerns:card", args=["A"]))
    assert crisis_world.cast["mental_health_advisor"].full_name in body.content.decode()


@pytest.mark.parametrize(
    "minutes,clock,text",
    [
        (1260, "office", "within 3 working days"),
        (420, "office", "within 1 working day"),
        (240, "office", "within 4 office hours"),
        (90, "office", "within 90 office minutes"),
        (15, "always", "within 15 minutes, round the clock"),
        (1440, "always", "within 24 hours, round the clock"),
        (4320, "always", "within 72 hours, round the clock"),
    ],
)
def test_deadlines_are_said_as_the_policy_states_them(minutes, clock, text):
    policy = policy_in_force(OFFICE_TIME.date())
    with translation.override("en"):
        assert deadline_text(policy, minutes, clock) == text


def test_the_browser_tests_after_hours_policy_is_the_real_one_but_for_office_hours(settings):
    """tests/concerns/policies/after-hours.toml (the whole-flow browser test's policy) must follow the real
    policy's levels, steps, receivers and escalation, so that the browser test tests the real flow."""
    real = load_policy_file(Path(settings.XINYU_POLICY_DIR) / "quzhou-2021.toml")
    night = load_policy_file(Path(__file__).parent / "policies" / "after-hours.toml")
    assert night.levels == real.levels
    assert (night.report_receivers, night.urgent_report_receivers, night.report_ack, night.urgent_report_ack) == (
        real.report_receivers, real.urgent_report_receivers, real.report_ack, real.urgent_report_ack,
    )  # fmt: skip
    assert (night.escalation_chain, night.renotify_after_minutes, night.escalate_every_minutes) == (
        real.escalation_chain, real.renotify_after_minutes, real.escalate_every_minutes,
    )  # fmt: skip
    assert night.office_periods == ((dt.time(3, 0), dt.time(3, 5)),)


@pytest.mark.usefixtures("other_centre")
def test_the_cards_numbers_and_centre_come_from_the_policy_file(crisis_world, client_for, phones):
    body = card(client_for(crisis_world.cast["counsellor"]), "C").content.decode()
    numbers = body[body.index('data-testid="card-numbers"') :]
    numbers = numbers[: numbers.index("</table>")]
    assert "测试报警" in numbers and "测试急救" in numbers
    assert "测试值班电话" in numbers and "0570-7777777" in numbers
    assert "测试热线" in numbers and "400-000-1234" in numbers
    assert "阳光心理中心" in numbers and "0570-7654321" in numbers
    assert "12356" not in numbers
