"""What counselling adds to "my work" and to the student file's timeline, per viewer."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from tests.counselling.conftest import NOTE_TEXT, make_slot
from xinyu.core.work import extra_sections
from xinyu.counselling import services
from xinyu.counselling.sources import counselling_timeline, counselling_work
from xinyu.org import scope
from xinyu.studentfile.timeline import timeline_for


def test_my_work_lists_bookings_to_confirm_and_sessions_to_record(world, room, other_counsellor, booking):
    counsellor = world.cast["counsellor"]
    past = make_slot(counsellor, room, hours_from_now=-3)
    waiting = past.bookings.create(student=world.other_class, status="confirmed")
    section = counselling_work(counsellor, timezone.now())
    assert [(item.kind, item.id) for item in section.items] == [
        ("counselling-to-record", waiting.pk),
        ("counselling-to-confirm", booking.pk),
    ]
    assert counselling_work(other_counsellor, timezone.now()).items == []
    assert counselling_work(world.cast["mental_health_advisor"], timezone.now()) is None
    assert counselling_work(world.cast["student"], timezone.now()) is None
    # Registered: "my work" shows it.
    assert "counselling" in {s.key for s in extra_sections(counsellor, timezone.now())}
    services.mark_no_show(waiting, by=counsellor)
    services.confirm_booking(booking, by=counsellor)
    assert counselling_work(counsellor, timezone.now()).items == []
    later = timezone.now() + dt.timedelta(days=3)
    assert [item.kind for item in counselling_work(counsellor, later).items] == ["counselling-to-record"]


def test_the_timeline_per_viewer(world, session, other_counsellor):
    student = world.in_scope

    def entries(user):
        tier, _grant = scope.tier_for(user, student)
        return [entry for entry in timeline_for(student, user, tier) if entry.kind == "counselling_session"]

    treating = entries(world.cast["counsellor"])
    assert [(e.tier, e.confidential, e.url) for e in treating] == [(4, True, f"/counselling/sessions/{session.pk}/")]
    assert [(e.tier, e.confidential) for e in entries(world.cast["supervisor"])] == [(4, True)]
    centre = entries(other_counsellor)
    assert [(e.tier, e.confidential, e.url) for e in centre] == [(3, False, "")]
    for name in ["mental_health_advisor", "college_leader", "advisor", "head_teacher", "student_affairs",
                 "leading_group_member"]:  # fmt: skip
        assert entries(world.cast[name]) == [], name
    # The notes' text never goes on the timeline: it opens behind step-up.
    for entry in treating + centre:
        assert NOTE_TEXT not in entry.summary + entry.title
    assert list(counselling_timeline(student, world.cast["outsider"], 0)) == []


def test_the_pages_that_show_the_sources(world, client_for, room, session, other_counsellor, booking):
    """ "My work" lists the booking to confirm; the student file shows the session at each viewer's tier."""

    work = client_for(world.cast["counsellor"]).get(reverse("core:my_work"))
    assert work.status_code == 200
    assert f'data-kind="counselling-to-confirm" data-id="{booking.pk}"' in work.content.decode()
    record_link = reverse("counselling:session_detail", args=[session.pk])
    file_url = reverse("studentfile:file", args=[world.in_scope.pk])
    treating = client_for(world.cast["counsellor"]).get(file_url).content.decode()
    assert record_link in treating and NOTE_TEXT not in treating
    centre = client_for(other_counsellor).get(file_url).content.decode()
    assert record_link not in centre and NOTE_TEXT not in centre
    college = client_for(world.cast["mental_health_advisor"]).get(file_url)
    assert college.status_code == 200
    assert record_link not in college.content.decode() and NOTE_TEXT not in college.content.decode()
