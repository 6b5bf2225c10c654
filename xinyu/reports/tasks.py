"""The monthly reports' daily work as a background task: remind the college offices before the due date
and tell the working group heads and 学工部 of late reports. Idempotent (one notification per report,
kind and month), so running it more often than daily changes nothing."""

from django.tasks import task

from xinyu.reports.monthly import remind_and_escalate


@task()
def reports_daily() -> dict:
    return remind_and_escalate()
