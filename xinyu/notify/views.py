"""The in-app inbox: a person's own notifications, and the unread badge in the navbar.

Notifications say what kind of item waits, never who the student is, so reading them is not a read of
student data; the item behind the link is authorised and audited by its own page. Each is shown as its
reader may be told about it now (`as_told_now`): no longer holding its tier, they see only that something
needed them, and no link.
"""

from django import forms
from django.core.paginator import Paginator
from django.db.models import Case, Count, Q, Value, When
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from xinyu.common.access import signed_in
from xinyu.notify.services import (
    as_told_now,
    get_notification_for_user,
    mark_all_read,
    mark_read,
    notifications_for,
)

PAGE_SIZE = 50

# The unread and urgent first, then the unread, then the rest; newest first within each.
FIRST = Case(
    When(read_at__isnull=True, urgent=True, then=Value(0)), When(read_at__isnull=True, then=Value(1)), default=Value(2)
)


class InboxFilter(forms.Form):
    unread = forms.BooleanField(label=_("Unread only"), required=False)
    urgent = forms.BooleanField(label=_("Urgent only"), required=False)


@signed_in
def inbox(request):
    everything = notifications_for(request.user)
    counts = everything.aggregate(
        total=Count("pk"),
        unread=Count("pk", filter=Q(read_at__isnull=True)),
        urgent=Count("pk", filter=Q(read_at__isnull=True, urgent=True)),
    )
    form = InboxFilter(request.GET)
    shown = everything
    if form.is_valid():
        if form.cleaned_data["unread"]:
            shown = shown.filter(read_at__isnull=True)
        if form.cleaned_data["urgent"]:
            shown = shown.filter(urgent=True)
    page = Paginator(shown.order_by(FIRST, "-created_at", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"page": page, "items": as_told_now(request.user, page), "counts": counts, "form": form,
               "query": query.urlencode()}  # fmt: skip
    return render(request, "notify/inbox.html", context)


@signed_in
def badge(request):
    """The navbar's unread count, polled by htmx."""
    return render(request, "notify/badge.html")


@signed_in
@require_POST
def open_notification(request, pk):
    """Marks the notification read and goes to its item (a path inside Xinyu; otherwise the inbox)."""
    notification = get_notification_for_user(request.user, pk)
    mark_read(notification)
    (notification,) = as_told_now(request.user, [notification])
    link = notification.link
    if link.startswith("/") and url_has_allowed_host_and_scheme(link, allowed_hosts=None):
        return redirect(link)
    return redirect("notify:inbox")


@signed_in
@require_POST
def read_all(request):
    mark_all_read(request.user)
    return redirect("notify:inbox")
