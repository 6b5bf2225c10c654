"""Completion of a campaign for those responsible: who has not answered yet, by name only, never results."""

from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from xinyu.core.access import staff_only
from xinyu.org import scope
from xinyu.screening.campaigns import completion_by_class, remind
from xinyu.screening.models import Campaign


def _groups(user, campaign):
    groups = scope.completion_class_groups_for(user, campaign)
    if not groups.exists():
        raise Http404
    return groups


@staff_only
def completion(request, pk):
    """Per class: how many answered, and the names of those who have not (the centre sees the school,
    a college's working group its college, head teacher and advisor their class)."""
    campaign = get_object_or_404(Campaign, pk=pk)
    rows = completion_by_class(campaign, _groups(request.user, campaign).distinct())
    return render(
        request,
        "screening/completion.html",
        {"campaign": campaign, "rows": rows, "reminded": request.GET.get("reminded")},
    )


@staff_only
@require_POST
def completion_remind(request, pk, class_group_id):
    campaign = get_object_or_404(Campaign, pk=pk)
    group = get_object_or_404(_groups(request.user, campaign).distinct(), pk=class_group_id)
    sent = remind(
        campaign,
        group,
        link=reverse("screening:completion", args=[campaign.pk]),
        student_link=reverse("screening:my_campaigns"),
    )
    return redirect(reverse("screening:completion", args=[campaign.pk]) + f"?reminded={sent}")
