"""Pages of the key-concern registry, care plans and dorm check-ins. Thin: the scope module decides who
sees what (xinyu/org/scope/care.py), the services change things, every read of T2+ data is audited in the
same transaction as the read."""

import datetime as dt

from django.contrib import messages
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xinyu.care import plans, registry, scope
from xinyu.care.forms import (
    ConfirmForm,
    NoteForm,
    PlanForm,
    ProposeForm,
    RemovalDecisionForm,
    RemovalRequestForm,
    ReviewForm,
)
from xinyu.care.models import CheckIn, ProgressNote, RegistryEntry
from xinyu.common.access import requires
from xinyu.org.access_log import Read, read_event, record_read, record_reads
from xinyu.org.scope import Tier

Status = RegistryEntry.Status
FILTERS = ("live", *Status.values)


def _audit(request, entry, what: Read, tier: Tier, post: str) -> None:
    record_read(request, what, student=entry.student, tier=tier, post=post, detail={"entry": entry.pk})


@requires(scope.may_use_registry, "registry")
def registry_list(request):
    show = request.GET.get("status", "live")
    if show not in FILTERS or (show == Status.REMOVED and not scope.may_see_removed_entries(request.user)):
        show = "live"
    entries = scope.registry_entries_for(request.user, Tier.T2, include_removed=show == Status.REMOVED)
    if show != "live":
        entries = entries.filter(status=show)
    entries = entries.select_related("student__class_group__college").order_by("next_review_on", "id")[:500]
    with transaction.atomic():
        rows = list(entries)
        events = [
            read_event(
                Read.REGISTRY_LIST,
                student=entry.student,
                tier=Tier.T2,
                detail={"entry": entry.pk},
            )
            for entry in rows
        ]
        record_reads(request.user, events or [read_event(Read.REGISTRY_LIST, tier=Tier.T2)])
        return render(
            request,
            "care/registry_list.html",
            {
                "entries": rows,
                "show": show,
                "filters": FILTERS,
                "statuses": dict(Status.choices),
                "may_see_removed": scope.may_see_removed_entries(request.user),
                "may_review_list": scope.may_view_review_list(request.user),
                "today": timezone.localdate(),
            },
        )


@requires(scope.may_use_registry, "registry")
def entry_detail(request, pk):
    with transaction.atomic():
        entry, tier, post = scope.get_registry_entry_for_user(request.user, pk)
        full = tier >= Tier.T3
        plan = getattr(entry, "plan", None)
        context = {"entry": entry, "student": entry.student, "plan": plan, "full": full, "tier": int(tier)}
        if full:
            rules = registry.care_rules()
            context |= {
                "categories": entry.category_labels(rules),
                "events": list(entry.events.all()),
                "reviews": list(entry.review_supports.select_related("recorded_by")),
            }
            if plan:
                context["notes"] = list(plan.notes.select_related("by")[:50])
                context["check_ins"] = list(
                    CheckIn.objects.filter(assignment__plan=plan).select_related("assignment__dorm_leader")[:20]
                )
                context["assignments"] = list(
                    plan.check_in_assignments.filter(ended_at__isnull=True).select_related("dorm_leader")
                )
        if plan and plan.ended_at is None:
            dues = plans.plan_due_dates(plans.with_last_contacts(type(plan).objects.filter(pk=plan.pk)).get())
            context["dues"] = dues if full else {k: v for k, v in dues.items() if k == plans.STUDENT_CONTACT}
            if scope.may_record_student_contact(request.user, plan):
                form = NoteForm()
                if not full:
                    form.fields["kind"].choices = [
                        c for c in form.fields["kind"].choices if c[0] == ProgressNote.Kind.STUDENT_CONTACT
                    ]
                context["note_form"] = form
        context |= {
            "may_confirm": entry.status == Status.PROPOSED and scope.may_confirm_entry(request.user, entry),
            "may_review": entry.status in (Status.ACTIVE, Status.LAPSED, Status.REMOVAL_REQUESTED)
            and scope.may_confirm_entry(request.user, entry),
            "may_edit_plan": bool(plan and plan.ended_at is None and scope.may_confirm_entry(request.user, entry)),
            "may_request_removal": entry.status in (Status.ACTIVE, Status.LAPSED)
            and scope.may_request_removal(request.user, entry),
            "may_decide_removal": entry.status == Status.REMOVAL_REQUESTED
            and scope.may_decide_removal(request.user, entry),
            "today": timezone.localdate(),
        }
        _audit(request, entry, Read.REGISTRY_ENTRY, tier=min(tier, Tier.T3), post=post)
        return render(request, "care/entry_detail.html", context)


