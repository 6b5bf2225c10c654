"""Dorm check-ins (第八条): a care plan may ask the student's dorm leader to look after them. Here the
assignments; the dorm leader's answers are recorded by xinyu.concerns.services.checkins, since "something
is wrong" is a concern report from the dorm."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from xinyu.care import scope
from xinyu.care.common import RegistryError, care_rules
from xinyu.care.models import CheckInAssignment
from xinyu.notify.services import notify
from xinyu.org.scope import Tier


def assign(plan, dorm_leader, *, by) -> CheckInAssignment:
    """Ask `dorm_leader` to look after the plan's student (caller's transaction)."""
    student = plan.entry.student
    if dorm_leader not in scope.dorm_leaders_for(student):
        raise RegistryError(_("The dorm check-in goes to the dorm leader of the student's room."))
    assignment = CheckInAssignment.objects.create(
        plan=plan,
        student=student,
        dorm_leader=dorm_leader,
        assigned_by=by,
        every_days=care_rules().dorm_check_in_every_days,
    )
    notify(
        [dorm_leader],
        student=student,
        tier=Tier.T0,  # names nobody and says nothing of why; the check-ins page shows the name alone
        key=f"care.checkin{assignment.pk}:assigned",
        title=_("You were asked to check in on a dorm-mate"),
        link=reverse("concerns:check_ins"),
    )
    return assignment


def end_assignment(assignment) -> None:
    assignment.ended_at = timezone.now()
    assignment.save(update_fields=["ended_at"])


def is_due(assignment, last_at: dt.datetime | None, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    since = last_at or assignment.started_at
    if last_at is None:
        return True
    return (timezone.localtime(now).date() - timezone.localtime(since).date()).days >= assignment.every_days
