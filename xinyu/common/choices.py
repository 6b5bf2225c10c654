"""Words shared by the forms' choices."""

from django.utils.translation import gettext_lazy as _

# A select's empty first option. Django 6 labels the blank choice of a model field's select with this msgid
# (django.db.models.fields.BLANK_CHOICE_LABEL) and its own catalogue has no Chinese for it: naming it here
# keeps it in ours, where it is — 请选择 —. Our own selects with an empty first option use the same words.
BLANK_CHOICE = ("", _("- Select an option -"))
