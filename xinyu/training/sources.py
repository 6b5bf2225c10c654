"""Training and qualifications in "my work" (xinyu.core.work). About no student: every item is T0.

- A staff member whose posts carry a yearly training minimum and who is short of it sees "培训学时不足" in
  the last months of the (calendar) year, from 1 October.
- A teacher whose certificate expires within 90 days, or has expired, is asked to renew it.
- 学工部 sees the reported trainings waiting for confirmation, in the last months of the year the number of
  staff short of their minimum, and every certificate expiring within 90 days or expired."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from xinyu.accounts.models import User
from xinyu.common.work import WorkItem, WorkSection
from xinyu.compliance.models import Qualification
from xinyu.org import scope as org_scope
from xinyu.org.scope import Tier
from xinyu.policy.loader import policy_in_force
from xinyu.training import scope, workload
from xinyu.training.models import Attendance

SHORT_FROM_MONTH = 10  # the last months of the year: from 1 October


def _year_end(today: dt.date) -> dt.date:
    return dt.date(today.year, 12, 31)


def _qualification_item(qualification, today: dt.date, *, own: bool) -> WorkItem:
    expires = qualification.certificate_expires_on
    words = {
        "certificate": qualification.certificate or _("certificate"), "day": expires.isoformat(),
        "name": qualification.person.full_name,
    }  # fmt: skip
    if own:
        title = (_("Your %(certificate)s expired on %(day)s: renew it") if expires < today
                 else _("Your %(certificate)s expires on %(day)s: renew it in time")) % words  # fmt: skip
        url = reverse("training:mine")
    else:
        title = (_("%(name)s's %(certificate)s expired on %(day)s") if expires < today
                 else _("%(name)s's %(certificate)s expires on %(day)s")) % words  # fmt: skip
        url = reverse("training:person", args=[qualification.person_id])
    return WorkItem(
        kind="qualification_expiring", title=title, tier=Tier.T0, student=None, due=expires,
        overdue=expires < today, url=url, id=qualification.pk,
    )  # fmt: skip


def training_work(user, now: dt.datetime) -> WorkSection | None:
    if not scope.is_staff(user):
        return None
    today = timezone.localdate(now)
    items = []
    posts = org_scope.posts_of(user)
    minimum = policy_in_force(today).workforce.minimum_hours(posts)
    if minimum is not None and today.month >= SHORT_FROM_MONTH:
        hours = workload.hours_of(user, today.year)
        if hours < minimum:
            items.append(
                WorkItem(
                    kind="training_short", tier=Tier.T0, student=None, due=_year_end(today), overdue=False,
                    title=_("Training hours short: %(hours)s of %(minimum)s hours in %(year)s")
                    % {"hours": hours, "minimum": minimum, "year": today.year},
                    url=reverse("training:mine"),
                )
            )  # fmt: skip
    own = Qualification.objects.filter(
        person=user, certificate_expires_on__lte=today + dt.timedelta(days=workload.QUALIFICATION_WARNING_DAYS)
    ).select_related("person")
    items.extend(_qualification_item(qualification, today, own=True) for qualification in own)
    if scope.may_confirm(user):
        pending = (
            Attendance.objects.filter(
                status=Attendance.Status.PENDING, event__school_id__in=scope.confirm_schools(user)
            )
            .exclude(person=user)
            .select_related("event", "person")
            .order_by("event__starts_on", "pk")
        )  # fmt: skip
        items.extend(
            WorkItem(
                kind="training_report", tier=Tier.T0, student=None, title=_("Confirm %(name)s's training “%(topic)s”")
                % {"name": attendance.person.full_name, "topic": attendance.event.topic},
                url=reverse("training:pending"), id=attendance.pk,
            )
            for attendance in pending
        )  # fmt: skip
        if today.month >= SHORT_FROM_MONTH:
            people = scope.people_for(user).filter(kind=User.Kind.STAFF)
            short = sum(1 for row in workload.standings(today.year, people, today) if row.short)
            if short:
                items.append(
                    WorkItem(
                        kind="training_shortfall", tier=Tier.T0, student=None, due=_year_end(today),
                        title=_("%(count)s staff are short of their training minimum for %(year)s")
                        % {"count": short, "year": today.year},
                        url=reverse("training:overview") + f"?year={today.year}",
                    )
                )  # fmt: skip
        for qualification in workload.expiring_qualifications(today):
            if qualification.person_id != user.pk:
                items.append(_qualification_item(qualification, today, own=False))
    if not items:
        return None
    return WorkSection("training", _("Training and qualifications"), items)
