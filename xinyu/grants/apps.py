from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GrantsConfig(AppConfig):
    """Who may grant what (DESIGN.md §9): granting, confirming and ending posts, and resetting credentials."""

    name = "xinyu.grants"
    label = "grants"
    verbose_name = _("Posts and credentials")
