"""The training pages (第七条(八), 第十五条). Every staff member: their own training and qualification, and
reporting an external training. 学工部 and the centre: the school's training events and everyone's record;
a college's working group: its college-level training; a college's leaders: their college's staff
(`xinyu.training.scope`). Everyone else gets 404. No page names a student."""

import datetime as dt

from django.contrib import messages
from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from xinyu.audit.models import AuditEntry
from xinyu.common.access import requires, staff_only
from xinyu.compliance.models import Qualification
from xinyu.org.access_log import Event, client_address, record_request
from xinyu.org.models import Appointment, Post
from xinyu.policy.loader import policy_in_force
from xinyu.training import scope, services, workload
from xinyu.training.forms import (
    AttendanceForm,
    AttendeeFilterForm,
    CertificateForm,
    DecisionForm,
    EventForm,
    ReportForm,
)
from xinyu.training.models import Attendance, TrainingEvent

keep_view = requires(scope.may_keep, "training_keep")
oversee_view = requires(scope.may_oversee, "training_oversee")
confirm_view = requires(scope.may_confirm, "training_confirm")

FIRST_YEAR, LAST_YEAR = 2000, 2100
WARNING = dt.timedelta(days=workload.QUALIFICATION_WARNING_DAYS)


def _year(request) -> int:
    try:
        year = int(request.GET.get("year") or 0)
    except ValueError:
        year = 0
    return year if FIRST_YEAR <= year <= LAST_YEAR else timezone.localdate().year


def _render(request, template: str, context: dict, status: int = 200):
    user = request.user
    context["perms_training"] = {
        "oversee": scope.may_oversee(user), "keep": scope.may_keep(user), "confirm": scope.may_confirm(user),
    }  # fmt: skip
    return render(request, template, context, status=status)


def _years():
    this = timezone.localdate().year
    return range(this, this - 6, -1)


def _record_page(request, person, *, own: bool):
    year = _year(request)
    today = timezone.localdate()
    start, end = workload.year_bounds(year)
    attendances = (
        Attendance.objects.filter(person=person, event__starts_on__gte=start, event__starts_on__lt=end)
        .select_related("event", "event__trainer", "certificate_file")
        .order_by("event__starts_on", "pk")
    )
    given = TrainingEvent.objects.filter(trainer=person, reported=False, starts_on__gte=start, starts_on__lt=end)
    posts = {a.post for a in Appointment.objects.current(today).filter(person=person)}
    qualification = Qualification.objects.filter(person=person).first()
    expires = qualification.certificate_expires_on if qualification else None
    return _render(
        request,
        "training/record.html",
        {
            "person": person,
            "own": own,
            "year": year,
            "years": _years(),
            "attendances": attendances,
            "given": given,
            "hours": workload.hours_of(person, year),
            "minimum": policy_in_force(today).workforce.minimum_hours(posts),
            "posts": [Post(post).label for post in sorted(posts)],
            "qualification": qualification,
            "expired": expires is not None and expires < today,
            "expiring": expires is not None and today <= expires <= today + WARNING,
            "may_read_certificates": own or scope.may_read_certificate(request.user, Attendance(person=person)),
        },
    )


@staff_only
@require_GET
def mine(request):
    return _record_page(request, request.user, own=True)


@oversee_view
@require_GET
def person(request, pk):
    who = scope.get_person_for_user(request.user, pk)
    return _record_page(request, who, own=who.pk == request.user.pk)


@oversee_view
@require_GET
def overview(request):
    """Staff short of their yearly minimum, per college and per post, and certificates expiring soon."""
    year = _year(request)
    today = timezone.localdate()
    people = scope.people_for(request.user)
    rows = workload.standings(year, people, today)
    short = [row for row in rows if row.short]
    by_college: dict[str, list] = {}
    for row in short:
        for name in [college.name for college in row.colleges] or [_("School level")]:
            by_college.setdefault(name, []).append(row)
    by_post = []
    for post, label in Post.choices:
        holders = [row for row in rows if post in row.posts]
        if holders:
            by_post.append((label, len(holders), sum(1 for row in holders if row.short)))
    people_ids = set(people.values_list("pk", flat=True))
    expiring = [q for q in workload.expiring_qualifications(today) if q.person_id in people_ids]
    return _render(
        request,
        "training/overview.html",
        {
            "year": year,
            "years": _years(),
            "rows": rows,
            "short": short,
            "by_college": sorted(by_college.items()),
            "by_post": by_post,
            "expiring": expiring,
            "today": today,
            "may_keep": scope.may_keep(request.user),
        },
    )


@keep_view
@require_GET
def events(request):
    year = _year(request)
    start, end = workload.year_bounds(year)
    listed = (
        scope.events_for(request.user)
        .filter(starts_on__gte=start, starts_on__lt=end)
        .select_related("trainer", "college")
        .annotate(attendees=Count("attendances", filter=Q(attendances__status=Attendance.Status.CONFIRMED)))
    )
    return _render(request, "training/events.html", {"events": listed, "year": year, "years": _years()})


def _event_form(request, event=None):
    user = request.user
    school_level = bool(scope.school_keeper_schools(user))
    return EventForm(
        request.POST or None, instance=event, trainers=scope.people_to_attend(user),
        colleges=scope.keeper_colleges(user), school_level=school_level,
    )  # fmt: skip


