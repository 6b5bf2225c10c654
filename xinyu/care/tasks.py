"""The registry's daily work as background tasks (Django's tasks API): lapse entries whose review is
overdue, and tell the college's leader in charge about care-plan work overdue for too long. Both are
idempotent, so running them more often than daily, or twice, changes nothing.

Schedule: `manage.py care_daily` once a day (cron / systemd timer), or enqueue `care_daily` from a clock.
"""

from django.tasks import task

from xinyu.care.plans import escalate_overdue
from xinyu.care.registry import lapse_overdue_entries


@task()
def care_daily() -> dict:

    return {"lapsed": len(lapse_overdue_entries()), "escalated": escalate_overdue()}
