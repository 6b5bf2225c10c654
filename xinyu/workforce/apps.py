from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkforceConfig(AppConfig):
    name = "xinyu.workforce"
    verbose_name = _("Workforce: supervision, case conferences and workload")
