"""Break-glass pages (staff), the review (centre supervisors) and the student's own privacy page."""

from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xinyu.accounts.stepup import step_up_required
from xinyu.common.access import requires, student_only
from xinyu.org.access_log import (
    Read,
    client_address,
    read_event,
    record_read,
    record_reads,
)
from xinyu.org.scope import Tier
from xinyu.policy.loader import policy_in_force
from xinyu.privacy import access_log, breakglass, consent, scope
from xinyu.privacy.forms import BreakGlassForm, ReviewForm, WithdrawForm


@requires(scope.may_break_glass, "break_glass")
@step_up_required
def break_glass(request):
    """Find a student by exact 学号 and name, state the reason, and open their file for a limited time."""
    form = BreakGlassForm(request.POST or None)
    already = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            # Outside a transaction: a miss is logged and stays logged although the request fails.
            student = breakglass.find_student(
                request.user, data["student_number"], data["student_name"], address=client_address(request)
            )
            tier, grant = scope.tier_for(request.user, student)
            if tier > Tier.T0 and (grant is None or grant.post != scope.BREAK_GLASS):
                already = student
            else:
                breakglass.open_break_glass(
                    request.user, student, reason=data["reason"], address=client_address(request)
                )
                return redirect(breakglass.student_file_url(student))
        except breakglass.BreakGlassError as error:
            form.add_error(None, str(error))
    rules = policy_in_force().care
    return render(
        request,
        "privacy/break_glass.html",
        {
            "form": form,
            "already": already,
            "already_url": breakglass.student_file_url(already) if already else "",
            "minutes": rules.break_glass_minutes,
            "mine": scope.break_glass_grants_for(request.user)
            .filter(person_id=request.user.pk)
            .select_related("student")[:20],
            "now": timezone.now(),
        },
    )


@requires(scope.may_break_glass, "break_glass")
def break_glass_list(request):
    """Emergency accesses: one's own, and for the centre's supervisors every one in their school."""
    grants = list(scope.break_glass_grants_for(request.user).select_related("person", "student", "reviewed_by")[:200])
    students = {grant.student_id: grant.student for grant in grants}.values()
    with transaction.atomic():
        # That a student's file was opened in an emergency is "needs attention" (T2): the list is logged.
        record_reads(request, [read_event(Read.BREAK_GLASS_LIST, student=s, tier=Tier.T2) for s in students])
        return render(
            request,
            "privacy/break_glass_list.html",
            {"grants": grants, "now": timezone.now(), "reviewer": scope.may_review_break_glass(request.user)},
        )


@requires(scope.may_break_glass, "break_glass")
def break_glass_detail(request, pk):
    grant = scope.get_break_glass_grant_for_user(request.user, pk)
    with transaction.atomic():
        # The reason often says why the student is in danger: reading it is logged.
        record_read(
            request,
            Read.BREAK_GLASS,
            student=grant.student,
            tier=Tier.T2,
            post=scope.BREAK_GLASS if grant.person_id == request.user.pk else "",
            detail={"grant": grant.pk},
        )
        may_review = scope.break_glass_reviews_for(request.user).filter(pk=grant.pk).exists()
        return render(
            request,
            "privacy/break_glass_detail.html",
            {
                "grant": grant,
                "active": grant.is_active(),
                "may_end": grant.is_active()
                and (grant.person_id == request.user.pk or scope.may_review_break_glass(request.user)),
                "may_review": may_review,
                "review_form": ReviewForm() if may_review else None,
                "file_url": breakglass.student_file_url(grant.student),
                "opened": breakglass.opened_under(grant),
                "opened_limit": breakglass.OPENED_SHOWN,
            },
        )


@requires(scope.may_break_glass, "break_glass")
@require_POST
def break_glass_end(request, pk):
    grant = scope.get_break_glass_grant_for_user(request.user, pk)
    try:
        breakglass.end_break_glass(grant, by=request.user, address=client_address(request))
        messages.success(request, _("The emergency access has ended."))
    except breakglass.BreakGlassError as error:
        messages.error(request, str(error))
    return redirect("privacy:break_glass_detail", pk=grant.pk)


@requires(scope.may_review_break_glass, "break_glass_review")
@require_POST
def break_glass_review(request, pk):
    grant = scope.get_break_glass_grant_for_user(request.user, pk)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Review: choose justified or not justified."))
        return redirect("privacy:break_glass_detail", pk=grant.pk)
    try:
        breakglass.review_break_glass(
            grant,
            by=request.user,
            outcome=form.cleaned_data["outcome"],
            note=form.cleaned_data["note"],
            address=client_address(request),
        )
        messages.success(request, _("The review is recorded."))
    except breakglass.BreakGlassError as error:
        messages.error(request, str(error))
    return redirect("privacy:break_glass_detail", pk=grant.pk)


@student_only
def mine(request):
    """The student's own consents (with withdrawal) and, where policy allows, who opened their file."""
    student = scope.own_student(request.user)
    consents = scope.consents_of(request.user).select_related("campaign")
    shows_log = policy_in_force().care.student_sees_access_log
    return render(
        request,
        "privacy/mine.html",
        {
            "student": student,
            "consents": consents,
            "shows_log": shows_log,
            "accesses": access_log.accesses_for_student(student) if (shows_log and student) else [],
            "withdraw_form": WithdrawForm(),
        },
    )


@student_only
@require_POST
def consent_withdraw(request, pk):
    record = scope.get_own_consent_for_user(request.user, pk)
    form = WithdrawForm(request.POST)
    form.is_valid()
    if request.POST.get("confirm") != "yes":
        messages.error(request, _("Please tick the box to confirm that you withdraw this consent."))
        return redirect(reverse("privacy:mine"))
    try:
        consent.withdraw_consent(
            record, by=request.user, reason=form.cleaned_data.get("reason", ""), address=client_address(request)
        )
        messages.success(request, _("Your consent is withdrawn."))
    except consent.ConsentError as error:
        messages.error(request, str(error))
    return redirect(reverse("privacy:mine"))
