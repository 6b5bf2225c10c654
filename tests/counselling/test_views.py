"""Every counselling page × the cast, in scope and out: students book on their side only; the centre's pages
are for the centre; a session's record (notes, intake, addenda) is for the treating counsellor and the
supervisors only — its text appears in no other response — behind step-up, audited at T4."""

import datetime as dt
import time

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from tests.counselling.conftest import NOTE_TEXT, make_slot, past_session
from tests.counselling.test_sessions import INTAKE
from tests.factories import SchoolFactory
from tests.helpers import queries_for_page
from xinyu.accounts.stepup import SESSION_KEY
from xinyu.audit.models import AuditEntry
from xinyu.counselling import services
from xinyu.counselling.models import Booking, Room, Slot

STAFF = ["head_teacher", "advisor", "mental_health_advisor", "college_leader", "leading_group_member", "outsider",
         "student_affairs"]  # fmt: skip
STUDENTS = ["student", "dorm_leader", "wellbeing_rep"]
CENTRE = ["counsellor", "supervisor", "other_counsellor"]


def person(world, other_counsellor, name):
    return other_counsellor if name == "other_counsellor" else world.cast[name]


@pytest.fixture
def everything(world, room, session, other_counsellor):
    """A booking waiting, a past session with notes, an addendum and an intake: all that could leak."""
    services.add_addendum(session, by=world.cast["counsellor"], text="附记：父亲不知情")
    services.save_intake(session, by=world.cast["counsellor"], **INTAKE)
    slot = make_slot(world.cast["counsellor"], room, hours_from_now=30)
    booking = services.book(world.in_scope, slot, reason="想聊聊家里的事", by=world.cast["student"])
    return {"session": session, "booking": booking, "slot": slot}


SECRETS = (NOTE_TEXT, "父亲不知情", "失眠两个月")


# ------------------------------------------------------------------ the student's pages


@pytest.mark.parametrize("name", ["counselling:my_bookings", "counselling:slot_list"])
def test_student_pages_are_for_students(world, client_for, everything, name):
    url = reverse(name)
    response = client_for(world.cast["student"]).get(url)
    assert response.status_code == 200
    for staff in ["counsellor", "supervisor", *STAFF]:
        assert client_for(world.cast[staff]).get(url).status_code == 404


def test_my_bookings_shows_only_my_own(world, client_for, everything):
    response = client_for(world.cast["student"]).get(reverse("counselling:my_bookings"))
    booking = everything["booking"]
    assert [b.pk for b in response.context["bookings"]] == [booking.pk, everything["session"].booking.pk]
    assert "想聊聊家里的事" in response.content.decode()
    other = client_for(world.cast["dorm_leader"]).get(reverse("counselling:my_bookings"))
    assert other.context["bookings"] == [] and "想聊聊家里的事" not in other.content.decode()
    for secret in SECRETS:
        assert secret not in response.content.decode()


def test_open_slots_list_counsellor_room_and_time_but_not_taken_ones(world, client_for, room, everything):
    free = make_slot(world.cast["counsellor"], room, hours_from_now=50)
    response = client_for(world.cast["dorm_leader"]).get(reverse("counselling:slot_list"))
    assert [slot.pk for slot in response.context["slots"]] == [free.pk]
    page = response.content.decode()
    assert "冯咨询师" in page and "个体咨询室1" in page
    assert "张三" not in page


def test_booking_on_the_page(world, client_for, room, slot):
    client = client_for(world.cast["student"])
    url = reverse("counselling:book", args=[slot.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"reason": "考试焦虑"})
    assert response.status_code == 302 and response.url == reverse("counselling:my_bookings")
    booking = Booking.objects.get()
    assert (booking.student, booking.reason) == (world.in_scope, "考试焦虑")
    # The same slot again, by another student: a clear error, nothing booked.
    again = client_for(world.cast["dorm_leader"]).post(url, {"reason": ""})
    assert again.status_code == 400
    with translation.override("zh-hans"):
        expected = gettext("Someone has just booked this time. Please choose another one.")
    assert again.context["form"].non_field_errors() == [expected]
    assert Booking.objects.count() == 1
    for staff in ["counsellor", "advisor"]:
        assert client_for(world.cast[staff]).get(url).status_code == 404


