"""The leading group's year: the year's work summary and next year's priorities, the symposium and its
decisions (read by the leading group, 学工部 and the centre's supervisor; kept by 学工部), its Word file,
a decision's page for its owner, and the year's status report with its charts."""

from django import forms
from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from xinyu.accounts.models import User
from xinyu.audit.models import AuditEntry
from xinyu.common.access import staff_only
from xinyu.common.params import FIRST_YEAR, LAST_YEAR
from xinyu.education.plans import plan_summary
from xinyu.org.access_log import Event, Read, record_read, record_request
from xinyu.org.models import School
from xinyu.reports import annual, scope
from xinyu.reports.models import Decision, Symposium, YearSummary
from xinyu.reports.monthly import ReportError
from xinyu.reports.status import status_report
from xinyu.reports.views import AREA, DOCX_TYPE, monthly_reports_view
from xinyu.reports.word import status_to_docx

DATE = {"type": "date", "class": "form-control"}
TEXT = {"class": "form-control"}


class SummaryForm(forms.Form):
    summary = forms.CharField(label=gettext_lazy("The year's work summary"), widget=forms.Textarea({**AREA, "rows": 8}))
    priorities = forms.CharField(
        label=gettext_lazy("Next year's priorities"), required=False, widget=forms.Textarea(AREA)
    )


