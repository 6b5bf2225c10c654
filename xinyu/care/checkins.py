"""Dorm check-ins (第八条): a care plan may ask the student's dorm leader to look after them. Here the
assignments; the dorm leader's answers are recorded by xinyu.concerns.services.checkins, since "something
is wrong" is a concern report from the dorm."""

import datetime as dt

from django.db.models import Max
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


def due_count(user, now: dt.datetime | None = None) -> int | None:
    """How many of the dorm-mates `user` was asked to look after are due a check-in (None when they look
    after nobody): for the dorm leader's home page, which names nobody."""
    if not scope.may_check_in(user):
        return None
    assignments = list(scope.check_in_assignments_for(user))
    if not assignments:
        return None
    last = dict(
        CheckInAssignment.objects.filter(pk__in=[a.pk for a in assignments])
        .annotate(last=Max("check_ins__at"))
        .values_list("pk", "last")
    )
    return sum(is_due(assignment, last.get(assignment.pk), now) for assignment in assignments)
