"""Forms of referral, leave and the return gate. T4 fields (diagnosis, medication, hospital statements)
exist only in the forms of a viewer who may write them."""

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xinyu.referrals import services
from xinyu.referrals.models import Referral, ReturnAssessment

CONTACT_ROWS = 3


def _date(label, required=True):
    return forms.DateField(
        label=label, required=required, widget=forms.DateInput(attrs={"type": "date", "class": "form-control"})
    )


def _text(label, required=True, rows=3):
    return forms.CharField(
        label=label, required=required, widget=forms.Textarea(attrs={"rows": rows, "class": "form-control"})
    )


def _line(label, required=True, max_length=128):
    return forms.CharField(
        label=label, required=required, max_length=max_length, widget=forms.TextInput(attrs={"class": "form-control"})
    )


class ConfidentialFieldsForm(forms.Form):
    """A form with T4 fields (`confidential_fields`) that exist only for a viewer who may write them."""

    confidential_fields: tuple[str, ...] = ()

    def __init__(self, *args, confidential=False, **kwargs):
        super().__init__(*args, **kwargs)
        if not confidential:
            for name in self.confidential_fields:
                del self.fields[name]


class ReferralForm(forms.Form):
    hospital = forms.ChoiceField(label=gettext_lazy("Green-channel hospital"), required=False,
                                 widget=forms.Select(attrs={"class": "form-select"}))  # fmt: skip
    other_service = _line(gettext_lazy("Or another service (name)"), required=False)
    planned_at = forms.DateTimeField(
        label=gettext_lazy("When"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local", "class": "form-control"}),
    )
    urgency = forms.ChoiceField(label=gettext_lazy("Urgency"), choices=Referral.Urgency.choices,
                                widget=forms.RadioSelect, initial=Referral.Urgency.ROUTINE)  # fmt: skip
    reason = _text(gettext_lazy("Reason for the referral"))
    escorts = forms.MultipleChoiceField(label=gettext_lazy("Staff who go with the student"), required=False,
                                        widget=forms.CheckboxSelectMultiple)  # fmt: skip
    family_escorts = _line(gettext_lazy("Family members who go (names)"), required=False, max_length=200)
    recommend_registry = forms.BooleanField(label=gettext_lazy("Recommend the key-concern registry"), required=False)

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.people = {str(person.pk): person for person in people}
        hospitals = services.green_channel_hospitals()
        self.fields["hospital"].choices = [("", "—")] + [(h.name, h.name) for h in hospitals]
        self.fields["escorts"].choices = [(pk, person.full_name) for pk, person in self.people.items()]

    def clean(self):
        data = super().clean()
        hospital, other = data.get("hospital"), (data.get("other_service") or "").strip()
        if hospital and other:
            raise forms.ValidationError(_("Choose a green-channel hospital or name another service, not both."))
        if not (hospital or other):
            raise forms.ValidationError(_("Choose a green-channel hospital or name another service."))
        data["destination"] = hospital or other
        data["escort_people"] = [self.people[pk] for pk in data.get("escorts") or []]
        return data


class OutcomeForm(ConfidentialFieldsForm):
    confidential_fields = ("diagnosis_summary", "medication")
    outcome = forms.ChoiceField(label=gettext_lazy("Referral outcome"), choices=Referral.Outcome.choices,
                                widget=forms.RadioSelect)  # fmt: skip
    outcome_note = _text(gettext_lazy("Outcome notes"))
    follow_up_plan = _text(gettext_lazy("Follow-up plan"))
    diagnosis_summary = _text(gettext_lazy("Diagnosis summary (confidential)"), required=False)
    medication = _text(gettext_lazy("Medication (confidential)"), required=False, rows=2)
    recommend_registry = forms.BooleanField(label=gettext_lazy("Recommend the key-concern registry"), required=False)


class ClinicalForm(forms.Form):
    diagnosis_summary = _text(gettext_lazy("Diagnosis summary"))
    medication = _text(gettext_lazy("Medication"), required=False, rows=2)


class LeaveForm(ConfidentialFieldsForm):
    confidential_fields = ("statement_summary",)
    applied_on = _date(gettext_lazy("Application date"))
    reason_summary = _text(gettext_lazy("Reason"))
    starts_on = _date(gettext_lazy("Leave starts on"))
    expected_return_on = _date(gettext_lazy("Expected return"))
    statement_received_on = _date(gettext_lazy("Hospital statement received on"), required=False)
    statement_hospital = _line(gettext_lazy("Issuing hospital"), required=False)
    statement_summary = _text(gettext_lazy("Statement summary (confidential)"), required=False)


class FitnessForm(ConfidentialFieldsForm):
    confidential_fields = ("summary",)
    dated = _date(gettext_lazy("Statement of fitness dated"))
    hospital = _line(gettext_lazy("Issuing hospital"))
    summary = _text(gettext_lazy("Statement summary (confidential)"), required=False)


class StatementForm(ConfidentialFieldsForm):
    confidential_fields = ("summary",)
    received_on = _date(gettext_lazy("Hospital statement received on"))
    hospital = _line(gettext_lazy("Issuing hospital"))
    summary = _text(gettext_lazy("Statement summary (confidential)"), required=False)


class AssessmentForm(forms.Form):
    result = forms.ChoiceField(label=gettext_lazy("Result"), choices=ReturnAssessment.Result.choices,
                               widget=forms.RadioSelect)  # fmt: skip
    note = _text(gettext_lazy("Notes"))


class ParentsForm(forms.Form):
    agreed_on = _date(gettext_lazy("Parents agreed on"))
    note = _text(gettext_lazy("Notes"), required=False, rows=2)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for n in range(1, CONTACT_ROWS + 1):
            self.fields[f"name_{n}"] = _line(gettext_lazy("Name"), required=False, max_length=64)
            self.fields[f"relation_{n}"] = _line(gettext_lazy("Relation"), required=False, max_length=32)
            self.fields[f"phone_{n}"] = _line(gettext_lazy("Phone"), required=False, max_length=32)
            for key, label in (("name", _("Name")), ("relation", _("Relation")), ("phone", _("Phone"))):
                attrs = self.fields[f"{key}_{n}"].widget.attrs
                attrs["placeholder"] = attrs["aria-label"] = label
            self.fields[f"phone_{n}"].widget.input_type = "tel"

    def contact_rows(self):
        return [(self[f"name_{n}"], self[f"relation_{n}"], self[f"phone_{n}"]) for n in range(1, CONTACT_ROWS + 1)]

    def contacts(self):
        data = self.cleaned_data
        return [(data[f"name_{n}"], data[f"relation_{n}"], data[f"phone_{n}"]) for n in range(1, CONTACT_ROWS + 1)]


class SignOffForm(forms.Form):
    note = _text(gettext_lazy("Notes"), required=False, rows=2)
