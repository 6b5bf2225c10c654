from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "xinyu.core"
    label = "core"

    def ready(self):
        from xinyu.common import params  # registers the `id` path converter before any URL conf is read

        params.register()
