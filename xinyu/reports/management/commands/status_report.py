"""`manage.py status_report --year YYYY --format docx --out PATH [--school CODE]`: the students' mental-health
status report of the year as a Word file with its charts and tables."""

from django.core.management.base import BaseCommand, CommandError

from xinyu.org.models import School
from xinyu.reports.status import status_report
from xinyu.reports.word import status_to_docx


class Command(BaseCommand):
    help = "The students' mental-health status report of a year, as a Word file."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--format", choices=("docx",), default="docx")
        parser.add_argument("--out", required=True, help="the Word file to write")
        parser.add_argument("--school", help="the school's code (needed when there are several)")

    def handle(self, *args, year, format, out, school, **options):
        schools = School.objects.filter(code=school) if school else School.objects.all()
        if schools.count() != 1:
            raise CommandError("请用 --school 指定学校代码。" if not school else f"没有代码为 {school} 的学校。")
        with open(out, "wb") as target:
            target.write(status_to_docx(status_report(schools.get(), year)))
        self.stdout.write(out)
