"""The work plan, activities and coverage pages. Thin: who may see what is in `scope`, the writes in `plans`
and `activities`. Plans and activities are T0; a class meeting's attendance list is T1 (logged)."""

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from xinyu.common.access import requires
from xinyu.common.params import id_param
from xinyu.education import activities as acts
from xinyu.education import plans, scope
from xinyu.education.forms import ActivityForm, PlanItemForm, PlanStartForm, term_choices
from xinyu.education.measures import class_meeting_coverage
from xinyu.education.models import Activity, ActivityPhoto, Level, Plan, PlanItem
from xinyu.org.access_log import Read, record_read
from xinyu.org.models import ClassGroup, College, School
from xinyu.org.scope import Tier
from xinyu.policy.terms import parse_term_code, term_of

plans_view = requires(scope.may_use_plans, "education_plans")
activities_view = requires(scope.may_use_activities, "education_activities")
record_view = requires(scope.may_record, "education_record")
coverage_view = requires(scope.may_see_coverage, "education_coverage")

LIST_LIMIT = 200


# Plans ---------------------------------------------------------------------------------------------------


def _place_label(school_id, college_id) -> str:
    if college_id is None:
        return _("%(school)s (school plan)") % {"school": School.objects.get(pk=school_id).name}
    return College.objects.get(pk=college_id).name


@plans_view
@require_http_methods(["GET", "POST"])
def plan_list(request):
    drafting = scope.plan_places_to_draft(request.user)
    choices = [(f"{school}-{college or ''}", _place_label(school, college)) for school, college in drafting]
    form = PlanStartForm(request.POST or None, places=choices) if drafting else None
    if request.method == "POST":
        if form is None:
            raise Http404
        if form.is_valid():
            school, _sep, college = form.cleaned_data["place"].partition("-")
            try:
                plan = plans.start_plan(by=request.user, school_id=int(school), college_id=id_param(college),
                                        year=form.cleaned_data["year"])  # fmt: skip
            except plans.PlanError as error:
                messages.error(request, str(error))
            else:
                return redirect(plan)
    listed = scope.plans_for(request.user).select_related("school", "college")
    return render(request, "education/plan_list.html", {"plans": listed, "form": form})


def _plan_page(request, plan, *, item_form=None, status=200):
    editor = scope.may_edit_plan(request.user, plan)
    items = plan.items.select_related("owner", "plan__school", "plan__college")
    rows = plans.item_rows(items, timezone.localdate())
    for row in rows:
        row["may_complete"] = not row["done"] and scope.may_complete_item(request.user, row["item"])
    context = {
        "plan": plan, "rows": rows, "editor": editor,
        "item_form": item_form or (PlanItemForm(owners=plans.owners_for(plan)) if editor else None),
        "school_plan": Plan.objects.filter(school=plan.school, college__isnull=True, year=plan.year,
                                           status=Plan.Status.PUBLISHED).first() if plan.college_id else None,
    }  # fmt: skip
    return render(request, "education/plan_detail.html", context, status=status)


@plans_view
@require_http_methods(["GET", "POST"])
def plan_detail(request, pk):
    plan = scope.get_plan_for_user(request.user, pk)
    if request.method != "POST":
        return _plan_page(request, plan)
    action = request.POST.get("action", "")
    item_form = None
    try:
        if action == "add_item":
            item_form = PlanItemForm(request.POST, owners=plans.owners_for(plan))
            if not item_form.is_valid():
                raise plans.PlanError(_("Please correct the item below."))
            plans.add_item(plan, by=request.user, **item_form.cleaned_data)
        elif action in ("remove_item", "complete"):
            item = get_object_or_404(PlanItem, plan=plan, pk=id_param(request.POST.get("item")) or 0)
            if action == "remove_item":
                plans.remove_item(item, by=request.user)
            else:
                plans.complete_item(item, by=request.user)
        elif action in (Plan.Status.PUBLISHED, Plan.Status.DRAFT):
            plans.set_status(plan, action, by=request.user)
        else:
            raise Http404
    except plans.PlanError as error:
        messages.error(request, str(error))
        return _plan_page(request, plan, item_form=item_form, status=400)
    messages.success(request, _("Saved."))
    return redirect(plan)


# Activities -----------------------------------------------------------------------------------------------


@activities_view
@require_GET
def activity_list(request):
    listed = scope.activities_for(request.user).select_related(
        "school", "college", "class_group", "dorm_room", "organiser"
    )
    kind = request.GET.get("kind", "")
    if kind in Activity.Kind.values:
        listed = listed.filter(kind=kind)
    return render(
        request,
        "education/activity_list.html",
        {
            "activities": listed[:LIST_LIMIT],
            "kinds": Activity.Kind.choices,
            "kind": kind,
            "may_record": scope.may_record(request.user),
            "may_see_coverage": scope.may_see_coverage(request.user),
        },
    )


def _options(user) -> list[tuple[str, int, str]]:
    """(level, place id, label) of every place `user` may record an activity for."""
    recording = scope.recording_for(user)
    options = [(Level.CLASS, c.pk, _("Theme class meeting of %(place)s") % {"place": c.name})
               for c in recording.class_groups.order_by("college__code", "name")]  # fmt: skip
    options += [(Level.DORM, d.pk, _("Dorm activity of %(place)s") % {"place": d}) for d in recording.dorm_rooms]
    options += [(Level.COLLEGE, c.pk, _("Activity of %(place)s") % {"place": c.name}) for c in recording.colleges]
    options += [(Level.SCHOOL, s.pk, _("School activity of %(place)s") % {"place": s.name})
                for s in School.objects.filter(pk__in=recording.schools)]  # fmt: skip
    return options