class SymposiumForm(forms.Form):
    held_on = forms.DateField(
        label=gettext_lazy("Held on"), widget=forms.DateInput({"type": "date", "class": "form-control"})
    )
    place = forms.CharField(
        label=gettext_lazy("Place"), required=False, widget=forms.TextInput({"class": "form-control"})
    )
    attendees = forms.CharField(label=gettext_lazy("Attendees"), widget=forms.Textarea({**AREA, "rows": 2}))
    papers = forms.MultipleChoiceField(
        label=gettext_lazy("Papers put before it"), required=False, choices=Symposium.Paper.choices,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    minutes = forms.CharField(label=gettext_lazy("Minutes"), required=False, widget=forms.Textarea(AREA))


class DecisionForm(forms.Form):
    text = forms.CharField(
        label=pgettext_lazy("of the symposium", "Decision"), widget=forms.Textarea({**AREA, "rows": 2})
    )
    owner = forms.ModelChoiceField(
        label=gettext_lazy("Owner"), queryset=None, widget=forms.Select({"class": "form-select"})
    )
    due_on = forms.DateField(
        label=gettext_lazy("Due on"), widget=forms.DateInput({"type": "date", "class": "form-control"})
    )

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        people = annual.owners_for(school)
        self.fields["owner"].queryset = User.objects.filter(pk__in=[person.pk for person in people])
        self.fields["owner"].label_from_instance = lambda person: person.full_name


def _school_for(user):
    schools = scope.schools_to_oversee_for(user)
    if not schools:
        raise Http404
    return School.objects.get(pk=min(schools))


def _annual_page(request, school, year, *, forms_=None, status=200):
    summary = YearSummary.objects.filter(school=school, year=year).first()
    symposiums = list(Symposium.objects.filter(school=school, year=year).prefetch_related("decisions__owner"))
    editor = scope.may_edit_annual(request.user, school)
    forms_ = forms_ or {}
    context = {
        "year": year, "school": school, "summary": summary, "symposiums": symposiums, "editor": editor,
        "summary_form": forms_.get("summary") or (SummaryForm(initial={"summary": summary.summary,
                                                                       "priorities": summary.priorities})
                                                  if summary else None),
        "symposium_form": forms_.get("symposium") or SymposiumForm(),
        "decision_form": forms_.get("decision") or DecisionForm(school=school),
        "today": timezone.localdate(),
        "plan": plan_summary(school, year),
        "previous_year": year - 1 if year > FIRST_YEAR else None,
        "next_year": year + 1 if year < LAST_YEAR else None,
    }  # fmt: skip
    with transaction.atomic():
        record_read(request, Read.ANNUAL, detail={"year": year})
        return render(request, "reports/annual.html", context, status=status)


@monthly_reports_view
def annual_page(request, year):
    """The year's summary, the symposium and its decisions: read by the leading group, 学工部 and the
    centre's supervisor; kept by 学工部."""
    school = _school_for(request.user)
    if request.method != "POST":
        return _annual_page(request, school, year)
    action = request.POST.get("action", "")
    bound = {}
    try:
        if action == "start_summary":
            annual.start_year_summary(school, year, by=request.user)
        elif action == "save_summary":
            bound["summary"] = form = SummaryForm(request.POST)
            if not form.is_valid():
                raise ReportError(_("Please write the year's work summary."))
            summary = YearSummary.objects.filter(school=school, year=year).first()
            if summary is None:
                raise Http404
            annual.save_year_summary(summary, by=request.user, text=form.cleaned_data["summary"],
                                     priorities=form.cleaned_data["priorities"])  # fmt: skip
        elif action == "symposium":
            bound["symposium"] = form = SymposiumForm(request.POST)
            if not form.is_valid():
                raise ReportError(_("Please give the date of the symposium and who attended."))
            annual.record_symposium(school, by=request.user, **form.cleaned_data)
        elif action == "decision":
            symposium = Symposium.objects.filter(school=school, pk=request.POST.get("symposium") or 0).first()
            if symposium is None:
                raise Http404
            bound["decision"] = form = DecisionForm(request.POST, school=school)
            if not form.is_valid():
                raise ReportError(_("Please write the decision, choose its owner and its due date."))
            annual.add_decision(symposium, by=request.user, **form.cleaned_data)
        else:
            raise Http404
    except ReportError as error:
        messages.error(request, str(error))
        return _annual_page(request, school, year, forms_=bound, status=400)
    messages.success(request, _("Saved."))
    return redirect("reports:annual", year)


@monthly_reports_view
def annual_docx(request, year):
    school = _school_for(request.user)
    summary = YearSummary.objects.filter(school=school, year=year).first()
    symposiums = Symposium.objects.filter(school=school, year=year)
    with transaction.atomic():
        content = annual.year_to_docx(school, year, summary, symposiums, plan_summary(school, year))
        record_request(request, Event(AuditEntry.Action.EXPORT, "reports.annual", detail={"year": year}))
    response = HttpResponse(content, content_type=DOCX_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, f"year-{year}.docx")
    return response


@staff_only
def decision_page(request, pk):
    """A decision, for its owner (from their work) and for those who read the year."""
    decision = Decision.objects.select_related("symposium__school", "owner", "done_by").filter(pk=pk).first()
    if decision is None or not (
        request.user.pk == decision.owner_id or scope.may_read_annual(request.user, decision.symposium.school)
    ):
        raise Http404
    status = 200
    if request.method == "POST":
        try:
            annual.complete_decision(decision, by=request.user, note=request.POST.get("note", ""))
        except ReportError as error:
            messages.error(request, str(error))
            status = 400
        else:
            messages.success(request, _("The decision is recorded as done."))
            return redirect(decision)
    with transaction.atomic():
        record_read(request, Read.DECISION, detail={"decision": decision.pk})
        may_complete = decision.done_at is None and annual.may_complete(request.user, decision)
        context = {"decision": decision, "may_complete": may_complete}
        return render(request, "reports/decision.html", context, status=status)


@monthly_reports_view
def status_page(request, year):
    """The students' mental-health status report of the year, with its charts (第十六条)."""
    school = _school_for(request.user)
    report = status_report(school, year)
    charts = [(chart, f"chart-{chart.key}", chart.echarts()) for chart in report.charts]
    with transaction.atomic():
        record_read(request, Read.STATUS_REPORT, detail={"year": year})
        return render(request, "reports/status_report.html", {"report": report, "charts": charts, "year": year})


@monthly_reports_view
def status_docx(request, year):
    school = _school_for(request.user)
    with transaction.atomic():
        content = status_to_docx(status_report(school, year))
        record_request(request, Event(AuditEntry.Action.EXPORT, "reports.status", detail={"year": year}))
    response = HttpResponse(content, content_type=DOCX_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, f"status-report-{year}.docx")
    return response
