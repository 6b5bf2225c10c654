"""Re-encrypt every encrypted value with the current FIELD_ENCRYPTION_KEY (see README, Configuration)."""

from django.core.management.base import BaseCommand, CommandError

from xinyu.privacy.keys import BATCH, rotate_keys


class Command(BaseCommand):
    help = "Re-encrypt encrypted fields and ID numbers with the current key (FIELD_ENCRYPTION_KEY)."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Count what would be re-encrypted; change nothing.")
        parser.add_argument("--batch-size", type=int, default=BATCH)

    def handle(self, *args, dry_run=False, batch_size=BATCH, **options):
        try:
            counts = rotate_keys(dry_run=dry_run, batch_size=batch_size)
        except Exception as error:  # cryptography's InvalidToken has no message
            raise CommandError(
                f"Nothing was changed: a value could not be decrypted with any configured key ({type(error).__name__})."
            ) from error
        for count in counts:
            if count.missing_table:
                self.stdout.write(self.style.WARNING(f"{count.label}: no table (run migrate), skipped"))
                continue
            self.stdout.write(
                f"{count.label}: {count.total} values, {count.rotated} "
                f"{'to re-encrypt' if dry_run else 're-encrypted'}, {count.current} already current"
            )
        rotated = sum(count.rotated for count in counts)
        verb = "would be re-encrypted (dry run, nothing changed)" if dry_run else "re-encrypted"
        self.stdout.write(self.style.SUCCESS(f"{rotated} values {verb}."))
