"""约谈: one queue and one record form, whatever raised the interview (a screening, a concern report that was
no crisis, a crisis case's follow-up, a return from leave).

What an interview's existence reveals depends on its source (xinyu.care.interviews.tier_of): a head teacher
or advisor (T2) never learns that a screening called for one; what came of an interview is T3
(concerns.scope.reads_interview_record). This page sits above screening, whose result it shows.
"""

from django import forms
from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from xinyu.care.interviews import tier_of
from xinyu.care.models import Interview
from xinyu.common.access import staff_only
from xinyu.concerns import scope
from xinyu.concerns.services.interviews import InterviewError, record_interview
from xinyu.core.interview_rows import interview_entry, interview_rows
from xinyu.core.listing import listing
from xinyu.org.access_log import Read, client_address, record_read, record_reads
from xinyu.org.scope import Tier
from xinyu.screening import scope as screening_scope
from xinyu.screening.models import InterviewLink

SOURCES = dict(Interview.Source.choices)


class InterviewForm(forms.Form):
    conducted_at = forms.DateTimeField(
        label=gettext_lazy("When"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local", "class": "form-control"}),
    )
    method = forms.ChoiceField(
        label=pgettext_lazy("an interview", "How"), choices=Interview.Method.choices, widget=forms.RadioSelect
    )
    outcome = forms.ChoiceField(
        label=pgettext_lazy("an interview", "Outcome"), choices=Interview.Outcome.choices, widget=forms.RadioSelect
    )
    notes = forms.CharField(
        label=gettext_lazy("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 4, "class": "form-control"})
    )
    urgent = forms.BooleanField(label=gettext_lazy("The concern report is urgent"), required=False)


def _told(user, interviews: list) -> tuple[list, int]:
    """The interviews `user` may be told about (the tier of each one's source), and how many are not."""
    shown = scope.may_be_told(user, [(interview.student, tier_of(interview)) for interview in interviews])
    kept = [interview for interview, ok in zip(interviews, shown, strict=True) if ok]
    return kept, len(interviews) - len(kept)


@staff_only
def interview_list(request):
    """My interviews to hold, and the open interviews of students I may see."""
    user = request.user
    mine, withheld = _told(user, interview_rows(scope.interview_tasks_for(user).order_by("due_on", "pk")))
    # The open interviews of my students that are someone else's (mine are assigned to me, open).
    readable = interview_rows(
        scope.interviews_for(user).filter(conducted_at__isnull=True).exclude(assignee_id=user.pk)
        .order_by("due_on", "pk")
    )  # fmt: skip
    entries = [
        interview_entry(interview, kind=interview.source, kind_label=SOURCES[interview.source], mine=is_mine)
        for is_mine, interviews in ((True, mine), (False, readable))
        for interview in interviews
    ]
    shown = listing(entries, request.GET)
    with transaction.atomic():
        record_reads(request, shown.reads(Read.INTERVIEW_LIST, post="interview"))
        return render(
            request,
            "core/interview_list.html",
            {"mine": mine, "readable": readable, "listing": shown, "withheld": withheld},
        )


def _screening_link(interview) -> InterviewLink | None:
    """The screening the interview came from (a centre evaluation after an interview: that interview's)."""
    for candidate in (interview, interview.follows):
        if candidate is not None and candidate.source == Interview.Source.SCREENING:
            link = InterviewLink.objects.select_related("result__instrument").filter(interview=candidate).first()
            if link is not None:
                return link
    return None


def _page(request, interview, *, form=None, status=200):
    user = request.user
    reads_record = scope.reads_interview_record(user, interview)
    tier = Tier.T3 if reads_record else tier_of(interview)
    _tier, grant = scope.tier_for(user, interview.student)
    role = scope.case_records_role(user, interview.case) if interview.case is not None else ""
    post = grant.post if grant is not None else scope.ROLE_POSTS[role] if role else "assignee"
    link = _screening_link(interview) if interview.source == Interview.Source.SCREENING else None
    with transaction.atomic():
        context = {
            "interview": interview,
            "student": interview.student,
            "result": link.result if link else None,
            "reads_record": reads_record,
            "may_record": scope.may_record_interview(user, interview),
            "reads_results": screening_scope.results_students_for(user).filter(pk=interview.student_id).exists(),
            "form": form or InterviewForm(initial={"conducted_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")}),
        }
        record_read(request, Read.INTERVIEW, student=interview.student, tier=tier, post=post,
                    detail={"interview": interview.pk})  # fmt: skip
        return render(request, "core/interview_detail.html", context, status=status)


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
