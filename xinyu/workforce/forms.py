from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xinyu.accounts.models import User
from xinyu.common.params import IdMultipleChoiceField
from xinyu.workforce.models import SupervisionSession


class BootstrapForm(forms.Form):
    """Bootstrap classes on every widget, so templates render fields with one include."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxSelectMultiple | forms.CheckboxInput | forms.RadioSelect):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs.setdefault("class", css)


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.full_name


class PeopleField(IdMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.full_name


def _people(people) -> object:
    return User.objects.filter(pk__in=[person.pk for person in people]).order_by("username")


def now_local() -> str:
    return timezone.localtime().strftime("%Y-%m-%dT%H:%M")


class RequestForm(BootstrapForm):
    question = forms.CharField(
        label=_("Your question for supervision"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Only you and the centre's supervisors read it."),
    )


class ScheduleForm(BootstrapForm):
    at = forms.DateTimeField(label=_("When"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))


class SessionForm(BootstrapForm):
    """A supervision session, and for each open request a box to say it was discussed, with the guidance."""

    kind = forms.ChoiceField(label=_("Kind"), choices=SupervisionSession.Kind.choices)
    held_at = forms.DateTimeField(label=_("When"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    duration_minutes = forms.IntegerField(label=_("Duration (minutes)"), min_value=1, max_value=480, initial=60)
    place = forms.CharField(label=_("Place"), max_length=120, required=False)
    counsellors = PeopleField(
        label=_("Counsellors present"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The counsellors whose cases are discussed count as present."),
    )

    def __init__(self, *args, counsellors=(), requests=(), chosen=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["counsellors"].queryset = _people(counsellors)
        self.requests = list(requests)
        for request in self.requests:
            self.fields[f"discuss_{request.pk}"] = forms.BooleanField(
                required=False,
                initial=request.pk in chosen,
                widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
            )
            self.fields[f"notes_{request.pk}"] = forms.CharField(
                label=_("Case discussion"), required=False, max_length=8000,
                widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
            )  # fmt: skip
            self.fields[f"guidance_{request.pk}"] = forms.CharField(
                label=_("Your guidance"), required=False, max_length=8000,
                widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
            )  # fmt: skip

    def main_fields(self):
        return [self[name] for name in ("kind", "held_at", "duration_minutes", "place", "counsellors")]

    def request_rows(self):
        return [
            (request, self[f"discuss_{request.pk}"], self[f"notes_{request.pk}"], self[f"guidance_{request.pk}"])
            for request in self.requests
        ]

    def clean(self):
        data = super().clean()
        discussed = []
        for request in self.requests:
            if not data.get(f"discuss_{request.pk}"):
                continue
            guidance = (data.get(f"guidance_{request.pk}") or "").strip()
            if not guidance:
                self.add_error(f"guidance_{request.pk}", _("Please write your guidance on this case."))
            discussed.append((request, data.get(f"notes_{request.pk}") or "", guidance))
        data["discussions"] = discussed
        return data


class ConferenceForm(BootstrapForm):
    title = forms.CharField(label=_("Title"), max_length=120)
    held_at = forms.DateTimeField(label=_("When"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    place = forms.CharField(label=_("Place"), max_length=120, required=False)
    chair = PersonChoiceField(label=_("Chair"), queryset=User.objects.none())
    attendees = PeopleField(
        label=_("Attendees"), queryset=User.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["chair"].queryset = _people(people)
        self.fields["attendees"].queryset = _people(people)


class CaseAddForm(BootstrapForm):
    student_number = forms.CharField(label=_("Student number"), max_length=20)


class CaseForm(BootstrapForm):
    notes = forms.CharField(
        label=_("Case discussion notes"), required=False, max_length=8000, widget=forms.Textarea(attrs={"rows": 6})
    )
    conclusion = forms.CharField(
        label=_("Conclusion"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Written without the student's name: every attendee reads it."),
    )  # fmt: skip

    def __init__(self, *args, with_notes: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not with_notes:
            del self.fields["notes"]


class TaskForm(BootstrapForm):
    text = forms.CharField(
        label=_("What is to be done"), max_length=300,
        help_text=_("Without the student's name: the case's code names it for those who may not see the student."),
    )  # fmt: skip
    assignee = PersonChoiceField(label=_("Who does it"), queryset=User.objects.none())
    due_on = forms.DateField(label=_("Due on"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = _people(people)
