"""The crisis case page and its actions (第十二条).

One page per case for everyone who sees it (scope.get_case_for_user; 404 otherwise, the same as for a
missing case). Each action is a small POST form calling one service: with htmx it answers the refreshed
case (`case_detail.html#case`), without it redirects back to the page. Only people who may act on the
case (scope.may_act_on_case) see the forms; anyone else gets 404 on POST. Every render of a case is a
T2 (or T3) read and is written to the access log in the same transaction.
"""

from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from xinyu.accounts.models import User
from xinyu.common.access import requires, staff_only
from xinyu.concerns import evidence as evidence_rules
from xinyu.concerns import scope
from xinyu.concerns.evidence import EvidenceError
from xinyu.concerns.forms_cases import (
    AssessmentForm,
    CloseForm,
    DrillForm,
    FamilyContactForm,
    FollowUpForm,
    LowerForm,
    RaiseForm,
    ReviewSupportForm,
    StepForm,
)
from xinyu.concerns.models import CaseEvent, CaseStep
from xinyu.concerns.queries import role_label
from xinyu.concerns.services import case_records as care
from xinyu.concerns.services import cases, interviews
from xinyu.concerns.services.family_contacts import describe
from xinyu.org.access_log import Read, record_read
from xinyu.org.scope import Tier
from xinyu.policy.errors import DomainError

# Timeline entries whose reason anyone who sees the case may read; other reasons (the centre's assessment,
# family contact outcomes, filing notes) are case records, T3.
FORM_NAMES = frozenset({"raise", "lower", "assessment", "family", "followup", "review", "close"})
OPEN_REASONS = frozenset({CaseEvent.Kind.OPENED, CaseEvent.Kind.LEVEL_RAISED, CaseEvent.Kind.LEVEL_LOWERED})


@dataclass
class StepRow:
    step: CaseStep
    role: str
    overdue: bool
    ack_state: str
    ack_overdue: bool
    can_take: bool
    form: StepForm | None
    evidence: list[tuple[str, str]]


@dataclass
class MemberRow:
    person: User
    roles: list[str]
    is_organiser: bool


def _ack_state(step: CaseStep) -> str:
    ack = getattr(step, "ack", None)
    if ack is None:
        return "none"
    if ack.acknowledged_at:
        return "acknowledged"
    return "cancelled" if ack.cancelled_at else "waiting"


def _evidence_rows(step: CaseStep, contacts: dict) -> list[tuple[str, str]]:
    rows = []
    for key, value in (step.evidence or {}).items():
        if key == "family_contact":
            value = describe(contacts[value]) if value in contacts else ""
        if value:
            rows.append((str(evidence_rules.LABELS.get(key, key)), value))
    return rows


def _step_rows(request, case, steps, bound, *, may_act: bool, reads_records: bool) -> list[StepRow]:
    now = timezone.now()
    rows = []
    contacts = {contact.pk: contact for contact in case.family_contacts.all()} if reads_records else {}
    for step in steps:
        step.case = case
        state = _ack_state(step)
        can_take = may_act and step.superseded_at is None and scope.may_take_case_step(request.user, step)
        form = None
        if can_take and step.is_active:
            form = bound.get(f"step{step.pk}") or StepForm(case=case, step=step, offers_contacts=reads_records)
        rows.append(
            StepRow(
                step=step,
                role=role_label(step.role),
                overdue=step.is_active and step.due_at < now,
                ack_state=state,
                ack_overdue=state == "waiting" and step.ack.due_at < now,
                can_take=can_take,
                form=form,
                evidence=_evidence_rows(step, contacts) if reads_records else [],
            )
        )
    return rows


def _members(case) -> list[MemberRow]:
    people: dict[int, MemberRow] = {}
    if case.organiser:
        people[case.organiser.pk] = MemberRow(case.organiser, [], True)
    for member in case.members.select_related("person").order_by("added_at", "id"):
        row = people.setdefault(member.person_id, MemberRow(member.person, [], False))
        row.roles.append(member.get_role_display())
    return list(people.values())


