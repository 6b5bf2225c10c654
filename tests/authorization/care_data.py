"""Data for the issue-5 authorization matrix (tests/authorization/test_care_matrix.py).

On top of the shared world (tests/conftest.py), for each of the three students — in_scope (IN), other_class
(OC, moved into room R1 so that the dorm leader is their dorm-mate too) and other_college (OG) — records of
every kind care, counselling, referrals and privacy add, each text carrying a unique marker:

- the key-concern registry: IN and OG active with a care plan and a progress note, OG with removal
  requested; OC only proposed. The dorm leader is asked to check in on IN (never on OC, their other
  dorm-mate) and has checked in with a note;
- counselling: a booking that waits for the counsellor, a recorded session with notes, an intake and an
  addendum. 冯咨询师 (counsellor) treats IN and OC, 韩兼职 (other_counsellor, part-time) treats OG;
- a referral with its diagnosis and medication, and a leave with the hospital's statement (T4 text
  recorded by the treating counsellor);
- break-glass: 陈组员 (leading group, no post over any student) holds an active grant on OG; the head
  teacher (OC) and the outsider (IN) held grants that have ended;
- a withdrawn consent of each student.

Two more viewers join the cast: 韩兼职, a part-time counsellor of the centre (not treating IN or OC), and
沈外校主任, the centre's supervisor of another school.
"""

import datetime as dt

from django.utils import timezone

from tests.conftest import SINCE
from tests.factories import CollegeFactory, SchoolFactory, UserFactory
from xinyu.care import plans, registry
from xinyu.care.models import ProgressNote
from xinyu.care.registry import PlanInput
from xinyu.concerns.services.checkins import record_check_in
from xinyu.counselling import services as counselling
from xinyu.counselling.models import Booking, Room, Slot
from xinyu.org.models import Post
from xinyu.org.services import appoint
from xinyu.privacy import breakglass, consent
from xinyu.referrals import services as referrals

KEYS = {"in_scope": "IN", "other_class": "OC", "other_college": "OG"}

# Marker kinds, by who may read them (the test decides per viewer and per page).
T3_KINDS = (
    "REG-REASON", "CONFIRM-REASON", "PLAN-GOALS", "PLAN-CENTRE", "PLAN-COLLEGE", "PROGRESS-NOTE",
    "REMOVAL-REASON", "CHECKIN-NOTE", "REFERRAL-REASON", "REFERRAL-OUTCOME", "REFERRAL-FOLLOWUP", "LEAVE-REASON",
)  # fmt: skip
T2_KINDS = ("PLAN-CLASS",)  # the plan's class-level measures: the chain sees them at T2
COUNSELLING_KINDS = ("BOOKING-REASON",)  # that the student asked for counselling: the centre and the student
SESSION_KINDS = ("SESSION-NOTES", "INTAKE-CONCERN", "INTAKE-HISTORY", "ADDENDUM")  # T4, treating counsellor
CLINICAL_KINDS = ("DIAGNOSIS", "MEDICATION", "STATEMENT")  # T4, recorder and supervisors
BREAK_GLASS_KINDS = ("BG-REASON",)
CONSENT_KINDS = ("CONSENT-WITHDRAWN",)


def marker(kind: str, key: str) -> str:
    return f"{kind}-{KEYS[key]}-机密"


def _ago(**kwargs) -> dt.datetime:
    return timezone.now().replace(second=0, microsecond=0) - dt.timedelta(**kwargs)


