"""django-tasks-db's app under its Chinese name in the back office (its own name is a plain string, which no
catalogue translates); INSTALLED_APPS names this instead of "django_tasks_db"."""

from django.utils.translation import gettext_lazy as _
from django_tasks_db.apps import TasksAppConfig


class TasksDatabaseConfig(TasksAppConfig):
    verbose_name = _("Background tasks")
