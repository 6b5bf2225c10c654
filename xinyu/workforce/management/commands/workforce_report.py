"""`manage.py workforce_report --year YYYY [--format json]`: per staff member, the year's training hours and
the minimum for their posts, supervision given and received, counselling, interview and course hours, and
certificates expiring within 90 days. A table by default; JSON for other systems."""

import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from xinyu.org.models import Post
from xinyu.policy.loader import PolicyError
from xinyu.workforce.report import workforce_report

HEADERS = [
    "工号",
    "姓名",
    "岗位",
    "培训学时",
    "最低学时",
    "督导（给予）",
    "督导（接受）",
    "咨询",
    "约谈",
    "课程",
    "证书到期",
]


class Command(BaseCommand):
    help = "The year's workforce report: training, supervision, counselling, interviews, courses, certificates."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True, help="the calendar year, e.g. 2026")
        parser.add_argument("--format", choices=("table", "json"), default="table")

    def handle(self, *args, year, format, **options):
        try:
            rows = workforce_report(year)
        except PolicyError as exc:
            raise CommandError(f"{year} 年没有可用的政策文件：{exc}") from exc
        if format == "json":
            self.stdout.write(json.dumps({"year": year, "staff": [row.as_json() for row in rows]}, ensure_ascii=False))
            return
        with translation.override("zh-hans"):
            self.stdout.write("\t".join(HEADERS))
            for row in rows:
                posts = "、".join(str(Post(post).label) for post in row.posts)
                minimum = "—" if row.training_minimum is None else str(row.training_minimum)
                flag = "（不足）" if row.training_short else ""
                expiring = "；".join(f"{item['certificate']} {item['expires_on']}" for item in row.expiring) or "—"
                cells = [
                    row.username, row.name, posts or "—", f"{row.training_hours}{flag}", minimum,
                    row.supervision_given_hours, row.supervision_received_hours, row.counselling_hours,
                    row.interview_hours, row.course_hours, expiring,
                ]  # fmt: skip
                self.stdout.write("\t".join(str(cell) for cell in cells))
