"""Research studies and their anonymised extracts: the centre's supervisor approves a study and takes
extracts of a screening round as CSV (each recorded, and in the access log)."""

from django import forms
from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xinyu.common.access import requires
from xinyu.org.access_log import Read, record_read
from xinyu.org.models import Post, School
from xinyu.org.scope import current_appointments
from xinyu.reports import research, scope
from xinyu.reports.models import ResearchOutput, ResearchStudy
from xinyu.reports.monthly import ReportError
from xinyu.screening.models import Campaign

research_view = requires(scope.may_run_research, "research")
DATE = {"type": "date", "class": "form-control"}


class StudyForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), widget=forms.TextInput({"class": "form-control"}))
    purpose = forms.CharField(
        label=gettext_lazy("Purpose"), widget=forms.Textarea({"rows": 3, "class": "form-control"})
    )
    starts_on = forms.DateField(label=gettext_lazy("Starts on"), widget=forms.DateInput(DATE))
    ends_on = forms.DateField(label=gettext_lazy("Ends on"), widget=forms.DateInput(DATE))
    k = forms.IntegerField(label=gettext_lazy("Smallest group (k)"), min_value=2,
                           widget=forms.NumberInput({"class": "form-control"}))  # fmt: skip


def _school(user) -> School:
    schools = [scope.school_id_of(a) for a in current_appointments(user) if a.post == Post.CENTRE_SUPERVISOR]
    return School.objects.get(pk=schools[0])


class OutputForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=ResearchOutput.Kind.choices,
                             widget=forms.Select({"class": "form-select"}))  # fmt: skip
    title = forms.CharField(label=gettext_lazy("Title"), widget=forms.TextInput({"class": "form-control"}))
    people = forms.CharField(label=gettext_lazy("People"), widget=forms.TextInput({"class": "form-control"}))
    venue = forms.CharField(label=gettext_lazy("Published in, held at or funded by"), required=False,
                            widget=forms.TextInput({"class": "form-control"}))  # fmt: skip
    on = forms.DateField(label=gettext_lazy("Date"), widget=forms.DateInput(DATE))


@research_view
def outputs(request):
    """The research register (第十七条): projects, papers, academic activities."""
    school = _school(request.user)
    form = OutputForm(request.POST or None)
    status = 200
    if request.method == "POST":
        try:
            if not form.is_valid():
                raise ReportError(_("Please give its title, the people and the date."))
            research.record_output(school, by=request.user, **form.cleaned_data)
        except ReportError as error:
            messages.error(request, str(error))
            status = 400
        else:
            messages.success(request, _("Recorded."))
            return redirect("reports:research_outputs")
    with transaction.atomic():
        record_read(request, Read.RESEARCH)
        return render(request, "reports/research_outputs.html", {
            "outputs": ResearchOutput.objects.filter(school=school), "form": form,
        }, status=status)  # fmt: skip


@research_view
def studies(request):
    school = _school(request.user)
    form = StudyForm(request.POST or None, initial={"k": research.k_minimum()})
    status = 200
    if request.method == "POST":
        try:
            if not form.is_valid():
                raise ReportError(_("Please give the study's title, purpose, dates and k."))
            study = research.approve_study(school, by=request.user, **form.cleaned_data)
        except ReportError as error:
            messages.error(request, str(error))
            status = 400
        else:
            messages.success(request, _("The study is approved."))
            return redirect(study)
    with transaction.atomic():
        record_read(request, Read.RESEARCH)
        return render(request, "reports/research_studies.html", {
            "studies": ResearchStudy.objects.filter(school=school), "form": form,
        }, status=status)  # fmt: skip


@research_view
def study_page(request, pk):
    school = _school(request.user)
    study = ResearchStudy.objects.filter(school=school, pk=pk).first()
    if study is None:
        raise Http404
    campaigns = Campaign.objects.filter(school=school).order_by("-opens_at")
    if request.method == "POST":
        campaign = campaigns.filter(pk=request.POST.get("campaign") or 0).first()
        try:
            if campaign is None:
                raise ReportError(_("Please choose a screening round."))
            k = int(request.POST.get("k") or study.k)
            extract, taken = research.take_extract(study, campaign, by=request.user, k=k)
        except (ReportError, ValueError) as error:
            messages.error(request, str(error) if isinstance(error, ReportError) else _("k must be a whole number."))
        else:
            response = HttpResponse(research.to_csv(extract), content_type="text/csv; charset=utf-8")
            name = f"research-{study.pk}-campaign-{campaign.pk}-{taken.pk}.csv"
            response["Content-Disposition"] = content_disposition_header(True, name)
            return response
    with transaction.atomic():
        record_read(request, Read.RESEARCH, detail={"study": study.pk})
        return render(request, "reports/research_study.html", {
            "study": study, "campaigns": campaigns, "extracts": study.extracts.select_related("campaign", "taken_by"),
        }, status=400 if request.method == "POST" else 200)  # fmt: skip
