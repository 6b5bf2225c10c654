"""Background work of notify, through Django's tasks API (the database backend in production)."""

from django.tasks import task

from xinyu.notify.delivery import deliver_due


@task()
def deliver_outbox() -> int:
    """Kicked after each notifying commit. The clock sweeps the outbox as well (`deliver_due`), so a lost
    or failed kick delays a message by one tick at most and loses nothing."""

    return deliver_due()
