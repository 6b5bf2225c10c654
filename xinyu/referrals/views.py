"""Referral, leave and the return gate pages. Thin: the rules are in `services`, who sees what in
`xinyu.org.scope.referrals`. Every page that shows T3 (or T4) data writes its access-log entry in the
transaction that renders it."""

from django.contrib import messages
from django.db import transaction
from django.db.models import Case, Q, When
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from xinyu.accounts.stepup import step_up_required
from xinyu.care.models import Interview
from xinyu.common.access import requires, staff_only
from xinyu.org.access_log import (
    Read,
    read_event,
    record_read,
    record_reads,
)
from xinyu.org.scope import Tier
from xinyu.referrals import scope, services
from xinyu.referrals.forms import (
    AssessmentForm,
    ClinicalForm,
    FitnessForm,
    LeaveForm,
    OutcomeForm,
    ParentsForm,
    ReferralForm,
    SignOffForm,
    StatementForm,
)
from xinyu.referrals.models import Leave, Referral
from xinyu.referrals.services import ReferralError


def _view_events(what: Read, students, tier=Tier.T3, **detail):
    return [read_event(what, student=s, tier=tier, detail=detail) for s in students]


# --- pages ---


@staff_only
def hospitals(request):
    """The college's green-channel hospitals (no student data)."""
    return render(request, "referrals/hospitals.html", {"hospitals": services.green_channel_hospitals()})


@requires(scope.may_refer, "referrals")
def index(request):
    """Referrals and leaves of the students I see at T3, and a search to start one."""
    user = request.user
    referrals = list(
        scope.referrals_for(user)
        .select_related("student__class_group")
        .order_by(Case(When(status=Referral.Status.OUTCOME, then=1), default=0), "-planned_at")[:200]
    )
    leaves = list(scope.leaves_for(user).select_related("student__class_group").order_by("status", "-starts_on")[:200])
    query = request.GET.get("q", "").strip()
    found = []
    if query:
        found = list(
            scope.referral_students_for(user)
            .filter(Q(student_number=query) | Q(name__contains=query))
            .select_related("class_group")
            .order_by("student_number")[:20]
        )
    students = {item.student_id: item.student for item in [*referrals, *leaves]}
    with transaction.atomic():
        record_reads(request, _view_events(Read.REFERRALS_INDEX, students.values()))
        return render(
            request,
            "referrals/index.html",
            {"referrals": referrals, "leaves": leaves, "query": query, "found": found},
        )


