"""Roster import (upload → preview → confirm → result) and list export. Thin: the work is in
`jobs`, `importer` and `export`."""

from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from xinyu.accounts.stepup import step_up_required
from xinyu.audit.models import AuditEntry
from xinyu.common.access import requires
from xinyu.org import scope
from xinyu.org.access_log import Event, client_address, record_request
from xinyu.org.scope import Tier
from xinyu.org.views.students import filtered_students
from xinyu.roster import export, jobs
from xinyu.roster.forms import UploadForm
from xinyu.roster.models import ImportJob
from xinyu.roster.problems import RefusedFile
from xinyu.roster.template_file import build_template

RECENT_JOBS = 10
PROBLEMS_SHOWN = 500
EXPORT_FILTERS = ("q", "college", "class_group")


def _download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


@requires(scope.may_import_roster, "roster")
@require_http_methods(["GET", "POST"])
def import_roster(request):
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = jobs.start(
                request.user,
                form.cleaned_data["file"],
                create_missing=form.cleaned_data["create_missing"],
                address=client_address(request),
            )
        except RefusedFile as refused:
            form.add_error("file", refused.reason)
        else:
            return redirect("roster:job", job.pk)
    recent = ImportJob.objects.filter(created_by=request.user)[:RECENT_JOBS]
    return render(request, "roster/import.html", {"form": form, "recent": recent})


def _job_page(request, job, *, confirm_error: str = "", status: int = 200):
    context = {
        "job": job,
        "problems": job.problems[:PROBLEMS_SHOWN],
        "more": max(0, len(job.problems) - PROBLEMS_SHOWN),
        "conflicts": jobs.conflicts_of(job),
        "may_correct": scope.may_correct_student_identity(request.user),
        "confirm_error": confirm_error,
    }
    template = "roster/job.html#status" if request.htmx else "roster/job.html"
    return render(request, template, context, status=status)


@requires(scope.may_import_roster, "roster")
@require_GET
def job_detail(request, pk):
    return _job_page(request, jobs.job_for_user(request.user, pk))


@requires(scope.may_import_roster, "roster")
@require_POST
def job_confirm(request, pk):
    """Confirm a preview; identity conflicts are confirmed by ticking each (re-checked by the import)."""
    job = jobs.job_for_user(request.user, pk)
    try:
        jobs.confirm(
            job,
            by=request.user,
            corrections=request.POST.getlist("correction"),
            address=client_address(request),
        )
    except jobs.ConfirmationRefused as refused:
        return _job_page(request, job, confirm_error=refused.reason, status=400)
    return redirect("roster:job", job.pk)


@requires(scope.may_import_roster, "roster")
@require_GET
def job_problems(request, pk):
    """Every problem of a preview, as a CSV to work through in Excel."""
    job = jobs.job_for_user(request.user, pk)
    rows = ([p["sheet"], p["row"] or "", p["column"], p["value"], p["reason"]] for p in job.problems)
    headers = [_("Sheet"), _("Row"), _("Column"), _("Value"), pgettext("roster problem", "Reason")]
    content, _count = export.to_csv(headers, rows)
    return _download(content, export.CSV_TYPE, _("problems-%(name)s.csv") % {"name": job.file_name.rsplit(".", 1)[0]})


@requires(scope.may_import_roster, "roster")
@require_GET
def template(request):
    return _download(build_template(), export.XLSX_TYPE, _("roster-template.xlsx"))


@requires(scope.may_export_students, "export")
@step_up_required
@require_GET
def export_students(request):
    """The student list the viewer sees, with the list page's filters, as .xlsx (default) or .csv."""
    students = filtered_students(request.user, request.GET)
    rows = export.student_rows(students)
    kind = "csv" if request.GET.get("format") == "csv" else "xlsx"
    name = _("students-%(date)s") % {"date": timezone.localdate().strftime("%Y%m%d")}
    filters = {key: request.GET[key] for key in EXPORT_FILTERS if request.GET.get(key)}
    with transaction.atomic():
        if kind == "csv":
            content, count = export.to_csv(export.STUDENT_HEADERS, rows)
        else:
            content, count = export.to_xlsx("学生", export.STUDENT_HEADERS, rows, export.STUDENT_WIDTHS)
        record_request(
            request,
            Event(
                AuditEntry.Action.EXPORT,
                "student.export",
                tier=Tier.T1,
                detail={"count": count, "filters": filters, "format": kind},
            ),
        )
    content_type = export.CSV_TYPE if kind == "csv" else export.XLSX_TYPE
    return _download(content, content_type, f"{name}.{kind}")
