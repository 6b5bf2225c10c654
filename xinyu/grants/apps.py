from django.apps import AppConfig


class GrantsConfig(AppConfig):
    """Who may grant what (DESIGN.md §9): granting, confirming and ending posts, and resetting credentials."""

    name = "xinyu.grants"
    label = "grants"
