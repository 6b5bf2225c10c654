"""Counselling's periodic work as a background task: reminders of confirmed bookings.

Schedule it every few minutes: the clock (`run_clock`) can enqueue it, or cron can run
`manage.py send_counselling_reminders`. It is idempotent: each booking is reminded once."""

from django.tasks import task

from xinyu.counselling.services import send_reminders


@task()
def counselling_reminders() -> int:

    return send_reminders()