@keep_view
@require_http_methods(["GET", "POST"])
def event_edit(request, pk=None):
    event = scope.get_event_for_user(request.user, pk) if pk is not None else None
    if event is not None and event.reported:
        raise Http404  # a reported training is confirmed or declined, not edited
    form = _event_form(request, event)
    if request.method == "POST" and form.is_valid():
        school_id = event.school_id if event else scope.keeper_school_id(request.user)
        saved = services.save_event(form, school_id=school_id, by=request.user, address=client_address(request))
        messages.success(request, _("The training is saved."))
        return redirect("training:event", saved.pk)
    return _render(request, "training/event_form.html", {"form": form, "event": event})


def _event_page(request, event, *, form=None, status=200):
    filters = AttendeeFilterForm(request.GET or None, colleges=scope.keeper_colleges(request.user))
    listed = scope.people_to_attend(request.user)
    if filters.is_valid():
        rows = Appointment.objects.current()
        if filters.cleaned_data.get("post"):
            rows = rows.filter(post=filters.cleaned_data["post"])
        if filters.cleaned_data.get("college"):
            rows = rows.filter(scope.staff_in_colleges([filters.cleaned_data["college"].pk]))
        listed = listed.filter(pk__in=rows.values("person_id"))
    listed = listed.exclude(trainings__event=event).order_by("full_name", "username")
    form = form or AttendanceForm(candidates=scope.people_to_attend(request.user), listed=listed)
    attendances = event.attendances.select_related("person", "certificate_file").order_by("person__full_name")
    return _render(
        request,
        "training/event.html",
        {"event": event, "attendances": attendances, "form": form, "filters": filters},
        status=status,
    )


@keep_view
@require_GET
def event(request, pk):
    return _event_page(request, scope.get_event_for_user(request.user, pk))


@keep_view
@require_POST
def attendance_add(request, pk):
    event = scope.get_event_for_user(request.user, pk)
    if event.reported:
        raise Http404
    candidates = scope.people_to_attend(request.user)
    form = AttendanceForm(request.POST, candidates=candidates, listed=candidates)
    if not form.is_valid():
        return _event_page(request, event, form=form, status=400)
    added, already = services.add_attendances(
        event, form.cleaned_data["attendees"], hours=form.cleaned_data["hours"], by=request.user,
        address=client_address(request),
    )  # fmt: skip
    messages.success(request, _("%(added)s attendees added (%(already)s already recorded).") % {
        "added": added, "already": already})  # fmt: skip
    return redirect("training:event", event.pk)


def _attendance_for_keeper(user, pk) -> Attendance:
    try:
        return Attendance.objects.select_related("event", "person").get(pk=pk, event__in=scope.events_for(user))
    except (Attendance.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


@keep_view
@require_POST
def attendance_remove(request, pk):
    attendance = _attendance_for_keeper(request.user, pk)
    if attendance.event.reported:
        raise Http404
    event_id = attendance.event_id
    services.remove_attendance(attendance, by=request.user, address=client_address(request))
    messages.success(request, _("The attendee is removed."))
    return redirect("training:event", event_id)


@keep_view
@require_http_methods(["GET", "POST"])
def attendance_certificate(request, pk):
    attendance = _attendance_for_keeper(request.user, pk)
    form = CertificateForm(
        request.POST or None, request.FILES or None, initial={"certificate_number": attendance.certificate_number}
    )
    if request.method == "POST" and form.is_valid():
        services.save_certificate(attendance, form, by=request.user, address=client_address(request))
        messages.success(request, _("The certificate is saved."))
        return redirect("training:event", attendance.event_id)
    return _render(request, "training/certificate_form.html", {"form": form, "attendance": attendance})


@staff_only
@require_GET
def certificate(request, pk):
    """The scanned certificate: to its person, 学工部 and the centre; 404 to anyone else."""
    try:
        attendance = Attendance.objects.select_related("certificate_file", "person").get(pk=pk)
        document = attendance.certificate_file
    except (Attendance.DoesNotExist, Attendance.certificate_file.RelatedObjectDoesNotExist):
        raise Http404 from None
    if not scope.may_read_certificate(request.user, attendance):
        raise Http404
    with transaction.atomic():
        record_request(
            request,
            Event(AuditEntry.Action.VIEW, "training.certificate", detail={"person": attendance.person.username}),
        )
    response = HttpResponse(bytes(document.content), content_type=document.content_type)
    response["Content-Disposition"] = content_disposition_header(True, document.file_name)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@staff_only
@require_http_methods(["GET", "POST"])
def report(request):
    form = ReportForm(request.POST or None, request.FILES or None, today=timezone.localdate())
    if request.method == "POST" and form.is_valid():
        try:
            services.report_training(form, person=request.user, address=client_address(request))
        except services.TrainingError as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, _("Your training is reported; 学工部 will confirm it."))
            return redirect("training:mine")
    return _render(request, "training/report_form.html", {"form": form})


def _pending(user):
    return (
        Attendance.objects.filter(status=Attendance.Status.PENDING, event__school_id__in=scope.confirm_schools(user))
        .select_related("event", "person", "certificate_file")
        .order_by("event__starts_on", "pk")
    )


@confirm_view
@require_GET
def pending(request):
    return _render(request, "training/pending.html", {"pending": _pending(request.user)})


@confirm_view
@require_POST
def decide(request, pk):
    try:
        attendance = _pending(request.user).get(pk=pk)
    except (Attendance.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    form = DecisionForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("training:pending")
    try:
        services.decide_report(
            attendance, confirm=form.cleaned_data["decision"] == "confirm", reason=form.cleaned_data["reason"],
            by=request.user, address=client_address(request),
        )  # fmt: skip
    except services.TrainingError as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, _("The decision is saved."))
    return redirect(reverse("training:pending"))
