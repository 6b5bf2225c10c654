"""Forms of the screening pages: entering a sitting, creating and editing a campaign."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xinyu.common.params import IdMultipleChoiceField
from xinyu.org.models import ClassGroup, College, Student
from xinyu.screening.campaigns import current_settings
from xinyu.screening.models import Campaign, Instrument


class EntryForm(forms.Form):
    code = forms.CharField(label=_("Sitting code"), max_length=12)
    student_number = forms.CharField(label=_("Student number"), max_length=32)
    check = forms.CharField(label=_("Last 6 characters of your ID number"), min_length=6, max_length=6, strip=True)


class CampaignForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Campaign.Kind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    instruments = IdMultipleChoiceField(
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
    colleges = IdMultipleChoiceField(
        label=_("Colleges"), queryset=College.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    class_groups = IdMultipleChoiceField(label=_("Class groups"), queryset=ClassGroup.objects.none(), required=False)
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
        help_text=_(
            "Extra lines, shown before the psychology centre's own help (its phone, room and the hotlines from "
            "the policy file), which is always shown."
        ),
    )
    one_item_per_screen = forms.BooleanField(
        label=_("One question per screen"),
        required=False,
        help_text=_("Phones show one question at a time; students can switch to a page of questions."),
    )
    reminder_text = forms.CharField(
        label=_("Reminder text"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Added to the reminder students receive in their inbox."),
    )

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        administrable = [i.pk for i in Instrument.objects.filter(is_active=True) if i.parsed().administrable]
        self.fields["instruments"].queryset = Instrument.objects.filter(pk__in=administrable).order_by("code")
        self.fields["colleges"].queryset = College.objects.filter(school=school).order_by("name")
        self.fields["class_groups"].queryset = ClassGroup.objects.filter(college__school=school).order_by("name")
        for field in self.fields.values():  # Bootstrap's look (no inline styles)
            widget = field.widget
            if isinstance(widget, (forms.CheckboxSelectMultiple, forms.CheckboxInput)):
                continue
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def clean_enrolment_years(self):
        raw = self.cleaned_data["enrolment_years"].replace("，", ",")
        try:
            return [int(part) for part in raw.replace(" ", ",").split(",") if part]
        except ValueError:
            raise forms.ValidationError(_("Enter years as numbers, separated by commas.")) from None


LOCAL_MINUTES = "%Y-%m-%dT%H:%M"


class CampaignEditForm(CampaignForm):
    """The campaign's settings, those its state no longer allows changing shown but disabled."""

    def __init__(self, *args, campaign, editable, **kwargs):

        settings = current_settings(campaign)
        initial = dict(settings)
        initial["instruments"] = [instrument.pk for instrument in settings["instruments"]]
        initial["colleges"] = [college.pk for college in settings["colleges"]]
        initial["class_groups"] = [group.pk for group in settings["class_groups"]]
        initial["enrolment_years"] = ", ".join(str(year) for year in settings["enrolment_years"])
        super().__init__(*args, school=campaign.school, initial=initial, **kwargs)
        self.current_instruments = settings["instruments"]
        self.editable = tuple(editable)
        used = [instrument.pk for instrument in self.current_instruments]
        offered = self.fields["instruments"].queryset.values_list("pk", flat=True)
        self.fields["instruments"].queryset = Instrument.objects.filter(pk__in=[*offered, *used]).order_by("code")
        for name in ("opens_at", "closes_at"):
            self.fields[name].widget.format = LOCAL_MINUTES
        for name, field in self.fields.items():
            if name not in self.editable:
                field.disabled = True

    def clean_instruments(self):
        chosen = list(self.cleaned_data["instruments"])
        if {i.pk for i in chosen} == {i.pk for i in self.current_instruments}:
            return list(self.current_instruments)  # unchanged: keep the order they are asked in
        return chosen

    def _same_minute_as_before(self, name):
        # The page shows times to the minute: an untouched time posts back the current one without its
        # seconds, which is no change (and must not read as moving an open campaign's close earlier).
        value = self.cleaned_data[name]
        current = self.initial[name]
        if value is not None and value.strftime(LOCAL_MINUTES) == timezone.localtime(current).strftime(LOCAL_MINUTES):
            return current
        return value

    def clean_opens_at(self):
        return self._same_minute_as_before("opens_at")

    def clean_closes_at(self):
        return self._same_minute_as_before("closes_at")

    def changes(self) -> dict:
        """The editable settings as submitted, for `update_campaign`."""
        return {name: self.cleaned_data[name] for name in self.editable if name in self.cleaned_data}


class CloseCampaignForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("Yes, close the campaign now: students can no longer enter, answer or submit."), required=True
    )


class InstrumentImportForm(forms.Form):
    file = forms.FileField(
        label=_("Definition file"),
        help_text=_("A FHIR R4 Questionnaire (JSON) or an instrument in Xinyu's JSON format, at most 2 MB."),
    )


class InstrumentActivateForm(forms.Form):
    confirm_missing = forms.BooleanField(
        label=_(
            "I have checked it: activate this instrument although it lacks what the instrument shipped with "
            "Xinyu has (listed above). Results may then raise no crisis concern report where the shipped "
            "instrument would."
        ),
        required=False,
    )
