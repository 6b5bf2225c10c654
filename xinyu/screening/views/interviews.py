"""Interview tasks (约谈) and their records: the assignee's list and the record form (T3).

Interview records are T3: the college working group and the centre read those of their students. That a
student has a screening interview at all is T3 too: a head teacher or advisor (T2) sees nothing of it.
"""

from django import forms
from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xinyu.common.access import staff_only
from xinyu.org.access_log import Read, client_address, read_event, record_read, record_reads
from xinyu.org.scope import Tier
from xinyu.screening import scope
from xinyu.screening.interviews import InterviewError, record_interview
from xinyu.screening.models import Interview


class InterviewForm(forms.Form):
    conducted_at = forms.DateTimeField(
        label=gettext_lazy("When"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local", "class": "form-control"}),
    )
    method = forms.ChoiceField(label=gettext_lazy("How"), choices=Interview.Method.choices, widget=forms.RadioSelect)
    outcome = forms.ChoiceField(
        label=gettext_lazy("Outcome"), choices=Interview.Outcome.choices, widget=forms.RadioSelect
    )
    notes = forms.CharField(
        label=gettext_lazy("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 4, "class": "form-control"})
    )
    urgent = forms.BooleanField(label=gettext_lazy("The concern report is urgent"), required=False)


@staff_only
def interview_list(request):
    """My interview tasks, and the open interviews of students I see at T3."""
    user = request.user
    mine = list(scope.interview_tasks_for(user).select_related("student__class_group").order_by("due_on", "pk"))
    mine_ids = {interview.pk for interview in mine}
    readable = [
        interview
        for interview in scope.interviews_for(user)
        .filter(conducted_at__isnull=True)
        .select_related("student__class_group", "assignee")
        .order_by("due_on", "pk")
        if interview.pk not in mine_ids
    ]
    # A task assigned to someone who no longer holds T3 over its student is not shown to them.
    shown = scope.may_be_told(user, [(interview.student, Tier.T3) for interview in mine])
    withheld = shown.count(False)
    mine = [interview for interview, ok in zip(mine, shown, strict=True) if ok]
    today = timezone.localdate()
    for interview in [*mine, *readable]:
        interview.overdue = interview.due_on < today
    events = [
        read_event(Read.INTERVIEW_LIST, student=i.student, tier=Tier.T3, post="interview")
        for i in {i.student_id: i for i in [*mine, *readable]}.values()
    ]
    with transaction.atomic():
        record_reads(request, events)
        return render(
            request, "screening/interview_list.html", {"mine": mine, "readable": readable, "withheld": withheld}
        )


def _page(request, interview, *, form=None, status=200):
    user = request.user
    _tier, grant = scope.tier_for(user, interview.student)
    with transaction.atomic():
        context = {
            "interview": interview,
            "student": interview.student,
            "result": interview.result,
            "may_record": scope.may_record_interview(user, interview),
            "reads_results": scope.results_students_for(user).filter(pk=interview.student_id).exists(),
            "form": form or InterviewForm(initial={"conducted_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")}),
        }
        record_read(
            request,
            Read.INTERVIEW,
            student=interview.student,
            tier=Tier.T3,
            post=grant.post if grant else "assignee",
            detail={"interview": interview.pk},
        )
        return render(request, "screening/interview_detail.html", context, status=status)


@staff_only
def interview_detail(request, pk):
    interview = scope.get_interview_for_user(request.user, pk)
    if request.method != "POST":
        return _page(request, interview)
    if not scope.may_record_interview(request.user, interview):
        messages.error(request, _("Only the person it is assigned to can record this interview."))
        return redirect(interview)
    form = InterviewForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            record_interview(
                interview, by=request.user, conducted_at=data["conducted_at"], method=data["method"],
                outcome=data["outcome"], notes=data["notes"], urgent=data["urgent"], address=client_address(request),
            )  # fmt: skip
        except InterviewError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The interview is recorded."))
            return redirect(interview)
    return _page(request, interview, form=form, status=400)
