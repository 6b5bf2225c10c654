from django import forms
from django.utils.translation import gettext_lazy as _


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Roster file (.xlsx or .csv)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv", "class": "form-control"}),
    )
    create_missing = forms.BooleanField(
        label=_("Create missing colleges and classes"),
        required=False,
        help_text=_("Without this, a college or class not yet in the system is reported as a problem."),
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
