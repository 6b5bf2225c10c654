"""The work plan in "my work" (xinyu.core.work): items owned by the user that are due within two weeks or
late and not done, and for 学工部 every such item of the school's and the colleges' published plans. About no
student: every item is T0."""

import datetime as dt

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from xinyu.common.work import WorkItem, WorkSection
from xinyu.education import scope
from xinyu.education.measures import progress_of
from xinyu.education.models import Plan, PlanItem
from xinyu.education.plans import DUE_SOON_DAYS
from xinyu.org.scope import Tier


def plan_work(user, now: dt.datetime) -> WorkSection | None:
    today = timezone.localdate(now)
    overseen = scope.overseen_schools(user)
    mine = Q(owner_id=user.pk)
    if overseen:
        mine |= Q(plan__school_id__in=overseen)
    items = (
        PlanItem.objects.filter(mine, plan__status=Plan.Status.PUBLISHED, done_at__isnull=True)
        .filter(due_on__lte=today + dt.timedelta(days=DUE_SOON_DAYS))
        .select_related("plan__school", "plan__college", "owner")
        .order_by("due_on", "pk")
    )
    work = []
    for item in items:
        progress = progress_of(item) if item.measure else None
        if progress is not None and progress.complete:
            continue
        detail = str(item.plan.college or item.plan.school)
        if item.owner_id != user.pk:
            detail += f" · {item.owner.full_name}"
        if progress is not None:
            detail += f" · {progress.done} / {progress.total}"
        work.append(
            WorkItem(kind="plan_item", title=item.title, tier=Tier.T0, student=None, due=item.due_on,
                     overdue=item.due_on < today, url=item.plan.get_absolute_url(), detail=detail, id=item.pk)
        )  # fmt: skip
    if not work and not overseen and not PlanItem.objects.filter(owner_id=user.pk).exists():
        return None
    return WorkSection("plan-items", _("Work plan"), work)
