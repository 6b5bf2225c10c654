from django.tasks import task


@task()
def deliver_outbox():
    from xinyu.notify.delivery import deliver_due

    return deliver_due()
