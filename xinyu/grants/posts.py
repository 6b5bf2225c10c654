"""Granting, confirming and ending posts (DESIGN.md §9).

`grant_post`, `confirm_grant`, `refuse_grant`, `withdraw_grant` and `end_post` are the only ways a post is
given or taken away: the network pages, the roster import and the commands call them; the back office only
shows posts. Each checks `xinyu.grants.rules`, writes the access log in the same transaction, and tells the
people concerned.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xinyu.audit.models import AuditEntry
from xinyu.grants import notices, rules
from xinyu.grants.rules import CONFIRMED, ENDED, GRANTED, REFUSED, WITHDRAWN
from xinyu.org.access_log import Event, record
from xinyu.org.models import Appointment
from xinyu.org.services import new_appointment
from xinyu.policy.errors import DomainError


class GrantError(DomainError):
    """A grant, confirmation or end the rules refuse; the message says why, for the person who tried."""


def _log(by, what: str, appointment: Appointment, capacity: str, *, address=None, **detail) -> None:
    detail = {
        "appointment": appointment.pk,
        "person": appointment.person.username,
        "post": appointment.post,
        "scope": str(appointment.scope),
        "status": appointment.status,
        "starts_on": appointment.starts_on.isoformat(),
        "ends_on": appointment.ends_on.isoformat() if appointment.ends_on else None,
        **detail,
    }
    action = AuditEntry.Action.CREATE if what == GRANTED else AuditEntry.Action.UPDATE
    record(by, Event(action, what, post=str(capacity), detail=detail), address=address)


@transaction.atomic
def grant_post(
    person, post: str, scope, *, by, starts_on=None, ends_on=None, note: str = "", address=None
) -> Appointment:
    """Grant `post` over `scope` to `person`, by `by` under the table of who may grant what. A grant that
    needs a second person is saved as pending and gives nothing until `confirm_grant`."""
    try:
        appointment = new_appointment(person, post, scope, starts_on=starts_on, ends_on=ends_on)
    except ValidationError as error:
        raise GrantError(" ".join(error.messages)) from None
    if refusal := rules.grant_refusal(by, post, scope, person):
        raise GrantError(refusal)
    return save_grant(appointment, by=by, note=note, address=address)


def save_grant(appointment: Appointment, *, by, note: str = "", address=None, **detail) -> Appointment:
    """Save a validated grant (`new_appointment`) with who gave it, log it and tell the people concerned. The
    roster import calls it for each new row it planned; everyone else calls `grant_post`."""
    capacity = rules.grant_authority(by, appointment.post, appointment.scope, appointment.person)
    if capacity is None:  # callers checked; a second check keeps this function safe on its own
        raise GrantError(rules.grant_refusal(by, appointment.post, appointment.scope, appointment.person))
    needs = rules.confirmers_needed(appointment.post, by)
    appointment.status = Appointment.Status.PENDING if needs else Appointment.Status.ACTIVE
    appointment.granted_by = by
    appointment.granted_at = timezone.now()
    appointment.note = note[:200]
    appointment.save()
    _log(by, GRANTED, appointment, capacity, address=address, **detail)
    notices.granted(appointment, confirmers=needs)
    return appointment


def _check_move(appointment: Appointment, status: str) -> None:
    Appointment.MOVES.check(
        appointment.status, status, error=GrantError, message=_("This grant has already been decided.")
    )


def _decide(appointment: Appointment, *, by, status: str, what: str, reason: str, address) -> Appointment:
    appointment = (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("person", "granted_by")
        .get(pk=appointment.pk)
    )
    _check_move(appointment, status)
    if what == WITHDRAWN:
        if by.pk != appointment.granted_by_id:
            raise GrantError(_("Only the person who made a grant may withdraw it."))
        capacity = "granter"
    else:
        capacity = rules.confirm_authority(by, appointment)
        if capacity is None:
            raise GrantError(_("You may not confirm or refuse this grant."))
        appointment.decided_by = by
        appointment.decided_at = timezone.now()
    appointment.status = status
    appointment.save(update_fields=["status", "decided_by", "decided_at"])
    _log(by, what, appointment, capacity, address=address, reason=reason)
    notices.decided(appointment, what=what, by=by)
    return appointment


@transaction.atomic
def confirm_grant(appointment: Appointment, *, by, address=None) -> Appointment:
    """The second person confirms a pending grant: from its start date the post is in force."""
    return _decide(appointment, by=by, status=Appointment.Status.ACTIVE, what=CONFIRMED, reason="", address=address)


@transaction.atomic
def confirm_first_grant(appointment: Appointment, *, address=None) -> Appointment:
    """A new installation's first holders of the posts that confirm grants (centre supervisor, the leading
    group's head and deputy) have nobody to confirm them: on the server (`manage.py grant_post --bootstrap`)
    such a grant takes effect while no one holds a post that could confirm it. Logged as such."""
    appointment = (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("person", "granted_by")
        .get(pk=appointment.pk)
    )
    needed = rules.confirmers_needed(appointment.post, appointment.granted_by)
    school_id = rules.school_of(appointment.scope)
    _check_move(appointment, Appointment.Status.ACTIVE)
    if Appointment.objects.current().filter(post__in=needed, school_id=school_id).exists():
        raise GrantError(_("Someone holds a post that confirms this grant: they confirm it."))
    appointment.status = Appointment.Status.ACTIVE
    appointment.decided_at = timezone.now()
    appointment.save(update_fields=["status", "decided_at"])
    _log(appointment.granted_by, CONFIRMED, appointment, "bootstrap", address=address)
    return appointment


@transaction.atomic
def refuse_grant(appointment: Appointment, *, by, reason: str, address=None) -> Appointment:
    if not reason.strip():
        raise GrantError(_("Say why the grant is refused."))
    return _decide(appointment, by=by, status=Appointment.Status.REFUSED, what=REFUSED, reason=reason, address=address)


@transaction.atomic
def withdraw_grant(appointment: Appointment, *, by, address=None) -> Appointment:
    return _decide(appointment, by=by, status=Appointment.Status.WITHDRAWN, what=WITHDRAWN, reason="", address=address)


@transaction.atomic
def end_post(
    appointment: Appointment, *, by, on: dt.date | None = None, reason: str = "", address=None, **detail
) -> Appointment:
    """End a post on `on` (default: today, at once): from that day it grants nothing. A post's end is only
    ever brought forward here; holding a post longer is a new grant."""
    appointment = Appointment.objects.select_for_update(of=("self",)).select_related("person").get(pk=appointment.pk)
    capacity = rules.end_authority(by, appointment)
    if capacity is None:
        raise GrantError(_("You may not end this post."))
    if appointment.status != Appointment.Status.ACTIVE:
        raise GrantError(_("Only a confirmed post can be ended; withdraw or refuse a pending grant instead."))
    day = max(on or timezone.localdate(), appointment.starts_on)
    if appointment.ends_on is not None and appointment.ends_on <= day:
        raise GrantError(_("This post already ends on %(day)s.") % {"day": appointment.ends_on.isoformat()})
    appointment.ends_on = day
    appointment.ended_by = by
    appointment.save(update_fields=["ends_on", "ended_by"])
    _log(by, ENDED, appointment, capacity, address=address, reason=reason, **detail)
    return appointment
