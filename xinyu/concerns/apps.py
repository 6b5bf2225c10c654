from django.apps import AppConfig


class ConcernsConfig(AppConfig):
    name = "xinyu.concerns"
    label = "concerns"
