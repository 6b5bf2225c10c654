from django.apps import AppConfig
from django.core import checks


class ConcernsConfig(AppConfig):
    name = "xinyu.concerns"
    label = "concerns"

    def ready(self):
        from xinyu.concerns.checks import check_policy

        checks.register(check_policy)
