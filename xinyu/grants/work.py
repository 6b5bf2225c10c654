"""What waits in "my work" for keeping posts and credentials: grants and resets waiting for this person's
confirmation, and in-person reset codes they asked for that are confirmed and wait to be handed over. About
staff, never about students' data: T0."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from xinyu.accounts.models import CredentialReset
from xinyu.common.work import WorkItem, WorkSection
from xinyu.grants import resets
from xinyu.grants import rules as grant_rules
from xinyu.org.models import Appointment
from xinyu.org.scope import Tier


def grants_and_resets_work(user, now: dt.datetime) -> WorkSection | None:
    if not grant_rules.may_use_post_pages(user) and not resets.may_use_reset_pages(user):
        return None
    items = []
    for appointment in Appointment.objects.pending().select_related("person", "granted_by").order_by("granted_at"):
        if grant_rules.confirm_authority(user, appointment):
            items.append(
                WorkItem(
                    kind="grant_to_confirm",
                    title=_("Confirm or refuse: %(post)s for %(name)s")
                    % {"post": appointment.get_post_display(), "name": appointment.person.full_name},
                    tier=Tier.T0,
                    student=None,
                    due=timezone.localtime(appointment.granted_at).date() if appointment.granted_at else None,
                    url=reverse("grants:grants"),
                    id=appointment.pk,
                )
            )
    waiting = CredentialReset.objects.filter(status=CredentialReset.Status.PENDING).select_related("account")
    for reset in waiting:
        if resets.may_decide(user, reset):
            items.append(_reset_item(reset, "reset_to_confirm", _("Confirm or refuse the reset: %(kind)s of %(name)s")))
    to_issue = CredentialReset.objects.filter(
        requested_by=user, status=CredentialReset.Status.CONFIRMED, delivery=CredentialReset.Delivery.IN_PERSON
    ).select_related("account")
    for reset in to_issue:
        items.append(_reset_item(reset, "reset_to_issue", _("Hand over the reset code: %(kind)s of %(name)s")))
    if not items:
        return None
    return WorkSection(key="grants", title=_("Posts and credentials"), items=items)


def _reset_item(reset: CredentialReset, kind: str, title: str) -> WorkItem:
    return WorkItem(
        kind=kind,
        title=title % {"kind": reset.get_kind_display(), "name": reset.account.full_name},
        tier=Tier.T0,
        student=None,
        due=timezone.localtime(reset.requested_at).date(),
        url=reverse("grants:resets"),
        id=reset.pk,
    )
