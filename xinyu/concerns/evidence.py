"""The records a step asks for when it is done (policy `evidence`): checked, with clear messages."""

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


def clean_evidence(required: list[str], raw: dict) -> dict:
    cleaned, missing = {}, []
    for kind in required:
        for field in FIELDS[kind]:
            value = str(raw.get(field, "")).strip()
            if not value:
                missing.append(str(LABELS[field]))
            cleaned[field] = value
    if "watch_shifts" in required and cleaned.get("watchers"):
        names = [name for name in cleaned["watchers"].replace("，", ",").replace("、", ",").split(",") if name.strip()]
        if len(names) < 2:
            missing.append(str(LABELS["watchers"]))
    if missing:
        raise ConcernError(_("Please fill in: %(fields)s.") % {"fields": "、".join(missing)})
    if raw.get("note") and "note" not in cleaned:
        cleaned["note"] = str(raw["note"]).strip()
    return cleaned
