from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from xinyu.common import params


class CoreConfig(AppConfig):
    name = "xinyu.core"
    label = "core"
    verbose_name = _("Home and my work")

    def ready(self):
        params.register()