def test_a_slot_of_another_school_is_404(world, client_for):

    elsewhere = Room.objects.create(school=SchoolFactory(name="别的学院", code="ELSE"), name="外校咨询室")
    slot = make_slot(world.cast["counsellor"], elsewhere)
    assert client_for(world.cast["student"]).get(reverse("counselling:book", args=[slot.pk])).status_code == 404


def test_change_and_cancel_only_my_own_booking(world, client_for, room, everything):
    booking = everything["booking"]
    target = make_slot(world.cast["counsellor"], room, hours_from_now=70)
    change = reverse("counselling:booking_change", args=[booking.pk])
    cancel = reverse("counselling:booking_cancel", args=[booking.pk])
    for name in ["dorm_leader", "counsellor", "advisor"]:
        client = client_for(world.cast[name])
        assert client.get(change).status_code == 404
        assert client.post(change, {"slot": target.pk}).status_code == 404
        assert client.post(cancel).status_code == 404
    client = client_for(world.cast["student"])
    page = client.get(change)
    assert page.status_code == 200 and [s.pk for s in page.context["slots"]] == [target.pk]
    assert client.post(change, {"slot": target.pk}).status_code == 302
    booking.refresh_from_db()
    assert booking.slot == target
    assert client.get(cancel).status_code == 405
    assert client.post(cancel).status_code == 302
    booking.refresh_from_db()
    assert booking.status == "cancelled"


# ------------------------------------------------------------------ the centre's pages

CENTRE_PAGES = ["counselling:room_list", "counselling:schedule", "counselling:availability_new",
                "counselling:session_list"]  # fmt: skip


@pytest.mark.parametrize("name", CENTRE_PAGES)
def test_centre_pages_are_for_the_centre(world, client_for, other_counsellor, everything, name):
    url = reverse(name)
    for who in CENTRE:
        response = client_for(person(world, other_counsellor, who)).get(url)
        assert response.status_code == 200, who
        for secret in SECRETS:
            assert secret not in response.content.decode()
    for who in [*STAFF, *STUDENTS]:
        assert client_for(world.cast[who]).get(url).status_code == 404, who


def test_the_schedule_lists_my_bookings_and_is_audited(world, client_for, everything):
    response = client_for(world.cast["counsellor"]).get(reverse("counselling:schedule"))
    page = response.content.decode()
    assert "张三" in page and "想聊聊家里的事" in page
    entry = AuditEntry.objects.get(what="counselling.schedule")
    assert (entry.tier, entry.student, entry.actor) == (3, world.in_scope, world.cast["counsellor"])


def test_the_session_list_shows_dates_to_the_centre_and_the_record_link_to_readers(
    world, client_for, other_counsellor, everything
):
    session = everything["session"]
    link = reverse("counselling:session_detail", args=[session.pk])
    mine = client_for(world.cast["counsellor"]).get(reverse("counselling:session_list")).content.decode()
    theirs = client_for(other_counsellor).get(reverse("counselling:session_list")).content.decode()
    assert "张三" in mine and "张三" in theirs
    assert link in mine and link not in theirs
    assert AuditEntry.objects.filter(what="counselling.session_list", tier=3, student=world.in_scope).count() == 2


