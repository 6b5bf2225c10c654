"""Campaigns for the centre; sittings for a class's head teacher or advisor."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xinyu.common.access import requires, staff_only
from xinyu.common.params import id_param
from xinyu.org.access_log import client_address
from xinyu.screening import scope
from xinyu.screening.campaigns import close_campaign, create_campaign, editable_fields, update_campaign
from xinyu.screening.forms import CampaignEditForm, CampaignForm, CloseCampaignForm
from xinyu.screening.models import Campaign, Participation, Sitting
from xinyu.screening.sittings import EntryError, entry_link_qr_svg, open_sitting


@requires(scope.may_list_campaigns, "campaigns")
def campaign_list(request):
    campaigns = scope.campaigns_for(request.user).order_by("-opens_at")
    context = {
        "campaigns": campaigns,
        "may_create": scope.may_manage_campaigns(request.user),
        "sees_results": scope.may_view_screening_results(request.user),
    }
    return render(request, "screening/campaign_list.html", context)


@requires(scope.may_manage_campaigns, "campaigns")
def campaign_new(request):
    school = scope.centre_school(request.user)
    form = CampaignForm(request.POST or None, school=school)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            campaign = create_campaign(school=school, by=request.user, **data)
        except ValidationError as refused:
            form.add_error(None, refused)
        else:
            return redirect("screening:completion", campaign.pk)
    return render(request, "screening/campaign_new.html", {"form": form})


def _state(campaign) -> str:
    if not campaign.has_opened():
        return "draft"
    return "open" if not campaign.has_closed() else "closed"


@requires(scope.may_manage_campaigns, "campaigns")
def campaign_edit(request, pk):
    """Before it opens everything; while open the close time (later only), resources and reminder text;
    after closing the resources. Every change is audited (in the service)."""
    campaign = scope.get_managed_campaign_for_user(request.user, pk)
    editable = editable_fields(campaign)
    form = CampaignEditForm(request.POST or None, campaign=campaign, editable=editable)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                changed = update_campaign(campaign, by=request.user, address=client_address(request), **form.changes())
            except ValidationError as refused:
                form.add_error(None, refused)
            else:
                if changed:
                    messages.success(request, _("The campaign is saved."))
                else:
                    messages.info(request, _("Nothing was changed."))
                return redirect("screening:campaign_edit", campaign.pk)
        status = 400
    context = {"campaign": campaign, "form": form, "state": _state(campaign)}
    return render(request, "screening/campaign_edit.html", context, status=status)


@requires(scope.may_manage_campaigns, "campaigns")
def campaign_close(request, pk):
    """“Close now”, after a confirmation."""
    campaign = scope.get_managed_campaign_for_user(request.user, pk)
    form = CloseCampaignForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                close_campaign(campaign, by=request.user, address=client_address(request))
            except ValidationError as refused:
                form.add_error(None, refused)
            else:
                messages.success(request, _("The campaign is closed."))
                return redirect("screening:campaign_edit", campaign.pk)
        status = 400
    context = {"campaign": campaign, "form": form, "state": _state(campaign)}
    return render(request, "screening/campaign_close.html", context, status=status)


@staff_only
def sitting_list(request):
    """A head teacher's or advisor's classes and the open campaigns they can hold a sitting for."""
    now = timezone.now()
    groups = list(scope.sitting_class_groups_for(request.user).select_related("college"))
    rows = []
    for group in groups:
        campaigns = Campaign.objects.filter(
            participations__student__class_group=group, opens_at__lte=now, closes_at__gt=now
        ).distinct()
        sittings = Sitting.objects.filter(class_group=group, closes_at__gt=now).select_related("campaign")
        rows.append({"class_group": group, "campaigns": campaigns, "sittings": sittings})
    return render(request, "screening/sitting_list.html", {"rows": rows})


@staff_only
@require_POST
def sitting_open(request):
    group = scope.get_sitting_class_group_for_user(request.user, id_param(request.POST.get("class_group")) or 0)
    campaign = get_object_or_404(Campaign, pk=id_param(request.POST.get("campaign")) or 0)
    try:
        sitting = open_sitting(campaign, group, request.user)
    except EntryError:
        return redirect("screening:sitting_list")
    return redirect("screening:sitting_detail", sitting.pk)


@staff_only
def sitting_detail(request, pk):
    """The code big on the screen, the link students open, and the live counts (htmx poll)."""
    sitting = scope.get_sitting_for_user(request.user, pk)
    participations = Participation.objects.filter(campaign=sitting.campaign, student__class_group=sitting.class_group)
    link = request.build_absolute_uri(reverse("screening:enter") + f"?code={sitting.code}")
    # segno's own markup of our own URL (the counts poll needs no QR code).
    qr = "" if request.GET.get("part") == "counts" else mark_safe(entry_link_qr_svg(link))  # noqa: S308
    context = {
        "sitting": sitting,
        "link": link,
        "qr": qr,
        "class_size": participations.count(),
        "entered": participations.filter(sitting=sitting).count(),
        "submitted": participations.filter(status=Participation.Status.SUBMITTED).count(),
        "is_open": sitting.closes_at > timezone.now(),
    }
    template = "screening/sitting_detail.html"
    if request.GET.get("part") == "counts":
        template += "#counts"
    return render(request, template, context)


@staff_only
def sitting_print(request, pk):
    """A printable sheet: the code, the QR code and the address, to hand out or pin up."""
    sitting = scope.get_sitting_for_user(request.user, pk)
    link = request.build_absolute_uri(reverse("screening:enter") + f"?code={sitting.code}")
    context = {"sitting": sitting, "link": link, "qr": mark_safe(entry_link_qr_svg(link))}  # noqa: S308
    return render(request, "screening/sitting_print.html", context)
