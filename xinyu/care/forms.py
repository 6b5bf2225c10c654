"""Forms of the registry, care plan and check-in pages; the services decide what is allowed."""

from django import forms
from django.utils.translation import gettext_lazy as _

from xinyu.accounts.models import User
from xinyu.care import plans, scope
from xinyu.care.models import ProgressNote, RegistryEntry
from xinyu.care.registry import PlanInput, care_rules

TEXT = {"class": "form-control"}
AREA = {"class": "form-control", "rows": 3}
NUMBER = {"class": "form-control", "min": 1, "max": 366}
SELECT = {"class": "form-select"}
CHECKS = forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"})
RADIOS = forms.RadioSelect(attrs={"class": "form-check-input"})


def _people(people):
    return User.objects.filter(pk__in=[person.pk for person in people]).order_by("full_name")


class PlanForm(forms.Form):
    goals = forms.CharField(label=_("Goals"), required=False, widget=forms.Textarea(attrs=AREA))
    measures_centre = forms.CharField(
        label=_("Measures: psychology centre"), required=False, widget=forms.Textarea(attrs=AREA)
    )
    measures_college = forms.CharField(label=_("Measures: college"), required=False, widget=forms.Textarea(attrs=AREA))
    measures_class = forms.CharField(
        label=_("Measures: class (advisor, head teacher)"), required=False, widget=forms.Textarea(attrs=AREA)
    )
    centre_person = forms.ModelChoiceField(
        label=_("Responsible: psychology centre"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.Select(attrs=SELECT),
    )
    college_person = forms.ModelChoiceField(
        label=_("Responsible: college"), queryset=User.objects.none(), widget=forms.Select(attrs=SELECT)
    )
    class_person = forms.ModelChoiceField(
        label=_("Responsible: class"), queryset=User.objects.none(), required=False, widget=forms.Select(attrs=SELECT)
    )
    dorm_leader = forms.ModelChoiceField(
        label=_("Dorm check-in by the dorm leader"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.Select(attrs=SELECT),
        help_text=_("The dorm leader sees only the student's name, never why."),
    )
    student_contact_every_days = forms.IntegerField(
        label=_("Talk with the student every (days)"),
        min_value=1,
        max_value=366,
        widget=forms.NumberInput(attrs=NUMBER),
    )
    family_contact_every_days = forms.IntegerField(
        label=_("Contact the family every (days)"), min_value=1, max_value=366, widget=forms.NumberInput(attrs=NUMBER)
    )
    review_every_days = forms.IntegerField(
        label=_("Review every (days)"), min_value=1, max_value=366, widget=forms.NumberInput(attrs=NUMBER)
    )

    def __init__(self, *args, student, **kwargs):
        super().__init__(*args, **kwargs)
        for level in plans.LEVELS:
            self.fields[f"{level}_person"].queryset = _people(plans.candidates(student, level))
        self.fields["dorm_leader"].queryset = _people(scope.dorm_leaders_for(student))
        rules = care_rules()
        self.fields["student_contact_every_days"].initial = rules.plan_student_contact_every_days
        self.fields["family_contact_every_days"].initial = rules.plan_family_contact_every_days
        self.fields["review_every_days"].initial = rules.plan_review_every_days

    def plan_input(self) -> PlanInput:
        data = self.cleaned_data
        return PlanInput(**{name: data.get(name) for name in PlanInput.__dataclass_fields__ if name != "extra"})


class ConfirmForm(PlanForm):
    categories = forms.MultipleChoiceField(label=_("Categories"), widget=CHECKS)
    risk_level = forms.ChoiceField(label=_("Risk level"), choices=RegistryEntry.Risk.choices, widget=RADIOS)
    reason = forms.CharField(label=_("Note on the confirmation"), required=False, widget=forms.Textarea(attrs=AREA))

    field_order = ["categories", "risk_level", "reason"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["categories"].choices = care_rules().category_choices
        self.order_fields(self.field_order)


class ReviewForm(forms.Form):
    assessment = forms.CharField(label=_("How the student is doing"), widget=forms.Textarea(attrs=AREA))
    support = forms.CharField(label=_("Support agreed"), widget=forms.Textarea(attrs=AREA))
    risk_level = forms.ChoiceField(label=_("Risk level"), choices=RegistryEntry.Risk.choices, widget=RADIOS)
    categories = forms.MultipleChoiceField(label=_("Categories"), widget=CHECKS)
    next_review_on = forms.DateField(
        label=_("Next review"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date", **TEXT}),
        help_text=_("Empty: after the plan's review interval."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["categories"].choices = care_rules().category_choices


class RemovalRequestForm(forms.Form):
    reason = forms.CharField(label=_("Why the student can leave the registry"), widget=forms.Textarea(attrs=AREA))


class RemovalDecisionForm(forms.Form):
    assessment = forms.CharField(label=_("The centre's assessment"), widget=forms.Textarea(attrs=AREA))
    decision = forms.ChoiceField(
        label=_("Decision"),
        widget=RADIOS,
        choices=[("approve", _("Sign off: remove from the registry")), ("decline", _("Decline: keep on the registry"))],
    )


class NoteForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"), choices=ProgressNote.Kind.choices, widget=RADIOS, initial=ProgressNote.Kind.STUDENT_CONTACT
    )
    text = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs=AREA))


class ProposeForm(forms.Form):
    source = forms.ChoiceField(
        label=_("Source"), choices=RegistryEntry.Source.choices, widget=forms.Select(attrs=SELECT)
    )
    reason = forms.CharField(label=_("Why the student needs attention"), widget=forms.Textarea(attrs=AREA))
    categories = forms.MultipleChoiceField(label=_("Categories"), required=False, widget=CHECKS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["categories"].choices = care_rules().category_choices