def _timeline(case, steps, reads_records: bool) -> list[dict]:
    events = list(case.events.all())
    titles = {step.code: step.title for step in steps}
    usernames = {name for event in events for name in (event.detail or {}).get("to", [])}
    usernames |= {event.detail["organiser"] for event in events if (event.detail or {}).get("organiser")}
    names = dict(User.objects.filter(username__in=usernames).values_list("username", "full_name"))
    rows = []
    for event in events:
        detail = event.detail or {}
        rows.append(
            {
                "event": event,
                "step": titles.get(detail.get("step"), detail.get("step", "")),
                "to": [names.get(username, username) for username in detail.get("to", [])],
                "organiser": names.get(detail.get("organiser", ""), ""),
                "reason": event.reason if reads_records or event.kind in OPEN_REASONS else "",
                "reason_hidden": bool(event.reason) and not (reads_records or event.kind in OPEN_REASONS),
            }
        )
    return rows


def _follow_up_rows(user, case) -> list[dict]:
    """The case's follow-ups (interviews): each links to its page, where the one record form is."""
    rows = []
    for interview in case.interviews.select_related("assignee").order_by("due_on", "id"):
        interview.case = case  # the same object: the case's members are read once
        overdue = interview.conducted_at is None and interview.due_on < timezone.localdate()
        rows.append(
            {"interview": interview, "overdue": overdue, "may_record": scope.may_record_interview(user, interview)}
        )
    return rows


# The reason a read by case role is logged with, in the deployment's language.
ROLE_REASONS = {
    "organiser": gettext_lazy("Read the case's records as its organiser"),
    "collaborator": gettext_lazy("Read the case's records as a collaborator on it"),
}


def _audit_read(request, case, access: scope.CaseAccess) -> None:
    tier, _grant = scope.tier_for(request.user, case.student)
    reason = ""
    if access.role in ROLE_REASONS:
        with translation.override(settings.LANGUAGE_CODE):
            reason = str(ROLE_REASONS[access.role])
    record_read(
        request,
        Read.CRISIS_CASE,
        student=case.student,
        tier=access.tier,
        post=access.post,
        detail={"case": case.pk, "held": int(tier)},
        reason=reason,
    )


def case_context(request, case, *, bound=None, done: str = "", error: str = "") -> dict:
    bound = bound or {}
    user = request.user
    policy = cases.case_policy(case)
    rule = policy.level(case.level)
    may_act = case.is_open and scope.may_act_on_case(user, case)
    access = scope.case_access(user, case)
    reads_records = access.reads_records
    steps = list(
        case.steps.select_related("assignee", "completed_by", "ack__acknowledged_by")
        .prefetch_related("ack__recipients")
        .order_by("due_at", "id")
    )
    family_contacts = list(case.family_contacts.select_related("contacted_by")) if reads_records else []
    review_supports = list(case.review_supports.select_related("recorded_by")) if reads_records else []
    current = [step for step in steps if step.superseded_at is None]
    earlier = sorted((step for step in steps if step.superseded_at), key=lambda s: (s.superseded_at, s.due_at))
    context = {
        "case": case,
        "policy": policy,
        "rule": rule,
        "organiser_role": role_label(rule.organiser),
        "collaborator_roles": [role_label(role) for role in rule.collaborators],
        "members": _members(case),
        "steps": _step_rows(request, case, current, bound, may_act=may_act, reads_records=reads_records),
        "earlier_steps": _step_rows(request, case, earlier, bound, may_act=False, reads_records=reads_records),
        "timeline": _timeline(case, steps, reads_records),
        "may_act": may_act,
        "access": access,
        "reads_records": reads_records,
        "records_until": (
            case.closed_at + scope.case_records_window() if access.role and case.closed_at is not None else None
        ),
        "is_organiser": case.organiser_id == user.pk,
        "is_centre": scope.is_centre_staff(user),
        "family_contacts": family_contacts,
        "family_contact_count": len(family_contacts) if reads_records else case.family_contacts.count(),
        "review_supports": review_supports,
        "review_support_count": len(review_supports) if reads_records else case.review_supports.count(),
        "follow_ups": _follow_up_rows(user, case),
        "closing_gaps": cases.closing_gaps(case) if case.is_open else [],
        "lower_needs_assessment": case.is_open and not cases.has_centre_assessment_since_level_change(case),
        "done": done,
        "error": error,
    }
    offered = {}
    if may_act:
        offered = {
            "raise": RaiseForm if case.has_higher_level else None,
            "lower": LowerForm if case.has_lower_level else None,
            "assessment": AssessmentForm if context["is_centre"] else None,
            "family": FamilyContactForm,
            "followup": FollowUpForm,
            "review": ReviewSupportForm,
            "close": CloseForm if context["is_organiser"] else None,
        }
    # A form sent back with its errors is shown even where it is not offered, so the error is read.
    context["forms"] = {
        name: bound.get(name) or form_class(case=case) for name, form_class in offered.items() if form_class
    }
    context["forms"] |= {name: form for name, form in bound.items() if name in FORM_NAMES}
    shown = {row.form.name for row in context["steps"] if row.form}
    shown |= set(context["forms"])
    for name, form in bound.items():
        if name not in shown and form.errors:
            # The form is gone from the page (its step is done, say): its errors are said at the top.
            context["error"] = " ".join(str(e) for errors in form.errors.values() for e in errors)
    return context