def _action(request, pk, *, allowed, form_class, perform, action, title, done, form_kwargs=None, initial=None):
    """A T3 action page: the form (GET, audited as a read) and its service call (POST)."""
    with transaction.atomic():
        entry, _tier, post = scope.get_registry_entry_for_user(request.user, pk, Tier.T3)
        if not allowed(request.user, entry):
            raise Http404
        kwargs = form_kwargs(entry) if form_kwargs else {}
        form = form_class(request.POST or None, initial=initial(entry) if initial else None, **kwargs)
        status = 200
        if request.method == "POST":
            if form.is_valid():
                try:
                    with transaction.atomic():
                        perform(entry, form)
                except registry.RegistryError as error:
                    form.add_error(None, str(error))
                else:
                    messages.success(request, done)
                    return redirect("care:entry_detail", entry.pk)
            status = 400
        else:
            _audit(request, entry, Read.REGISTRY_ENTRY, tier=Tier.T3, post=post)
        rules = registry.care_rules()
        return render(
            request,
            "care/entry_form.html",
            {
                "entry": entry,
                "student": entry.student,
                "form": form,
                "categories": entry.category_labels(rules),
                "action": action,
                "title": title,
                "plan": getattr(entry, "plan", None),
            },
            status=status,
        )


def _confirmable(user, entry):
    return entry.status == Status.PROPOSED and scope.may_confirm_entry(user, entry)


@requires(scope.may_use_registry, "registry")
def entry_confirm(request, pk):
    def perform(entry, form):
        data = form.cleaned_data
        registry.confirm_entry(
            entry,
            by=request.user,
            categories=data["categories"],
            risk_level=data["risk_level"],
            plan=form.plan_input(),
            reason=data.get("reason", ""),
        )

    def initial(entry):
        return {
            "categories": entry.categories,
            "risk_level": entry.risk_level,
            "college_person": request.user.pk if request.user in plans.candidates(entry.student, "college") else None,
        }

    return _action(
        request,
        pk,
        allowed=_confirmable,
        form_class=ConfirmForm,
        perform=perform,
        initial=initial,
        form_kwargs=lambda entry: {"student": entry.student},
        action="confirm",
        title=_("Confirm the proposal"),
        done=_("The entry is confirmed and the care plan created."),
    )


def _reviewable(user, entry):
    return entry.status in (Status.ACTIVE, Status.LAPSED, Status.REMOVAL_REQUESTED) and scope.may_confirm_entry(
        user, entry
    )


@requires(scope.may_use_registry, "registry")
def entry_review(request, pk):
    def perform(entry, form):
        data = form.cleaned_data
        registry.review_entry(
            entry,
            by=request.user,
            assessment=data["assessment"],
            support=data["support"],
            risk_level=data["risk_level"],
            categories=data["categories"],
            next_review_on=data.get("next_review_on"),
        )

    return _action(
        request,
        pk,
        allowed=_reviewable,
        form_class=ReviewForm,
        perform=perform,
        initial=lambda entry: {"risk_level": entry.risk_level, "categories": entry.categories},
        action="review",
        title=_("Review the entry"),
        done=_("The review is recorded."),
    )


def _plan_editable(user, entry):
    plan = getattr(entry, "plan", None)
    return bool(plan and plan.ended_at is None and scope.may_confirm_entry(user, entry))


@requires(scope.may_use_registry, "registry")
def plan_edit(request, pk):
    def initial(entry):
        plan = entry.plan
        values = {
            name: getattr(plan, name)
            for name in (
                *plans.PLAN_TEXT_FIELDS,
                "student_contact_every_days",
                "family_contact_every_days",
                "review_every_days",
            )
        }
        values |= {f"{level}_person": getattr(plan, f"{level}_person_id") for level in plans.LEVELS}
        leader = plan.check_in_assignments.filter(ended_at__isnull=True).first()
        values["dorm_leader"] = leader.dorm_leader_id if leader else None
        return values

    return _action(
        request,
        pk,
        allowed=_plan_editable,
        form_class=PlanForm,
        initial=initial,
        perform=lambda entry, form: plans.update_plan(entry, by=request.user, data=form.plan_input()),
        form_kwargs=lambda entry: {"student": entry.student},
        action="plan",
        title=_("Care plan"),
        done=_("The care plan is saved."),
    )


