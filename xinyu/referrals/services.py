"""Referral (转介), leave (休学) and the return gate (复学), as plain functions that views, commands and the demo
call. Every write is one transaction with its access-log entry; a rule not met raises ReferralError with a
Chinese message (through gettext) that names what is missing.

The return gate (DESIGN.md §6, 第十二条): the hospital's statement of fitness, the centre's return assessment
(the latest counts; "not yet fit" blocks until a new one), the parents' agreement with the emergency
contacts, and the college's sign-off, recorded in any order. Recording the last of them returns the student
(status back to enrolled) and schedules the follow-ups of the policy: weekly `return_weekly_follow_ups`
times, then monthly `return_monthly_follow_ups` times after the last weekly one, all assigned to the
college's mental-health advisor.
"""

import calendar
import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from xinyu.audit.models import AuditEntry
from xinyu.care.interviews import assignee_for, schedule_interview
from xinyu.care.models import Interview
from xinyu.care.registry import propose_entry
from xinyu.concerns.errors import ConcernError
from xinyu.notify.services import notify
from xinyu.org.access_log import Event, record
from xinyu.org.models import Student
from xinyu.org.responsibility import holders_of
from xinyu.policy.errors import DomainError
from xinyu.policy.loader import policy_in_force
from xinyu.referrals import scope
from xinyu.referrals.models import Leave, Referral, ReturnAssessment, ReturnContact

T3, T4 = scope.Tier.T3, scope.Tier.T4
# Who may go with a student to a referral: the people responsible for them, in this order.
ESCORT_ROLES = ("advisor", "head_teacher", "mental_health_advisor", "college_leader_in_charge", "centre")
# An emergency contact's phone: digits, spaces, +, - and brackets, at least this many digits.
MIN_PHONE_DIGITS = 7


class ReferralError(DomainError):
    """A referral, leave or gate step that cannot be recorded as given; the message says what is missing."""


# --- helpers ---


def _required(**values) -> dict:
    missing = [str(label) for label, value in values.values() if not str(value or "").strip()]
    if missing:
        raise ReferralError(_("Please fill in: %(fields)s.") % {"fields": "、".join(missing)})
    return {name: str(value).strip() for name, (_label, value) in values.items()}


def _audit(by, student, what: str, *, tier=T3, action=AuditEntry.Action.CREATE, reason: str = "", **detail):
    record(by, Event(action, what, student=student, tier=tier, detail=detail, reason=reason))


def _check_t3(by, student) -> None:
    if not scope.may_manage_referrals_of(by, student):
        raise ReferralError(_("Only the college's working group and the psychology centre can record this."))


def _check_confidential(by, student, *texts) -> None:
    if any(str(text or "").strip() for text in texts) and not scope.may_record_confidential(by, student):
        raise ReferralError(_("Only psychology centre staff can record a diagnosis, medication or statement summary."))


def _check_replace(by, student, existing: str, recorded_by_id) -> None:
    """T4 text is replaced only by someone who may read what is there."""
    if existing and not scope.may_read_confidential(by, student, recorded_by_id):
        raise ReferralError(_("Only the counsellor who recorded them and the centre's supervisors can change these."))


def green_channel_hospitals():
    """The college's green-channel hospitals (绿色通道医院), from the policy in force."""
    return policy_in_force().care.green_channel_hospitals


def escort_choices(student) -> list:
    """Staff who may go with the student: the people responsible for them (advisor, head teacher, the
    college's mental-health advisor and leader in charge, the centre)."""
    people = [person for role in ESCORT_ROLES for person in holders_of(role, student)]
    return [person for person in dict.fromkeys(people) if person.is_active]


# --- referral ---


