"""Completion of a campaign for those responsible: who has not answered yet, by name only, never results."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xinyu.common.access import staff_only
from xinyu.org.access_log import client_address
from xinyu.screening import scope
from xinyu.screening.campaigns import (
    ReminderRefused,
    completion_by_class,
    completion_by_college,
    next_reminder_at,
    remind,
)
from xinyu.screening.models import Campaign, Reminder
from xinyu.screening.views.results import chosen_college


def _groups(user, campaign):
    groups = scope.completion_class_groups_for(user, campaign)
    if not groups.exists():
        raise Http404
    return groups


@staff_only
def completion(request, pk):
    """One row per college (classes, students, answered), and a college's classes with the names of those
    who have not answered on asking (the centre sees the school, a college's working group its college,
    head teacher and advisor their class: they go straight to it)."""
    campaign = get_object_or_404(Campaign, pk=pk)
    groups = _groups(request.user, campaign).distinct()
    colleges = completion_by_college(campaign, groups)
    college_id = chosen_college(request, [row["pk"] for row in colleges])
    rows = completion_by_class(campaign, groups.filter(college_id=college_id)) if college_id else []
    latest = {}
    if rows:
        reminders = Reminder.objects.filter(campaign=campaign, class_group__in=[row["class_group"] for row in rows])
        for reminder in reminders.order_by("sent_at"):
            latest[reminder.class_group_id] = reminder
    for row in rows:
        reminder = latest.get(row["class_group"].pk)
        row["last_reminder"] = reminder
        row["next_reminder_at"] = next_reminder_at(campaign, row["class_group"], reminder) if reminder else None
    return render(
        request,
        "screening/completion.html",
        {
            "campaign": campaign,
            "colleges": colleges,
            "college": next((row for row in colleges if row["pk"] == college_id), None),
            "several_colleges": len(colleges) > 1,
            "rows": rows,
            "reminded": request.GET.get("reminded"),
            "is_open": campaign.is_open(),
            "may_edit": scope.may_manage_campaigns(request.user),
        },
    )


@staff_only
@require_POST
def completion_remind(request, pk, class_group_id):
    """Remind the class's students who have not answered (and its head teacher and advisor), at most
    once every few hours per class."""
    campaign = get_object_or_404(Campaign, pk=pk)
    group = get_object_or_404(_groups(request.user, campaign).distinct(), pk=class_group_id)
    url = reverse("screening:completion", args=[campaign.pk])
    try:
        sent = remind(
            campaign,
            group,
            by=request.user,
            link=url,
            student_link=reverse("screening:my_campaigns"),
            address=client_address(request),
        )
    except ReminderRefused as refused:
        messages.warning(request, str(refused))
        return redirect(url + f"?college={group.college_id}")
    messages.success(request, _("Reminders sent: %(count)d") % {"count": sent})
    return redirect(url + f"?college={group.college_id}&reminded={sent}")
