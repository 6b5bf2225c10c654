"""`manage.py compliance --year YYYY [--school CODE] [--format json]`: the compliance board (第十三–十五条)."""

import json

from django.core.management.base import BaseCommand, CommandError

from xinyu.compliance import board as bd
from xinyu.org.models import School


class Command(BaseCommand):
    help = "打印心理健康教育工作达标情况（条例第十三至十五条）：每项的要求值、实际值和是否达标。"

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True, help="年度，如 2026")
        parser.add_argument("--school", help="学校代码（只有一所学校时可省略）")
        parser.add_argument("--format", choices=["text", "json"], default="text", help="输出格式（默认 text）")

    def handle(self, *args, year, school, format, **options):
        school = self._school(school)
        facts = bd.figures(school, year)
        rows = bd.rows_from(school, facts)
        if format == "json":
            payload = {
                "school": school.code,
                "year": year,
                "students": facts.students,
                "counted_on": facts.on.isoformat(),
                "counted_spending": float(facts.counted_spending),
                "ok": all(row.ok for row in rows),
                "requirements": [row.as_dict() for row in rows],
            }
            self.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2))
            return
        self.stdout.write(f"{school.name} {year} 年：在籍学生 {facts.students} 人（{facts.on:%Y-%m-%d} 统计）")
        for row in rows:
            mark = "达标" if row.ok else f"未达标（差 {row.shortfall}）"
            self.stdout.write(f"第{row.article}条 {row.label}：要求 {row.required}，实际 {row.actual}，{mark}")

    def _school(self, code):
        if code:
            try:
                return School.objects.get(code=code)
            except School.DoesNotExist:
                raise CommandError(f"没有代码为 {code} 的学校。") from None
        schools = list(School.objects.all()[:2])
        if len(schools) != 1:
            raise CommandError("请用 --school 指定学校代码。")
        return schools[0]
