"""Forms of the reporting side: the concern report, its triage, and the duty roster."""

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xinyu.accounts.models import User
from xinyu.care.models import CheckIn
from xinyu.concerns.models import ConcernReport
from xinyu.concerns.services import reports
from xinyu.org import scope
from xinyu.org.models import Appointment, Post
from xinyu.policy.errors import DomainError

LOCAL_MINUTES = "%Y-%m-%dT%H:%M"
LEADING_GROUP_POSTS = (Post.LEADING_GROUP_HEAD, Post.LEADING_GROUP_DEPUTY, Post.LEADING_GROUP_MEMBER)


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs={"class": "form-control", **(attrs or {})}, format=LOCAL_MINUTES)


def now_to_the_minute() -> dt.datetime:
    return timezone.localtime().replace(second=0, microsecond=0)


class ReportForm(forms.Form):
    """About whom (myself, a name from my list, or anyone by 学号 + name), what, how urgent, when, where.

    `who` is "self", the pk of a student from the reporter's picker, or "other" (学号 + name typed in).
    """

    SELF, OTHER = "self", "other"

    who = forms.CharField(required=False)
    student_number = forms.CharField(label=_("Student number"), required=False, max_length=32)
    student_name = forms.CharField(label=_("Name"), required=False, max_length=64)
    category = forms.ChoiceField(
        label=_("What kind of concern"), choices=ConcernReport.Category.choices, widget=forms.RadioSelect
    )
    urgency = forms.ChoiceField(
        label=_("How urgent"), choices=ConcernReport.Urgency.choices, required=False, widget=forms.RadioSelect
    )
    description = forms.CharField(
        label=_("What happened"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4, "class": "form-control"}),
    )
    observed_at = forms.DateTimeField(label=_("When"), required=False, widget=LocalDateTimeInput())
    place = forms.CharField(
        label=_("Where"), required=False, max_length=200, widget=forms.TextInput(attrs={"class": "form-control"})
    )

    def __init__(self, *args, reporter, picker, address=None, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("observed_at", now_to_the_minute())
        super().__init__(*args, **kwargs)
        self.reporter, self.picker, self.address = reporter, picker, address
        self.own_student = scope.own_student(reporter) if reporter.is_student else None
        self.student = None

    def clean_urgency(self):
        return self.cleaned_data.get("urgency") or ""

    def clean(self):
        cleaned = super().clean()
        who = (cleaned.get("who") or "").strip()
        number, name = cleaned.get("student_number", ""), cleaned.get("student_name", "")
        if number or name:
            # Typing a 学号 and name is more deliberate than a name tapped earlier: the typed one wins.
            who = self.OTHER
        if who == self.SELF:
            if self.own_student is None:
                self.add_error("who", _("Only a student can report about themselves here."))
            self.student = self.own_student
        elif who == self.OTHER:
            try:
                self.student = reports.find_student_for_report(
                    reports.reporter_school(self.reporter), number, name, reporter=self.reporter, address=self.address
                )
            except DomainError as error:
                self.add_error("student_number", str(error))
        elif who.isdigit():
            self.student = self.picker.filter(pk=int(who)).first()
            if self.student is None:
                self.add_error("who", _("Please choose a student from your list."))
        else:
            self.add_error("who", _("Please say whom the report is about."))
        # Urgent is pre-selected for self-harm; a reporter who chose nothing gets the same.
        if not cleaned.get("urgency"):
            self_harm = cleaned.get("category") == ConcernReport.Category.SELF_HARM
            cleaned["urgency"] = ConcernReport.Urgency.URGENT if self_harm else ConcernReport.Urgency.NORMAL
        return cleaned


class TriageForm(forms.Form):
    """Triage: "no crisis" (a note, optionally an interview date) or "crisis at level A/B/C/D" (a reason)."""

    NO_CRISIS = "none"

    outcome = forms.ChoiceField(
        choices=[(NO_CRISIS, _("No crisis")), ("A", "A"), ("B", "B"), ("C", "C"), ("D", "D")],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))
    reason = forms.CharField(
        label=_("Reason for the level"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    interview_on = forms.DateField(
        label=_("Interview on (optional)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d"),
    )

    @property
    def crisis_level(self) -> str | None:
        outcome = self.cleaned_data["outcome"]
        return None if outcome == self.NO_CRISIS else outcome


class DutyShiftForm(forms.Form):
    """A shift on the duty roster: the person by 工号 (the school's leading group offered first)."""

    person = forms.CharField(
        label=_("Duty leader (staff number)"),
        max_length=32,
        widget=forms.TextInput(attrs={"class": "form-control", "list": "duty-people", "autocomplete": "off"}),
    )
    starts_at = forms.DateTimeField(label=pgettext_lazy("a time", "From"), widget=LocalDateTimeInput())
    ends_at = forms.DateTimeField(label=pgettext_lazy("a time", "Until"), widget=LocalDateTimeInput())
    phone = forms.CharField(
        label=_("Duty phone"),
        required=False,
        max_length=32,
        widget=forms.TextInput(attrs={"class": "form-control", "inputmode": "tel"}),
    )

    def clean_person(self):
        number = reports.normalise_typed(self.cleaned_data["person"])
        person = User.objects.filter(username=number, kind=User.Kind.STAFF, is_active=True).first()
        if person is None:
            raise forms.ValidationError(_("No active staff member has this staff number."))
        return person

    @staticmethod
    def suggested_people():
        """The school's leading group, offered in the person field's list."""
        return (
            User.objects.filter(appointments__in=Appointment.objects.current().filter(post__in=LEADING_GROUP_POSTS))
            .distinct()
            .order_by("username")
        )


class CheckInForm(forms.Form):
    status = forms.ChoiceField(
        label=_("How are they?"),
        choices=CheckIn.Status.choices,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"class": "form-control", "rows": 2})
    )