def _render_case(request, case, *, bound=None, done: str = "", error: str = "", status: int = 200):
    """The case page, or its #case fragment for htmx, with the read written to the access log."""
    with transaction.atomic():
        context = case_context(request, case, bound=bound, done=done, error=error)
        _audit_read(request, case, context["access"])
        template = "concerns/case_detail.html#case" if request.htmx else "concerns/case_detail.html"
        return render(request, template, context, status=status)


@staff_only
def case_detail(request, pk):
    return _render_case(request, scope.get_case_for_user(request.user, pk))


def _service_error(form, error: DomainError) -> None:
    if isinstance(error, EvidenceError):
        for field, message in error.fields.items():
            if field in form.fields:
                form.add_error(field, _("Please fill in: %(fields)s.") % {"fields": message})
        if not any(field in form.fields for field in error.fields):
            form.add_error(None, str(error))
    else:
        form.add_error(None, str(error))


def _act(request, case, form, perform, done: str):
    """Validate `form`, run `perform(form)` (one service call); answer the refreshed case or the errors."""
    with transaction.atomic():
        if form.is_valid():
            try:
                perform(form)
            except DomainError as error:
                _service_error(form, error)
            else:
                if not request.htmx:
                    messages.success(request, done)
                    return redirect("concerns:case_detail", case.pk)
                fresh = scope.get_case_for_user(request.user, case.pk)
                return _render_case(request, fresh, done=done)
        fresh = scope.get_case_for_user(request.user, case.pk)
        # htmx swaps only 2xx answers: the form comes back with its errors; a plain POST says 400.
        return _render_case(request, fresh, bound={form.name: form}, status=200 if request.htmx else 400)


@staff_only
@require_POST
def case_raise(request, pk):
    case = scope.get_case_to_act_on_for_user(request.user, pk)

    def perform(form):
        cases.raise_level(case, by=request.user, to_level=form.cleaned_data["to_level"],
                          reason=form.cleaned_data["reason"])  # fmt: skip

    return _act(request, case, RaiseForm(request.POST, case=case), perform, _("The level is raised."))


@staff_only
@require_POST
def case_lower(request, pk):
    case = scope.get_case_to_act_on_for_user(request.user, pk)

    def perform(form):
        cases.lower_level(case, by=request.user, to_level=form.cleaned_data["to_level"],
                          reason=form.cleaned_data["reason"])  # fmt: skip

    return _act(request, case, LowerForm(request.POST, case=case), perform, _("The level is lowered."))


