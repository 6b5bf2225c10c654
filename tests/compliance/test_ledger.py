"""The ledger import: all or nothing, problems named by sheet, row and column in Chinese, a summary of
what changed, the year's lines replaced."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from tests.compliance.conftest import YEAR, good_rows, ledger_file, spend
from xinyu.audit.models import AuditEntry
from xinyu.compliance import ledger
from xinyu.compliance.models import Category, LedgerImport, LedgerLine
from xinyu.roster.problems import RefusedFile


def run(world, upload, year=YEAR):
    return ledger.import_ledger(world.school, year, upload, by=world.cast["student_affairs"])


def problems_of(world, upload, year=YEAR):
    with pytest.raises(ledger.LedgerRefused) as refused:
        run(world, upload, year)
    return [(p.sheet, p.row, p.column, p.value, p.code) for p in refused.value.problems]


def test_a_good_ledger_replaces_the_years_lines_with_a_summary(world):
    spend(world.school, YEAR, Category.ACTIVITIES, "100.00", "2026-002")  # changed by the file
    spend(world.school, YEAR, Category.ACTIVITIES, "50.00", "2026-099")  # not in the file: removed
    spend(world.school, YEAR - 1, Category.ACTIVITIES, "70.00", "2025-001")  # another year: kept
    done = run(world, ledger_file(good_rows()))
    lines = list(LedgerLine.objects.filter(school=world.school, date__year=YEAR).order_by("document_number"))
    assert [(line.date, line.category, line.amount, line.document_number) for line in lines] == [
        (dt.date(YEAR, 3, 5), Category.DAILY_WORK, Decimal("1200.50"), "2026-001"),
        (dt.date(YEAR, 5, 25), Category.ACTIVITIES, Decimal("3000.00"), "2026-002"),
        (dt.date(YEAR, 6, 1), Category.OFFICE_EQUIPMENT, Decimal("5000.00"), "2026-003"),
        (dt.date(YEAR, 9, 10), Category.TEACHER_TRAINING, Decimal("800.00"), "2026-004"),
    ]
    assert done.summary == {
        "added": 3, "changed": 1, "removed": 1, "unchanged": 0, "lines": 4,
        "before": {"total": "150.00", "counted": "150.00"}, "after": {"total": "10000.50", "counted": "5000.50"},
    }  # fmt: skip
    assert LedgerLine.objects.filter(date__year=YEAR - 1).count() == 1
    entry = AuditEntry.objects.get(what="compliance.ledger")
    assert (entry.action, entry.detail["year"], entry.detail["added"]) == ("import", YEAR, 3)
    again = run(world, ledger_file(good_rows()))
    assert (again.summary["unchanged"], again.summary["added"], again.summary["changed"]) == (4, 0, 0)


def test_one_bad_row_and_nothing_changes(world):
    spend(world.school, YEAR, Category.ACTIVITIES, "100.00", "old")
    rows = [
        *good_rows(),
        ("2025-12-31", "心理健康活动与宣传", "去年的", 10, "2026-005"),
        (dt.date(YEAR, 7, 1), "买咖啡", "未知类别", 10, "2026-006"),
        (dt.date(YEAR, 7, 2), "日常办公设施设备", "多一位小数", "12.345", "2026-007"),
        (dt.date(YEAR, 7, 3), "日常办公设施设备", "", 0, "2026-008"),
        (dt.date(YEAR, 7, 4), "日常办公设施设备", "公式", "=1+1", "2026-001"),
        (dt.date(YEAR, 7, 5), "日常办公设施设备", "重复凭证", 10, "2026-001"),
    ]
    found = problems_of(world, ledger_file(rows))
    assert found == [
        ("专项经费", 7, "日期", "2025-12-31", "wrong_year"),
        ("专项经费", 8, "类别", "买咖啡", "unknown_category"),
        ("专项经费", 9, "金额（元）", "12.345", "too_precise"),
        ("专项经费", 10, "摘要", "", "required"),
        ("专项经费", 10, "金额（元）", "0", "zero_amount"),
        ("专项经费", 11, "金额（元）", "=1+1", "formula"),
        ("专项经费", 12, "凭证号", "2026-001", "duplicate"),
    ]
    assert list(LedgerLine.objects.values_list("document_number", flat=True)) == ["old"]
    assert not LedgerImport.objects.exists()
    assert not AuditEntry.objects.filter(what="compliance.ledger").exists()


def test_the_reasons_are_in_chinese(world):
    rows = [(dt.date(YEAR, 7, 1), "买咖啡", "未知类别", 10, "2026-006")]
    with translation.override("zh-hans"), pytest.raises(ledger.LedgerRefused) as refused:
        run(world, ledger_file(rows))
    reason = refused.value.problems[0].reason
    assert reason.startswith("类别不正确") and "日常办公设施设备" in reason


def test_missing_columns_and_no_header(world):
    found = problems_of(world, ledger_file(good_rows(), headers=["日期", "类别", "摘要", "金额", "备注"]))
    assert found == [("专项经费", 2, "凭证号", "", "missing_column")]
    assert problems_of(world, ledger_file([], headers=["甲", "乙", "丙"])) == [("专项经费", None, "", "", "no_header")]
    assert problems_of(world, ledger_file([])) == [("专项经费", None, "", "", "empty")]


def test_files_refused_as_a_whole(world):
    with pytest.raises(RefusedFile) as refused:
        run(world, SimpleUploadedFile("台账.xls", b"\xd0\xcf\x11\xe0rest"))
    assert refused.value.code == "old_format"
    with pytest.raises(RefusedFile) as refused:
        run(world, SimpleUploadedFile("台账.xlsx", b"not a zip at all"))
    assert refused.value.code == "not_xlsx"


def test_a_csv_ledger(world):
    text = '日期,类别,摘要,金额（元）,凭证号\n2026-04-01,心理测评与普查,普查服务,"2,000.00",P-1\n'
    done = run(world, SimpleUploadedFile("台账.csv", text.encode("gb18030")))
    assert done.summary["after"] == {"total": "2000.00", "counted": "2000.00"}
    assert LedgerLine.objects.get().category == Category.ASSESSMENT


@pytest.mark.parametrize(
    ("value", "expected"),
    [(1234.5, Decimal("1234.50")), ("1,234.50元", Decimal("1234.50")), ("￥ 12", Decimal("12.00")),
     (-300, Decimal("-300.00")), (12.3, Decimal("12.30"))],
)  # fmt: skip
def test_amounts(value, expected):
    assert ledger.amount_value(value) == expected