@transaction.atomic
def create_referral(
    student, *, by, destination: str, planned_at: dt.datetime | None, urgency: str, reason: str, escorts=(),
    family_escorts: str = "", recommend_registry: bool = False,
) -> Referral:  # fmt: skip
    """Plan a referral: where (a green-channel hospital or another named service), when, who goes."""
    _check_t3(by, student)
    text = _required(destination=(_("where"), destination), reason=(_("reason for the referral"), reason))
    if planned_at is None:
        raise ReferralError(_("Please fill in: %(fields)s.") % {"fields": _("when")})
    if urgency not in Referral.Urgency.values:
        raise ReferralError(_("Please choose how urgent the referral is."))
    allowed = escort_choices(student)
    strangers = [person for person in escorts if person not in allowed]
    if strangers:
        raise ReferralError(
            _("%(names)s is not responsible for this student and cannot go with them.")
            % {"names": "、".join(person.full_name for person in strangers)}
        )
    names = {hospital.name for hospital in green_channel_hospitals()}
    referral = Referral.objects.create(
        student=student, destination=text["destination"], green_channel=text["destination"] in names,
        planned_at=planned_at, urgency=urgency, reason=text["reason"], family_escorts=family_escorts.strip(),
        recommend_registry=recommend_registry, created_by=by,
    )  # fmt: skip
    referral.escorts.set(escorts)
    _audit(by, student, "referrals.referral", referral=referral.pk, destination=referral.destination)
    _propose_once(referral, by)
    return referral


def _locked_referral(referral: Referral) -> Referral:
    return Referral.objects.select_for_update(of=("self",)).select_related("student__class_group").get(pk=referral.pk)


@transaction.atomic
def mark_went(referral: Referral, *, by, went_at: dt.datetime | None = None) -> Referral:
    """The student went (with the people named)."""
    referral = _locked_referral(referral)
    _check_t3(by, referral.student)
    Referral.MOVES.check(
        referral.status,
        Referral.Status.WENT,
        error=ReferralError,
        message=_("This referral is already recorded as done."),
    )
    referral.went_at = went_at or timezone.now()
    if referral.went_at > timezone.now() + dt.timedelta(minutes=5):
        raise ReferralError(_("The student cannot have gone in the future."))
    referral.status = Referral.Status.WENT
    referral.save(update_fields=["went_at", "status"])
    _audit(by, referral.student, "referrals.referral.went", action=AuditEntry.Action.UPDATE, referral=referral.pk)
    return referral


def propose_registry_entry(referral: Referral, by):
    """The referral recommends the key-concern registry: the care part's `propose_entry`, which the
    college's mental-health advisor confirms."""
    try:
        return propose_entry(
            referral.student, source="referral", proposed_by=by, reason=referral.outcome_note or referral.reason,
            source_object=referral,
        )  # fmt: skip
    except ConcernError as error:
        raise ReferralError(str(error)) from error


def _propose_once(referral: Referral, by) -> None:
    """Propose the registry entry the first time the referral recommends it (at planning or at the outcome)."""
    if not referral.recommend_registry or referral.registry_proposed_at is not None:
        return
    propose_registry_entry(referral, by)
    referral.registry_proposed_at = timezone.now()
    referral.save(update_fields=["registry_proposed_at"])


@transaction.atomic
def record_outcome(
    referral: Referral, *, by, outcome: str, outcome_note: str, follow_up_plan: str, diagnosis_summary: str = "",
    medication: str = "", recommend_registry: bool | None = None,
) -> Referral:  # fmt: skip
    """The outcome (T3), the follow-up plan (T3), and, by centre staff, the diagnosis summary and medication (T4)."""
    referral = _locked_referral(referral)
    _check_t3(by, referral.student)
    Referral.MOVES.check(
        referral.status,
        Referral.Status.OUTCOME,
        error=ReferralError,
        message=_("The outcome of this referral is already recorded."),
    )
    if outcome not in Referral.Outcome.values:
        raise ReferralError(_("Please choose the outcome of the referral."))
    text = _required(
        outcome_note=(_("outcome notes"), outcome_note), follow_up_plan=(_("follow-up plan"), follow_up_plan)
    )
    _check_confidential(by, referral.student, diagnosis_summary, medication)
    if diagnosis_summary.strip() or medication.strip():
        existing = referral.diagnosis_summary or referral.medication
        _check_replace(by, referral.student, existing, referral.clinical_recorded_by_id)
    now = timezone.now()
    referral.outcome, referral.outcome_note, referral.follow_up_plan = (
        outcome,
        text["outcome_note"],
        text["follow_up_plan"],
    )
    referral.outcome_recorded_at, referral.outcome_recorded_by = now, by
    if referral.went_at is None:
        referral.went_at = now
    referral.status = Referral.Status.OUTCOME
    if recommend_registry is not None:
        referral.recommend_registry = recommend_registry
    referral.save()
    _audit(by, referral.student, "referrals.referral.outcome", action=AuditEntry.Action.UPDATE, referral=referral.pk)
    if diagnosis_summary.strip() or medication.strip():
        _write_clinical(referral, by, diagnosis_summary, medication)
    _propose_once(referral, by)
    return referral


