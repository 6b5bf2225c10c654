from django.apps import AppConfig


class CounsellingConfig(AppConfig):
    name = "xinyu.counselling"
    label = "counselling"

    def ready(self):
        from xinyu.core.work import register_work_source
        from xinyu.counselling.sources import counselling_timeline, counselling_work
        from xinyu.studentfile.timeline import register_timeline_source

        register_work_source(counselling_work)
        register_timeline_source(counselling_timeline)
