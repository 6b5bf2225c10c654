from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "xinyu.privacy"
    label = "privacy"
