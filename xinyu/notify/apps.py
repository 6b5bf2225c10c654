from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "xinyu.notify"
    label = "notify"
