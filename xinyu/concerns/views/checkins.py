"""The dorm leader's check-ins: the names of the dorm-mates they were asked to look after, nothing more."""

from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xinyu.care import checkins
from xinyu.care import scope as care_scope
from xinyu.care.models import CheckIn
from xinyu.common.access import requires
from xinyu.concerns.errors import ConcernError
from xinyu.concerns.forms_reports import CheckInForm
from xinyu.concerns.services.checkins import record_check_in
from xinyu.org.access_log import Read, read_event, record_reads
from xinyu.org.scope import Tier

# --- dorm check-ins: names only -----------------------------------------------------------------------


@requires(care_scope.may_check_in, "dorm_checkin")
def check_in_list(request):
    with transaction.atomic():
        assignments = list(
            care_scope.check_in_assignments_for(request.user).select_related("student").order_by("student__name")
        )
        last = {}
        for check_in in CheckIn.objects.filter(assignment__in=assignments).order_by("at"):
            last[check_in.assignment_id] = check_in.at
        rows = [
            {
                "assignment": a,
                "name": a.student.name,
                "last": last.get(a.pk),
                "due": checkins.is_due(a, last.get(a.pk)),
                "form": CheckInForm(auto_id=f"c{a.pk}_%s"),
            }
            for a in assignments
        ]
        record_reads(
            request.user,
            [read_event(Read.CHECK_IN_LIST, student=a.student, tier=Tier.T2, post="dorm_leader") for a in assignments],
        )
        return render(request, "concerns/check_ins.html", {"rows": rows})


@requires(care_scope.may_check_in, "dorm_checkin")
@require_POST
def check_in(request, assignment_pk):
    assignment = care_scope.get_check_in_assignment_for_user(request.user, assignment_pk)
    form = CheckInForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please choose “all right” or “something is wrong”."))
        return redirect("concerns:check_ins")
    try:
        record_check_in(assignment, by=request.user, status=form.cleaned_data["status"], note=form.cleaned_data["note"])
    except ConcernError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Thank you. Your check-in is saved."))
    return redirect("concerns:check_ins")
