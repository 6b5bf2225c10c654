from django.apps import AppConfig


class StudentfileConfig(AppConfig):
    name = "xinyu.studentfile"
    label = "studentfile"