def _write_clinical(referral, by, diagnosis_summary, medication) -> None:
    referral.diagnosis_summary, referral.medication = diagnosis_summary.strip(), medication.strip()
    referral.clinical_recorded_by, referral.clinical_recorded_at = by, timezone.now()
    referral.save(update_fields=["diagnosis_summary", "medication", "clinical_recorded_by", "clinical_recorded_at"])
    _audit(by, referral.student, "referrals.referral.clinical", tier=T4, action=AuditEntry.Action.UPDATE,
           referral=referral.pk)  # fmt: skip


@transaction.atomic
def record_clinical(referral: Referral, *, by, diagnosis_summary: str, medication: str) -> Referral:
    """The diagnosis summary and medication (T4), by centre staff: first entered, or corrected by someone who
    may read what is there."""
    referral = _locked_referral(referral)
    if not scope.may_record_confidential(by, referral.student):
        raise ReferralError(_("Only psychology centre staff can record a diagnosis, medication or statement summary."))
    _check_replace(by, referral.student, referral.diagnosis_summary or referral.medication,
                   referral.clinical_recorded_by_id)  # fmt: skip
    _required(diagnosis_summary=(_("diagnosis summary"), diagnosis_summary))
    _write_clinical(referral, by, diagnosis_summary, medication)
    return referral


# --- leave ---


def _set_status(student: Student, status: str, by, reason: str) -> None:
    before = student.status
    Student.objects.filter(pk=student.pk).update(status=status)
    student.status = status
    _audit(by, student, "org.student.status", action=AuditEntry.Action.UPDATE, reason=reason,
           before=before, after=status)  # fmt: skip


@transaction.atomic
def start_leave(
    student, *, by, applied_on: dt.date | None, reason_summary: str, starts_on: dt.date | None,
    expected_return_on: dt.date | None, statement_received_on: dt.date | None = None, statement_hospital: str = "",
    statement_summary: str = "",
) -> Leave:  # fmt: skip
    """休学 for psychological reasons: the record, and the student's status set to on leave."""
    _check_t3(by, student)
    student = Student.objects.select_for_update().get(pk=student.pk)
    text = _required(reason_summary=(_("reason"), reason_summary))
    missing = [
        str(label)
        for label, value in (
            (_("application date"), applied_on),
            (_("leave starts on"), starts_on),
            (_("expected return"), expected_return_on),
        )
        if value is None
    ]
    if missing:
        raise ReferralError(_("Please fill in: %(fields)s.") % {"fields": "、".join(missing)})
    Student.MOVES.check(student.status, Student.Status.ON_LEAVE, error=ReferralError,
                        message=_("Only an enrolled student can go on leave; this student is %(status)s.")
                        % {"status": student.get_status_display()})  # fmt: skip
    if expected_return_on <= starts_on:
        raise ReferralError(_("The expected return must be after the start of the leave."))
    if statement_received_on is not None and not statement_hospital.strip():
        raise ReferralError(_("Please fill in: %(fields)s.") % {"fields": _("issuing hospital")})
    _check_confidential(by, student, statement_summary)
    leave = Leave.objects.create(
        student=student, applied_on=applied_on, reason_summary=text["reason_summary"], starts_on=starts_on,
        expected_return_on=expected_return_on, statement_received_on=statement_received_on,
        statement_hospital=statement_hospital.strip(), statement_summary=statement_summary.strip(),
        statement_recorded_by=by if statement_summary.strip() else None, created_by=by,
    )  # fmt: skip
    _audit(by, student, "referrals.leave", leave=leave.pk, tier=T4 if leave.statement_summary else T3)
    _set_status(student, Student.Status.ON_LEAVE, by, reason=_("Leave for psychological reasons"))
    return leave