@requires(scope.may_refer, "referrals")
def referral_new(request, student_id):
    student = scope.get_student_for_user(request.user, student_id, Tier.T3)
    people = services.escort_choices(student)
    initial = {"planned_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")}
    form = ReferralForm(request.POST or None, people=people, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            referral = services.create_referral(
                student, by=request.user, destination=data["destination"], planned_at=data["planned_at"],
                urgency=data["urgency"], reason=data["reason"], escorts=data["escort_people"],
                family_escorts=data["family_escorts"], recommend_registry=data["recommend_registry"],
            )  # fmt: skip
        except ReferralError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The referral is planned."))
            return redirect("referrals:referral_detail", pk=referral.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "referrals/referral_new.html", {"student": student, "form": form}, status=status)


def _referral_page(request, referral, *, outcome_form=None, status=200):
    user = request.user
    confidential = scope.may_record_confidential(user, referral.student)
    reads_clinical = referral.has_clinical and scope.may_read_confidential(
        user, referral.student, referral.clinical_recorded_by_id
    )
    with transaction.atomic():
        record_read(request, Read.REFERRAL, student=referral.student, tier=Tier.T3, detail={"referral": referral.pk})
        return render(request, "referrals/referral_detail.html", {
            "referral": referral,
            "student": referral.student,
            "escorts": list(referral.escorts.all()),
            "outcome_form": outcome_form or OutcomeForm(confidential=confidential,
                                                        initial={"recommend_registry": referral.recommend_registry}),
            "reads_clinical": reads_clinical,
            "may_record_clinical": confidential and (not referral.has_clinical or reads_clinical),
        }, status=status)  # fmt: skip


@requires(scope.may_refer, "referrals")
def referral_detail(request, pk):
    referral = scope.get_referral_for_user(request.user, pk)
    if request.method != "POST":
        return _referral_page(request, referral)
    action = request.POST.get("action")
    try:
        if action == "went":
            services.mark_went(referral, by=request.user)
            messages.success(request, _("Recorded: the student went."))
        elif action == "outcome":
            form = OutcomeForm(request.POST, confidential=scope.may_record_confidential(request.user, referral.student))
            if not form.is_valid():
                return _referral_page(request, referral, outcome_form=form, status=400)
            data = form.cleaned_data
            services.record_outcome(
                referral, by=request.user, outcome=data["outcome"], outcome_note=data["outcome_note"],
                follow_up_plan=data["follow_up_plan"], diagnosis_summary=data.get("diagnosis_summary", ""),
                medication=data.get("medication", ""), recommend_registry=data["recommend_registry"],
            )  # fmt: skip
            messages.success(request, _("The outcome is recorded."))
        else:
            messages.error(request, _("Unknown action."))
    except ReferralError as error:
        messages.error(request, str(error))
        return redirect("referrals:referral_detail", pk=referral.pk)
    return redirect("referrals:referral_detail", pk=referral.pk)


@requires(scope.may_refer, "referrals")
@step_up_required
def referral_clinical(request, pk):
    """The diagnosis summary and medication (T4): read by the centre's supervisors and the counsellor who
    recorded them; entered by centre staff. Everyone else gets 404."""
    user = request.user
    referral = scope.get_referral_for_user(user, pk)
    reads = referral.has_clinical and scope.may_read_confidential(
        user, referral.student, referral.clinical_recorded_by_id
    )
    may_record = scope.may_record_confidential(user, referral.student) and (reads or not referral.has_clinical)
    if not (reads or may_record):
        raise Http404
    initial = {"diagnosis_summary": referral.diagnosis_summary, "medication": referral.medication} if reads else None
    form = ClinicalForm(request.POST or None, initial=initial)
    if request.method == "POST" and may_record and form.is_valid():
        try:
            services.record_clinical(referral, by=user, diagnosis_summary=form.cleaned_data["diagnosis_summary"],
                                     medication=form.cleaned_data["medication"])  # fmt: skip
        except ReferralError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The confidential part is recorded."))
            return redirect("referrals:referral_clinical", pk=referral.pk)
    with transaction.atomic():
        if reads:
            record_read(request, Read.REFERRAL_CLINICAL, student=referral.student, tier=Tier.T4,
                        detail={"referral": referral.pk})  # fmt: skip
        return render(request, "referrals/referral_clinical.html", {
            "referral": referral, "student": referral.student, "reads": reads, "may_record": may_record, "form": form,
        }, status=400 if request.method == "POST" else 200)  # fmt: skip


@requires(scope.may_refer, "referrals")
def leave_new(request, student_id):
    student = scope.get_student_for_user(request.user, student_id, Tier.T3)
    confidential = scope.may_record_confidential(request.user, student)
    form = LeaveForm(request.POST or None, confidential=confidential)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            leave = services.start_leave(
                student, by=request.user, applied_on=data["applied_on"], reason_summary=data["reason_summary"],
                starts_on=data["starts_on"], expected_return_on=data["expected_return_on"],
                statement_received_on=data["statement_received_on"], statement_hospital=data["statement_hospital"],
                statement_summary=data.get("statement_summary", ""),
            )  # fmt: skip
        except ReferralError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The leave is recorded; the student is now on leave."))
            return redirect("referrals:leave_detail", pk=leave.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "referrals/leave_new.html", {"student": student, "form": form}, status=status)


GATE_FORMS = {
    "statement": StatementForm,
    "fitness": FitnessForm,
    "assessment": AssessmentForm,
    "parents": ParentsForm,
    "sign_off": SignOffForm,
}


def _gate_forms(user, leave, bound=None):
    """The gate's forms the user may fill in, by item code; `bound` replaces one with a posted form."""
    confidential = scope.may_record_confidential(user, leave.student)
    allowed = {
        "statement": scope.may_manage_referrals_of(user, leave.student) and leave.statement_received_on is None,
        "fitness": scope.may_manage_referrals_of(user, leave.student),
        "assessment": scope.may_assess_return(user, leave),
        "parents": scope.may_manage_referrals_of(user, leave.student),
        "sign_off": scope.may_sign_off_return(user, leave) and leave.signed_off_at is None,
    }
    forms_ = {}
    for code, allowed_here in allowed.items():
        if not (allowed_here and leave.is_open):
            continue
        if bound is not None and bound[0] == code:
            forms_[code] = bound[1]
        elif code in ("statement", "fitness"):
            forms_[code] = GATE_FORMS[code](confidential=confidential, prefix=code)
        else:
            forms_[code] = GATE_FORMS[code](prefix=code)
    return forms_


def _return_follow_ups(leave) -> list:
    """The follow-up interviews the return scheduled, after the return."""
    if not leave.returned_on:
        return []
    return list(
        leave.student.interviews.filter(
            source=Interview.Source.RETURN_FROM_LEAVE,
            scheduled_by_id=leave.returned_by_id,
            due_on__gt=leave.returned_on,
        ).select_related("assignee")
    )


def _leave_page(request, leave, *, bound=None, status=200):
    user = request.user
    student = leave.student
    items = services.gate_items(leave)
    done = {item.code: item.done for item in items}
    reads_confidential = any(
        scope.may_read_confidential(user, student, recorded_by)
        for text, recorded_by in (
            (leave.statement_summary, leave.statement_recorded_by_id),
            (leave.fitness_summary, leave.fitness_summary_by_id),
        )
        if text
    )
    with transaction.atomic():
        record_read(request, Read.LEAVE, student=student, tier=Tier.T3, detail={"leave": leave.pk})
        return render(request, "referrals/leave_detail.html", {
            "leave": leave,
            "student": student,
            "items": items,
            "missing": [item for item in items if not item.done],
            "assessments": list(leave.assessments.select_related("assessed_by")),
            "contacts": list(leave.contacts.all()),
            "gate_forms": [
                (code, form, done.get(code, False)) for code, form in _gate_forms(user, leave, bound).items()
            ],
            "reads_confidential": reads_confidential,
            "follow_ups": _return_follow_ups(leave),
        }, status=status)  # fmt: skip


@requires(scope.may_refer, "referrals")
def leave_detail(request, pk):
    """A leave and its return gate: the checklist, and a form for each item the viewer may record."""
    leave = scope.get_leave_for_user(request.user, pk)
    if request.method != "POST":
        return _leave_page(request, leave)
    user = request.user
    code = request.POST.get("item", "")
    forms_ = _gate_forms(user, leave)
    if code not in forms_:
        messages.error(request, _("You cannot record this part of the return gate."))
        return redirect("referrals:leave_detail", pk=leave.pk)
    if code in ("statement", "fitness"):
        confidential = scope.may_record_confidential(user, leave.student)
        form = GATE_FORMS[code](request.POST, confidential=confidential, prefix=code)
    else:
        form = GATE_FORMS[code](request.POST, prefix=code)
    if not form.is_valid():
        return _leave_page(request, leave, bound=(code, form), status=400)
    data = form.cleaned_data
    try:
        match code:
            case "statement":
                services.record_leave_statement(leave, by=user, received_on=data["received_on"],
                                                hospital=data["hospital"], summary=data.get("summary", ""))  # fmt: skip
            case "fitness":
                services.record_fitness_statement(leave, by=user, dated=data["dated"], hospital=data["hospital"],
                                                  summary=data.get("summary", ""))  # fmt: skip
            case "assessment":
                services.record_return_assessment(leave, by=user, result=data["result"], note=data["note"])
            case "parents":
                services.record_parents_agreement(leave, by=user, agreed_on=data["agreed_on"], note=data["note"],
                                                  contacts=form.contacts())  # fmt: skip
            case "sign_off":
                services.sign_off_return(leave, by=user, note=data["note"])
    except ReferralError as error:
        form.add_error(None, str(error))
        return _leave_page(request, leave, bound=(code, form), status=400)
    leave.refresh_from_db()
    if leave.status == Leave.Status.RETURNED:
        messages.success(
            request, _("The return gate is complete: the student is enrolled again and follow-ups are scheduled.")
        )
    else:
        messages.success(request, _("Recorded."))
    return redirect("referrals:leave_detail", pk=leave.pk)


@requires(scope.may_refer, "referrals")
@step_up_required
def leave_confidential(request, pk):
    """The hospitals' statement summaries (T4), for those who may read each; everyone else gets 404."""
    user = request.user
    leave = scope.get_leave_for_user(user, pk)
    statements = [
        (label, hospital, day, text)
        for label, hospital, day, text, recorded_by in (
            (_("Hospital statement (leave)"), leave.statement_hospital, leave.statement_received_on,
             leave.statement_summary, leave.statement_recorded_by_id),
            (_("Statement of fitness"), leave.fitness_hospital, leave.fitness_on, leave.fitness_summary,
             leave.fitness_summary_by_id),
        )
        if text and scope.may_read_confidential(user, leave.student, recorded_by)
    ]  # fmt: skip
    if not statements:
        raise Http404
    with transaction.atomic():
        record_read(request, Read.LEAVE_CONFIDENTIAL, student=leave.student, tier=Tier.T4, detail={"leave": leave.pk})
        return render(request, "referrals/leave_confidential.html",
                      {"leave": leave, "student": leave.student, "statements": statements})  # fmt: skip
