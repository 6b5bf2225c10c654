from django.apps import AppConfig


class StudentfileConfig(AppConfig):
    name = "xinyu.studentfile"
    label = "studentfile"

    def ready(self):
        from xinyu.studentfile.sources import SOURCES
        from xinyu.studentfile.timeline import register_timeline_source

        for source in SOURCES:
            register_timeline_source(source)
