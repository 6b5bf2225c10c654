from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoursesConfig(AppConfig):
    name = "xinyu.courses"
    verbose_name = _("Mental-health courses")