def test_publishing_a_run_on_the_page(world, client_for, room):
    day = timezone.localdate() + dt.timedelta(days=7)
    data = {"room": room.pk, "first_day": day.isoformat(), "start": "14:00", "end": "17:00", "slot_minutes": 50,
            "break_minutes": 10, "weeks": 2}  # fmt: skip
    client = client_for(world.cast["counsellor"])
    assert client.post(reverse("counselling:availability_new"), data).status_code == 302
    assert Slot.objects.count() == 6
    clash = client_for(world.cast["supervisor"]).post(reverse("counselling:availability_new"), data)
    assert clash.status_code == 400
    assert "个体咨询室1" in clash.content.decode()
    assert Slot.objects.count() == 6


def test_withdraw_a_slot_only_my_own(world, client_for, other_counsellor, slot):
    url = reverse("counselling:slot_withdraw", args=[slot.pk])
    assert client_for(other_counsellor).post(url).status_code == 404
    assert client_for(world.cast["advisor"]).post(url).status_code == 404
    assert client_for(world.cast["counsellor"]).post(url).status_code == 302
    slot.refresh_from_db()
    assert slot.withdrawn


@pytest.mark.parametrize(
    "name,status", [("counselling:booking_confirm", "confirmed"), ("counselling:booking_decline", "cancelled")]
)
def test_confirm_and_decline(world, client_for, other_counsellor, everything, name, status):
    booking = everything["booking"]
    url = reverse(name, args=[booking.pk])
    for who in ["advisor", "mental_health_advisor", "student", "outsider"]:
        assert client_for(world.cast[who]).post(url).status_code == 404
    assert client_for(other_counsellor).post(url).status_code == 404
    booking.refresh_from_db()
    assert booking.status == "requested"
    assert client_for(world.cast["counsellor"]).post(url).status_code == 302
    booking.refresh_from_db()
    assert booking.status == status


def test_no_show_on_the_page(world, client_for, other_counsellor, room):
    slot = make_slot(world.cast["counsellor"], room, hours_from_now=-1)
    booking = slot.bookings.create(student=world.in_scope, status="confirmed")
    url = reverse("counselling:booking_no_show", args=[booking.pk])
    assert client_for(other_counsellor).post(url).status_code == 404
    assert client_for(world.cast["college_leader"]).post(url).status_code == 404
    assert client_for(world.cast["supervisor"]).post(url).status_code == 302
    booking.refresh_from_db()
    assert booking.status == "no_show"


def test_recording_a_session_on_the_page(world, client_for, other_counsellor, room):
    slot = make_slot(world.cast["counsellor"], room, hours_from_now=-1)
    booking = slot.bookings.create(student=world.in_scope, status="confirmed")
    url = reverse("counselling:session_new", args=[booking.pk])
    for who in ["advisor", "mental_health_advisor", "student", "supervisor"]:
        assert client_for(world.cast[who]).get(url).status_code == 404
    assert client_for(other_counsellor).get(url).status_code == 404
    client = client_for(world.cast["counsellor"])
    assert client.get(url).status_code == 200
    held = timezone.localtime(slot.starts_at).strftime("%Y-%m-%dT%H:%M")
    response = client.post(url, {"kind": "individual", "held_at": held, "duration_minutes": 50, "risk_level": "low",
                                 "next_step": "continue", "notes": "第一次会谈的记录"})  # fmt: skip
    booking.refresh_from_db()
    session = booking.session
    assert response.status_code == 302 and response.url == reverse("counselling:intake", args=[session.pk])
    assert (session.notes, booking.status) == ("第一次会谈的记录", "attended")


def test_a_walk_in_session_for_students_of_the_school_only(world, client_for, other_counsellor):
    url = reverse("counselling:session_new_walk_in", args=[world.other_college.pk])
    assert client_for(other_counsellor).get(url).status_code == 200
    for who in ["mental_health_advisor", "outsider", "student_affairs", "student"]:
        assert client_for(world.cast[who]).get(url).status_code == 404
    assert (
        client_for(world.cast["counsellor"]).get(reverse("counselling:session_new_walk_in", args=[999999])).status_code
        == 404
    )


# ------------------------------------------------------------------ the record: T4


