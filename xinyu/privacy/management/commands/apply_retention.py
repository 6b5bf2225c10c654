"""Archive and destroy the files of students who left, as the policy's retention years say."""

from django.core.management.base import BaseCommand

from xinyu.privacy.retention import apply_retention


class Command(BaseCommand):
    help = "Archive, then destroy, the files of students who left (policy: retention_*_after_years)."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Show what would be done; change no student data.")

    def handle(self, *args, dry_run=False, **options):
        run = apply_retention(dry_run=dry_run)
        prefix = "Dry run, nothing changed: would have " if dry_run else ""
        self.stdout.write(f"{prefix}archived {run.archived} student files, destroyed {run.destroyed}.")
        if run.no_departure_date:
            self.stdout.write(f"{run.no_departure_date} students who left have no known leaving date; left alone.")
        for kind, count in sorted(run.records.items()):
            self.stdout.write(f"  {kind}: {count} {'to destroy' if dry_run else 'destroyed or anonymised'}")
        self.stdout.write(self.style.SUCCESS(f"Retention run #{run.pk} recorded."))
