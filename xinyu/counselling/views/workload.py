"""Workload (课时保障, 第十三条): counselling and interview hours per staff member per month. Supervisors
see everyone; other staff see themselves. Counts only, no student named; opening and exporting are
recorded in the access log."""

from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header

from xinyu.accounts.stepup import step_up_required
from xinyu.audit.models import AuditEntry
from xinyu.common.access import requires
from xinyu.counselling import scope
from xinyu.counselling import workload as wl
from xinyu.org.access_log import Event, Read, record_read, record_request
from xinyu.roster import export

workload_view = requires(scope.may_view_workload, "workload")


def _rows(user, month):
    if scope.may_view_all_workload(user):
        return wl.workload(month), True
    return wl.workload(month, only_user=user), False


@workload_view
def workload(request):
    month = wl.parse_month(request.GET.get("month"))
    rows, everyone = _rows(request.user, month)
    previous = (month.replace(day=1) - wl.dt.timedelta(days=1)).replace(day=1)
    following = (month + wl.dt.timedelta(days=32)).replace(day=1)
    with transaction.atomic():
        record_read(request, Read.COUNSELLING_WORKLOAD, detail={"month": f"{month:%Y-%m}", "all": everyone})
        return render(
            request,
            "counselling/workload.html",
            {
                "rows": rows,
                "month": month,
                "everyone": everyone,
                "previous": previous,
                "following": following,
                "interview_minutes": wl.INTERVIEW_DEFAULT_MINUTES,
            },
        )


@workload_view
@step_up_required
def workload_export(request):
    month = wl.parse_month(request.GET.get("month"))
    rows, everyone = _rows(request.user, month)
    with transaction.atomic():
        content, count = wl.to_xlsx(month, rows)
        record_request(
            request,
            Event(
                AuditEntry.Action.EXPORT, "counselling.workload", detail={"month": f"{month:%Y-%m}", "all": everyone}
            ),
        )
    response = HttpResponse(content, content_type=export.XLSX_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, f"workload-{month:%Y-%m}.xlsx")
    response["X-Row-Count"] = str(count)
    return response
