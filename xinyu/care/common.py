"""What the registry, care plans and dorm check-ins share: their error, the policy's care rules, the input
that confirming an entry sets on its plan, and the entries' history."""

from dataclasses import dataclass, field

from django.utils import timezone

from xinyu.care.models import RegistryEvent
from xinyu.policy.errors import DomainError
from xinyu.policy.loader import policy_in_force


class RegistryError(DomainError):
    """A registry change that cannot be made as asked; the message says why (translated)."""


def care_rules():
    return policy_in_force(timezone.localdate()).care


def log_event(entry, kind, by, *, reason: str = "", **detail) -> RegistryEvent:
    """Append to an entry's history (who, when, what, why)."""
    return RegistryEvent.objects.create(
        entry=entry,
        kind=kind,
        by=by if getattr(by, "pk", None) else None,
        by_name=getattr(by, "full_name", "") or "",
        reason=reason,
        detail=detail,
    )


@dataclass
class PlanInput:
    """What confirming a proposal sets on the care plan."""

    goals: str = ""
    measures_centre: str = ""
    measures_college: str = ""
    measures_class: str = ""
    centre_person: object = None
    college_person: object = None
    class_person: object = None
    dorm_leader: object = None
    student_contact_every_days: int | None = None
    family_contact_every_days: int | None = None
    review_every_days: int | None = None
    extra: dict = field(default_factory=dict)
