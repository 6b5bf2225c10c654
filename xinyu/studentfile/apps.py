from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StudentfileConfig(AppConfig):
    name = "xinyu.studentfile"
    label = "studentfile"
    verbose_name = _("Student file")
