from django import forms
from django.utils.translation import gettext_lazy as _

from xinyu.privacy.breakglass import REASON_MIN_LENGTH
from xinyu.privacy.models import BreakGlassGrant


class BreakGlassForm(forms.Form):
    student_number = forms.CharField(label=_("Student number"), max_length=32)
    student_name = forms.CharField(label=_("Name"), max_length=64)
    reason = forms.CharField(
        label=_("Reason"),
        min_length=REASON_MIN_LENGTH,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What is the emergency, and why you cannot reach the people responsible for the student."),
    )


class ReviewForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Review outcome"),
        choices=BreakGlassGrant.Outcome.choices,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    note = forms.CharField(
        label=_("Review note"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("Reason (optional)"), required=False, max_length=2000)
