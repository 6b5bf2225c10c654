""" "My work" and the student file's timeline: what referral, leave and the gate add, per viewer."""

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.referrals.conftest import DIAGNOSIS, FITNESS, STATEMENT, do_item
from xinyu.core.work import extra_sections
from xinyu.org import scope
from xinyu.referrals import services
from xinyu.referrals.sources import referral_work, timeline_entries
from xinyu.studentfile.timeline import timeline_for


def _kinds(user):
    section = referral_work(user, timezone.now())
    return None if section is None else sorted((item.kind, item.student.name) for item in section.items)


def test_work_lists_outcomes_and_gate_parts_for_the_right_people(world, leave):
    cast = world.cast
    planned = services.create_referral(
        world.other_class, by=cast["mental_health_advisor"], destination="x",
        planned_at=timezone.now() - dt.timedelta(days=10), urgency="routine", reason="r",
        escorts=[cast["college_leader"]],
    )  # fmt: skip
    assert _kinds(cast["mental_health_advisor"]) == [("referral_outcome", "李四"), ("return_sign_off", "张三")]
    assert _kinds(cast["college_leader"]) == [("referral_outcome", "李四"), ("return_sign_off", "张三")]
    assert _kinds(cast["counsellor"]) == [("return_assessment", "张三")]
    assert _kinds(cast["supervisor"]) == [("return_assessment", "张三")]
    assert _kinds(cast["outsider"]) == []
    # No T3 anywhere: no section at all.
    for who in ("advisor", "head_teacher", "student_affairs", "student", "dorm_leader"):
        assert _kinds(cast[who]) is None, who
    [item] = [
        i
        for i in referral_work(cast["mental_health_advisor"], timezone.now()).items
        if i.id == planned.pk and i.kind == "referral_outcome"
    ]
    assert item.overdue
    # The parts done drop out; a "not yet fit" assessment keeps the centre's item.
    do_item("sign_off", leave, cast)
    do_item("assessment", leave, cast, result="not_yet")
    assert _kinds(cast["college_leader"]) == [("referral_outcome", "李四")]
    assert _kinds(cast["counsellor"]) == [("return_assessment", "张三")]
    do_item("assessment", leave, cast)
    assert _kinds(cast["counsellor"]) == []
    assert any(section.key == "referrals" for section in extra_sections(cast["mental_health_advisor"], timezone.now()))


def test_work_source_keeps_a_fixed_number_of_queries(world, leave):
    user = world.cast["mental_health_advisor"]
    referral_work(user, timezone.now())
    with CaptureQueriesContext(connection) as few:
        referral_work(user, timezone.now())
    for student in (world.other_class, world.in_scope):
        services.create_referral(student, by=user, destination="x", planned_at=timezone.now(), urgency="routine",
                                 reason="r")  # fmt: skip
    with CaptureQueriesContext(connection) as more:
        referral_work(user, timezone.now())
    assert len(more) == len(few)


def _timeline(world, who, student=None):
    student = student or world.in_scope
    user = world.cast[who]
    tier, _grant = scope.tier_for(user, student)
    return timeline_entries(student, user, tier), timeline_for(student, user, tier)


def test_timeline_t3_without_confidential_entries(world, referral, leave):
    for code in ("fitness", "assessment", "parents", "sign_off"):
        do_item(code, leave, world.cast)
    entries, merged = _timeline(world, "mental_health_advisor")
    kinds = [entry.kind for entry in entries]
    assert kinds.count("referral") == 1
    assert {"leave", "return_fitness", "return_assessment", "return_parents", "return_sign_off", "return"} <= set(kinds)
    text = " ".join(f"{e.title} {e.summary}" for e in merged)
    assert DIAGNOSIS not in text and STATEMENT not in text and FITNESS not in text
    assert not any(entry.confidential for entry in entries)


def test_timeline_confidential_entries_for_t4_readers(world, referral, leave):
    do_item("fitness", leave, world.cast)
    for who in ("supervisor", "counsellor"):
        entries, merged = _timeline(world, who)
        confidential = {entry.kind for entry in merged if entry.confidential}
        assert confidential == {"referral_clinical", "leave_statement", "return_fitness_summary"}, who
        assert all(entry.tier == scope.Tier.T4 for entry in entries if entry.confidential)
        # Marked and linked, but the T4 text itself stays behind step-up on the record's own page.
        assert DIAGNOSIS not in " ".join(str(entry.summary) for entry in merged)
        assert all(e.url.endswith("/confidential/") for e in merged if e.confidential)


def test_timeline_nothing_below_t3(world, referral, leave):
    for who in ("advisor", "head_teacher", "student_affairs"):
        entries, merged = _timeline(world, who)
        assert entries == [] and not [e for e in merged if e.kind.startswith(("referral", "leave", "return"))], who


def test_my_work_page_shows_the_section(world, client_for, leave):

    page = client_for(world.cast["college_leader"]).get(reverse("core:my_work")).content.decode()
    assert 'data-section="referrals"' in page and reverse("referrals:leave_detail", args=[leave.pk]) in page


def test_student_file_shows_referral_entries_per_tier(world, client_for, referral, leave):

    url = reverse("studentfile:file", args=[world.in_scope.pk])
    page = client_for(world.cast["mental_health_advisor"]).get(url).content.decode()
    assert reverse("referrals:referral_detail", args=[referral.pk]) in page
    assert DIAGNOSIS not in page and STATEMENT not in page
    page = client_for(world.cast["supervisor"]).get(url).content.decode()
    # A T4 reader sees that the records are there, with links to them; their text needs step-up.
    assert DIAGNOSIS not in page and STATEMENT not in page
    assert reverse("referrals:referral_clinical", args=[referral.pk]) in page
    assert reverse("referrals:leave_confidential", args=[leave.pk]) in page
