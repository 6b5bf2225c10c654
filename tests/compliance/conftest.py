"""Helpers for the compliance tests: a ledger workbook built in memory, and the people of the board."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from xinyu.compliance.models import Budget, LedgerLine

HEADERS = ["日期", "类别", "摘要", "金额（元）", "凭证号"]
YEAR = 2026
READERS = ["leading_group_member", "student_affairs", "supervisor"]
EDITORS = ["student_affairs", "supervisor"]
OUTSIDERS = ["head_teacher", "advisor", "mental_health_advisor", "college_leader", "counsellor", "outsider",
             "student", "dorm_leader", "wellbeing_rep"]  # fmt: skip


def ledger_file(rows, *, headers=HEADERS, name="台账.xlsx", title="专项经费") -> SimpleUploadedFile:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    sheet.append(["2026 年心理健康教育专项经费台账"])
    sheet.append(headers)
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def good_rows():
    return [
        (dt.date(YEAR, 3, 5), "心理健康教育日常工作", "宣传材料印制", 1200.5, "2026-001"),
        ("2026/5/25", "心理健康活动与宣传", "5·25 活动月", "¥3,000.00", "2026-002"),
        (dt.date(YEAR, 6, 1), "日常办公设施设备", "办公桌椅", 5000, "2026-003"),
        (dt.date(YEAR, 9, 10), "Teacher training and supervision", "督导培训", "800", "2026-004"),
    ]


def spend(school, year, category, amount, number):
    return LedgerLine.objects.create(
        school=school, date=dt.date(year, 6, 1), category=category, description="支出", amount=Decimal(amount),
        document_number=number,
    )  # fmt: skip


def budget(school, year, students, *, on=None):
    return Budget.objects.create(
        school=school, year=year, amount=Decimal(0), headcount_on=on or dt.date(year, 9, 30), headcount=students
    )


@pytest.fixture
def year():
    return YEAR