def build_care_data(world) -> dict:
    cast = world.cast
    other_counsellor = UserFactory(username="T10020", full_name="韩兼职")
    appoint(other_counsellor, Post.CENTRE_PART_TIME_COUNSELLOR, world.school, starts_on=SINCE)
    cast["other_counsellor"] = other_counsellor
    # The centre's supervisor of another school: the same posts, none of these students.
    foreign = UserFactory(username="T20008", full_name="沈外校主任")
    other_school = SchoolFactory(name="衢州学院", code="QZU")
    CollegeFactory(school=other_school, name="外校学院", code="X")
    appoint(foreign, Post.CENTRE_SUPERVISOR, other_school, starts_on=SINCE)
    cast["foreign_supervisor"] = foreign
    world.other_class.dorm_room = world.r1
    world.other_class.save(update_fields=["dorm_room"])

    data = {"entries": {}, "bookings": {}, "sessions": {}, "referrals": {}, "leaves": {}, "grants": {}}
    college_person = {"in_scope": cast["mental_health_advisor"], "other_class": cast["mental_health_advisor"],
                      "other_college": cast["outsider"]}  # fmt: skip
    treating = {"in_scope": cast["counsellor"], "other_class": cast["counsellor"], "other_college": other_counsellor}
    room = Room.objects.create(school=world.school, name="个体咨询室1", kind=Room.Kind.INDIVIDUAL, location="行政楼301")

    def slot(counsellor, hours):
        starts = timezone.now().replace(second=0, microsecond=0) + dt.timedelta(hours=hours)
        return Slot.objects.create(
            counsellor=counsellor, room=room, starts_at=starts, ends_at=starts + dt.timedelta(minutes=50)
        )

    data["room"] = room
    data["free_slot"] = slot(cast["counsellor"], 24 * 6)
    for n, (key, student) in enumerate(world.students.items()):

        def m(kind, key=key):
            return marker(kind, key)

        # The registry.
        entry = registry.propose_entry(
            student,
            source="centre",
            proposed_by=cast["counsellor"],
            reason=m("REG-REASON"),
            categories=["family_change"],
        )
        if key != "other_class":
            entry = registry.confirm_entry(
                entry, by=college_person[key], categories=["family_change"], risk_level="medium",
                reason=m("CONFIRM-REASON"),
                plan=PlanInput(
                    goals=m("PLAN-GOALS"), measures_centre=m("PLAN-CENTRE"), measures_college=m("PLAN-COLLEGE"),
                    measures_class=m("PLAN-CLASS"), centre_person=treating[key], college_person=college_person[key],
                    class_person=cast["advisor"] if key == "in_scope" else None,
                    dorm_leader=cast["dorm_leader"] if key == "in_scope" else None,
                ),
            )  # fmt: skip
            plans.add_progress_note(
                entry.plan, by=college_person[key], kind=ProgressNote.Kind.NOTE, text=m("PROGRESS-NOTE")
            )
            if key == "in_scope":
                assignment = entry.plan.check_in_assignments.get()
                record_check_in(assignment, by=cast["dorm_leader"], status="ok", note=m("CHECKIN-NOTE"))
                data["assignment"] = assignment
            else:
                entry = registry.request_removal(entry, by=college_person[key], reason=m("REMOVAL-REASON"))
        data["entries"][key] = entry
        # Counselling: a past session (the first: intake, addendum) and a booking waiting for confirmation.
        past = slot(treating[key], -24 - n)
        past_booking = past.bookings.create(student=student, status=Booking.Status.CONFIRMED)
        session = counselling.record_session(
            student, by=treating[key], booking=past_booking, kind="individual", risk_level="low", next_step="continue",
            notes=m("SESSION-NOTES"),
        )  # fmt: skip
        counselling.save_intake(
            session, by=treating[key], presenting_concern=m("INTAKE-CONCERN"), history=m("INTAKE-HISTORY"),
            consent_to_counselling=True, confidentiality_limits_explained=True,
        )  # fmt: skip
        counselling.add_addendum(session, by=treating[key], text=m("ADDENDUM"))
        data["sessions"][key] = session
        data["bookings"][key] = counselling.book(
            student, slot(treating[key], 48 + n), reason=m("BOOKING-REASON"), by=student.user
        )
        # A referral with the T4 part, and a leave with the hospital's statement.
        referral = referrals.create_referral(
            student, by=college_person[key], destination="衢州市第三医院（衢州市精神卫生中心）",
            planned_at=_ago(days=2), urgency="urgent", reason=m("REFERRAL-REASON"),
        )  # fmt: skip
        data["referrals"][key] = referrals.record_outcome(
            referral, by=treating[key], outcome="outpatient", outcome_note=m("REFERRAL-OUTCOME"),
            follow_up_plan=m("REFERRAL-FOLLOWUP"), diagnosis_summary=m("DIAGNOSIS"), medication=m("MEDICATION"),
        )  # fmt: skip
        today = timezone.localdate()
        data["leaves"][key] = referrals.start_leave(
            student, by=treating[key], applied_on=today - dt.timedelta(days=3), reason_summary=m("LEAVE-REASON"),
            starts_on=today - dt.timedelta(days=1), expected_return_on=today + dt.timedelta(days=60),
            statement_received_on=today - dt.timedelta(days=4), statement_hospital="衢州市第三医院",
            statement_summary=m("STATEMENT"),
        )  # fmt: skip
        # A withdrawn consent.
        record = consent.record_consent(student, purpose="counselling", text="知情同意书", version="2026-1")
        consent.withdraw_consent(record, by=student.user, reason=m("CONSENT-WITHDRAWN"))
    # Break-glass: one in force (陈组员 on OG), two ended.
    holders = {"other_college": "leading_group_member", "other_class": "head_teacher", "in_scope": "outsider"}
    for key, who in holders.items():
        grant = breakglass.open_break_glass(
            cast[who], world.students[key], reason=marker("BG-REASON", key) + "，紧急情况"
        )
        if key != "other_college":
            grant = breakglass.end_break_glass(grant, by=cast[who])
        data["grants"][key] = grant
    for user in cast.values():  # the cached grants and posts of the objects used above
        user.__dict__.pop("_xinyu_break_glass", None)
        user.__dict__.pop("_xinyu_appointments", None)
    return data
