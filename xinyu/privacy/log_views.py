"""The centre's pages of the access log: every entry, filtered by student, person and dates."""

import datetime as dt

from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import render
from django.utils import timezone

from xinyu.audit.models import AuditEntry
from xinyu.common.access import requires
from xinyu.org import scope


def _parse_day(raw: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def _ids_with(link: str, field: str, value: str):
    """The ids of the rows a link of the log points to (users, students) whose `field` is `value`: the log's
    own number copies may predate a correction, its ids do not change."""
    model = AuditEntry._meta.get_field(link).related_model
    return model._base_manager.filter(**{field: value}).values("pk")


def filtered_entries(user, params):
    """Entries about a student (by 学号) or by a person (by 工号/学号): both the copied number and the id
    match, and both are covered by the chain."""
    entries = scope.audit_entries_for(user).order_by("-seq")
    if student := (params.get("student") or "").strip():
        entries = entries.filter(
            Q(student_number=student) | Q(student_id__in=_ids_with("student", "student_number", student))
        )
    if person := (params.get("person") or "").strip():
        entries = entries.filter(Q(actor_username=person) | Q(actor_id__in=_ids_with("actor", "username", person)))
    tz = timezone.get_current_timezone()
    if since := _parse_day(params.get("since")):
        entries = entries.filter(at__gte=dt.datetime.combine(since, dt.time.min, tzinfo=tz))
    if until := _parse_day(params.get("until")):
        entries = entries.filter(at__lt=dt.datetime.combine(until + dt.timedelta(days=1), dt.time.min, tzinfo=tz))
    return entries


@requires(scope.may_browse_audit_log, "centre")
def log(request):
    page = Paginator(filtered_entries(request.user, request.GET), 100).get_page(request.GET.get("page"))
    return render(request, "privacy/log.html", {"page": page, "params": request.GET})
