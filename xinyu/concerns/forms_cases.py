"""Forms of the crisis case page: each action is one small form; the services decide what is allowed."""

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xinyu.accounts.models import User
from xinyu.care.models import FamilyContact
from xinyu.common.choices import BLANK_CHOICE
from xinyu.concerns import evidence
from xinyu.concerns.models import CrisisCase
from xinyu.concerns.services.cases import case_policy
from xinyu.concerns.services.family_contacts import describe
from xinyu.concerns.services.interviews import follow_up_assignees

TEXT = {"class": "form-control"}
AREA = {"class": "form-control", "rows": 2}
MOMENT_FORMAT = "%Y-%m-%dT%H:%M"


def _moment_widget(**attrs):
    return forms.DateTimeInput(attrs={"type": "datetime-local", **TEXT, **attrs}, format=MOMENT_FORMAT)


def _now_value() -> str:
    return timezone.localtime().strftime(MOMENT_FORMAT)


class CaseForm(forms.Form):
    """A form about one case; `name` keeps its field ids apart from the other forms on the page."""

    name = "case"

    def __init__(self, *args, case: CrisisCase, **kwargs):
        kwargs.setdefault("auto_id", f"{self.name}_%s")
        super().__init__(*args, **kwargs)
        self.case = case


def _level_choices(case: CrisisCase, *, higher: bool):
    policy = case_policy(case)
    levels = CrisisCase.Level.above(case.level) if higher else CrisisCase.Level.below(case.level)
    return [(level, policy.level(level).name) for level in levels]


class RaiseForm(CaseForm):
    name = "raise"
    to_level = forms.ChoiceField(label=_("New level"), widget=forms.Select(attrs={"class": "form-select"}))
    reason = forms.CharField(label=_("Why"), widget=forms.Textarea(attrs=AREA))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_level"].choices = _level_choices(self.case, higher=True)


class LowerForm(RaiseForm):
    name = "lower"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_level"].choices = _level_choices(self.case, higher=False)


class AssessmentForm(CaseForm):
    name = "assessment"
    summary = forms.CharField(label=_("The centre's assessment"), widget=forms.Textarea(attrs=AREA))


def _evidence_field(field: str, label, attrs: dict) -> forms.Field:
    if field in evidence.MOMENTS:
        return forms.DateTimeField(label=label, required=False, widget=_moment_widget(**attrs))
    if field in ("note", "family_outcome"):
        return forms.CharField(label=label, required=False, widget=forms.Textarea(attrs={**AREA, **attrs}))
    if field == "family_how":
        choices = [BLANK_CHOICE, *FamilyContact.Method.choices]
        return forms.ChoiceField(label=label, required=False, choices=choices, widget=_select(attrs))
    if field == "family_contact":
        return forms.ChoiceField(label=label, required=False, widget=_select(attrs))
    return forms.CharField(label=label, required=False, max_length=200, widget=forms.TextInput(attrs={**TEXT, **attrs}))


def _select(attrs: dict) -> forms.Select:
    return forms.Select(attrs={"class": "form-select", **attrs})


class StepForm(CaseForm):
    """Exactly the records the step's policy asks for (evidence.FIELDS), and an optional note."""

    name = "step"

    def __init__(self, *args, step, offers_contacts: bool = False, **kwargs):
        """`offers_contacts`: the case's family contacts may be chosen (T3: only for those who read them)."""
        self.name = f"step{step.pk}"
        super().__init__(*args, **kwargs)
        self.step = step
        wanted = evidence.fields_for(step.evidence_required)
        contacts = list(self.case.family_contacts.all()) if offers_contacts and "family_contact" in wanted else []
        if "family_contact" in wanted and not contacts:
            wanted.remove("family_contact")
        for field in [*wanted, *([] if "note" in wanted else ["note"])]:
            required = field in wanted
            # With contacts to choose from, a new contact's fields are filled only when none is chosen.
            asked = required and field != "family_contact" and not (contacts and field in evidence.NEW_FAMILY_CONTACT)
            attrs = {"required": True} if asked else {}
            label = evidence.LABELS[field] if required else _("Note (optional)")
            self.fields[field] = _evidence_field(field, label, attrs)
        if contacts:
            self.fields["family_contact"].choices = [
                ("", _("A new family contact (fill in below)")),
                *[(contact.pk, describe(contact)) for contact in contacts],
            ]
            self.fields["family_contact"].help_text = _("A family contact already recorded on the case, or a new one.")
        if "watchers" in self.fields:
            self.fields["watchers"].help_text = _("Names, separated by commas.")

    def evidence(self) -> dict:
        """The cleaned values as the service takes them: moments as local "YYYY-MM-DD HH:MM"."""
        values = {}
        for field, value in self.cleaned_data.items():
            if value and field in evidence.MOMENTS:
                value = timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
            values[field] = value or ""
        return values


class FamilyContactForm(CaseForm):
    name = "family"
    contact_name = forms.CharField(label=_("Who was contacted"), max_length=64, widget=forms.TextInput(attrs=TEXT))
    relation = forms.CharField(label=_("Relation"), max_length=32, widget=forms.TextInput(attrs=TEXT))
    contacted_at = forms.DateTimeField(label=_("When"), widget=_moment_widget())
    method = forms.ChoiceField(
        label=_("How"), choices=FamilyContact.Method.choices, widget=forms.Select(attrs={"class": "form-select"})
    )
    outcome = forms.CharField(label=_("Outcome"), widget=forms.Textarea(attrs=AREA))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contacted_at"].initial = _now_value()


class FollowUpForm(CaseForm):
    name = "followup"
    due_on = forms.DateField(
        label=_("Due on"), widget=forms.DateInput(attrs={"type": "date", **TEXT}, format="%Y-%m-%d")
    )
    assignee = forms.ModelChoiceField(
        label=_("By whom"), queryset=None, widget=forms.Select(attrs={"class": "form-select"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        people = follow_up_assignees(self.case)
        self.fields["assignee"].queryset = User.objects.filter(pk__in=[p.pk for p in people])
        self.fields["assignee"].label_from_instance = lambda person: person.full_name
        self.fields["due_on"].initial = (timezone.localdate() + dt.timedelta(days=7)).isoformat()


class ReviewSupportForm(CaseForm):
    name = "review"
    assessment = forms.CharField(label=_("How the student is doing"), widget=forms.Textarea(attrs=AREA))
    support = forms.CharField(label=_("Support agreed"), widget=forms.Textarea(attrs=AREA))


class CloseForm(CaseForm):
    name = "close"
    filing_note = forms.CharField(
        label=_("Case filing note"),
        widget=forms.Textarea(attrs=AREA),
        help_text=_("Where the case's papers are filed, and anything the file must say."),
    )
    propose_registry = forms.BooleanField(
        label=_("Propose the student for the key-concern registry"), required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )  # fmt: skip


class DrillForm(forms.Form):
    student_number = forms.CharField(
        label=_("Student number"), max_length=32, widget=forms.TextInput(attrs={**TEXT, "autocomplete": "off"})
    )
    level = forms.ChoiceField(
        label=_("Level"), choices=CrisisCase.Level.choices, widget=forms.Select(attrs={"class": "form-select"})
    )
    reason = forms.CharField(label=_("What the drill practises"), required=False, widget=forms.Textarea(attrs=AREA))
