from django.apps import AppConfig

from xinyu.common import params


class CoreConfig(AppConfig):
    name = "xinyu.core"
    label = "core"

    def ready(self):

        params.register()
