from django.apps import AppConfig


class CareConfig(AppConfig):
    name = "xinyu.care"
    label = "care"

    def ready(self):
        from xinyu.care.sources import registry_timeline, registry_work
        from xinyu.core.work import register_work_source
        from xinyu.studentfile.timeline import register_timeline_source

        register_work_source(registry_work)
        register_timeline_source(registry_timeline)