def test_the_record_is_for_the_treating_counsellor_and_supervisors_only(
    world, client_for, other_counsellor, everything
):
    session = everything["session"]
    url = reverse("counselling:session_detail", args=[session.pk])
    for who in ["counsellor", "supervisor"]:
        response = client_for(world.cast[who]).get(url)
        assert response.status_code == 200
        page = response.content.decode()
        assert all(secret in page for secret in SECRETS)
    for who in [*STAFF, *STUDENTS]:
        response = client_for(world.cast[who]).get(url)
        assert response.status_code == 404, who
        assert all(secret not in response.content.decode() for secret in SECRETS)
    response = client_for(other_counsellor).get(url)
    assert response.status_code == 404
    entries = AuditEntry.objects.filter(what="counselling.session_notes").order_by("id")
    assert [(e.actor_username, e.tier, e.student_id, e.post) for e in entries] == [
        ("T10005", 4, world.in_scope.pk, "treating_counsellor"),
        ("T10008", 4, world.in_scope.pk, "centre_supervisor"),
    ]


@pytest.mark.parametrize("name", ["counselling:session_edit", "counselling:intake", "counselling:addendum_add"])
def test_writing_the_record_is_for_the_treating_counsellor(world, client_for, other_counsellor, everything, name):
    url = reverse(name, args=[everything["session"].pk])
    for who in ["supervisor", "mental_health_advisor", "advisor", "student", "leading_group_member"]:
        response = client_for(world.cast[who]).get(url)
        assert response.status_code == 404, who
    assert client_for(other_counsellor).post(url, {"text": "x"}).status_code == 404
    client = client_for(world.cast["counsellor"])
    if name == "counselling:addendum_add":
        assert client.get(url).status_code == 404
        assert client.post(url, {"text": "补记一条"}).status_code == 302
        assert everything["session"].addenda.count() == 2
    else:
        response = client.get(url)
        assert response.status_code == 200
        assert NOTE_TEXT in response.content.decode() or "失眠两个月" in response.content.decode()


def test_editing_after_the_lock_is_refused(world, client_for, room):

    session = past_session(world, room, days_ago=5)
    response = client_for(world.cast["counsellor"]).get(reverse("counselling:session_edit", args=[session.pk]))
    assert response.status_code == 302 and response.url == reverse("counselling:session_detail", args=[session.pk])


def test_the_exception_on_the_page(world, client_for, other_counsellor, everything):
    session = everything["session"]
    url = reverse("counselling:session_exception", args=[session.pk])
    for who in ["mental_health_advisor", "advisor", "student", "college_leader"]:
        assert client_for(world.cast[who]).get(url).status_code == 404
    assert client_for(other_counsellor).get(url).status_code == 404
    client = client_for(world.cast["supervisor"])
    assert client.get(url).status_code == 200
    opened = AuditEntry.objects.get(what="counselling.exception_form")
    assert (opened.actor, opened.student, opened.tier) == (world.cast["supervisor"], session.student, 3)
    response = client.post(url, {"reason": "透露了具体计划", "category": "self_harm", "urgency": "urgent",
                                 "description": "需要立即关注"})  # fmt: skip
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.exception_by == world.cast["supervisor"]


@override_settings(XINYU_ENFORCE_TWO_FACTOR=True)
@pytest.mark.parametrize(
    "name",
    ["counselling:session_detail", "counselling:session_edit", "counselling:intake", "counselling:session_exception"],
)
def test_reading_notes_needs_a_step_up(world, client_for, everything, name):
    url = reverse(name, args=[everything["session"].pk])
    response = client_for(world.cast["counsellor"]).get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:step_up") + "?next=")
    assert not AuditEntry.objects.filter(what="counselling.session_notes").exists()


@override_settings(XINYU_ENFORCE_TWO_FACTOR=True)
def test_after_a_step_up_the_notes_open(world, client_for, everything):

    client = client_for(world.cast["supervisor"])
    store = client.session
    store[SESSION_KEY] = int(time.time())
    store.save()
    response = client.get(reverse("counselling:session_detail", args=[everything["session"].pk]))
    assert response.status_code == 200 and NOTE_TEXT in response.content.decode()


