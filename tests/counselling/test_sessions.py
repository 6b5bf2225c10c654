"""Session records: recording, the note lock and addenda, the intake form, the confidentiality exception,
and encryption at rest."""

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from tests.counselling.conftest import NOTE_TEXT, make_slot, past_session
from xinyu.audit.models import AuditEntry
from xinyu.concerns.models import ConcernReport
from xinyu.counselling import services
from xinyu.counselling.models import Addendum, Booking, Intake, Session
from xinyu.counselling.services import CounsellingError

INTAKE = {
    "presenting_concern": "失眠两个月，和父亲冲突",
    "history": "初中时曾因焦虑就诊",
    "suicidal_thoughts": False,
    "self_harm": False,
    "harm_to_others": False,
    "under_treatment": False,
    "risk_notes": "",
    "consent_to_counselling": True,
    "confidentiality_limits_explained": True,
}


def test_recording_a_session_from_a_booking(world, session):
    assert (session.counsellor, session.student, session.session_number) == (
        world.cast["counsellor"], world.in_scope, 1
    )  # fmt: skip
    assert session.booking.status == Booking.Status.ATTENDED
    assert session.duration_minutes == 50 and session.held_at == session.booking.slot.starts_at
    entry = AuditEntry.objects.get(what="counselling.session")
    assert (entry.action, entry.tier, entry.student) == ("create", 4, world.in_scope)


def test_session_numbers_count_up_and_walk_ins_need_no_booking(world, session):
    crisis = services.record_session(world.in_scope, by=world.cast["counsellor"], kind="crisis", risk_level="high",
                                     next_step="crisis", duration_minutes=90)  # fmt: skip
    assert (crisis.session_number, crisis.kind, crisis.booking) == (2, "crisis", None)


def test_only_the_slots_counsellor_records_and_only_centre_staff(world, room, other_counsellor):
    slot = make_slot(world.cast["counsellor"], room, hours_from_now=-2)
    booking = slot.bookings.create(student=world.in_scope, status="confirmed")
    with pytest.raises(CounsellingError) as caught:
        services.record_session(world.in_scope, by=other_counsellor, booking=booking)
    assert str(caught.value) == "Only the counsellor of this time can record its session."
    with pytest.raises(CounsellingError) as caught:
        services.record_session(world.in_scope, by=world.cast["mental_health_advisor"])
    assert str(caught.value) == "Only the psychology centre's counsellors can record a session."
    with pytest.raises(CounsellingError) as caught:
        services.record_session(
            world.in_scope, by=world.cast["counsellor"], held_at=timezone.now() + dt.timedelta(days=1)
        )
    assert str(caught.value) == "The session cannot be in the future."


def test_notes_lock_after_the_policy_days_then_only_addenda(world, room):
    session = past_session(world, room, days_ago=1)
    counsellor = world.cast["counsellor"]
    fields = {"kind": "individual", "held_at": session.held_at, "duration_minutes": 50, "risk_level": "medium",
              "next_step": "supervision"}  # fmt: skip
    services.update_session(session, by=counsellor, notes="补充：睡眠有改善", **fields)
    session.refresh_from_db()
    assert (session.notes, session.risk_level) == ("补充：睡眠有改善", "medium")
    later = session.held_at + dt.timedelta(days=3, minutes=1)  # policy: 3 days
    assert services.is_locked(session, later)
    with pytest.raises(CounsellingError) as caught:
        services.update_session(session, by=counsellor, notes="改写", now=later, **fields)
    assert str(caught.value) == "The notes were locked 3 days after the session; add an addendum instead."
    addendum = services.add_addendum(session, by=counsellor, text="更正：第二次见面时间为周四")
    assert (addendum.author, addendum.text) == (counsellor, "更正：第二次见面时间为周四")
    with pytest.raises(ValueError):
        addendum.text = "再改"
        addendum.save()
    assert Addendum.objects.get().text == "更正：第二次见面时间为周四"
    assert AuditEntry.objects.filter(what="counselling.addendum", tier=4).count() == 1


def test_only_the_treating_counsellor_writes(world, session, other_counsellor):
    for person in (other_counsellor, world.cast["supervisor"]):
        with pytest.raises(CounsellingError):
            services.add_addendum(session, by=person, text="不该写")
    assert Addendum.objects.count() == 0


