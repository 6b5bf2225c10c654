"""Case conferences: who schedules, cases under codes, T3 notes, tasks and their completion."""

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from xinyu.workforce import services
from xinyu.workforce.models import ConferenceCase
from xinyu.workforce.services import WorkforceError

pytestmark = pytest.mark.django_db


@pytest.fixture
def conference(world):
    cast = world.cast
    return services.schedule_conference(
        world.school, by=cast["student_affairs"], title="第一次个案研讨", held_at=timezone.now(), place="行政楼",
        chair=cast["supervisor"], attendees=[cast["head_teacher"], cast["counsellor"], cast["outsider"]],
    )  # fmt: skip


def test_the_centre_and_student_affairs_schedule(world, conference):
    assert set(conference.attendees.all()) == {world.cast[k] for k in ("supervisor", "head_teacher", "counsellor",
                                                                      "outsider")}  # fmt: skip
    for who in ("head_teacher", "mental_health_advisor", "leading_group_member"):
        with pytest.raises(WorkforceError, match="学工部"):
            services.schedule_conference(world.school, by=world.cast[who], title="x", held_at=timezone.now(),
                                         place="", chair=world.cast[who], attendees=[])  # fmt: skip


def test_a_student_cannot_attend(world):
    with pytest.raises(WorkforceError, match="does not work"):
        services.schedule_conference(world.school, by=world.cast["supervisor"], title="x", held_at=timezone.now(),
                                     place="", chair=world.cast["supervisor"],
                                     attendees=[world.cast["wellbeing_rep"]])  # fmt: skip


def test_cases_get_codes_in_order(world, conference):
    by = world.cast["supervisor"]
    first = services.add_case(conference, by=by, student=world.in_scope)
    second = services.add_case(conference, by=by, student=world.other_college)
    assert (first.code, second.code) == ("Case A", "Case B")
    with pytest.raises(WorkforceError, match="already"):
        services.add_case(conference, by=by, student=world.in_scope)


def test_letters_past_z():
    assert [ConferenceCase(position=n).letter for n in (0, 25, 26, 27, 51, 52)] == ["A", "Z", "AA", "AB", "AZ", "BA"]


def test_an_attendee_cannot_keep_the_record(world, conference):
    with pytest.raises(WorkforceError, match="chair"):
        services.add_case(conference, by=world.cast["head_teacher"], student=world.in_scope)


def test_notes_are_written_by_t3_holders_and_encrypted(world, conference):
    case = services.add_case(conference, by=world.cast["supervisor"], student=world.in_scope)
    services.save_case(case, by=world.cast["supervisor"], conclusion="加强班级关注", notes="家庭关系紧张")
    with connection.cursor() as cursor:
        cursor.execute("SELECT notes FROM workforce_conferencecase WHERE id = %s", [case.pk])
        assert "家庭关系紧张" not in cursor.fetchone()[0]
    # 学工部 holds T2: it writes the conclusion, not the notes.
    with pytest.raises(WorkforceError, match="notes"):
        services.save_case(case, by=world.cast["student_affairs"], conclusion="x", notes="y")
    services.save_case(case, by=world.cast["student_affairs"], conclusion="每周谈心")
    case.refresh_from_db()
    assert (case.notes, case.conclusion) == ("家庭关系紧张", "每周谈心")


def test_tasks_go_to_staff_of_the_school_and_are_done_by_their_assignee(world, conference):
    case = services.add_case(conference, by=world.cast["supervisor"], student=world.in_scope)
    day = timezone.localdate() + dt.timedelta(days=7)
    with pytest.raises(WorkforceError, match="does not work"):
        services.add_task(case, by=world.cast["supervisor"], text="谈心", assignee=world.cast["student"], due_on=day)
    with pytest.raises(WorkforceError, match="due date"):
        services.add_task(case, by=world.cast["supervisor"], text="谈心", assignee=world.cast["head_teacher"],
                          due_on=timezone.localdate() - dt.timedelta(days=3))  # fmt: skip
    task = services.add_task(
        case, by=world.cast["supervisor"], text="每周谈心一次", assignee=world.cast["head_teacher"], due_on=day
    )
    with pytest.raises(WorkforceError, match="assignee"):
        services.complete_task(task, by=world.cast["outsider"], note="x")
    with pytest.raises(WorkforceError, match="what was done"):
        services.complete_task(task, by=world.cast["head_teacher"], note=" ")
    services.complete_task(task, by=world.cast["head_teacher"], note="已谈心")
    task.refresh_from_db()
    assert task.done_by == world.cast["head_teacher"] and task.done_note == "已谈心"
    with pytest.raises(WorkforceError, match="already"):
        services.complete_task(task, by=world.cast["head_teacher"], note="again")
