"""What a destroyed file loses, kind by kind (`STUDENT_DATA`, read by xinyu.privacy.retention). Every other
model with a foreign key to Student is deleted by default, with the rows that depend on it: registry
entries, care plans, check-ins, bookings, counselling sessions, referrals, leave … A kind that must be kept,
anonymised or deleted in a given order is listed here.

Deleted: screening interviews, results, responses and participations; concern reports (with their
acknowledgements and dependent check-ins); family contacts, follow-ups, review-and-support records;
guardians; consent records.
Anonymised, kept: crisis cases (level, dates, steps' timing stay for the yearly statistics; the filing
note, the events' reasons and details and the steps' evidence are emptied; the case history is
append-only and the student row itself is anonymised). Kept: the access log, break-glass grants (the
record of staff conduct; the reason is encrypted), the retention records.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import QuerySet

from xinyu.care.models import FamilyContact, FollowUp, ReviewSupport
from xinyu.concerns.models import CaseEvent, CaseStep, ConcernReport, CrisisCase
from xinyu.org.models import Guardian
from xinyu.privacy.models import ConsentRecord
from xinyu.screening.models import Interview, Participation, Response, Result


@dataclass(frozen=True)
class StudentData:
    """A kind of record about students, destroyed (deleted, or anonymised) with their file. Lower `order`
    goes first: rows that PROTECT others come before those."""

    kind: str
    queryset: Callable[[list[int]], QuerySet]
    anonymise: Callable[[QuerySet], int] | None = None
    order: int = 100


def _anonymise_crisis_cases(cases) -> int:
    CaseEvent.objects.filter(case__in=cases).update(reason="", detail={})
    CaseStep.objects.filter(case__in=cases).update(evidence={})
    return cases.update(filing_note="")


STUDENT_DATA = (
    StudentData("screening.interview", lambda ids: Interview.objects.filter(student_id__in=ids), order=10),
    StudentData("screening.result", lambda ids: Result.objects.filter(student_id__in=ids), order=15),
    StudentData("screening.response", lambda ids: Response.objects.filter(participation__student_id__in=ids), order=18),
    StudentData("screening.participation", lambda ids: Participation.objects.filter(student_id__in=ids), order=20),
    StudentData("care.familycontact", lambda ids: FamilyContact.objects.filter(student_id__in=ids), order=30),
    StudentData("care.followup", lambda ids: FollowUp.objects.filter(student_id__in=ids), order=30),
    StudentData("care.reviewsupport", lambda ids: ReviewSupport.objects.filter(student_id__in=ids), order=30),
    StudentData("concerns.concernreport", lambda ids: ConcernReport.objects.filter(student_id__in=ids), order=40),
    StudentData(
        "concerns.crisiscase",
        lambda ids: CrisisCase.objects.filter(student_id__in=ids),
        anonymise=_anonymise_crisis_cases,
        order=60,
    ),
    StudentData("org.guardian", lambda ids: Guardian.objects.filter(student_id__in=ids), order=80),
    StudentData("privacy.consentrecord", lambda ids: ConsentRecord.objects.filter(student_id__in=ids), order=85),
)
