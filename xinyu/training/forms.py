import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xinyu.accounts.models import User
from xinyu.common.params import IdMultipleChoiceField
from xinyu.compliance.forms import PDF, _bootstrap
from xinyu.org.models import Post
from xinyu.training.models import Kind, Provider, TrainingEvent

MAX_CERTIFICATE_BYTES = 5 * 1024 * 1024
JPEG, PNG = "image/jpeg", "image/png"
MAX_HOURS = Decimal("500")
# Posts that may be picked to attend (staff posts of the network).
ATTENDEE_POSTS = [
    (value, label) for value, label in Post.choices if value not in (Post.WELLBEING_REP, Post.DORM_LEADER)
]


def certificate_kind(upload) -> str:
    """The content type of a scanned certificate (PDF, JPEG or PNG, at most 5 MB), or a ValidationError
    saying why it is refused. Judged by the bytes, not by the name or the browser's word."""
    if upload.size > MAX_CERTIFICATE_BYTES:
        raise forms.ValidationError(_("The certificate file is larger than 5 MB."))
    if upload.size == 0:
        raise forms.ValidationError(_("The file is empty."))
    suffix = Path(upload.name or "").suffix.lower()
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if suffix == ".pdf" and head.startswith(b"%PDF-"):
        return PDF
    if suffix in (".jpg", ".jpeg") and head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if suffix == ".png" and head == b"\x89PNG\r\n\x1a\n":
        return PNG
    raise forms.ValidationError(_("Only PDF, JPEG and PNG files are accepted for a certificate."))


class EventForm(forms.ModelForm):
    class Meta:
        model = TrainingEvent
        fields = [
            "topic", "provider", "kind", "starts_on", "ends_on", "hours", "trainer", "trainer_name",
            "trainer_organisation", "organiser", "place", "college",
        ]  # fmt: skip
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "ends_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, trainers, colleges, school_level: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["trainer"].queryset = trainers.order_by("full_name", "username")
        self.fields["trainer"].label_from_instance = lambda user: f"{user.full_name}（{user.username}）"
        self.fields["college"].queryset = colleges
        self.fields["college"].required = not school_level
        self.fields["provider"].choices = Provider.choices
        self.fields["kind"].choices = Kind.choices
        _bootstrap(self)

    def clean_hours(self):
        hours = self.cleaned_data["hours"]
        if hours is not None and not Decimal(0) < hours <= MAX_HOURS:
            raise forms.ValidationError(_("Hours must be more than 0 and at most 500."))
        return hours

    def clean(self):
        cleaned = super().clean()
        starts, ends = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("The last day is before the first day."))
        if not cleaned.get("trainer") and not cleaned.get("trainer_name"):
            self.add_error("trainer_name", _("Choose a staff member as the trainer or give the trainer's name."))
        if cleaned.get("trainer") and cleaned.get("trainer_name"):
            self.add_error("trainer_name", _("Give either a staff member or an external trainer, not both."))
        return cleaned


class AttendanceForm(forms.Form):
    """Attendance for many at once: people picked from a list (filtered by post and college), and staff
    numbers pasted, one or more a line. Every number must be a staff member the keeper may record."""

    people = IdMultipleChoiceField(
        label=_("Pick from the list"), queryset=User.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    numbers = forms.CharField(
        label=_("Or paste staff numbers"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Separated by spaces, commas or new lines."),
    )  # fmt: skip
    hours = forms.DecimalField(label=_("Hours credited"), max_digits=5, decimal_places=1, required=False,
                               help_text=_("Leave empty to credit the event's hours."))  # fmt: skip

    def __init__(self, *args, candidates, listed, **kwargs):
        super().__init__(*args, **kwargs)
        self.candidates = candidates
        self.fields["people"].queryset = listed
        self.fields["people"].label_from_instance = lambda user: f"{user.full_name}（{user.username}）"
        for name in ("numbers", "hours"):
            self.fields[name].widget.attrs.setdefault("class", "form-control")

    def clean_hours(self):
        hours = self.cleaned_data["hours"]
        if hours is not None and not Decimal(0) < hours <= MAX_HOURS:
            raise forms.ValidationError(_("Hours must be more than 0 and at most 500."))
        return hours

    def clean(self):
        cleaned = super().clean()
        numbers = [n for n in re.split(r"[\s,，、;；]+", cleaned.get("numbers") or "") if n]
        found = {user.username: user for user in self.candidates.filter(username__in=numbers)}
        unknown = [n for n in numbers if n not in found]
        if unknown:
            self.add_error(
                "numbers",
                _("These staff numbers are not staff you may record: %(numbers)s") % {"numbers": "、".join(unknown)},
            )
        people = {user.pk: user for user in cleaned.get("people") or []}
        people.update({user.pk: user for user in found.values()})
        if not people and not self.errors:
            raise forms.ValidationError(_("Pick at least one person or paste their staff numbers."))
        cleaned["attendees"] = list(people.values())
        return cleaned


class AttendeeFilterForm(forms.Form):
    post = forms.ChoiceField(label=_("Post"), required=False, choices=[("", _("All posts")), *ATTENDEE_POSTS])
    college = forms.ModelChoiceField(label=_("College"), required=False, queryset=None, empty_label=_("All colleges"))

    def __init__(self, *args, colleges, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["college"].queryset = colleges
        _bootstrap(self)


class CertificateForm(forms.Form):
    certificate_number = forms.CharField(label=_("Certificate number"), max_length=64, required=False)
    file = forms.FileField(label=_("Scanned certificate (PDF, JPEG or PNG, at most 5 MB)"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.content_type = None
        _bootstrap(self)

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload:
            self.content_type = certificate_kind(upload)
        return upload


class ReportForm(CertificateForm):
    """A staff member reports an external training they attended, for 学工部 to confirm."""

    topic = forms.CharField(label=_("Topic"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices)
    organiser = forms.CharField(label=pgettext_lazy("training", "Organiser"), max_length=120)
    place = forms.CharField(label=_("Place"), max_length=120, required=False)
    starts_on = forms.DateField(
        label=pgettext_lazy("training", "First day"), widget=forms.DateInput(attrs={"type": "date"})
    )
    ends_on = forms.DateField(label=_("Last day"), widget=forms.DateInput(attrs={"type": "date"}))
    hours = forms.DecimalField(label=_("Hours"), max_digits=5, decimal_places=1)

    field_order = ["topic", "kind", "organiser", "place", "starts_on", "ends_on", "hours", "certificate_number",
                   "file"]  # fmt: skip

    def __init__(self, *args, today: dt.date, **kwargs):
        self.today = today
        super().__init__(*args, **kwargs)
        _bootstrap(self)

    def clean_hours(self):
        hours = self.cleaned_data["hours"]
        if not Decimal(0) < hours <= MAX_HOURS:
            raise forms.ValidationError(_("Hours must be more than 0 and at most 500."))
        return hours

    def clean(self):
        cleaned = super().clean()
        starts, ends = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("The last day is before the first day."))
        if starts and starts > self.today:
            self.add_error("starts_on", _("Report a training after it has taken place."))
        return cleaned


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("confirm", "confirm"), ("decline", "decline")])
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "decline" and not cleaned.get("reason"):
            self.add_error("reason", _("Say why the training is not confirmed."))
        return cleaned
