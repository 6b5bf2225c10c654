from django.apps import AppConfig


class RosterConfig(AppConfig):
    name = "xinyu.roster"
    label = "roster"
