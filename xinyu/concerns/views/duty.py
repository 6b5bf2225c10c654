"""The duty roster (值班): every staff member sees who is duty leader now and this week; 学工部 keeps it."""

import datetime as dt

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xinyu.common.access import requires, staff_only
from xinyu.concerns.forms_reports import DutyShiftForm
from xinyu.concerns.models import DutyShift
from xinyu.concerns.services import duty
from xinyu.org import scope
from xinyu.policy import calendar
from xinyu.policy.errors import DomainError
from xinyu.policy.loader import policy_in_force

# A new shift is offered for tonight: from the end of the office day until the next morning.
DEFAULT_SHIFT_START = dt.time(17, 30)
DEFAULT_SHIFT_END = dt.time(8, 0)


def week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _week_from(params) -> dt.date:
    try:
        return week_start(dt.date.fromisoformat(params.get("week", "")))
    except ValueError:
        return week_start(timezone.localdate())


def _default_shift() -> dict:
    today = timezone.localdate()
    tz = timezone.get_current_timezone()
    return {
        "starts_at": dt.datetime.combine(today, DEFAULT_SHIFT_START, tzinfo=tz),
        "ends_at": dt.datetime.combine(today + dt.timedelta(days=1), DEFAULT_SHIFT_END, tzinfo=tz),
    }


def _roster(request, *, form=None, status=200):
    now = timezone.now()
    monday = _week_from(request.GET)
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(monday, dt.time.min, tzinfo=tz)
    end = start + dt.timedelta(days=7)
    manages = scope.may_manage_duty_roster(request.user)
    shifts = list(duty.shifts_between(start, end))
    for shift in shifts:
        shift.is_now = shift.starts_at <= now < shift.ends_at
        shift.removable = manages and shift.ends_at > now
    current = duty.on_duty(now)
    context = {
        "now_shift": current,
        "out_of_hours": not calendar.is_office_time(policy_in_force(timezone.localdate()), now),
        "shifts": shifts,
        "monday": monday,
        "sunday": monday + dt.timedelta(days=6),
        "previous_week": (monday - dt.timedelta(days=7)).isoformat(),
        "next_week": (monday + dt.timedelta(days=7)).isoformat(),
        "manages": manages,
        "form": (form or DutyShiftForm(initial=_default_shift())) if manages else None,
        "people": DutyShiftForm.suggested_people() if manages else [],
    }
    return render(request, "concerns/duty_roster.html", context, status=status)


@staff_only
def duty_roster(request):
    return _roster(request)


@requires(scope.may_manage_duty_roster, "duty_roster")
@require_POST
def duty_shift_add(request):
    form = DutyShiftForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            shift = duty.add_shift(
                person=data["person"], starts_at=data["starts_at"], ends_at=data["ends_at"], phone=data["phone"],
                by=request.user,
            )  # fmt: skip
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Shift added: %(name)s.") % {"name": shift.person.full_name})
            week = week_start(timezone.localtime(shift.starts_at).date()).isoformat()
            return redirect(f"{reverse('concerns:duty_roster')}?week={week}")
    return _roster(request, form=form, status=400)


@requires(scope.may_manage_duty_roster, "duty_roster")
@require_POST
def duty_shift_remove(request, pk):
    shift = get_object_or_404(DutyShift, pk=pk)
    week = week_start(timezone.localtime(shift.starts_at).date()).isoformat()
    try:
        duty.remove_shift(shift, by=request.user)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Shift removed."))
    return redirect(f"{reverse('concerns:duty_roster')}?week={week}")