def _locked_leave(leave: Leave, by) -> Leave:
    leave = Leave.objects.select_for_update(of=("self",)).select_related("student__class_group").get(pk=leave.pk)
    # Work on a leave goes on while it can still end in the student's return.
    Leave.MOVES.check(
        leave.status,
        Leave.Status.RETURNED,
        error=ReferralError,
        message=_("The student has already returned from this leave."),
    )
    return leave


@transaction.atomic
def record_leave_statement(leave: Leave, *, by, received_on: dt.date | None, hospital: str, summary: str = "") -> Leave:
    """The hospital's statement behind the leave, when it arrives after the leave was recorded (date and
    hospital T3, its summary T4 by centre staff)."""
    leave = _locked_leave(leave, by)
    _check_t3(by, leave.student)
    text = _required(hospital=(_("issuing hospital"), hospital))
    if received_on is None:
        raise ReferralError(_("Please fill in: %(fields)s.") % {"fields": _("hospital statement received on")})
    if received_on > timezone.localdate():
        raise ReferralError(_("A statement cannot be dated in the future."))
    _check_confidential(by, leave.student, summary)
    leave.statement_received_on, leave.statement_hospital = received_on, text["hospital"]
    if summary.strip():
        _check_replace(by, leave.student, leave.statement_summary, leave.statement_recorded_by_id)
        leave.statement_summary, leave.statement_recorded_by = summary.strip(), by
    leave.save(update_fields=["statement_received_on", "statement_hospital", "statement_summary",
                              "statement_recorded_by"])  # fmt: skip
    _audit(by, leave.student, "referrals.leave.statement", action=AuditEntry.Action.UPDATE,
           tier=T4 if summary.strip() else T3, leave=leave.pk)  # fmt: skip
    return leave


@dataclass(frozen=True)
class GateItem:
    code: str
    label: str
    done: bool
    blocked: bool = False  # the latest assessment says "not yet fit"


GATE_LABELS = {
    "fitness": gettext_lazy("hospital statement of fitness"),
    "assessment": gettext_lazy("the centre's return assessment"),
    "parents": gettext_lazy("parents' agreement and emergency contacts"),
    "sign_off": gettext_lazy("college sign-off"),
}


def latest_assessment(leave: Leave) -> ReturnAssessment | None:
    return leave.assessments.order_by("-assessed_at", "-id").first()


def gate_items(leave: Leave) -> list[GateItem]:
    """The return gate's checklist, in the order it is shown (it may be done in any order)."""
    assessment = latest_assessment(leave)
    return [
        GateItem("fitness", GATE_LABELS["fitness"], leave.fitness_on is not None),
        GateItem(
            "assessment",
            GATE_LABELS["assessment"],
            assessment is not None and assessment.result == ReturnAssessment.Result.FIT,
            blocked=assessment is not None and assessment.result == ReturnAssessment.Result.NOT_YET,
        ),
        GateItem("parents", GATE_LABELS["parents"], leave.parents_agreed_on is not None and leave.contacts.exists()),
        GateItem("sign_off", GATE_LABELS["sign_off"], leave.signed_off_at is not None),
    ]


def missing_items(leave: Leave) -> list[GateItem]:
    return [item for item in gate_items(leave) if not item.done]


def _months_later(day: dt.date, months: int) -> dt.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def follow_up_dates(returned_on: dt.date, weekly: int, monthly: int) -> list[dt.date]:
    """Weekly `weekly` times after the return, then monthly `monthly` times after the last weekly one."""
    weeks = [returned_on + dt.timedelta(weeks=n) for n in range(1, weekly + 1)]
    last = weeks[-1] if weeks else returned_on
    return weeks + [_months_later(last, n) for n in range(1, monthly + 1)]


