from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xinyu.concerns.models import ConcernReport
from xinyu.counselling.models import Room, Session


class BootstrapForm(forms.Form):
    """Bootstrap classes on every widget, so templates render fields with one include."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput | forms.RadioSelect):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs.setdefault("class", css)


class BookingForm(BootstrapForm):
    reason = forms.CharField(
        label=_("What you would like to talk about (optional)"),
        required=False,
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class SlotRunForm(BootstrapForm):
    room = forms.ModelChoiceField(label=_("Room"), queryset=Room.objects.none())
    first_day = forms.DateField(label=_("First day"), widget=forms.DateInput(attrs={"type": "date"}))
    start = forms.TimeField(label=pgettext_lazy("a time", "From"), widget=forms.TimeInput(attrs={"type": "time"}))
    end = forms.TimeField(label=pgettext_lazy("a time", "Until"), widget=forms.TimeInput(attrs={"type": "time"}))
    slot_minutes = forms.IntegerField(label=_("Minutes per slot"), initial=50, min_value=10, max_value=240)
    break_minutes = forms.IntegerField(label=_("Break between slots (minutes)"), initial=10, min_value=0,
                                       max_value=120)  # fmt: skip
    weeks = forms.IntegerField(label=_("Repeat weekly for this many weeks"), initial=1, min_value=1, max_value=26)

    def __init__(self, *args, rooms=None, **kwargs):
        super().__init__(*args, **kwargs)
        if rooms is not None:
            self.fields["room"].queryset = rooms


class SessionForm(BootstrapForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=Session.Kind.choices)
    held_at = forms.DateTimeField(label=_("When"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    duration_minutes = forms.IntegerField(label=_("Duration (minutes)"), min_value=5, max_value=480)
    risk_level = forms.ChoiceField(label=_("Risk level assessed"), choices=Session.Risk.choices)
    next_step = forms.ChoiceField(label=_("Next step"), choices=Session.NextStep.choices)
    notes = forms.CharField(label=_("Confidential notes"), required=False, widget=forms.Textarea(attrs={"rows": 8}))

    @staticmethod
    def initial_for(session=None, *, held_at=None, minutes=50):
        if session is not None:
            held_at, minutes = session.held_at, session.duration_minutes
        held_at = held_at or timezone.now()
        initial = {
            "held_at": timezone.localtime(held_at).strftime("%Y-%m-%dT%H:%M"),
            "duration_minutes": minutes,
        }
        if session is not None:
            initial |= {
                "kind": session.kind, "risk_level": session.risk_level, "next_step": session.next_step,
                "notes": session.notes,
            }  # fmt: skip
        return initial


class AddendumForm(BootstrapForm):
    text = forms.CharField(label=_("Addendum"), widget=forms.Textarea(attrs={"rows": 4}))


class IntakeForm(BootstrapForm):
    presenting_concern = forms.CharField(label=_("Presenting concern"), widget=forms.Textarea(attrs={"rows": 4}))
    history = forms.CharField(
        label=_("History (family, study, earlier help)"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    suicidal_thoughts = forms.BooleanField(label=_("Thoughts of suicide now or recently"), required=False)
    self_harm = forms.BooleanField(label=_("Self-harm now or in the past"), required=False)
    harm_to_others = forms.BooleanField(label=_("Thoughts of harming others"), required=False)
    under_treatment = forms.BooleanField(label=_("Diagnosed or under psychiatric treatment"), required=False)
    risk_notes = forms.CharField(label=_("Notes on risk"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    consent_to_counselling = forms.BooleanField(label=_("The student agrees to counselling"), required=False)
    confidentiality_limits_explained = forms.BooleanField(
        label=_(
            "The limits of confidentiality were explained and understood: risk of harm to self or others is "
            "reported to the school"
        ),
        required=False,
    )


class ExceptionForm(BootstrapForm):
    reason = forms.CharField(
        label=_("Why confidentiality must be broken (the risk of harm)"), widget=forms.Textarea(attrs={"rows": 3})
    )
    category = forms.ChoiceField(label=_("Kind of concern"), choices=ConcernReport.Category.choices)
    urgency = forms.ChoiceField(label=_("Urgency"), choices=ConcernReport.Urgency.choices)
    description = forms.CharField(
        label=_("What the college and the crisis team need to know (becomes the concern report)"),
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class RoomForm(forms.ModelForm):
    class Meta:
        model = Room
        fields = ["name", "kind", "location", "active"]
        widgets = {
            "name": forms.TextInput(attrs={"class": "form-control"}),
            "kind": forms.Select(attrs={"class": "form-select"}),
            "location": forms.TextInput(attrs={"class": "form-control"}),
            "active": forms.CheckboxInput(attrs={"class": "form-check-input"}),
        }

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.school = school

    def validate_unique(self):
        # The school is set by the view, not a field, so its unique name is checked here.
        super().validate_unique()
        rooms = Room.objects.filter(school=self.instance.school, name=self.cleaned_data.get("name", ""))
        if rooms.exclude(pk=self.instance.pk).exists():
            self.add_error("name", _("The centre already has a room with this name."))
