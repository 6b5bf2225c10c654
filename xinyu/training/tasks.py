"""Training's daily work as a background task: remind teachers and 学工部 before a certificate expires (once
at 90 days, once at 30). Idempotent, so running it more often than daily changes nothing."""

from django.tasks import task

from xinyu.training.services import send_qualification_reminders


@task()
def training_daily() -> int:
    return send_qualification_reminders()
