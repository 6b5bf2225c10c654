"""Results pages at the right tiers: a student's results over time (T3, audited), a campaign's aggregate
by class and college (completion for T2, positive rates for T3, small groups suppressed), and the export
of a campaign's results to Excel (T3, audited, formula-safe)."""

from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from xinyu.accounts.stepup import step_up_required
from xinyu.audit.models import AuditEntry
from xinyu.care.models import Interview
from xinyu.common.access import staff_only
from xinyu.org.access_log import Event, Read, client_address, record_many, record_read
from xinyu.org.scope import Tier
from xinyu.roster import export
from xinyu.screening import results, scope
from xinyu.screening.models import Campaign


@staff_only
@require_GET
def student_results(request, student_id):
    student = scope.get_student_for_user(request.user, student_id, Tier.T3)
    _tier, grant = scope.tier_for(request.user, student)
    with transaction.atomic():
        rows = list(results.student_results(student))
        interviews = list(student.interviews.filter(source=Interview.Source.SCREENING).order_by("-due_on", "-pk"))
        record_read(request, Read.SCREENING_RESULTS, student=student, tier=Tier.T3, post=grant.post if grant else "")
        return render(
            request,
            "screening/results_student.html",
            {"student": student, "results": rows, "interviews": interviews},
        )


def _campaign_for(user, campaign_id) -> tuple[Campaign, results.Aggregate]:
    campaign = get_object_or_404(Campaign, pk=campaign_id)
    aggregate = results.campaign_aggregate(user, campaign)
    if aggregate.is_empty:
        raise Http404
    return campaign, aggregate


def chosen_college(request, college_ids: list[int]) -> int | None:
    """The college whose classes a page lists: `?college=` (404 outside the viewer's colleges), or the only
    one the viewer sees; None for the summary of every college."""
    raw = request.GET.get("college")
    if raw:
        if not raw.isdigit() or int(raw) not in college_ids:
            raise Http404
        return int(raw)
    return college_ids[0] if len(college_ids) == 1 else None


@staff_only
@require_GET
def campaign_results(request, campaign_id):
    """One row per college, and a college's classes on asking. Aggregates name no student: no audit entry
    (the export and the student page are audited)."""
    campaign, aggregate = _campaign_for(request.user, campaign_id)
    college_id = chosen_college(request, [row.pk for row in aggregate.colleges])
    college = aggregate.college(college_id) if college_id else None
    return render(
        request,
        "screening/results_campaign.html",
        {
            "campaign": campaign,
            "aggregate": aggregate,
            "college": college,
            "class_rows": aggregate.class_rows(college_id) if college_id else [],
            "several_colleges": len(aggregate.colleges) > 1,
            "suppressed_note": results.suppressed_note(),
            "may_export": scope.may_view_screening_results(request.user)
            and any(row.with_results for row in aggregate.classes),
            "suppress_below": results.SUPPRESS_BELOW,
        },
    )


@staff_only
@step_up_required
@require_GET
def campaign_results_export(request, campaign_id):
    campaign, _aggregate = _campaign_for(request.user, campaign_id)
    if not scope.may_view_screening_results(request.user):
        raise Http404
    with transaction.atomic():
        rows = list(results.export_results(request.user, campaign))
        content, count = export.to_xlsx(
            "测评结果", results.EXPORT_HEADERS, (results.export_row(row) for row in rows), results.EXPORT_WIDTHS
        )
        students = {row.student_id: row.student for row in rows}
        record_many(
            request.user,
            [
                Event(
                    AuditEntry.Action.EXPORT,
                    "screening.results_export",
                    student=student,
                    tier=Tier.T3,
                    detail={"campaign": campaign.pk},
                )
                for student in students.values()
            ]
            or [
                Event(
                    AuditEntry.Action.EXPORT, "screening.results_export", tier=Tier.T3, detail={"campaign": campaign.pk}
                )
            ],
            address=client_address(request),
        )
    name = _("screening-results-%(date)s") % {"date": timezone.localdate().strftime("%Y%m%d")}
    response = HttpResponse(content, content_type=export.XLSX_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, f"{name}.xlsx")
    response["X-Row-Count"] = str(count)
    return response
