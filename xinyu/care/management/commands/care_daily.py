"""`manage.py care_daily [--enqueue]`: lapse registry entries not reviewed in time and escalate overdue
care-plan work to the college's leader in charge. Idempotent; run it daily (cron or a systemd timer)."""

from django.core.management.base import BaseCommand

from xinyu.care import tasks


class Command(BaseCommand):
    help = "Lapse registry entries whose review is overdue; escalate overdue care-plan work (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--enqueue", action="store_true", help="enqueue the work as a task for the workers")

    def handle(self, *args, enqueue, **options):
        if enqueue:
            tasks.care_daily.enqueue()
            self.stdout.write("enqueued")
            return
        self.stdout.write(f"{tasks.care_daily.call()}")
