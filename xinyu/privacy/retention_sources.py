"""What a destroyed file loses, kind by kind (`STUDENT_DATA`, read by xinyu.privacy.retention). Every other
model with a foreign key to Student is deleted by default, with the rows that depend on it: registry
entries, care plans, check-ins, bookings, counselling sessions, referrals, leave … A kind that must be kept,
anonymised or deleted in a given order is listed here.

Deleted: interviews (follow-ups included; with their screening links), screening results, responses and
participations; concern reports (with their acknowledgements and dependent check-ins); family contacts,
review-and-support records;
guardians; consent records.
Anonymised, kept: crisis cases (level, dates, steps' timing stay for the yearly statistics; the filing
note, the events' reasons and details and the steps' evidence are emptied; the case history is
append-only and the student row itself is anonymised). Kept: the access log, break-glass grants (the
record of staff conduct; the reason is encrypted), the retention records.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.db.models import QuerySet

from xinyu.concerns.models import CaseEvent, CaseStep


@dataclass(frozen=True)
class StudentData:
    """A kind of record about students, destroyed (deleted, or anonymised) with their file: the model by its
    label (retention reaches every app's rows, as the defaults below do) and the path from it to the
    student. Lower `order` goes first: rows that PROTECT others come before those."""

    kind: str
    student: str = "student_id"
    anonymise: Callable[[QuerySet], int] | None = None
    order: int = 100

    def queryset(self, ids) -> QuerySet:
        return apps.get_model(self.kind)._base_manager.filter(**{f"{self.student}__in": ids})


def _anonymise_crisis_cases(cases) -> int:
    CaseEvent.objects.filter(case__in=cases).update(reason="", detail={})
    CaseStep.objects.filter(case__in=cases).update(evidence={})
    return cases.update(filing_note="")


STUDENT_DATA = (
    StudentData("care.interview", order=10),
    StudentData("screening.result", order=15),
    StudentData("screening.response", "participation__student_id", order=18),
    StudentData("screening.participation", order=20),
    StudentData("care.familycontact", order=30),
    StudentData("care.reviewsupport", order=30),
    StudentData("concerns.concernreport", order=40),
    StudentData("concerns.crisiscase", anonymise=_anonymise_crisis_cases, order=60),
    StudentData("org.guardian", order=80),
    StudentData("privacy.consentrecord", order=85),
)