@staff_only
@require_POST
def case_assessment(request, pk):
    case = scope.get_case_to_act_on_for_user(request.user, pk)

    def perform(form):
        cases.record_centre_assessment(case, by=request.user, summary=form.cleaned_data["summary"])

    return _act(request, case, AssessmentForm(request.POST, case=case), perform,
                _("The centre's assessment is recorded."))  # fmt: skip


@staff_only
@require_POST
def case_step_acknowledge(request, pk, step_pk):
    case, step = scope.get_case_step_for_user(request.user, pk, step_pk)
    done = _("You have taken the step.")
    with transaction.atomic():
        try:
            cases.acknowledge_step(step, by=request.user)
        except DomainError as error:
            if not request.htmx:
                messages.error(request, str(error))
                return redirect("concerns:case_detail", case.pk)
            return _render_case(request, scope.get_case_for_user(request.user, pk), error=str(error))
        if not request.htmx:
            messages.success(request, done)
            return redirect("concerns:case_detail", case.pk)
        return _render_case(request, scope.get_case_for_user(request.user, pk), done=done)


@staff_only
@require_POST
def case_step_complete(request, pk, step_pk):
    case, step = scope.get_case_step_for_user(request.user, pk, step_pk)

    def perform(form):
        cases.complete_step(step, by=request.user, evidence=form.evidence())

    form = StepForm(request.POST, case=case, step=step, offers_contacts=scope.may_read_case_records(request.user, case))
    return _act(request, case, form, perform, _("The step is done."))


@staff_only
@require_POST
def case_family_contact(request, pk):
    case = scope.get_case_to_act_on_for_user(request.user, pk)

    def perform(form):
        care.record_family_contact(case.student, by=request.user, case=case, **form.cleaned_data)

    return _act(request, case, FamilyContactForm(request.POST, case=case), perform,
                _("The family contact is recorded."))  # fmt: skip


@staff_only
@require_POST
def case_follow_up(request, pk):
    case = scope.get_case_to_act_on_for_user(request.user, pk)

    def perform(form):
        interviews.schedule_follow_up(case, by=request.user, due_on=form.cleaned_data["due_on"],
                                      assignee=form.cleaned_data["assignee"])  # fmt: skip

    return _act(request, case, FollowUpForm(request.POST, case=case), perform, _("The follow-up is scheduled."))


@staff_only
@require_POST
def case_review_support(request, pk):
    case = scope.get_case_to_act_on_for_user(request.user, pk)

    def perform(form):
        care.record_review_support(case.student, by=request.user, case=case, **form.cleaned_data)

    return _act(request, case, ReviewSupportForm(request.POST, case=case), perform,
                _("The review and support record is saved."))  # fmt: skip


@staff_only
@require_POST
def case_close(request, pk):
    case = scope.get_case_to_act_on_for_user(request.user, pk)

    def perform(form):
        cases.close_case(case, by=request.user, filing_note=form.cleaned_data["filing_note"],
                         propose_registry=form.cleaned_data.get("propose_registry", False))  # fmt: skip

    return _act(request, case, CloseForm(request.POST, case=case), perform, _("The case is closed."))


@requires(scope.is_centre_staff, "crisis_drill")
def case_new_drill(request):
    """The centre opens a drill case (演练) on a student it sees: the whole flow runs, never counted."""
    form = DrillForm(request.POST or None, initial={"student_number": request.GET.get("student_number", "")})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            student = (
                scope.students_for(request.user, Tier.T2)
                .filter(student_number=form.cleaned_data["student_number"].strip())
                .first()
            )
            if student is None:
                form.add_error("student_number", _("No student with this student number is in your care."))
            else:
                try:
                    case = cases.open_drill(student, form.cleaned_data["level"], by=request.user,
                                            reason=form.cleaned_data["reason"])  # fmt: skip
                except DomainError as error:
                    form.add_error(None, str(error))
                else:
                    messages.success(
                        request, _("The drill has started; everyone it reaches sees it marked as a drill.")
                    )
                    return redirect(reverse("concerns:case_detail", args=[case.pk]))
        status = 400
    return render(request, "concerns/case_new_drill.html", {"form": form}, status=status)