def _place(user, level, place_id):
    """The place chosen, if `user` may record for it; else 404."""
    recording = scope.recording_for(user)
    found = None
    if level == Level.CLASS:
        found = recording.class_groups.filter(pk=place_id).first()
    elif level == Level.DORM:
        found = recording.dorm_rooms.filter(pk=place_id).first()
    elif level == Level.COLLEGE:
        found = recording.colleges.filter(pk=place_id).first()
    elif level == Level.SCHOOL and place_id in recording.schools:
        found = School.objects.get(pk=place_id)
    if found is None:
        raise Http404
    return found


@record_view
@require_http_methods(["GET", "POST"])
def activity_new(request):
    level, place_id = request.GET.get("level", ""), id_param(request.GET.get("place"))
    if not level or place_id is None:
        options = _options(request.user)
        if len(options) != 1:
            return render(request, "education/activity_choose.html", {"options": options})
        level, place_id, _label = options[0]
    place = _place(request.user, level, place_id)
    roster = list(acts.class_roster(place)) if level == Level.CLASS else []
    form = ActivityForm(request.POST or None, level=level)
    present = {student.pk for student in roster}
    if request.method == "POST":
        present = {id_param(value) for value in request.POST.getlist("present")}
        if form.is_valid():
            data = form.cleaned_data
            draft = acts.Draft(
                level=level, kind=data["kind"], title=data["title"], held_on=data["held_on"], minutes=data["minutes"],
                school_id=place.pk if level == Level.SCHOOL else None,
                college=place if level == Level.COLLEGE else None,
                class_group=place if level == Level.CLASS else None,
                dorm_room=place if level == Level.DORM else None,
                audience=data.get("audience", ""), headcount=data.get("headcount"), account=data.get("account", ""),
                absent={student.pk for student in roster} - present,
            )  # fmt: skip
            try:
                activity = acts.record_activity(draft, by=request.user, photos=request.FILES.getlist("photos"))
            except acts.ActivityError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("The activity is recorded."))
                return redirect(activity)
    context = {
        "form": form, "level": level, "place": place, "roster": roster, "present": present,
        "max_photos": ActivityPhoto.MAX_PER_ACTIVITY,
    }  # fmt: skip
    return render(request, "education/activity_form.html", context, status=400 if form.errors else 200)


@activities_view
@require_GET
def activity_detail(request, pk):
    activity = scope.get_activity_for_user(request.user, pk)
    shown, others = scope.attendance_for(request.user, activity)
    photos = list(activity.photos.only("pk", "file_name")) if scope.may_see_photos(request.user, activity) else []
    with transaction.atomic():
        if shown:
            record_read(request, Read.ACTIVITY_ATTENDANCE, tier=Tier.T1,
                        detail={"activity": activity.pk, "students": len(shown)})  # fmt: skip
        return render(
            request,
            "education/activity_detail.html",
            {"activity": activity, "attendees": shown, "others": others, "photos": photos},
        )


@activities_view
@require_GET
def activity_photo(request, pk, photo_id):
    activity = scope.get_activity_for_user(request.user, pk)
    if not scope.may_see_photos(request.user, activity):
        raise Http404
    photo = get_object_or_404(ActivityPhoto, activity=activity, pk=photo_id)
    with transaction.atomic():
        record_read(request, Read.ACTIVITY_PHOTO, detail={"activity": activity.pk, "photo": photo.pk})
    response = HttpResponse(bytes(photo.content), content_type=photo.content_type)
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# Coverage -----------------------------------------------------------------------------------------------------


def _term(request):
    try:
        return parse_term_code(request.GET.get("term", "")) if request.GET.get("term") else term_of()
    except ValueError:
        raise Http404 from None


@coverage_view
@require_GET
def coverage(request):
    term = _term(request)
    rows = []
    for college in scope.coverage_colleges_for(request.user).select_related("school"):
        classes, held = class_meeting_coverage(college.school, college, term)
        rows.append({"college": college, "classes": len(classes), "held": len(classes & held)})
    totals = {"classes": sum(r["classes"] for r in rows), "held": sum(r["held"] for r in rows)}
    return render(
        request,
        "education/coverage.html",
        {"rows": rows, "totals": totals, "term": term, "terms": term_choices()},
    )


@coverage_view
@require_GET
def coverage_college(request, college_id):
    college = scope.get_coverage_college_for_user(request.user, college_id)
    term = _term(request)
    classes, held = class_meeting_coverage(college.school, college, term)
    last = {}
    for activity in Activity.objects.filter(
        kind=Activity.Kind.CLASS_MEETING, class_group_id__in=classes, held_on__gte=term.start, held_on__lt=term.end
    ).order_by("held_on"):
        last[activity.class_group_id] = activity
    groups = ClassGroup.objects.filter(pk__in=classes).order_by("-enrolment_year", "name")
    rows = [{"class_group": group, "held": group.pk in held, "last": last.get(group.pk)} for group in groups]
    return render(
        request,
        "education/coverage_college.html",
        {"college": college, "rows": rows, "term": term, "terms": term_choices(),
         "held": len(held & classes), "classes": len(classes),
         "back": reverse("education:coverage") + f"?term={term.code}"},
    )  # fmt: skip