def test_intake_at_the_first_session(world, room, session):
    counsellor = world.cast["counsellor"]
    with pytest.raises(CounsellingError) as caught:
        services.save_intake(session, by=counsellor, **(INTAKE | {"consent_to_counselling": False}))
    assert str(caught.value) == (
        "Counselling needs the student's consent, and the limits of confidentiality explained to them."
    )
    with pytest.raises(CounsellingError) as caught:
        services.save_intake(session, by=counsellor, **(INTAKE | {"suicidal_thoughts": True}))
    assert str(caught.value) == "A risk was screened positive: please write what you learned about it."
    intake = services.save_intake(session, by=counsellor, **INTAKE)
    assert (intake.presenting_concern, intake.risk_flagged, intake.created_by) == (
        "失眠两个月，和父亲冲突", False, counsellor
    )  # fmt: skip
    second = services.record_session(world.in_scope, by=counsellor)
    with pytest.raises(CounsellingError) as caught:
        services.save_intake(second, by=counsellor, **INTAKE)
    assert str(caught.value) == "The intake form belongs to the student's first session."
    assert Intake.objects.count() == 1


def test_the_confidentiality_exception_raises_a_report_and_is_recorded(world, session):
    counsellor = world.cast["counsellor"]
    with pytest.raises(CounsellingError) as caught:
        services.use_confidentiality_exception(session, by=counsellor, category="self_harm", urgency="urgent",
                                               description="有明确自杀计划", reason=" ")  # fmt: skip
    assert str(caught.value) == "Please say why confidentiality must be broken (the risk of harm)."
    report = services.use_confidentiality_exception(
        session, by=counsellor, category="self_harm", urgency="urgent", description="有明确自杀计划，需要立即干预",
        reason="来访者透露已准备药物",
    )  # fmt: skip
    session.refresh_from_db()
    assert (session.exception_by, session.exception_report, session.exception_reason) == (
        counsellor, report, "来访者透露已准备药物"
    )  # fmt: skip
    assert session.exception_at is not None
    assert (report.student, report.reporter, report.urgency) == (world.in_scope, counsellor, "urgent")
    entry = AuditEntry.objects.get(what="counselling.confidentiality_exception")
    assert (entry.tier, entry.student, entry.detail) == (
        4,
        world.in_scope,
        {"session": session.pk, "report": report.pk},
    )
    assert "药物" not in str(entry.detail) + entry.reason
    with pytest.raises(CounsellingError):
        services.use_confidentiality_exception(session, by=counsellor, category="self_harm", urgency="urgent",
                                               description="再来一次", reason="再来一次")  # fmt: skip
    assert ConcernReport.objects.count() == 1


def test_a_bad_report_keeps_the_session_untouched(world, session):
    with pytest.raises(CounsellingError):
        services.use_confidentiality_exception(session, by=world.cast["counsellor"], category="nonsense",
                                               urgency="urgent", description="x", reason="y")  # fmt: skip
    session.refresh_from_db()
    assert session.exception_at is None and ConcernReport.objects.count() == 0


def test_the_database_holds_no_plaintext(world, session):
    counsellor = world.cast["counsellor"]
    services.add_addendum(session, by=counsellor, text="附记：家长未知情")
    services.save_intake(session, by=counsellor, **INTAKE)
    services.use_confidentiality_exception(session, by=counsellor, category="self_harm", urgency="urgent",
                                           description="需要关注", reason="透露已准备药物")  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("SELECT notes, exception_reason FROM counselling_session")
        stored = " ".join(str(value) for row in cursor.fetchall() for value in row)
        cursor.execute("SELECT text FROM counselling_addendum")
        stored += " ".join(row[0] for row in cursor.fetchall())
        cursor.execute("SELECT presenting_concern, history FROM counselling_intake")
        stored += " ".join(value for row in cursor.fetchall() for value in row)
    for secret in (NOTE_TEXT, "父亲", "家长未知情", "药物", "失眠两个月", "焦虑就诊"):
        assert secret not in stored
    assert Session.objects.get().notes == NOTE_TEXT
