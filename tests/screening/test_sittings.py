"""Opening a sitting and entering it with the code, 学号 and the ID check."""

import datetime as dt
from importlib import import_module

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from tests.screening.test_campaigns import make_campaign
from xinyu.screening import sittings
from xinyu.screening.models import Participation, Sitting
from xinyu.screening.sittings import (
    CODE_ALPHABET,
    EntryError,
    bind_session,
    bound_participation_id,
    enter_sitting,
    open_sitting,
)


def new_session():
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store.create()
    return store


def check_of(student) -> str:
    return student.reveal_id_number()[-6:]


@pytest.fixture
def sitting(world):
    return open_sitting(make_campaign(world), world.a1, world.cast["head_teacher"])


def test_head_teacher_and_advisor_open_a_sitting_for_their_class(world):
    campaign = make_campaign(world)
    sitting = open_sitting(campaign, world.a1, world.cast["head_teacher"])
    assert len(sitting.code) == 6
    assert set(sitting.code) <= set(CODE_ALPHABET)
    assert not set(sitting.code) & set("0O1I")
    assert timezone.now() + dt.timedelta(hours=2) < sitting.closes_at <= timezone.now() + dt.timedelta(hours=3)
    second = open_sitting(campaign, world.a1, world.cast["advisor"])
    assert second.code != sitting.code


@pytest.mark.parametrize(
    "who", ["mental_health_advisor", "college_leader", "counsellor", "student", "outsider", "student_affairs"]
)
def test_others_may_not_open_a_sitting(world, who):
    with pytest.raises(PermissionDenied):
        open_sitting(make_campaign(world), world.a1, world.cast[who])


def test_head_teacher_may_not_open_another_class(world):
    with pytest.raises(PermissionDenied):
        open_sitting(make_campaign(world), world.a2, world.cast["head_teacher"])


def test_closed_campaign_refuses_a_sitting(world):
    now = timezone.now()
    campaign = make_campaign(world, opens_at=now + dt.timedelta(days=1), closes_at=now + dt.timedelta(days=2))
    with pytest.raises(EntryError, match="not open"):
        open_sitting(campaign, world.a1, world.cast["head_teacher"])


def test_right_check_enters_and_ties_the_participation_to_the_sitting(world, sitting):
    participation = enter_sitting(f" {sitting.code.lower()} ", "2025000001", check_of(world.in_scope))
    assert participation.student == world.in_scope
    assert participation.campaign == sitting.campaign
    assert Participation.objects.get(pk=participation.pk).sitting == sitting


def test_wrong_check_or_number_is_refused_alike(world, sitting):
    message = "code, student number or check characters are not right"
    with pytest.raises(EntryError, match=message):
        enter_sitting(sitting.code, "2025000001", "000000")
    with pytest.raises(EntryError, match=message):
        enter_sitting(sitting.code, "2099999999", check_of(world.in_scope))
    with pytest.raises(EntryError, match=message):
        enter_sitting("ZZZZZZ", "2025000001", check_of(world.in_scope))


def test_student_of_another_class_cannot_enter(world, sitting):
    with pytest.raises(EntryError):
        enter_sitting(sitting.code, world.other_class.student_number, check_of(world.other_class))


def test_closed_sitting_refuses_entry(world, sitting):
    Sitting.objects.filter(pk=sitting.pk).update(closes_at=timezone.now() - dt.timedelta(minutes=1))
    with pytest.raises(EntryError):
        enter_sitting(sitting.code, "2025000001", check_of(world.in_scope))


def test_throttled_per_code_and_student_number(world, sitting):
    for _ in range(sittings.FAILURES_PER_STUDENT):
        with pytest.raises(EntryError, match="not right"):
            enter_sitting(sitting.code, "2025000001", "999999", address="10.0.0.1")
    with pytest.raises(EntryError, match="Too many failed attempts"):
        enter_sitting(sitting.code, "2025000001", check_of(world.in_scope), address="10.0.0.2")
    # Another student of the class is not held up.
    rep = enter_sitting(sitting.code, "2025000005", check_of(world.cast["wellbeing_rep"].student))
    assert rep.student.student_number == "2025000005"


def test_throttled_per_address(world, sitting, settings):
    sittings.FAILURES_PER_ADDRESS, saved = 3, sittings.FAILURES_PER_ADDRESS
    try:
        for number in ("2025000091", "2025000092", "2025000093"):
            with pytest.raises(EntryError, match="not right"):
                enter_sitting(sitting.code, number, "999999", address="10.0.0.9")
        with pytest.raises(EntryError, match="Too many failed attempts"):
            enter_sitting(sitting.code, "2025000001", check_of(world.in_scope), address="10.0.0.9")
        assert enter_sitting(sitting.code, "2025000001", check_of(world.in_scope), address="10.0.0.8")
    finally:
        sittings.FAILURES_PER_ADDRESS = saved


