"""`manage.py monthly_report --college CODE --month YYYY-MM [--format json|docx] [--out PATH]`: a college's
monthly report figures as JSON (the keys the README documents; the sent version's frozen figures, else
assembled now) or the Word file of the version in force."""

import json

from django.core.management.base import BaseCommand, CommandError

from xinyu.org.models import College
from xinyu.reports.figures import monthly_figures, parse_month
from xinyu.reports.monthly import current_report
from xinyu.reports.word import figures_of, report_to_docx


class Command(BaseCommand):
    help = "A college's monthly report: its figures as JSON, or its Word file."

    def add_arguments(self, parser):
        parser.add_argument("--college", required=True, help="the college's code")
        parser.add_argument("--month", required=True, help="YYYY-MM")
        parser.add_argument("--format", choices=("json", "docx"), default="json")
        parser.add_argument("--out", help="write to this file (a Word file needs one)")

    def handle(self, *args, college, month, format, out, **options):
        try:
            college = College.objects.get(code=college)
        except College.DoesNotExist:
            raise CommandError(f"没有代码为 {college} 的学院。") from None
        try:
            month = parse_month(month)
        except ValueError:
            raise CommandError(f"月份应写作 YYYY-MM，例如 2026-11，而不是 {month}。") from None
        report = current_report(college, month)
        if format == "docx":
            if report is None:
                raise CommandError(f"{college.name} {month:%Y-%m} 的月报尚未开始，没有 Word 文件。")
            if not out:
                raise CommandError("导出 Word 文件请用 --out 指定文件。")
            with open(out, "wb") as target:
                target.write(report_to_docx(report))
            self.stdout.write(out)
            return
        figures = figures_of(report) if report is not None else monthly_figures(college, month)
        text = json.dumps(figures, ensure_ascii=False, indent=2, sort_keys=True)
        if out:
            with open(out, "w", encoding="utf-8") as target:
                target.write(text + "\n")
        else:
            self.stdout.write(text)