@transaction.atomic
def return_student(leave: Leave, *, by, on: dt.date | None = None) -> list[Interview]:
    """复学: the gate complete, the student enrolled again and the follow-up interviews scheduled. Raises, naming each
    item still missing, when the gate is not complete."""
    leave = _locked_leave(leave, by)
    _check_t3(by, leave.student)
    missing = missing_items(leave)
    if missing:
        blocked = [item for item in missing if item.blocked]
        message = _("The student cannot return yet. Still missing: %(items)s.") % {
            "items": "、".join(str(item.label) for item in missing)
        }
        if blocked:
            message += " " + _(
                "The centre's latest assessment says the student is not yet fit; a new assessment is needed."
            )
        raise ReferralError(message)
    day = on or timezone.localdate()
    student = Student.objects.select_for_update().select_related("class_group").get(pk=leave.student_id)
    # The roster may have changed the student's status during the leave (graduated, withdrawn): a return
    # does not enrol such a student again.
    Student.MOVES.check(student.status, Student.Status.ENROLLED, error=ReferralError,
                        message=_("Only a student on leave can return; this student is now %(status)s.")
                        % {"status": student.get_status_display()})  # fmt: skip
    leave.status, leave.returned_on, leave.returned_by = Leave.Status.RETURNED, day, by
    leave.save(update_fields=["status", "returned_on", "returned_by"])
    _audit(by, student, "referrals.leave.returned", action=AuditEntry.Action.UPDATE, leave=leave.pk)
    _set_status(student, Student.Status.ENROLLED, by, reason=_("Returned from leave through the return gate"))
    rules = policy_in_force(day).care
    # That the student was on leave is T3 (and so the source of these interviews): they go to the college's
    # mental-health advisor, or up the chain to someone holding T3, or else to whoever completed the gate.
    assignee = assignee_for(Interview.Kind.INTERVIEW, student, tier=T3) or by
    follow_ups = [
        schedule_interview(
            student,
            by=by,
            assignee=assignee,
            source=Interview.Source.RETURN_FROM_LEAVE,
            due_on=due_on,
            reason=_("Follow-up after the return from leave"),
            notify_assignee=False,
        )
        for due_on in follow_up_dates(day, rules.return_weekly_follow_ups, rules.return_monthly_follow_ups)
    ]
    title = _("A student has returned from leave; %(count)s follow-ups are scheduled") % {"count": len(follow_ups)}
    # That the student was on leave is T3; whoever the follow-ups fell back to without it (学工部) is told
    # only that follow-ups wait for them, which "my work" lists.
    notify([assignee], key=f"leave{leave.pk}:returned", title=title, student=student, tier=T3,
           link=reverse("referrals:leave_detail", args=[leave.pk]),
           withheld_title=_("%(count)s follow-ups were scheduled for you: please see my work")
           % {"count": len(follow_ups)})  # fmt: skip
    return follow_ups


def _complete_if_ready(leave: Leave, by) -> None:
    if not missing_items(leave):
        return_student(leave, by=by)


@transaction.atomic
def record_fitness_statement(leave: Leave, *, by, dated: dt.date | None, hospital: str, summary: str = "") -> Leave:
    """Gate item: the hospital's statement of fitness (date and hospital T3, its summary T4)."""
    leave = _locked_leave(leave, by)
    _check_t3(by, leave.student)
    text = _required(hospital=(_("issuing hospital"), hospital))
    if dated is None:
        raise ReferralError(_("Please fill in: %(fields)s.") % {"fields": _("statement of fitness dated")})
    if dated > timezone.localdate():
        raise ReferralError(_("A statement cannot be dated in the future."))
    _check_confidential(by, leave.student, summary)
    if summary.strip():
        _check_replace(by, leave.student, leave.fitness_summary, leave.fitness_summary_by_id)
        leave.fitness_summary, leave.fitness_summary_by = summary.strip(), by
    leave.fitness_on, leave.fitness_hospital = dated, text["hospital"]
    leave.fitness_recorded_by, leave.fitness_recorded_at = by, timezone.now()
    leave.save()
    _audit(by, leave.student, "referrals.gate.fitness", tier=T4 if summary.strip() else T3, leave=leave.pk)
    _complete_if_ready(leave, by)
    return leave


