from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "xinyu.audit"
    label = "audit"
