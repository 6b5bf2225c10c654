"""The centre's pages of the access log: every entry, filtered by student, person, action and dates."""

import datetime as dt

from django import forms
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xinyu.audit.models import AuditEntry
from xinyu.common.access import requires
from xinyu.org import scope

LOG_PAGE = 100
BAD_DATE = _("Enter the date as year-month-day, e.g. 2026-03-02.")


class LogFilterForm(forms.Form):
    student = forms.CharField(label=_("Student"), required=False, max_length=64)
    person = forms.CharField(label=_("Person"), required=False, max_length=150)
    action = forms.ChoiceField(
        label=_("Action"), required=False, choices=[("", _("Every action")), *AuditEntry.Action.choices]
    )
    since = forms.DateField(label=_("From"), required=False, input_formats=["%Y-%m-%d"],
                            error_messages={"invalid": BAD_DATE})  # fmt: skip
    until = forms.DateField(label=_("To"), required=False, input_formats=["%Y-%m-%d"],
                            error_messages={"invalid": BAD_DATE})  # fmt: skip

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["until"] < data["since"]:
            self.add_error("until", _("The end date is before the start date."))
        return data


def _ids_with(link: str, field: str, value: str):
    """The ids of the rows a link of the log points to (users, students) whose `field` is `value`: the log's
    own number copies may predate a correction, its ids do not change."""
    model = AuditEntry._meta.get_field(link).related_model
    return model._base_manager.filter(**{field: value}).values("pk")


def filtered_entries(user, data: dict):
    """Entries about a student (by 学号 or name) or by a person (by 工号/学号 or name): both the copied
    number and the id match, and both are covered by the chain; a name matches the person's name as the
    entry copied it, or the student's name now. `data` is a valid LogFilterForm's cleaned data."""
    entries = scope.audit_entries_for(user).select_related("student").order_by("-id")
    if student := (data.get("student") or "").strip():
        entries = entries.filter(
            Q(student_number=student)
            | Q(student_id__in=_ids_with("student", "student_number", student))
            | Q(student_id__in=_ids_with("student", "name", student))
        )
    if person := (data.get("person") or "").strip():
        entries = entries.filter(
            Q(actor_username=person) | Q(actor_id__in=_ids_with("actor", "username", person)) | Q(actor_name=person)
        )
    if action := data.get("action"):
        entries = entries.filter(action=action)
    tz = timezone.get_current_timezone()
    if since := data.get("since"):
        entries = entries.filter(at__gte=dt.datetime.combine(since, dt.time.min, tzinfo=tz))
    if until := data.get("until"):
        entries = entries.filter(at__lt=dt.datetime.combine(until + dt.timedelta(days=1), dt.time.min, tzinfo=tz))
    return entries


@requires(scope.may_browse_audit_log, "centre")
def log(request):
    """A filter that does not read (a date not a date, an end before the start) says so and lists nothing,
    rather than quietly listing everything."""
    form = LogFilterForm(request.GET)
    entries = filtered_entries(request.user, form.cleaned_data) if form.is_valid() else AuditEntry.objects.none()
    page = Paginator(entries, LOG_PAGE).get_page(request.GET.get("page"))
    return render(request, "privacy/log.html", {"page": page, "params": request.GET, "form": form})
