from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from xinyu.notify.config import check_leases, webhooks


class NotifyConfig(AppConfig):
    name = "xinyu.notify"
    label = "notify"
    verbose_name = _("Notifications")

    def ready(self):
        # A mistyped webhook stops every process (web, worker, commands) at start-up, not the first alert.

        webhooks()
        check_leases()
