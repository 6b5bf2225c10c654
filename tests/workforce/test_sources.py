"""What supervision and case conferences add to "my work": each item's kind, tier and student, and that what is
shown follows `may_be_told` (xinyu.core.work.shown_to)."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.workforce.conftest import GUIDANCE, counsel
from xinyu.core.work import shown_to
from xinyu.org.scope import Tier
from xinyu.workforce import services
from xinyu.workforce.sources import conference_work, supervision_work

pytestmark = pytest.mark.django_db


def _kinds(section):
    return [(item.kind, getattr(item.student, "name", None), int(item.tier)) for item in section.items]


def test_a_session_marked_for_supervision_asks_to_be_submitted_until_it_is(world):
    counsellor = world.cast["counsellor"]
    session = counsel(world, counsellor, next_step="supervision")
    counsel(world, counsellor, world.other_class)  # continue: asks nothing
    section = supervision_work(counsellor, timezone.now())
    assert _kinds(section) == [("supervision-to-submit", "张三", 3)]
    assert section.items[0].url.endswith(f"?session={session.pk}")
    services.submit_request(world.in_scope, by=counsellor, question="?", session=session)
    assert supervision_work(counsellor, timezone.now()) is None


def test_the_supervisor_sees_the_queue_and_the_counsellor_the_guidance_to_read(world, supervision_request):
    supervisor, counsellor = world.cast["supervisor"], world.cast["counsellor"]
    section = shown_to(supervisor, supervision_work(supervisor, timezone.now()))
    assert _kinds(section) == [("supervision-queue", "张三", 4)] and section.withheld == 0
    assert supervision_work(counsellor, timezone.now()) is None
    services.record_session(world.school, by=supervisor, kind="individual", duration_minutes=50,
                            held_at=timezone.now() - dt.timedelta(hours=1),
                            discussions=[(supervision_request, "", GUIDANCE)])  # fmt: skip
    assert _kinds(supervision_work(supervisor, timezone.now())) == []
    section = shown_to(counsellor, supervision_work(counsellor, timezone.now()))
    assert _kinds(section) == [("supervision-guidance", "张三", 3)] and section.withheld == 0
    services.mark_guidance_read(supervision_request, by=counsellor)
    assert supervision_work(counsellor, timezone.now()) is None


def test_nobody_outside_the_centre_has_a_supervision_section(world, supervision_request):
    for who in ("head_teacher", "mental_health_advisor", "student_affairs", "leading_group_member"):
        assert supervision_work(world.cast[who], timezone.now()) is None


def test_conference_tasks_name_the_student_only_to_who_may_be_told(world):
    cast = world.cast
    conference = services.schedule_conference(world.school, by=cast["supervisor"], title="研讨",
                                               held_at=timezone.now(), place="", chair=cast["supervisor"],
                                               attendees=[])  # fmt: skip
    case = services.add_case(conference, by=cast["supervisor"], student=world.in_scope)
    yesterday, later = timezone.localdate() - dt.timedelta(days=1), timezone.localdate() + dt.timedelta(days=3)
    services.add_task(case, by=cast["supervisor"], text="谈心", assignee=cast["head_teacher"], due_on=later)
    services.add_task(case, by=cast["supervisor"], text="了解情况", assignee=cast["outsider"], due_on=later)
    section = shown_to(cast["head_teacher"], conference_work(cast["head_teacher"], timezone.now()))
    assert _kinds(section) == [("conference_task", "张三", 2)] and section.withheld == 0
    assert "张三" in section.items[0].title
    section = shown_to(cast["outsider"], conference_work(cast["outsider"], timezone.now()))
    assert _kinds(section) == [("conference_task-coded", None, 0)] and section.withheld == 0
    assert "张三" not in section.items[0].title and "了解情况" in section.items[0].title
    assert conference_work(cast["advisor"], timezone.now()) is None
    assert not section.items[0].overdue
    late = conference_work(cast["outsider"], timezone.now() + dt.timedelta(days=5)).items[0]
    assert late.overdue and yesterday < late.due
    assert late.tier == Tier.T0
