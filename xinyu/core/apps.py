from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "xinyu.core"
    label = "core"
