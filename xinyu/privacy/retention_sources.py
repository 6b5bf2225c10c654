"""What a destroyed file loses, for the apps that existed before retention (registered from PrivacyConfig).
Every other model with a foreign key to Student is deleted by default (xinyu.privacy.retention), with the
rows that depend on it: registry entries, care plans, check-ins, bookings, counselling sessions,
referrals, leave … An app that must keep or anonymise something registers its own kind.

Deleted: screening interviews, results, responses and participations; concern reports (with their
acknowledgements and dependent check-ins); family contacts, follow-ups, review-and-support records;
guardians; consent records.
Anonymised, kept: crisis cases (level, dates, steps' timing stay for the yearly statistics; the filing
note, the events' reasons and details and the steps' evidence are emptied; the case history is
append-only and the student row itself is anonymised). Kept: the access log, break-glass grants (the
record of staff conduct; the reason is encrypted), the retention records.
"""

from xinyu.privacy.retention import register_student_data


def _anonymise_crisis_cases(cases) -> int:
    from xinyu.concerns.models import CaseEvent, CaseStep

    CaseEvent.objects.filter(case__in=cases).update(reason="", detail={})
    CaseStep.objects.filter(case__in=cases).update(evidence={})
    return cases.update(filing_note="")


def register_existing_apps() -> None:
    from xinyu.care.models import FamilyContact, FollowUp, ReviewSupport
    from xinyu.concerns.models import ConcernReport, CrisisCase
    from xinyu.org.models import Guardian
    from xinyu.privacy.models import ConsentRecord
    from xinyu.screening.models import Interview, Participation, Response, Result

    register_student_data("screening.interview", lambda ids: Interview.objects.filter(student_id__in=ids), order=10)
    register_student_data("screening.result", lambda ids: Result.objects.filter(student_id__in=ids), order=15)
    register_student_data(
        "screening.response", lambda ids: Response.objects.filter(participation__student_id__in=ids), order=18
    )
    register_student_data(
        "screening.participation", lambda ids: Participation.objects.filter(student_id__in=ids), order=20
    )
    register_student_data("care.familycontact", lambda ids: FamilyContact.objects.filter(student_id__in=ids), order=30)
    register_student_data("care.followup", lambda ids: FollowUp.objects.filter(student_id__in=ids), order=30)
    register_student_data("care.reviewsupport", lambda ids: ReviewSupport.objects.filter(student_id__in=ids), order=30)
    register_student_data(
        "concerns.concernreport", lambda ids: ConcernReport.objects.filter(student_id__in=ids), order=40
    )
    register_student_data(
        "concerns.crisiscase",
        lambda ids: CrisisCase.objects.filter(student_id__in=ids),
        anonymise=_anonymise_crisis_cases,
        order=60,
    )
    register_student_data("org.guardian", lambda ids: Guardian.objects.filter(student_id__in=ids), order=80)
    register_student_data(
        "privacy.consentrecord", lambda ids: ConsentRecord.objects.filter(student_id__in=ids), order=85
    )