@transaction.atomic
def record_return_assessment(leave: Leave, *, by, result: str, note: str) -> ReturnAssessment:
    """Gate item: the centre's return assessment. "Not yet fit" blocks the gate until a new assessment."""
    leave = _locked_leave(leave, by)
    if not scope.may_assess_return(by, leave):
        raise ReferralError(_("Only psychology centre staff can record the return assessment."))
    if result not in ReturnAssessment.Result.values:
        raise ReferralError(_("Please choose the result of the assessment."))
    text = _required(note=(pgettext("a referral or leave", "notes"), note))
    assessment = ReturnAssessment.objects.create(
        leave=leave, result=result, note=text["note"], assessed_by=by, assessed_at=timezone.now()
    )
    _audit(by, leave.student, "referrals.gate.assessment", leave=leave.pk, result=result)
    _complete_if_ready(leave, by)
    return assessment


def _clean_contacts(contacts) -> list[dict]:
    rows = []
    for n, (name, relation, phone) in enumerate(contacts, start=1):
        name, relation, phone = (str(value or "").strip() for value in (name, relation, phone))
        if not (name or relation or phone):
            continue
        missing = [
            str(label)
            for label, value in ((_("name"), name), (_("relation"), relation), (_("phone"), phone))
            if not value
        ]
        if missing:
            raise ReferralError(
                _("Emergency contact %(n)s: please fill in %(fields)s.") % {"n": n, "fields": "、".join(missing)}
            )
        allowed = set("0123456789 +-()")
        if set(phone) - allowed or sum(ch.isdigit() for ch in phone) < MIN_PHONE_DIGITS:
            raise ReferralError(
                _("Emergency contact %(n)s: “%(phone)s” is not a phone number.") % {"n": n, "phone": phone}
            )
        rows.append({"name": name, "relation": relation, "phone": phone})
    if not rows:
        raise ReferralError(_("Please give at least one emergency contact (name, relation, phone)."))
    return rows


@transaction.atomic
def record_parents_agreement(leave: Leave, *, by, agreed_on: dt.date | None, note: str = "", contacts=()) -> Leave:
    """Gate item: the parents agree to the return, and the emergency contacts are confirmed (replacing any
    recorded before)."""
    leave = _locked_leave(leave, by)
    _check_t3(by, leave.student)
    if agreed_on is None:
        raise ReferralError(_("Please fill in: %(fields)s.") % {"fields": _("parents agreed on")})
    if agreed_on > timezone.localdate():
        raise ReferralError(_("The parents' agreement cannot be dated in the future."))
    rows = _clean_contacts(contacts)
    leave.parents_agreed_on, leave.parents_note = agreed_on, note.strip()
    leave.parents_recorded_by, leave.parents_recorded_at = by, timezone.now()
    leave.save()
    leave.contacts.all().delete()
    ReturnContact.objects.bulk_create(ReturnContact(leave=leave, **row) for row in rows)
    _audit(by, leave.student, "referrals.gate.parents", leave=leave.pk, contacts=len(rows))
    _complete_if_ready(leave, by)
    return leave


@transaction.atomic
def sign_off_return(leave: Leave, *, by, note: str = "") -> Leave:
    """Gate item: the college signs off (its leader in charge or mental-health advisor)."""
    leave = _locked_leave(leave, by)
    if not scope.may_sign_off_return(by, leave):
        raise ReferralError(_("Only the college's leader in charge or mental-health advisor can sign off the return."))
    if leave.signed_off_at is not None:
        raise ReferralError(_("The college has already signed off this return."))
    leave.signed_off_at, leave.signed_off_by, leave.sign_off_note = timezone.now(), by, note.strip()
    leave.save(update_fields=["signed_off_at", "signed_off_by", "sign_off_note"])
    _audit(by, leave.student, "referrals.gate.sign_off", leave=leave.pk)
    _complete_if_ready(leave, by)
    return leave
