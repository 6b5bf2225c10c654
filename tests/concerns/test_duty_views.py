"""The duty roster (值班): every staff member sees who is duty leader now and this week; 学工部 adds and
removes shifts; overlapping shifts are refused with a clear error."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.concerns.conftest import NIGHT_TIME, OFFICE_TIME, SHANGHAI
from tests.helpers import freeze_time
from xinyu.audit.models import AuditEntry
from xinyu.concerns.errors import ConcernError
from xinyu.concerns.models import DutyShift
from xinyu.concerns.services import duty

pytestmark = pytest.mark.django_db

CAST = [
    "dorm_leader", "wellbeing_rep", "head_teacher", "advisor", "mental_health_advisor", "college_leader",
    "counsellor", "leading_group_member", "outsider", "student", "supervisor", "student_affairs",
    "school_leader", "duty_leader", "security",
]  # fmt: skip
STUDENTS = {"dorm_leader", "wellbeing_rep", "student"}
MANAGES = {"student_affairs"}
THURSDAY_NIGHT = {"starts_at": "2026-11-26T17:30", "ends_at": "2026-11-27T08:00"}


def shift_data(**overrides):
    return {"person": "T10010", "phone": "0570-8000110", **THURSDAY_NIGHT, **overrides}


@freeze_time(NIGHT_TIME)
@pytest.mark.parametrize("who", CAST)
def test_duty_roster(crisis_world, client_for, who):
    response = client_for(crisis_world.cast[who]).get(reverse("concerns:duty_roster"))
    if who in STUDENTS:
        assert response.status_code == 404
        return
    assert response.status_code == 200
    assert response.context["now_shift"].person == crisis_world.cast["duty_leader"]
    assert [shift.person.full_name for shift in response.context["shifts"]] == ["韩值班领导"]
    body = response.content.decode()
    assert 'data-testid="duty-now-name">韩值班领导<' in body
    assert ('data-testid="duty-form"' in body) == (who in MANAGES)
    assert ('data-testid="duty-remove"' in body) == (who in MANAGES)


@freeze_time(NIGHT_TIME)
def test_the_week_is_chosen_and_shifts_outside_it_are_not_shown(crisis_world, client_for):
    w = crisis_world
    next_week = NIGHT_TIME + dt.timedelta(days=7)
    duty.add_shift(person=w.cast["school_leader"], starts_at=next_week, ends_at=next_week + dt.timedelta(hours=9),
                   by=w.cast["student_affairs"])  # fmt: skip
    client = client_for(w.cast["advisor"])
    this_week = client.get(reverse("concerns:duty_roster"))
    assert [s.person.username for s in this_week.context["shifts"]] == ["T10011"]
    following = client.get(reverse("concerns:duty_roster"), {"week": "2026-12-02"})  # any day of the week
    assert following.context["monday"] == dt.date(2026, 11, 30)
    assert [s.person.username for s in following.context["shifts"]] == ["T10010"]
    assert client.get(reverse("concerns:duty_roster"), {"week": "not-a-date"}).context["monday"] == dt.date(
        2026, 11, 23
    )


@pytest.mark.parametrize(("moment", "gap"), [(OFFICE_TIME, False), (OFFICE_TIME.replace(hour=7), True)])
def test_a_gap_out_of_hours_is_pointed_out(crisis_world, client_for, moment, gap):
    with freeze_time(moment):
        response = client_for(crisis_world.cast["counsellor"]).get(reverse("concerns:duty_roster"))
    assert response.context["now_shift"] is None
    assert ('data-testid="duty-gap"' in response.content.decode()) == gap


@freeze_time(NIGHT_TIME)
@pytest.mark.parametrize("who", CAST)
def test_adding_a_shift(crisis_world, client_for, who):
    w = crisis_world
    before = AuditEntry.objects.count()
    response = client_for(w.cast[who]).post(reverse("concerns:duty_shift_add"), shift_data())
    if who not in MANAGES:
        assert response.status_code == 404
        assert DutyShift.objects.count() == 1
        return
    assert response.status_code == 302
    assert response["Location"] == reverse("concerns:duty_roster") + "?week=2026-11-23"
    added = DutyShift.objects.get(person=w.cast["school_leader"])
    assert (added.starts_at, added.ends_at, added.phone) == (
        dt.datetime(2026, 11, 26, 17, 30, tzinfo=SHANGHAI), dt.datetime(2026, 11, 27, 8, 0, tzinfo=SHANGHAI),
        "0570-8000110",
    )  # fmt: skip
    entry = AuditEntry.objects.order_by("id")[before]
    assert (entry.actor_username, entry.action, entry.what, entry.detail["person"]) == (
        "T10009", "create", "duty.shift", "T10010",
    )  # fmt: skip


@freeze_time(NIGHT_TIME)
@pytest.mark.parametrize(
    ("data", "field"),
    [
        # Tonight's shift (17:30 to 03:00 tomorrow) is 韩值班领导's.
        (shift_data(starts_at="2026-11-26T02:00", ends_at="2026-11-26T09:00"), None),
        (shift_data(starts_at="2026-11-25T20:00", ends_at="2026-11-25T21:00"), None),
        (shift_data(starts_at="2026-11-27T08:00", ends_at="2026-11-26T17:30"), None),
        (shift_data(starts_at="2026-11-26T08:00", ends_at="2026-12-04T08:00"), None),  # longer than a week
        (shift_data(starts_at="2026-11-20T17:30", ends_at="2026-11-21T08:00"), None),  # already over
        (shift_data(person="T99999"), "person"),
        (shift_data(person="2025000001"), "person"),  # a student
        (shift_data(starts_at=""), "starts_at"),
    ],
)
def test_bad_shifts_are_refused_with_a_clear_error(crisis_world, client_for, data, field):
    response = client_for(crisis_world.cast["student_affairs"]).post(reverse("concerns:duty_shift_add"), data)
    assert response.status_code == 400
    form = response.context["form"]
    assert list(form.errors) == [field or "__all__"]
    assert DutyShift.objects.count() == 1


@freeze_time(NIGHT_TIME)
def test_an_overlap_names_the_shift_it_clashes_with(crisis_world, client_for):
    response = client_for(crisis_world.cast["student_affairs"]).post(
        reverse("concerns:duty_shift_add"), shift_data(starts_at="2026-11-26T02:00", ends_at="2026-11-26T09:00")
    )
    assert "韩值班领导" in response.context["form"].non_field_errors()[0]
    assert 'data-testid="duty-errors"' in response.content.decode()


@freeze_time(NIGHT_TIME)
@pytest.mark.parametrize("who", CAST)
def test_removing_a_shift(crisis_world, client_for, who):
    w = crisis_world
    tomorrow = NIGHT_TIME + dt.timedelta(days=1)
    future = duty.add_shift(
        person=w.cast["school_leader"],
        starts_at=tomorrow,
        ends_at=tomorrow + dt.timedelta(hours=8),
        by=w.cast["student_affairs"],
    )
    response = client_for(w.cast[who]).post(reverse("concerns:duty_shift_remove", args=[future.pk]))
    if who not in MANAGES:
        assert response.status_code == 404
        assert DutyShift.objects.filter(pk=future.pk).exists()
        return
    assert response.status_code == 302
    assert not DutyShift.objects.filter(pk=future.pk).exists()
    assert AuditEntry.objects.filter(what="duty.shift", action="delete").count() == 1


def test_an_ended_shift_stays_as_the_record(crisis_world, client_for):
    w = crisis_world
    tonight = DutyShift.objects.get()
    with freeze_time(NIGHT_TIME + dt.timedelta(days=1)):
        client = client_for(w.cast["student_affairs"])
        response = client.post(reverse("concerns:duty_shift_remove", args=[tonight.pk]), follow=True)
        assert DutyShift.objects.filter(pk=tonight.pk).exists()
        assert [str(m) for m in response.context["messages"]]
        assert client.post(reverse("concerns:duty_shift_remove", args=[999999])).status_code == 404
        assert client.get(reverse("concerns:duty_shift_remove", args=[tonight.pk])).status_code == 405


@freeze_time(NIGHT_TIME)
def test_add_shift_service_rules(crisis_world):
    w = crisis_world
    by = w.cast["student_affairs"]
    start = NIGHT_TIME + dt.timedelta(days=2)
    # Back to back is not an overlap; the phone defaults to the person's own.
    w.cast["school_leader"].phone = "13700000010"
    w.cast["school_leader"].save()
    shift = duty.add_shift(
        person=w.cast["school_leader"], starts_at=start, ends_at=start + dt.timedelta(hours=8), by=by
    )
    assert shift.phone == "13700000010"
    duty.add_shift(person=w.cast["duty_leader"], starts_at=start + dt.timedelta(hours=8),
                   ends_at=start + dt.timedelta(hours=16), by=by)  # fmt: skip
    with pytest.raises(ConcernError, match="overlaps"):
        duty.add_shift(person=w.cast["advisor"], starts_at=start + dt.timedelta(hours=7),
                       ends_at=start + dt.timedelta(hours=9), by=by)  # fmt: skip
    with pytest.raises(ConcernError):
        duty.add_shift(person=w.cast["dorm_leader"], starts_at=start + dt.timedelta(days=1),
                       ends_at=start + dt.timedelta(days=1, hours=2), by=by)  # fmt: skip
    assert duty.on_duty(start + dt.timedelta(hours=8)).person == w.cast["duty_leader"]
    assert duty.on_duty(start - dt.timedelta(hours=1)) is None


def test_duty_roster_queries_do_not_grow_with_rows(crisis_world, client_for):
    w = crisis_world
    client = client_for(w.cast["student_affairs"])
    url = reverse("concerns:duty_roster")

    def measure():
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        return len(captured), len(response.context["shifts"])

    with freeze_time(NIGHT_TIME):
        one = measure()
        for day in (1, 2):
            start = NIGHT_TIME + dt.timedelta(days=day)
            duty.add_shift(
                person=w.cast["school_leader"],
                starts_at=start,
                ends_at=start + dt.timedelta(hours=9),
                by=w.cast["student_affairs"],
            )
        three = measure()
    assert (one[1], three[1]) == (1, 3)
    assert one[0] == three[0]
