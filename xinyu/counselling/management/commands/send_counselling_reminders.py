"""`manage.py send_counselling_reminders`: remind students and counsellors of confirmed bookings that begin
within the policy's `counselling_reminder_hours`. Safe to run as often as wanted (each booking once)."""

from django.core.management.base import BaseCommand

from xinyu.counselling.services import send_reminders


class Command(BaseCommand):
    help = "Send counselling appointment reminders that are due."

    def handle(self, *args, **options):
        sent = send_reminders()
        self.stdout.write(f"{sent} booking(s) reminded")
