"""Reporting a concern (预警上报) on a phone, the reporter's own reports, and the handler's report page."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from xinyu.common.access import signed_in, staff_only
from xinyu.concerns import scope
from xinyu.concerns.forms_reports import ReportForm, TriageForm
from xinyu.concerns.models import ConcernReport
from xinyu.concerns.services import reports
from xinyu.org.access_log import Read, client_address, record_read
from xinyu.org.scope import Tier
from xinyu.policy.errors import DomainError
from xinyu.policy.loader import policy_in_force

# The roles a report goes to, as the reporter is told (roles, not names).
ROLE_LABELS = {
    "advisor": _("The student's advisor"),
    "head_teacher": _("The student's head teacher"),
    "mental_health_advisor": _("The college's mental-health advisor"),
    "college_leader_in_charge": _("The college leader in charge of mental health"),
    "college_working_group": _("The college's mental-health working group"),
    "student_affairs": _("The Student Affairs Department"),
    "centre": _("The psychology centre"),
    "school_leader": _("The school leader in charge (the duty leader out of hours)"),
    "logistics_security": _("The Logistics and Security Office"),
}
PICKER_LIMIT = 20
MY_REPORTS_PAGE = 50


def help_lines() -> list[dict]:
    """Help lines shown after an urgent report, from the policy file's [centre] table: the centre (阳光心理中心)
    and its phone, the school's 24-hour crisis line, the hotlines, then 110/120."""
    centre = policy_in_force(timezone.localdate()).centre
    lines = [{"key": "centre", "label": centre.name, "phone": centre.phone}]
    if centre.crisis_line:
        lines.append({"key": "crisis", "label": centre.crisis_line.name, "phone": centre.crisis_line.number})
    lines += [
        {"key": f"hotline-{n}", "label": line.name, "phone": line.number} for n, line in enumerate(centre.hotlines)
    ]
    lines += [{"key": line.number, "label": line.name, "phone": line.number} for line in centre.emergency]
    return lines


def case_url(case_id: int) -> str:
    """The crisis case page, from its id alone (no query for the case)."""
    return reverse("concerns:case_detail", args=[case_id])


def _picker(user, query: str):
    """Names the reporter may pick: a dorm leader's room or a rep's class in full; staff search theirs."""
    students = scope.report_picker_students(user).only("pk", "name", "student_number")
    if user.is_student:
        return list(students.order_by("name", "pk")), False
    query = reports.normalise_typed(query)
    if not query:
        return [], False
    matching = students.filter(Q(student_number__startswith=query) | Q(name__contains=query))
    found = list(matching.order_by("student_number")[: PICKER_LIMIT + 1])
    return found[:PICKER_LIMIT], len(found) > PICKER_LIMIT


def _default_urgency(category: str) -> str:
    """Urgent is pre-selected for self-harm; otherwise the page leaves the choice open until a category is
    chosen (without scripts, a report whose urgency was left open is urgent for self-harm, else normal)."""
    return ConcernReport.Urgency.URGENT if category == ConcernReport.Category.SELF_HARM else ""


@signed_in
def report_new(request):
    user = request.user
    query = request.GET.get("q", "")
    part = request.GET.get("part", "")
    picker = scope.report_picker_students(user)
    if request.method == "POST":
        form = ReportForm(request.POST, reporter=user, picker=picker, address=client_address(request))
        if form.is_valid():
            data = form.cleaned_data
            try:
                report = reports.submit_report(
                    user, form.student, category=data["category"], urgency=data["urgency"],
                    description=data["description"], observed_at=data["observed_at"], place=data["place"],
                )  # fmt: skip
            except DomainError as error:
                form.add_error(None, str(error))
            else:
                return redirect("concerns:report_thanks", pk=report.pk)
    else:
        form = ReportForm(reporter=user, picker=picker, initial={"category": request.GET.get("category")})
    if part == "urgency" and request.htmx:
        # Choosing a category swaps in the urgency buttons with "urgent" pre-selected for self-harm.
        context = {"form": form, "urgency_checked": _default_urgency(request.GET.get("category", "")) or "normal"}
        return render(request, "concerns/report_new.html#urgency", context)
    choices, more = _picker(user, query)
    chosen = str(form["who"].value() or "")
    context = {
        "form": form,
        "choices": choices,
        "more": more,
        "query": query,
        "chosen": chosen,
        "is_student": user.is_student,
        "own_student": form.own_student,
        "urgency_checked": form["urgency"].value() or _default_urgency(form["category"].value() or ""),
    }
    if part == "picker" and request.htmx:
        return render(request, "concerns/report_new.html#picker", context)
    return render(request, "concerns/report_new.html", context)


