"""The demo college's privacy records: consents (one withdrawn), two emergency accesses (one reviewed,
one waiting for the centre's review) and the leaving dates of students who left, if any."""

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from xinyu.org import scope
from xinyu.org.models import Appointment, Post, Student
from xinyu.privacy import breakglass, consent
from xinyu.privacy.models import BreakGlassGrant, ConsentRecord, RetentionRun, StudentDeparture
from xinyu.privacy.retention import LEFT_STATUSES, apply_retention

COUNSELLING_CONSENT = (
    "心理咨询知情同意书：咨询内容严格保密，仅在本人或他人生命安全受到威胁等法定情形下例外；"
    "咨询记录不用于评优评先、入党或干部选拔。"
)
FAMILY_CONSENT = "家校联系同意书：在需要时，学院可就我的心理健康情况与我的家长或监护人联系。"
CONSENT_VERSION = "2025-1"
CONSENTS = 24
REASONS = (
    "夜间接到学生室友电话，称该生情绪激动并有轻生言语，其辅导员和心理辅导员电话均未接通，需查看家长联系方式和既往记录。",
    "该生在校外实习单位突发情绪崩溃，实习指导老师求助，所在学院值班人员联系不上，需了解其关注情况以便安排送医。",
)


def _outsider_for(student) -> object | None:
    """A college mental-health advisor of another college: staff outside the student's chain."""
    appointment = (
        Appointment.objects.current()
        .filter(post=Post.MENTAL_HEALTH_ADVISOR, college__school_id=student.school_id)
        .exclude(college_id=student.class_group.college_id)
        .select_related("person")
        .order_by("college__code", "pk")
        .first()
    )
    return appointment.person if appointment else None


def _supervisor(school) -> object | None:
    appointment = (
        Appointment.objects.current()
        .filter(post=Post.CENTRE_SUPERVISOR, school=school)
        .select_related("person")
        .order_by("pk")
        .first()
    )
    return appointment.person if appointment else None


@transaction.atomic
def seed_privacy(school, seed: int) -> dict:
    rng = random.Random(seed * 31 + 5)
    now = timezone.now()
    students = list(
        Student.objects.filter(school=school, status=Student.Status.ENROLLED, user__isnull=False)
        .select_related("class_group")
        .order_by("student_number")[:400]
    )
    made = {"consents": 0, "grants": 0, "departures": 0}
    for student in sorted(rng.sample(students, min(CONSENTS, len(students))), key=lambda s: s.student_number):
        given = now - dt.timedelta(days=rng.randint(5, 60), minutes=rng.randint(0, 600))
        consent.record_consent(
            student,
            purpose=ConsentRecord.Purpose.COUNSELLING,
            text=COUNSELLING_CONSENT,
            version=CONSENT_VERSION,
            at=given,
        )
        made["consents"] += 1
        if rng.random() < 0.5:
            consent.record_consent(
                student, purpose=ConsentRecord.Purpose.FAMILY_CONTACT, text=FAMILY_CONSENT, version="1", at=given
            )
            made["consents"] += 1
    withdrawn = ConsentRecord.objects.filter(student__school=school, purpose=ConsentRecord.Purpose.FAMILY_CONTACT)
    first = withdrawn.order_by("student__student_number").first()
    if first is not None:
        ConsentRecord.objects.filter(pk=first.pk).update(
            withdrawn_at=first.given_at + dt.timedelta(days=3), withdrawal_reason="希望先由本人与家长沟通。"
        )
    # Two emergency accesses: one reviewed as justified a week ago, one yesterday waiting for review.
    supervisor = _supervisor(school)
    candidates = [student for student in students if student.user_id]
    for days_ago, reason in zip((8, 1), REASONS, strict=True):
        if not candidates:
            break
        student = candidates[rng.randrange(len(candidates))]
        person = _outsider_for(student)
        if person is None or scope.tier_for(person, student)[0] > scope.Tier.T0:
            continue
        grant = breakglass.open_break_glass(person, student, reason=reason)
        granted = now - dt.timedelta(days=days_ago, hours=rng.randint(1, 5))
        BreakGlassGrant.objects.filter(pk=grant.pk).update(
            granted_at=granted,
            expires_at=granted + (grant.expires_at - grant.granted_at),
            review_due_on=timezone.localdate(granted) + (grant.review_due_on - timezone.localdate(grant.granted_at)),
        )
        if days_ago > 3 and supervisor is not None:
            breakglass.review_break_glass(
                grant, by=supervisor, outcome=BreakGlassGrant.Outcome.JUSTIFIED, note="情况紧急，处置得当。"
            )
        made["grants"] += 1
    # Leaving dates for students who already left (the roster keeps only their status).
    for index, student in enumerate(
        Student.objects.filter(school=school, status__in=LEFT_STATUSES, departure__isnull=True).order_by("pk")
    ):
        StudentDeparture.objects.create(student=student, left_on=dt.date(now.year - 1 - index % 6, 7, 1))
        made["departures"] += 1
    # A year of retention dry runs, one a quarter (the technical administrator's schedule runs
    # `apply_retention --dry-run` before each real run): the retention page lists them. Nothing is archived.
    made["retention_runs"] = 0
    for quarters_ago in (3, 2, 1, 0):
        day = timezone.localdate(now) - dt.timedelta(days=91 * quarters_ago)
        run = apply_retention(dry_run=True, today=day)
        RetentionRun.objects.filter(pk=run.pk).update(
            ran_at=dt.datetime.combine(day, dt.time(2, 0), tzinfo=timezone.get_current_timezone())
        )
        made["retention_runs"] += 1
    return made
