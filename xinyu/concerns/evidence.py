"""The records a step asks for when it is done (policy `evidence`): checked, with clear messages.

Each kind of evidence is a few fields (FIELDS); a step's form asks exactly those of its kinds, and
`clean_evidence` is the one check, used by the service that completes the step.

"family_told" is a family contact (care.FamilyContact): either one already recorded on the case
(`family_contact`, its id) or the fields of a new one, which completing the step records. The step's
evidence then keeps only the row's id: the family contact is one fact, in one place.
"""

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xinyu.care.models import FamilyContact
from xinyu.concerns.errors import ConcernError

# The fields of a new family contact, in the order the form asks them.
NEW_FAMILY_CONTACT = ("family_who", "family_relation", "family_when", "family_how", "family_outcome")
FIELDS = {
    "note": ("note",),
    "family_told": ("family_contact", *NEW_FAMILY_CONTACT),
    "watch_shifts": ("watchers", "watch_from"),
    "hospital": ("hospital", "hospital_when"),
}
LABELS = {
    "note": gettext_lazy("what was done"),
    "family_contact": gettext_lazy("family contact record"),
    "family_who": gettext_lazy("which family member was told"),
    "family_relation": gettext_lazy("their relation to the student"),
    "family_when": gettext_lazy("when the family was told"),
    "family_how": gettext_lazy("how the family was told"),
    "family_outcome": gettext_lazy("what the family was told and said"),
    "watchers": gettext_lazy("who watches (at least two people)"),
    "watch_from": gettext_lazy("from when the watch runs"),
    "hospital": gettext_lazy("the hospital"),
    "hospital_when": gettext_lazy("when the student went to hospital"),
}
# Fields holding a moment: the step form asks them with a date-and-time picker.
MOMENTS = frozenset({"family_when", "watch_from", "hospital_when"})
# Separators people use between names: commas (half- and full-width), 、 and spaces.
_SEPARATORS = ("，", "、", ";", "；", " ", "\u3000")
MIN_WATCHERS = 2


class EvidenceError(ConcernError):
    """Evidence missing or not enough; `fields` maps each field at fault to what it still needs."""

    def __init__(self, message: str, fields: dict[str, str]):
        super().__init__(message)
        self.fields = fields


def fields_for(required) -> list[str]:
    """The fields a step with these kinds of evidence asks for, in order, without repeats."""
    return list(dict.fromkeys(field for kind in required for field in FIELDS[kind]))


def watcher_names(text: str) -> list[str]:
    for separator in _SEPARATORS:
        text = text.replace(separator, ",")
    return [name.strip() for name in text.split(",") if name.strip()]


def _not_asked(required, raw: dict) -> set[str]:
    """Fields that may stay empty: the chosen contact, or the new contact's fields once one is chosen."""
    if "family_told" not in required:
        return set()
    return set(NEW_FAMILY_CONTACT) if str(raw.get("family_contact", "") or "").strip() else {"family_contact"}


def _family_faults(cleaned: dict) -> dict[str, str]:
    faults = {}
    if cleaned.get("family_contact") and not cleaned["family_contact"].isdigit():
        faults["family_contact"] = str(LABELS["family_contact"])
    if cleaned.get("family_when") and parse_datetime(cleaned["family_when"]) is None:
        faults["family_when"] = str(LABELS["family_when"])
    if cleaned.get("family_how") and cleaned["family_how"] not in FamilyContact.Method.values:
        faults["family_how"] = str(LABELS["family_how"])
    return faults


def clean_evidence(required: list[str], raw: dict) -> dict:
    cleaned, faults = {}, {}
    optional = _not_asked(required, raw)
    for field in fields_for(required):
        value = str(raw.get(field, "") or "").strip()
        if field in optional:
            continue
        if not value:
            faults[field] = str(LABELS[field])
        cleaned[field] = value
    faults.update(_family_faults(cleaned))
    if "watch_shifts" in required and cleaned.get("watchers"):
        names = watcher_names(cleaned["watchers"])
        if len(names) < MIN_WATCHERS:
            faults["watchers"] = str(LABELS["watchers"])
        else:
            cleaned["watchers"] = "、".join(names)
    if faults:
        raise EvidenceError(_("Please fill in: %(fields)s.") % {"fields": "、".join(faults.values())}, faults)
    if "note" not in cleaned and str(raw.get("note", "") or "").strip():
        cleaned["note"] = str(raw["note"]).strip()
    return cleaned
