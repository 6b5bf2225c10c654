"""Words shared by the forms' choices."""

from django.utils.translation import gettext_lazy as _

# A select's empty first option, in words (Django's own is "---------").
BLANK_CHOICE = ("", _("— Choose —"))