def test_second_device_invalidates_the_first(world, sitting):
    participation = enter_sitting(sitting.code, "2025000001", check_of(world.in_scope))
    first, second = new_session(), new_session()
    bind_session(first, participation)
    assert bound_participation_id(first) == participation.pk
    bind_session(second, participation)
    assert bound_participation_id(second) == participation.pk
    assert bound_participation_id(first) is None


def test_a_session_is_bound_to_one_student_only(world, sitting):
    mine = enter_sitting(sitting.code, "2025000001", check_of(world.in_scope))
    rep = enter_sitting(sitting.code, "2025000005", check_of(world.cast["wellbeing_rep"].student))
    session = new_session()
    bind_session(session, mine)
    bind_session(session, rep)
    assert bound_participation_id(session) == rep.pk
    # Forging the participation in the session with the other's id does not pass the token check.
    session[sittings.SESSION_KEY] = {"participation": mine.pk, "token": session[sittings.SESSION_KEY]["token"]}
    assert bound_participation_id(session) is None
    assert bound_participation_id(new_session()) is None


# --- The pages ---

ALL_STAFF = [
    "head_teacher",
    "advisor",
    "mental_health_advisor",
    "college_leader",
    "counsellor",
    "leading_group_member",
    "outsider",
    "supervisor",
    "student_affairs",
]


def test_head_teacher_opens_a_sitting_and_sees_the_code_and_counts(world, client_for):
    campaign = make_campaign(world)
    client = client_for(world.cast["head_teacher"])
    listing = client.get(reverse("screening:sitting_list")).content.decode()
    assert world.a1.name in listing
    assert world.a2.name not in listing
    opened = client.post(reverse("screening:sitting_open"), {"campaign": campaign.pk, "class_group": world.a1.pk})
    sitting = Sitting.objects.get()
    assert opened.url == reverse("screening:sitting_detail", args=[sitting.pk])
    page = client.get(opened.url).content.decode()
    assert f'data-testid="sitting-code">{sitting.code}<' in page
    assert f"/screening/enter/?code={sitting.code}" in page
    enter_sitting(sitting.code, "2025000001", check_of(world.in_scope))
    counts = client.get(opened.url + "?part=counts").content.decode()
    assert counts.strip().startswith('<div id="counts"')
    assert "1" in counts and "3" in counts  # entered 1 of the class's 3 (张三, 赵寝, 钱委)
    assert client_for(world.cast["advisor"]).get(opened.url).status_code == 200


@pytest.mark.parametrize("who", [w for w in ALL_STAFF if w not in ("head_teacher", "advisor")])
def test_others_cannot_open_or_see_a_sitting(world, client_for, who):
    campaign = make_campaign(world)
    sitting = open_sitting(campaign, world.a1, world.cast["head_teacher"])
    client = client_for(world.cast[who])
    assert client.get(reverse("screening:sitting_detail", args=[sitting.pk])).status_code == 404
    refused = client.post(reverse("screening:sitting_open"), {"campaign": campaign.pk, "class_group": world.a1.pk})
    assert refused.status_code == 404
    assert Sitting.objects.count() == 1
    assert world.a1.name not in client.get(reverse("screening:sitting_list")).content.decode()


def test_students_get_404_on_sitting_pages(world, client_for):
    campaign = make_campaign(world)
    sitting = open_sitting(campaign, world.a1, world.cast["head_teacher"])
    student = client_for(world.cast["student"])
    assert student.get(reverse("screening:sitting_list")).status_code == 404
    assert student.get(reverse("screening:sitting_detail", args=[sitting.pk])).status_code == 404
    refused = student.post(reverse("screening:sitting_open"), {"campaign": campaign.pk, "class_group": world.a1.pk})
    assert refused.status_code == 404


def test_head_teacher_cannot_open_another_class_in_the_page(world, client_for):
    campaign = make_campaign(world)
    client = client_for(world.cast["head_teacher"])
    refused = client.post(reverse("screening:sitting_open"), {"campaign": campaign.pk, "class_group": world.a2.pk})
    assert refused.status_code == 404
    assert not Sitting.objects.exists()


def test_the_binding_is_kept_in_the_database_for_every_web_process(world, sitting):
    participation = enter_sitting(sitting.code, "2025000001", check_of(world.in_scope))
    session = new_session()
    bind_session(session, participation)
    participation.refresh_from_db()
    assert participation.session_token == session[sittings.SESSION_KEY]["token"]
    assert bound_participation_id(session) == participation.pk
    # The binding lapses after its lifetime, like a session.
    type(participation).objects.filter(pk=participation.pk).update(
        session_bound_at=timezone.now() - dt.timedelta(seconds=sittings.BINDING_SECONDS + 1)
    )
    assert bound_participation_id(session) is None
