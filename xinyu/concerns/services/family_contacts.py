"""A family contact (家校联系) as one fact: the one function that checks and writes a care.FamilyContact row,
whether it is recorded on its own or as the evidence of a crisis step. Callers hold the transaction, the
case's lock, its event and the audit entry."""

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from xinyu.care.models import FamilyContact
from xinyu.concerns.errors import ConcernError


def _required(**values) -> dict:
    missing = [str(label) for label, value in values.values() if not str(value or "").strip()]
    if missing:
        raise ConcernError(_("Please fill in: %(fields)s.") % {"fields": "、".join(missing)})
    return {name: str(value).strip() for name, (_label, value) in values.items()}


def new_family_contact(
    student, *, by, case=None, contact_name: str, relation: str, contacted_at: dt.datetime | None, method: str,
    outcome: str,
) -> FamilyContact:  # fmt: skip
    text = _required(
        contact_name=(_("who was contacted"), contact_name),
        relation=(_("relation"), relation),
        outcome=(_("outcome"), outcome),
    )
    if method not in FamilyContact.Method.values:
        raise ConcernError(_("Please choose how the family was contacted."))
    if contacted_at is None:
        raise ConcernError(_("Please fill in: %(fields)s.") % {"fields": _("when")})
    if timezone.is_naive(contacted_at):
        contacted_at = timezone.make_aware(contacted_at)
    if contacted_at > timezone.now() + dt.timedelta(minutes=5):
        raise ConcernError(_("A family contact cannot be in the future."))
    return FamilyContact.objects.create(
        student=student, case=case, contacted_at=contacted_at, contacted_by=by, method=method, **text
    )


def describe(contact: FamilyContact) -> str:
    """One line for a step's evidence: who, relation, when, how, what came of it."""
    when = timezone.localtime(contact.contacted_at).strftime("%Y-%m-%d %H:%M")
    return f"{contact.contact_name}（{contact.relation}），{when}，{contact.get_method_display()}：{contact.outcome}"
