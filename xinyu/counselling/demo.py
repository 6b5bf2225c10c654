"""Demo counselling for the demo college: the centre's rooms, two weeks of available times for the
centre's counsellors, bookings in every state, past sessions with notes (one with the confidentiality
exception used). Deterministic for a given seed: the same seed picks the same students and times."""

import datetime as dt
import random
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from xinyu.counselling import services
from xinyu.counselling.models import Booking, Room, Slot
from xinyu.org.models import Appointment, Post, Student

ROOMS = (
    ("个体咨询室1", Room.Kind.INDIVIDUAL, "大学生活动中心 301"),
    ("个体咨询室2", Room.Kind.INDIVIDUAL, "大学生活动中心 302"),
    ("团体辅导室", Room.Kind.GROUP, "大学生活动中心 305"),
    ("心理测评室", Room.Kind.ASSESSMENT, "大学生活动中心 303"),
    ("放松室", Room.Kind.RELAXATION, "大学生活动中心 306"),
    ("宣泄室", Room.Kind.CATHARSIS, "大学生活动中心 307"),
)
REASONS = ("最近睡眠不好，想和老师聊聊", "和室友相处有困扰", "学习压力大", "不太适应大学生活", "", "")
NOTES = (
    "来访者主诉入学后持续失眠，情绪低落两周。讨论了作息调整与放松训练，约定下周继续。",
    "来访者谈到与室友冲突，感到被孤立。进行了情绪识别练习，布置了记录情绪日记的作业。",
    "来访者对专业前途焦虑，认知上存在灾难化倾向。做了认知重构练习，反馈良好。",
    "来访者谈及家庭变故后的适应，哭泣较多，否认自伤意念。建议继续咨询，关注睡眠。",
)
EXCEPTION_NOTE = "来访者透露近一周反复出现轻生念头，并已查询过方法。已进行安全评估，启动保密例外。"
SLOT_MINUTES = 50
PAST_BOOKINGS = 12
FUTURE_BOOKINGS = 9
DAY_STARTS = (dt.time(14), dt.time(15), dt.time(16))


@dataclass
class DemoCounselling:
    rooms: int = 0
    slots: int = 0
    bookings: dict = field(default_factory=dict)
    sessions: int = 0


def _counsellors(school) -> list:
    appointments = (
        Appointment.objects.current()
        .filter(school=school, post__in=[Post.CENTRE_COUNSELLOR, Post.CENTRE_PART_TIME_COUNSELLOR])
        .select_related("person")
        .order_by("post", "person__username")
    )
    return list(dict.fromkeys(appointment.person for appointment in appointments))[:4]


def _slot(counsellor, room, day: dt.date, start: dt.time) -> Slot:
    starts = dt.datetime.combine(day, start, tzinfo=timezone.get_current_timezone())
    return Slot.objects.create(
        counsellor=counsellor, room=room, starts_at=starts, ends_at=starts + dt.timedelta(minutes=SLOT_MINUTES)
    )


@transaction.atomic
def seed_counselling(school, seed: int) -> DemoCounselling:
    rng = random.Random(f"counselling-{seed}")
    result = DemoCounselling()
    rooms = []
    for name, kind, location in ROOMS:
        room, _created = Room.objects.get_or_create(
            school=school, name=name, defaults={"kind": kind, "location": location}
        )
        rooms.append(room)
    result.rooms = len(rooms)
    counsellors = _counsellors(school)
    if not counsellors:
        return result
    individual_rooms = [room for room in rooms if room.kind == Room.Kind.INDIVIDUAL]
    today = timezone.localdate()
    now = timezone.now()
    # Two weeks back and two weeks ahead, on weekdays; counsellor i uses room i % 2 on days where
    # (day + i) is even, so no room and no counsellor is ever double-booked.
    slots = []
    for offset in range(-14, 15):
        day = today + dt.timedelta(days=offset)
        if day.weekday() >= 5:
            continue
        for index, counsellor in enumerate(counsellors):
            if (day.toordinal() + index) % 2:
                continue
            room = individual_rooms[(index // 2) % len(individual_rooms)]
            for start in DAY_STARTS:
                slots.append(_slot(counsellor, room, day, start))
    result.slots = len(slots)
    students = list(
        Student.objects.filter(school=school, user__isnull=False).order_by("pk").values_list("pk", flat=True)
    )
    if not students:
        return result
    picked = rng.sample(students, min(len(students), PAST_BOOKINGS + FUTURE_BOOKINGS))
    chosen = Student.objects.select_related("user").in_bulk(picked)
    pool = [chosen[pk] for pk in reversed(picked)]
    past = [slot for slot in slots if slot.ends_at <= now][-PAST_BOOKINGS:]
    future = [slot for slot in slots if slot.starts_at > now + dt.timedelta(hours=3)][:FUTURE_BOOKINGS]
    counts = {status: 0 for status in Booking.Status.values}
    # Past: attended sessions (with notes), a few no-shows; one crisis session with the exception used.
    for number, slot in enumerate(past):
        if not pool:
            break
        student = pool.pop()
        booking = Booking.objects.create(
            slot=slot,
            student=student,
            status=Booking.Status.CONFIRMED,
            reason=rng.choice(REASONS),
            confirmed_at=slot.starts_at - dt.timedelta(days=1),
        )
        if number % 4 == 2:
            services.mark_no_show(booking, by=slot.counsellor, now=slot.ends_at)
            counts["no_show"] += 1
            continue
        exception = number == 1
        risk = "high" if exception else rng.choice(["none", "low"])
        session = services.record_session(
            student,
            by=slot.counsellor,
            booking=booking,
            held_at=slot.starts_at,
            duration_minutes=SLOT_MINUTES,
            kind="crisis" if exception else "individual",
            risk_level=risk,
            next_step="crisis" if exception else "continue",
            notes=EXCEPTION_NOTE if exception else rng.choice(NOTES),
            now=now,
        )
        if exception:
            services.use_confidentiality_exception(
                session,
                by=slot.counsellor,
                category="self_harm",
                urgency="urgent",
                description="咨询中评估有自伤风险，请学院立即跟进，并联系家长。",
                reason="来访者有明确的轻生念头并查询过方法",
                now=slot.ends_at,
            )
        counts["attended"] += 1
    # Future: requested, confirmed and cancelled bookings.
    for number, slot in enumerate(future):
        if not pool:
            break
        student = pool.pop()
        booking = services.book(student, slot, reason=rng.choice(REASONS), by=student.user, now=now)
        if number % 3 == 1:
            services.confirm_booking(booking, by=slot.counsellor, now=now)
            counts["confirmed"] += 1
        elif number % 3 == 2:
            services.cancel_booking(booking, by=student.user, now=now)
            counts["cancelled"] += 1
        else:
            counts["requested"] += 1
    result.bookings = counts
    result.sessions = counts["attended"]
    return result
