"""The monthly report pages: my colleges' reports, one report (draft, approve, send, return, new version),
its Word file, and 学工部's and the leading group's month × college grid and month summary."""

import datetime as dt

from django import forms
from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xinyu.audit.models import AuditEntry
from xinyu.common.access import requires
from xinyu.common.params import FIRST_YEAR, LAST_YEAR, id_param
from xinyu.org.access_log import Event, Read, record_read, record_request
from xinyu.org.models import College
from xinyu.reports import figures, monthly, overview, scope
from xinyu.reports.figures import month_start, rows
from xinyu.reports.models import MonthlyReport
from xinyu.reports.word import figures_of, report_to_docx

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
monthly_reports_view = requires(scope.may_see_monthly_reports, "monthly_reports")
AREA = {"rows": 4, "class": "form-control"}


class NarrativeForm(forms.Form):
    activities = forms.CharField(label=gettext_lazy("Activities held"), required=False, widget=forms.Textarea(AREA))
    problems = forms.CharField(label=gettext_lazy("Problems found"), required=False, widget=forms.Textarea(AREA))
    concerns = forms.CharField(
        label=gettext_lazy("Students of concern (in words, without names)"), required=False,
        widget=forms.Textarea(AREA),
    )  # fmt: skip
    next_focus = forms.CharField(label=gettext_lazy("Next month's focus"), required=False, widget=forms.Textarea(AREA))


def parse_month(text: str) -> dt.date:
    try:
        return figures.parse_month(text)
    except ValueError:
        raise Http404 from None


@monthly_reports_view
def monthly_index(request):
    """The reports of my colleges over the last twelve months, and the grid for those who oversee."""
    user = request.user
    today = timezone.localdate()
    months = [month_start(today)]
    for _n in range(11):
        months.append(overview.previous_month(months[-1]))
    colleges = scope.colleges_to_read_for(user)
    own = colleges.filter(pk__in=scope.colleges_to_draft_for(user)) | colleges.filter(
        pk__in=scope.colleges_to_approve_for(user)
    )
    rows_ = []
    for college in own.distinct().order_by("code"):
        current = {r.month: r for r in MonthlyReport.objects.filter(college=college, month__in=months).exclude(
            status=MonthlyReport.Status.SUPERSEDED)}  # fmt: skip
        cells = [overview.Cell(m, overview.state_of(current.get(m), m, today), current.get(m)) for m in months]
        rows_.append((college, cells))
    with transaction.atomic():
        record_read(request, Read.MONTHLY_REPORTS)
        return render(request, "reports/monthly_index.html", {
            "rows": rows_, "oversees": bool(scope.schools_to_oversee_for(user)), "year": today.year,
            "last_month": overview.previous_month(today),
        })  # fmt: skip


def _report_page(request, college, month, *, form=None, status=200):
    user = request.user
    report = monthly.current_report(college, month)
    versions = MonthlyReport.objects.filter(college=college, month=month).order_by("-version")
    may_draft = scope.may_draft(user, college)
    context = {
        "college": college,
        "month": month,
        "report": report,
        "versions": versions,
        "due_on": monthly.due_on(month),
        "figures": rows(figures_of(report)) if report else [],
        "screening": figures_of(report).get("screening", []) if report else [],
        "may_draft": may_draft,
        "may_approve": scope.may_approve(user, college),
        "may_return": scope.may_return(user, college),
        "form": form or (NarrativeForm(initial={n: getattr(report, n) for n in monthly.NARRATIVE}) if report else None),
        "month_has_begun": month <= timezone.localdate(),
    }
    with transaction.atomic():
        record_read(request, Read.MONTHLY_REPORT, detail={"college": college.code, "month": f"{month:%Y-%m}"})
        return render(request, "reports/monthly_report.html", context, status=status)


@monthly_reports_view
def monthly_report(request, college_id, month):
    college = scope.get_college_for_user(request.user, college_id)
    month = parse_month(month)
    if request.method != "POST":
        return _report_page(request, college, month)
    action = request.POST.get("action", "")
    report = monthly.current_report(college, month)
    form = None
    try:
        if action == "start":
            monthly.start_report(college, month, by=request.user)
            done = _("The draft is started: the figures below are assembled from the records.")
        elif report is None:
            raise Http404
        elif action in ("save", "submit"):
            form = NarrativeForm(request.POST)
            form.is_valid()
            monthly.save_narrative(report, by=request.user, **form.cleaned_data)
            if action == "submit":
                monthly.submit_report(report, by=request.user)
                done = _("The report is submitted to the working group head for approval.")
            else:
                done = _("The draft is saved.")
        elif action == "send_back":
            monthly.send_back(report, by=request.user, note=request.POST.get("note", ""))
            done = _("The report is sent back to the office.")
        elif action == "approve":
            monthly.approve_and_send(report, by=request.user)
            done = _("The report is approved and sent to 学工部; its figures are now fixed.")
        elif action == "return":
            monthly.return_for_changes(report, by=request.user, note=request.POST.get("note", ""))
            done = _("The report is returned to the college for changes.")
        elif action == "new_version":
            monthly.new_version(report, by=request.user, reason=request.POST.get("reason", ""))
            done = _("A new version is started.")
        else:
            raise Http404
    except monthly.ReportError as error:
        messages.error(request, str(error))
        return _report_page(request, college, month, form=form, status=400)
    messages.success(request, done)
    return redirect("reports:monthly", college.pk, f"{month:%Y-%m}")


@monthly_reports_view
def monthly_docx(request, college_id, month):
    college = scope.get_college_for_user(request.user, college_id)
    month = parse_month(month)
    report = monthly.current_report(college, month)
    if report is None:
        raise Http404
    with transaction.atomic():
        content = report_to_docx(report)
        record_request(request, Event(AuditEntry.Action.EXPORT, "reports.monthly",
                                      detail={"report": report.pk, "college": college.code}))  # fmt: skip
    response = HttpResponse(content, content_type=DOCX_TYPE)
    name = f"monthly-report-{college.code}-{month:%Y-%m}-v{report.version}.docx"
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


def _overseen_colleges(user):
    schools = scope.schools_to_oversee_for(user)
    if not schools:
        raise Http404
    return College.objects.filter(school_id__in=schools)


@monthly_reports_view
def monthly_grid(request):
    """Month × college: sent, late, missing, returned — for 学工部, the centre and the leading group."""
    colleges = _overseen_colleges(request.user)
    today = timezone.localdate()
    year = id_param(request.GET.get("year"))
    if year is None or not FIRST_YEAR <= year <= LAST_YEAR:
        year = today.year
    table = overview.grid(colleges, year, today)
    with transaction.atomic():
        record_read(request, Read.MONTHLY_GRID, detail={"year": year})
        return render(request, "reports/monthly_grid.html", {
            "grid": table, "year": year, "months": overview.months_of(year, today), "states": overview.STATES,
        })  # fmt: skip


@monthly_reports_view
def month_summary(request, month):
    """The school's month, summed from the colleges' sent reports (small cells hidden from the leading group)."""
    colleges = _overseen_colleges(request.user)
    month = parse_month(month)
    summary = overview.month_summary(colleges, month, suppress=scope.is_leading_group_only(request.user))
    with transaction.atomic():
        record_read(request, Read.MONTH_SUMMARY, detail={"month": f"{month:%Y-%m}"})
        return render(request, "reports/month_summary.html", {"summary": summary, "month": month})
