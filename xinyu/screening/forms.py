"""Forms of the screening pages: entering a sitting, creating a campaign."""

from django import forms
from django.utils.translation import gettext_lazy as _

from xinyu.org.models import ClassGroup, College, Student
from xinyu.screening.models import Campaign, Instrument


class EntryForm(forms.Form):
    code = forms.CharField(label=_("Sitting code"), max_length=12)
    student_number = forms.CharField(label=_("Student number"), max_length=32)
    check = forms.CharField(label=_("Last 6 characters of your ID number"), min_length=6, max_length=6, strip=True)


class CampaignForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Campaign.Kind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    instruments = forms.ModelMultipleChoiceField(
        label=_("Instruments"),
        queryset=Instrument.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Asked in the order listed."),
    )
    opens_at = forms.DateTimeField(label=_("Opens at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    closes_at = forms.DateTimeField(label=_("Closes at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    enrolment_years = forms.CharField(
        label=_("Enrolment years"), required=False, help_text=_("E.g. 2025, 2024; empty for all.")
    )
    colleges = forms.ModelMultipleChoiceField(
        label=_("Colleges"), queryset=College.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    class_groups = forms.ModelMultipleChoiceField(
        label=_("Class groups"), queryset=ClassGroup.objects.none(), required=False
    )
    student_statuses = forms.MultipleChoiceField(
        label=_("Student statuses"),
        choices=Student.Status.choices,
        required=False,
        initial=[Student.Status.ENROLLED],
        widget=forms.CheckboxSelectMultiple,
    )
    consent_text = forms.CharField(label=_("Consent text"), widget=forms.Textarea(attrs={"rows": 5}))
    consent_version = forms.CharField(label=_("Consent version"), max_length=32, initial="v1")
    show_summary_to_student = forms.BooleanField(label=_("Students see a summary of their own result"), required=False)
    resources_text = forms.CharField(
        label=_("Resources shown after submitting"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Empty: the psychology centre and the national help lines."),
    )

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        administrable = [i.pk for i in Instrument.objects.filter(is_active=True) if i.parsed().administrable]
        self.fields["instruments"].queryset = Instrument.objects.filter(pk__in=administrable).order_by("code")
        self.fields["colleges"].queryset = College.objects.filter(school=school).order_by("name")
        self.fields["class_groups"].queryset = ClassGroup.objects.filter(college__school=school).order_by("name")

    def clean_enrolment_years(self):
        raw = self.cleaned_data["enrolment_years"].replace("，", ",")
        try:
            return [int(part) for part in raw.replace(" ", ",").split(",") if part]
        except ValueError:
            raise forms.ValidationError(_("Enter years as numbers, separated by commas.")) from None
