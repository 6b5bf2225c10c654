"""Keeping the network: granting posts, ending them, and confirming or refusing grants (DESIGN.md §9).

学工部 and the colleges' 学工办 fill the coverage gaps shown on the network page here; the centre's
supervisor and the leading group's head and deputy confirm the grants that need a second person. The rules
are in `xinyu.grants.rules`; the writes in `xinyu.org.services`.
"""

import datetime as dt

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xinyu.common.access import requires
from xinyu.grants import posts as grant_services
from xinyu.grants import rules as grant_rules
from xinyu.grants.forms import AppointForm, EndForm, RefuseForm
from xinyu.org.access_log import client_address
from xinyu.org.models import Appointment, Post

PAGE_SIZE = 50
RECENT_DAYS = 30  # decisions shown on the grants page
RELATED = ("person", "granted_by", "decided_by", "school", "department", "college__school", "class_group__college",
           "dorm_room")  # fmt: skip


@requires(grant_rules.may_use_post_pages, "posts")
def posts(request):
    """The posts the viewer may end: current and future ones, newest first, with search."""
    today = timezone.localdate()
    rows = (
        grant_rules.manageable_appointments(request.user)
        .filter(status=Appointment.Status.ACTIVE)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gt=today))
        .select_related(*RELATED)
        .order_by("post", "person__username", "pk")
    )
    query = (request.GET.get("q") or "").strip()
    if query:
        rows = rows.filter(Q(person__username__startswith=query) | Q(person__full_name__contains=query))
    post = request.GET.get("post") or ""
    if post in Post.values:
        rows = rows.filter(post=post)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    for appointment in page:
        appointment.may_end = grant_rules.end_authority(request.user, appointment) is not None
    context = {
        "page": page,
        "params": request.GET,
        "posts": [(value, Post(value).label) for value in Post.values],
        "may_grant": grant_rules.may_manage_posts(request.user),
        "pending_count": len(_pending_for(request.user)),
    }
    return render(request, "grants/posts.html", context)


@requires(grant_rules.may_manage_posts, "grant_posts")
def appoint(request):
    form = AppointForm(request.POST or None, by=request.user, initial=_initial(request.GET))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            appointment = grant_services.grant_post(
                data["person"], data["post"], data["place_object"], by=request.user, starts_on=data["starts_on"],
                ends_on=data["ends_on"], note=data["note"], address=client_address(request),
            )  # fmt: skip
        except grant_services.GrantError as error:
            form.add_error(None, str(error))
        else:
            if appointment.status == Appointment.Status.PENDING:
                messages.info(request, _("The grant is saved and waits for a second person's confirmation."))
            else:
                messages.success(request, _("The post is granted."))
            return redirect("grants:posts")
    template = "grants/appoint.html#form" if request.htmx else "grants/appoint.html"
    return render(request, template, {"form": form})


def _initial(params) -> dict:
    return {name: params[name] for name in ("post", "place", "person") if params.get(name)}


@require_POST
@requires(grant_rules.may_use_post_pages, "posts")
def end_post(request, pk):
    appointment = get_object_or_404(grant_rules.manageable_appointments(request.user).select_related(*RELATED), pk=pk)
    form = EndForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the post ends."))
        return redirect("grants:posts")
    try:
        grant_services.end_post(
            appointment, by=request.user, on=form.cleaned_data["on"], reason=form.cleaned_data["reason"],
            address=client_address(request),
        )  # fmt: skip
    except grant_services.GrantError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The post of %(name)s ends.") % {"name": appointment.person.full_name})
    return redirect("grants:posts")


def _pending_for(user) -> list[Appointment]:
    pending = Appointment.objects.pending().select_related(*RELATED).order_by("granted_at", "pk")
    return [appointment for appointment in pending if grant_rules.confirm_authority(user, appointment)]


@requires(grant_rules.may_use_post_pages, "posts")
def grants(request):
    """Grants waiting for the viewer's confirmation, the viewer's own grants waiting for others, and the
    recent decisions over the posts they manage."""
    mine = Appointment.objects.pending().filter(granted_by=request.user).select_related(*RELATED)
    since = timezone.now() - dt.timedelta(days=RECENT_DAYS)
    decided = (
        grant_rules.manageable_appointments(request.user)
        .filter(decided_at__gte=since)
        .select_related(*RELATED)
        .order_by("-decided_at")[:50]
    )
    context = {"waiting": _pending_for(request.user), "mine": list(mine), "decided": decided, "refuse": RefuseForm()}
    return render(request, "grants/grants.html", context)


@require_POST
@requires(grant_rules.may_use_post_pages, "posts")
def grant_decision(request, pk, decision):
    appointment = grant_rules.get_grant_to_decide_for_user(request.user, pk, RELATED)
    address = client_address(request)
    try:
        match decision:
            case "confirm":
                grant_services.confirm_grant(appointment, by=request.user, address=address)
                messages.success(request, _("The grant is confirmed."))
            case "refuse":
                form = RefuseForm(request.POST)
                if not form.is_valid():
                    raise grant_services.GrantError(_("Say why the grant is refused."))
                grant_services.refuse_grant(
                    appointment, by=request.user, reason=form.cleaned_data["reason"], address=address
                )
                messages.success(request, _("The grant is refused."))
            case "withdraw":
                grant_services.withdraw_grant(appointment, by=request.user, address=address)
                messages.success(request, _("The grant is withdrawn."))
            case _:
                raise Http404
    except grant_services.GrantError as error:
        messages.error(request, str(error))
    return redirect("grants:grants")