@requires(scope.may_use_registry, "registry")
def removal_request(request, pk):
    return _action(
        request,
        pk,
        allowed=lambda user, entry: (
            entry.status in (Status.ACTIVE, Status.LAPSED) and scope.may_request_removal(user, entry)
        ),
        form_class=RemovalRequestForm,
        perform=lambda entry, form: registry.request_removal(
            entry, by=request.user, reason=form.cleaned_data["reason"]
        ),
        action="removal",
        title=_("Request removal from the registry"),
        done=_("Removal is requested; the psychology centre will assess it."),
    )


@requires(scope.may_use_registry, "registry")
def removal_decision(request, pk):
    def perform(entry, form):
        registry.decide_removal(
            entry,
            by=request.user,
            assessment=form.cleaned_data["assessment"],
            approve=form.cleaned_data["decision"] == "approve",
        )

    return _action(
        request,
        pk,
        allowed=lambda user, entry: entry.status == Status.REMOVAL_REQUESTED and scope.may_decide_removal(user, entry),
        form_class=RemovalDecisionForm,
        perform=perform,
        action="decision",
        title=_("The centre's assessment of the removal"),
        done=_("The centre's decision is recorded."),
    )


@requires(scope.may_use_registry, "registry")
@require_POST
def plan_note(request, pk):
    with transaction.atomic():
        entry, _tier, _post = scope.get_registry_entry_for_user(request.user, pk)
        plan = getattr(entry, "plan", None)
        if plan is None or not scope.may_record_student_contact(request.user, plan):
            raise Http404
        form = NoteForm(request.POST)
        if form.is_valid():
            try:
                with transaction.atomic():
                    plans.add_progress_note(
                        plan, by=request.user, kind=form.cleaned_data["kind"], text=form.cleaned_data["text"]
                    )
            except registry.RegistryError as error:
                messages.error(request, str(error))
            else:
                messages.success(request, _("The note is saved."))
        else:
            messages.error(request, _("Please write the note."))
        return redirect("care:entry_detail", entry.pk)


@requires(scope.may_use_registry, "registry")
def entry_propose(request, student_id):
    """Propose a student for the registry (the college working group, the centre: T3 over the student);
    a live entry is reused (propose_entry is idempotent)."""
    with transaction.atomic():
        student = scope.get_student_for_user(request.user, student_id, Tier.T3)
        form = ProposeForm(request.POST or None)
        status = 200
        if request.method == "POST":
            if form.is_valid():
                data = form.cleaned_data
                try:
                    with transaction.atomic():
                        entry = registry.propose_entry(
                            student, source=data["source"], proposed_by=request.user, reason=data["reason"],
                            categories=data["categories"],
                        )  # fmt: skip
                except registry.RegistryError as error:
                    form.add_error(None, str(error))
                else:
                    messages.success(request, _("The student is proposed for the key-concern registry."))
                    return redirect("care:entry_detail", entry.pk)
            status = 400
        return render(request, "care/entry_propose.html", {"student": student, "form": form}, status=status)


@requires(scope.may_view_review_list, "registry_review")
def review_list(request):
    colleges = list(scope.review_list_colleges(request.user).order_by("code", "name"))
    chosen = [c for c in colleges if str(c.pk) == request.GET.get("college")] or colleges[:1]
    if len(colleges) > 1 and request.GET.get("college") in (None, "", "all"):
        chosen = colleges
    try:
        month = dt.datetime.strptime(request.GET.get("month", ""), "%Y-%m").date()
    except ValueError:
        month = timezone.localdate().replace(day=1)
    with transaction.atomic():
        result = registry.review_list(request.user, chosen, month)
        students = result.students()
        record_reads(
            request.user,
            [
                read_event(
                    Read.REGISTRY_REVIEW_LIST,
                    student=student,
                    tier=Tier.T3,
                    detail={"month": month.strftime("%Y-%m")},
                )
                for student in students
            ]
            or [read_event(Read.REGISTRY_REVIEW_LIST, tier=Tier.T3)],
        )
        return render(
            request,
            "care/review_list.html",
            {
                "result": result,
                "colleges": colleges,
                "chosen": chosen,
                "all_chosen": len(chosen) > 1,
                "month": result.month,
                "kinds": {plans.STUDENT_CONTACT: _("Talk with the student"), plans.FAMILY_CONTACT: _("Family contact")},
            },
        )
