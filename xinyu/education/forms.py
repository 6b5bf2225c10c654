import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xinyu.counselling.forms import BootstrapForm
from xinyu.education.activities import KINDS_BY_LEVEL
from xinyu.education.measures import measure_choices
from xinyu.education.models import Activity, Level
from xinyu.policy.terms import term_of

DATE = {"type": "date"}


class PlanStartForm(BootstrapForm):
    year = forms.TypedChoiceField(label=_("Year"), coerce=int, choices=())
    place = forms.ChoiceField(label=_("Plan of"), choices=())

    def __init__(self, *args, places, **kwargs):
        super().__init__(*args, **kwargs)
        this = timezone.localdate().year
        self.fields["year"].choices = [(year, str(year)) for year in (this, this + 1)]
        self.fields["place"].choices = places


class PlanItemForm(BootstrapForm):
    title = forms.CharField(label=_("What"), max_length=200)
    article = forms.CharField(label=_("Article served"), max_length=40, required=False,
                              help_text=_("For example 第九条（一）"))  # fmt: skip
    owner = forms.TypedChoiceField(label=_("Owner"), coerce=int, choices=())
    due_on = forms.DateField(label=_("Due on"), widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"))
    level = forms.ChoiceField(label=pgettext_lazy("network level", "Level"), choices=Level.choices[:3])
    measure = forms.ChoiceField(label=_("Measure"), choices=measure_choices, required=False,
                                help_text=_("Progress computed from the records."))  # fmt: skip

    def __init__(self, *args, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.owners = {person.pk: person for person in owners}
        self.fields["owner"].choices = [(person.pk, person.full_name) for person in owners]

    def clean_owner(self):
        return self.owners.get(self.cleaned_data["owner"])


class ActivityForm(BootstrapForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=())
    title = forms.CharField(label=_("Title"), max_length=200)
    held_on = forms.DateField(
        label=pgettext_lazy("activity", "Held on"), widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d")
    )
    minutes = forms.IntegerField(label=_("Duration (minutes)"), min_value=1, max_value=24 * 60)
    audience = forms.CharField(label=_("Audience"), max_length=200, required=False)
    headcount = forms.IntegerField(label=_("Number of participants"), min_value=0, max_value=100_000, required=False)
    account = forms.CharField(label=_("Short account"), max_length=2000, required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))  # fmt: skip

    def __init__(self, *args, level, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("held_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        labels = dict(Activity.Kind.choices)
        self.fields["kind"].choices = [(kind, labels[kind]) for kind in KINDS_BY_LEVEL[level]]
        if level in (Level.CLASS, Level.DORM):
            self.fields["kind"].widget = forms.HiddenInput()
            self.initial.setdefault("kind", KINDS_BY_LEVEL[level][0])
            self.initial.setdefault("minutes", 45 if level == Level.CLASS else 30)
            del self.fields["audience"]
        if level == Level.CLASS:
            del self.fields["headcount"]  # counted from the roster

    def clean_held_on(self):
        day = self.cleaned_data["held_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("The date is the day it was held, not a day to come."))
        if day < timezone.localdate() - dt.timedelta(days=400):
            raise forms.ValidationError(_("The date is more than a year ago."))
        return day


def term_choices(today=None, count=4):
    term = term_of(today)
    terms = []
    for _index in range(count):
        terms.append(term)
        term = term.previous()
    return terms
