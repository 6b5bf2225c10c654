"""Demo compliance records for the demo college: this year's and last year's budget and ledger (last year
short of 20 元 per student), the full-time teachers' qualifications (one certificate expired), the centre's
office and training room beside the counselling rooms, and a 心理辅导站 in every college (the last one
without its operating plan), so that the board shows green rows and red ones. Deterministic for a seed."""

import datetime as dt
import io
import random
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from docx import Document

from xinyu.compliance import board
from xinyu.compliance.forms import DOCX
from xinyu.compliance.models import Budget, Category, LedgerLine, Qualification, Station, StationDocument
from xinyu.counselling.models import Room
from xinyu.org.models import College

ROOMS = (
    ("专职教师办公室", Room.Kind.OFFICE, "大学生活动中心 310"),
    ("综合素质训练室", Room.Kind.TRAINING, "大学生活动中心 401"),
)
# (category, description, share of the year's counted spending or a fixed amount for excluded lines)
LINES = (
    (Category.DAILY_WORK, "心理健康教育宣传材料印制", 0.18),
    (Category.ACTIVITIES, "5·25 心理健康活动月", 0.22),
    (Category.ACTIVITIES, "班级心理委员培训", 0.08),
    (Category.ASSESSMENT, "新生心理普查测评服务", 0.20),
    (Category.TEACHER_TRAINING, "专兼职教师督导培训", 0.17),
    (Category.TEACHER_TRAINING, "心理危机干预专题研修", 0.15),
    (Category.OFFICE_EQUIPMENT, "办公桌椅", Decimal("12800.00")),
    (Category.SPECIAL_EQUIPMENT, "生物反馈训练仪", Decimal("46000.00")),
    (Category.TEACHING_PAY, "心理健康课课时费", Decimal("38500.00")),
)
DOCUMENT_TITLES = {StationDocument.Kind.RULES: "管理制度", StationDocument.Kind.PLAN: "运行方案"}
CERTIFICATES = ("国家二级心理咨询师", "心理治疗师（中级）", "注册心理师")


@dataclass
class DemoCompliance:
    lines: int = 0
    qualifications: int = 0
    stations: int = 0


def _document(title: str) -> bytes:
    document = Document()
    document.add_heading(title, level=1)
    document.add_paragraph("本文件为演示数据。")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _ledger(school, year: int, per_student: Decimal, students: int, rng: random.Random, last_day: dt.date) -> int:
    counted = per_student * students
    made = 0
    for index, (category, description, share) in enumerate(LINES):
        amount = Decimal(counted * Decimal(str(share))).quantize(Decimal("0.01")) if isinstance(share, float) else share
        for part in range(2):
            day = min(last_day, dt.date(year, min(12, 2 + index + part * 5), rng.randint(1, 28)))
            LedgerLine.objects.create(
                school=school, date=day, category=category, description=f"{description}（{'一二'[part]}）",
                amount=(amount / 2).quantize(Decimal("0.01")), document_number=f"{year}-{index + 1:02d}{part + 1}",
            )  # fmt: skip
            made += 1
    return made


@transaction.atomic
def seed_compliance(school, seed: int) -> DemoCompliance:
    rng = random.Random(seed)
    result = DemoCompliance()
    today = timezone.localdate()
    for name, kind, location in ROOMS:
        Room.objects.get_or_create(school=school, name=name, defaults={"kind": kind, "location": location})
    for year, per_student in ((today.year - 1, Decimal("18.50")), (today.year, Decimal("22.40"))):
        on = min(today, dt.date(year, 9, 30))
        budget = Budget.objects.create(school=school, year=year, amount=Decimal(0), headcount_on=on)
        board.take_headcount(budget)
        budget.amount = (per_student * budget.headcount + Decimal("100000")).quantize(Decimal("1000"))
        budget.save(update_fields=["amount"])
        result.lines += _ledger(school, year, per_student, budget.headcount, rng, min(today, dt.date(year, 12, 31)))
    counted_on = min(today, dt.date(today.year, 9, 30))  # the budget's day: the board judges certificates then
    teachers = board.teacher_ids(school, today)
    for index, person_id in enumerate(teachers):
        expired = index == len(teachers) - 1
        Qualification.objects.create(
            person_id=person_id, degree=Qualification.Degree.MASTER if index % 2 else Qualification.Degree.BACHELOR,
            major="应用心理学", certificate=CERTIFICATES[index % len(CERTIFICATES)],
            certificate_number=f"ZX{seed:02d}{index + 1:05d}",
            certificate_expires_on=counted_on - dt.timedelta(days=30) if expired else today + dt.timedelta(days=1095),
            employment=Qualification.Employment.FULL_TIME,
        )  # fmt: skip
        result.qualifications += 1
    colleges = list(College.objects.filter(school=school).order_by("code", "name"))
    for index, college in enumerate(colleges):
        station = Station.objects.create(college=college, location=f"{college.name}学生活动室 {101 + index}")
        kinds = [StationDocument.Kind.RULES] if index == len(colleges) - 1 else list(StationDocument.Kind)
        for kind in kinds:
            title = f"{college.name}心理辅导站{DOCUMENT_TITLES[kind]}"
            content = _document(title)
            StationDocument.objects.create(
                station=station,
                kind=kind,
                file_name=f"{title}.docx",
                content_type=DOCX,
                size=len(content),
                content=content,
            )
        result.stations += 1
    return result
