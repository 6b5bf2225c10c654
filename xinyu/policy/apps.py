from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _

from xinyu.policy.checks import check_calendar, check_policy


class PolicyConfig(AppConfig):
    """The policy file: the regulation's specifics as data (DESIGN.md §3), with its calendar and every app's
    rules tables. A leaf: it imports no other Xinyu app."""

    name = "xinyu.policy"
    label = "policy"
    verbose_name = _("Policy file")

    def ready(self):
        checks.register(check_policy)
        checks.register(check_calendar)
