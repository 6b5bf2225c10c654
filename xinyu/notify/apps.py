from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "xinyu.notify"
    label = "notify"

    def ready(self):
        # A mistyped webhook stops every process (web, worker, commands) at start-up, not the first alert.
        from xinyu.notify.config import check_leases, webhooks

        webhooks()
        check_leases()
