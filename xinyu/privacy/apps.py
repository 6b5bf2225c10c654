from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "xinyu.privacy"
    label = "privacy"

    def ready(self):
        from xinyu.core.work import register_work_source
        from xinyu.privacy.breakglass import review_work
        from xinyu.privacy.retention_sources import register_existing_apps

        register_work_source(review_work)
        register_existing_apps()