# ------------------------------------------------------------------ query counts stay flat


def test_list_pages_keep_a_fixed_number_of_queries(world, client_for, room):
    """With 1 and with 3 sessions and bookings, each list page makes the same number of queries."""

    def counts():
        pages = {
            name: queries_for_page(client_for(world.cast["supervisor"]), reverse(name))[0]
            for name in ["counselling:session_list", "counselling:schedule"]
        }
        pages["counselling:my_bookings"] = queries_for_page(
            client_for(world.cast["student"]), reverse("counselling:my_bookings")
        )[0]
        return pages

    supervisor = world.cast["supervisor"]
    past_session(world, room, days_ago=1, counsellor=supervisor)
    one = counts()
    past_session(world, room, days_ago=2, counsellor=supervisor)
    past_session(world, room, days_ago=3, counsellor=supervisor)
    assert counts() == one


def test_the_centre_supervisor_manages_rooms_on_the_rooms_page(world, client_for, room):
    listed = client_for(world.cast["supervisor"]).get(reverse("counselling:room_list"))
    assert listed.status_code == 200 and reverse("counselling:room_new") in listed.content.decode()
    form = {"name": "团体辅导室", "kind": "group", "location": "阳光中心二楼", "active": "on"}
    added = client_for(world.cast["supervisor"]).post(reverse("counselling:room_new"), form)
    assert added.status_code == 302
    assert set(scope_rooms(world)) == {"个体咨询室1", "团体辅导室"}
    duplicate = client_for(world.cast["supervisor"]).post(reverse("counselling:room_new"), form)
    assert duplicate.status_code == 200 and set(duplicate.context["form"].errors) == {"name"}
    changed = client_for(world.cast["supervisor"]).post(
        reverse("counselling:room_edit", args=[room.pk]), {"name": room.name, "kind": "individual", "location": "一楼"}
    )
    assert changed.status_code == 302
    room.refresh_from_db()
    assert (room.location, room.active) == ("一楼", False)


@pytest.mark.parametrize("who", ["counsellor", "student_affairs", "mental_health_advisor", "student"])
def test_only_the_centre_supervisor_adds_or_changes_rooms(world, client_for, room, who):
    client = client_for(world.cast[who])
    assert client.get(reverse("counselling:room_new")).status_code == 404
    refused = client.post(reverse("counselling:room_edit", args=[room.pk]), {"name": "改名", "kind": "group"})
    assert refused.status_code == 404
    room.refresh_from_db()
    assert room.name == "个体咨询室1"


def scope_rooms(world):

    return Room.objects.filter(school=world.school).values_list("name", flat=True)


def test_a_walk_in_starts_from_the_student_number(world, client_for):
    client = client_for(world.cast["counsellor"])
    url = reverse("counselling:session_list")
    found = client.get(url, {"student_number": world.other_college.student_number})
    assert found.status_code == 302
    assert found.url == reverse("counselling:session_new_walk_in", args=[world.other_college.pk])
    missing = client.get(url, {"student_number": "0000"})
    assert missing.status_code == 200
    with translation.override("zh-hans"):
        expected = gettext("No student with the student number %(number)s.") % {"number": "0000"}
    assert [str(m) for m in missing.context["messages"]] == [expected]


def test_offices_and_training_rooms_are_not_offered_for_counselling_times(world, client_for, room):
    Room.objects.create(school=world.school, name="专职教师办公室", kind=Room.Kind.OFFICE)
    Room.objects.create(school=world.school, name="综合素质训练室", kind=Room.Kind.TRAINING)
    response = client_for(world.cast["counsellor"]).get(reverse("counselling:availability_new"))
    assert list(response.context["form"].fields["room"].queryset) == [room]
