"""The records a step asks for when it is done (policy `evidence`): checked, with clear messages.

Each kind of evidence is a few fields (FIELDS); a step's form asks exactly those of its kinds, and
`clean_evidence` is the one check, used by the service that completes the step.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xinyu.concerns.errors import ConcernError

FIELDS = {
    "note": ("note",),
    "family_told": ("family_who", "family_when", "family_how"),
    "watch_shifts": ("watchers", "watch_from"),
    "hospital": ("hospital", "hospital_when"),
}
LABELS = {
    "note": gettext_lazy("what was done"),
    "family_who": gettext_lazy("which family member was told"),
    "family_when": gettext_lazy("when the family was told"),
    "family_how": gettext_lazy("how the family was told"),
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


def clean_evidence(required: list[str], raw: dict) -> dict:
    cleaned, faults = {}, {}
    for field in fields_for(required):
        value = str(raw.get(field, "") or "").strip()
        if not value:
            faults[field] = str(LABELS[field])
        cleaned[field] = value
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
