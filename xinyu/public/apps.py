from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublicConfig(AppConfig):
    name = "xinyu.public"
    verbose_name = _("Public mental-health page")
