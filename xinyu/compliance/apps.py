from django.apps import AppConfig


class ComplianceConfig(AppConfig):
    name = "xinyu.compliance"
    label = "compliance"