@signed_in
def report_thanks(request, pk):
    report = scope.get_own_report_for_user(request.user, pk)
    urgent = report.urgency == ConcernReport.Urgency.URGENT
    roles = [ROLE_LABELS.get(role, role) for role in reports.receiver_roles(urgent=urgent)]
    context = {"report": report, "urgent": urgent, "roles": roles, "help_lines": help_lines() if urgent else []}
    return render(request, "concerns/report_thanks.html", context)


@signed_in
def my_reports(request):
    """The reporter's own reports and whether someone has taken them: nothing else about the student."""
    rows = (
        scope.own_reports(request.user)
        .select_related("student")
        .only("pk", "created_at", "category", "urgency", "status", "is_drill", "student__name")
        .order_by("-created_at", "-pk")
    )
    page = Paginator(rows, MY_REPORTS_PAGE).get_page(request.GET.get("page"))
    items = [{"report": report, "status": reports.reporter_status(report)} for report in page]
    return render(request, "concerns/report_mine.html", {"page": page, "items": items})


def _report_page(request, report, *, triage_form=None, status=200):
    """The report is T2 data about its student: the read and its audit entry commit together, or the
    request fails."""
    user, student = request.user, report.student
    tier, grant = scope.tier_for(user, student)
    with transaction.atomic():
        ack = getattr(report, "ack", None)
        context = {
            "report": report,
            "student": student,
            "ack": ack,
            "recipients": list(ack.recipients.select_related("person").order_by("stage", "added_at")) if ack else [],
            "overdue": bool(ack and ack.acknowledged_at is None and ack.due_at < timezone.now()),
            "links_student": tier >= Tier.T1,
            # Why Xinyu itself raised the report (a screening's red flag) is T3: nor is the reporter named
            # below T3, since "raised by Xinyu" would say the same.
            "reads_restricted": tier >= Tier.T3,
            "hides_reporter": bool(report.restricted_detail) and tier < Tier.T3,
            "may_handle": scope.may_handle_report(user, report),
            "triage_form": triage_form or TriageForm(),
            "case_url": case_url(report.case_id) if report.case_id else "",
            "levels": list(policy_in_force(timezone.localdate()).levels.values()),
        }
        record_read(
            request,
            Read.CONCERN_REPORT,
            student=student,
            tier=max(tier, Tier.T2),
            post=grant.post,  # reports_for: only those holding T2 or above reach the page
            detail={"report": report.pk},
        )
        return render(request, "concerns/report_detail.html", context, status=status)


@staff_only
def report_detail(request, pk):
    return _report_page(request, scope.get_report_for_user(request.user, pk))


@staff_only
@require_POST
def report_acknowledge(request, pk):
    report = scope.get_report_to_handle_for_user(request.user, pk)
    try:
        reports.acknowledge_report(report, by=request.user)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("You have taken this report. Please triage it."))
    return redirect("concerns:report_detail", pk=report.pk)


@staff_only
@require_POST
def report_triage(request, pk):
    report = scope.get_report_to_handle_for_user(request.user, pk)
    form = TriageForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            case = reports.triage_report(
                report, by=request.user, crisis_level=form.crisis_level, note=data["note"], reason=data["reason"],
                interview_on=data["interview_on"],
            )  # fmt: skip
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            if case is not None:
                return redirect(case_url(case.pk))
            messages.success(request, _("Triaged: no crisis."))
            return redirect("concerns:report_detail", pk=report.pk)
    report.refresh_from_db()
    return _report_page(request, report, triage_form=form, status=400)
