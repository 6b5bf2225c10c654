"""Supervision and case conferences: every write is one transaction with its access-log entry, and every
status change goes through the request's MOVES. Who may do what is asked of `xinyu.workforce.scope`."""

import datetime as dt

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from xinyu.audit.models import AuditEntry
from xinyu.counselling.models import Session
from xinyu.org.access_log import Event, record
from xinyu.org.scope import Tier
from xinyu.policy.errors import DomainError
from xinyu.workforce import scope
from xinyu.workforce.models import (
    CaseConference,
    ConferenceCase,
    ConferenceTask,
    Discussion,
    SupervisionRequest,
    SupervisionSession,
)

Status = SupervisionRequest.Status
MAX_MINUTES = 8 * 60
QUESTION_MAX = 4000


class WorkforceError(DomainError):
    pass


def _audit(by, what: str, action=AuditEntry.Action.UPDATE, *, student=None, tier=Tier.T0, post="", **detail):
    record(by, Event(action, f"workforce.{what}", student=student, tier=tier, post=post, detail=detail))


def _post(by, request: SupervisionRequest) -> str:
    return "treating_counsellor" if request.counsellor_id == by.pk else ""


def _lock(request: SupervisionRequest) -> SupervisionRequest:
    return SupervisionRequest.objects.select_for_update().select_related("student").get(pk=request.pk)


def _move(request: SupervisionRequest, target: str) -> None:
    SupervisionRequest.MOVES.check(request.status, target, error=WorkforceError)
    request.status = target


# --- supervision requests ----------------------------------------------------------------------------------


@transaction.atomic
def submit_request(student, *, by, question: str, session: Session | None = None) -> SupervisionRequest:
    """A counsellor brings a case they counsel to supervision with a question."""
    if not scope.case_students_for(by).filter(pk=student.pk).exists():
        raise WorkforceError(_("Only a counsellor who has counselled this student can bring the case to supervision."))
    if session is not None and (session.student_id != student.pk or session.counsellor_id != by.pk):
        raise WorkforceError(_("This counselling session is not one of yours with this student."))
    question = (question or "").strip()
    if not question:
        raise WorkforceError(_("Please write the question you bring to supervision."))
    if len(question) > QUESTION_MAX:
        raise WorkforceError(_("The question is too long: at most %(max)d characters.") % {"max": QUESTION_MAX})
    if SupervisionRequest.objects.filter(counsellor=by, student=student, status__in=SupervisionRequest.OPEN).exists():
        raise WorkforceError(_("This case is already waiting for supervision; withdraw it first to ask anew."))
    request = SupervisionRequest.objects.create(
        school_id=student.school_id, student=student, counsellor=by, session=session, question=question
    )
    _audit(by, "supervision.request", AuditEntry.Action.CREATE, student=student, tier=Tier.T4,
           post="treating_counsellor", request=request.pk)  # fmt: skip
    return request


@transaction.atomic
def withdraw_request(request: SupervisionRequest, *, by) -> SupervisionRequest:
    request = _lock(request)
    if not scope.is_treating_counsellor(by, request):
        raise WorkforceError(_("Only the counsellor who submitted the case can withdraw it."))
    _move(request, Status.WITHDRAWN)
    request.save(update_fields=["status", "changed_at"])
    _audit(by, "supervision.withdraw", student=request.student, tier=Tier.T4, post=_post(by, request),
           request=request.pk)  # fmt: skip
    return request


@transaction.atomic
def schedule_request(request: SupervisionRequest, *, by, at: dt.datetime | None) -> SupervisionRequest:
    """A supervisor says when the case will be discussed (again, if already scheduled)."""
    request = _lock(request)
    if not scope.may_supervise(by, request):
        raise WorkforceError(_("Only the centre's supervisors schedule supervision."))
    if at is None:
        raise WorkforceError(_("Please give the time of the supervision."))
    if request.status != Status.SCHEDULED:
        _move(request, Status.SCHEDULED)
    request.scheduled_for = at
    request.save(update_fields=["status", "scheduled_for", "changed_at"])
    _audit(by, "supervision.schedule", student=request.student, tier=Tier.T4, request=request.pk,
           at=at.isoformat())  # fmt: skip
    return request


@transaction.atomic
def close_request(request: SupervisionRequest, *, by) -> SupervisionRequest:
    request = _lock(request)
    if not (scope.is_treating_counsellor(by, request) or scope.may_supervise(by, request)):
        raise WorkforceError(_("Only the treating counsellor or a supervisor can close the case's supervision."))
    _move(request, Status.CLOSED)
    request.save(update_fields=["status", "changed_at"])
    _audit(by, "supervision.close", student=request.student, tier=Tier.T4, post=_post(by, request),
           request=request.pk)  # fmt: skip
    return request


@transaction.atomic
def bring_again(request: SupervisionRequest, *, by) -> SupervisionRequest:
    """After a discussion, the treating counsellor puts the case back in the queue."""
    request = _lock(request)
    if not scope.is_treating_counsellor(by, request):
        raise WorkforceError(_("Only the counsellor who submitted the case can bring it again."))
    _move(request, Status.SUBMITTED)
    request.scheduled_for = None
    request.save(update_fields=["status", "scheduled_for", "changed_at"])
    _audit(by, "supervision.again", student=request.student, tier=Tier.T4, post="treating_counsellor",
           request=request.pk)  # fmt: skip
    return request


def mark_guidance_read(request: SupervisionRequest, *, by, now=None) -> None:
    """The treating counsellor has seen the guidance given so far (the page calls it inside its transaction)."""
    if not scope.is_treating_counsellor(by, request) or request.guidance_read_at is not None:
        return
    if not request.discussions.exists():
        return
    request.guidance_read_at = now or timezone.now()
    SupervisionRequest.objects.filter(pk=request.pk).update(guidance_read_at=request.guidance_read_at)


# --- supervision sessions ----------------------------------------------------------------------------------


@transaction.atomic
def record_session(school, *, by, kind: str, held_at: dt.datetime, duration_minutes: int, place: str = "",
                   counsellors=(), discussions=(), now=None) -> SupervisionSession:  # fmt: skip
    """Record a supervision session held, with the requests discussed: [(request, notes, guidance), …]. The
    counsellors whose cases are discussed count as present; an individual session has one counsellor."""
    now = now or timezone.now()
    if school.pk not in scope.supervisor_schools(by):
        raise WorkforceError(_("Only the centre's supervisors record supervision sessions."))
    if kind not in SupervisionSession.Kind.values:
        raise WorkforceError(_("Please choose individual or group supervision."))
    if held_at is None or held_at > now + dt.timedelta(minutes=5):
        raise WorkforceError(_("A supervision session is recorded once it has been held: the time is in the future."))
    if not duration_minutes or not 0 < duration_minutes <= MAX_MINUTES:
        raise WorkforceError(_("The duration must be between 1 and %(max)d minutes.") % {"max": MAX_MINUTES})
    allowed = {person.pk: person for person in scope.centre_counsellors(school.pk)}
    present = {}
    for person in counsellors:
        if person.pk not in allowed:
            raise WorkforceError(_("%(name)s is not a counsellor of the centre.") % {"name": person.full_name})
        present[person.pk] = person
    locked = []
    for request, notes, guidance in discussions:
        request = _lock(request)
        if request.school_id != school.pk or not scope.may_supervise(by, request):
            raise WorkforceError(_("A case discussed is not one you supervise."))
        if request.status not in SupervisionRequest.OPEN:
            raise WorkforceError(_("A case discussed is no longer waiting for supervision."))
        if not (guidance or "").strip():
            raise WorkforceError(
                _("Please write your guidance on the case of %(counsellor)s.")
                % {"counsellor": request.counsellor.full_name}
            )
        present.setdefault(request.counsellor_id, request.counsellor)
        locked.append((request, (notes or "").strip(), guidance.strip()))
    present.pop(by.pk, None)
    if not present:
        raise WorkforceError(_("Please choose the counsellors present."))
    if kind == SupervisionSession.Kind.INDIVIDUAL and len(present) != 1:
        raise WorkforceError(_("Individual supervision is with one counsellor; choose group supervision for more."))
    session = SupervisionSession.objects.create(
        school=school, kind=kind, supervisor=by, held_at=held_at, duration_minutes=duration_minutes,
        place=(place or "").strip(), recorded_by=by,
    )  # fmt: skip
    session.counsellors.set(present.values())
    for request, notes, guidance in locked:
        Discussion.objects.create(session=session, request=request, notes=notes, guidance=guidance)
        _move(request, Status.DISCUSSED)
        request.guidance_read_at = None
        request.save(update_fields=["status", "guidance_read_at", "changed_at"])
        _audit(by, "supervision.discussion", AuditEntry.Action.CREATE, student=request.student, tier=Tier.T4,
               request=request.pk, session=session.pk)  # fmt: skip
    _audit(by, "supervision.session", AuditEntry.Action.CREATE, session=session.pk, minutes=duration_minutes,
           counsellors=sorted(present))  # fmt: skip
    return session


# --- case conferences --------------------------------------------------------------------------------------


def _check_staff(school_id: int, people, message: str) -> None:
    allowed = {person.pk for person in scope.staff_of_school(school_id)}
    for person in people:
        if person.pk not in allowed:
            raise WorkforceError(message % {"name": person.full_name})


@transaction.atomic
def schedule_conference(
    school, *, by, title: str, held_at: dt.datetime, place: str, chair, attendees
) -> CaseConference:
    if school.pk not in scope.conference_schools(by):
        raise WorkforceError(_("Only the psychology centre and 学工部 schedule case conferences."))
    title = (title or "").strip()
    if not title:
        raise WorkforceError(_("Please give the conference a title."))
    if held_at is None:
        raise WorkforceError(_("Please give the time of the conference."))
    if chair is None:
        raise WorkforceError(_("Please choose who chairs the conference."))
    attendees = list(dict.fromkeys([chair, *attendees]))
    _check_staff(school.pk, attendees, _("%(name)s does not work in this school."))
    conference = CaseConference.objects.create(
        school=school, title=title, held_at=held_at, place=(place or "").strip(), chair=chair, created_by=by
    )
    conference.attendees.set(attendees)
    _audit(by, "conference", AuditEntry.Action.CREATE, conference=conference.pk)
    return conference


def _check_keeper(by, conference) -> None:
    if not scope.may_keep_conference(by, conference):
        raise WorkforceError(_("Only the conference's chair, the psychology centre and 学工部 keep its record."))


@transaction.atomic
def add_case(conference: CaseConference, *, by, student) -> ConferenceCase:
    conference = CaseConference.objects.select_for_update().get(pk=conference.pk)
    _check_keeper(by, conference)
    if not scope.conference_students_for(by, conference).filter(pk=student.pk).exists():
        raise WorkforceError(_("No student you may see has this student number in the school."))
    if conference.cases.filter(student=student).exists():
        raise WorkforceError(_("This student's case is already on the conference."))
    last = conference.cases.aggregate(last=Max("position"))["last"]
    case = ConferenceCase.objects.create(
        conference=conference, student=student, position=0 if last is None else last + 1, added_by=by
    )
    _audit(by, "conference.case", AuditEntry.Action.CREATE, student=student, tier=Tier.T2,
           conference=conference.pk, case=case.pk)  # fmt: skip
    return case


@transaction.atomic
def save_case(case: ConferenceCase, *, by, conclusion: str, notes: str | None = None) -> ConferenceCase:
    """The conclusion (written without naming the student) and, by a T3 holder over the student, the notes."""
    case = ConferenceCase.objects.select_for_update().select_related("conference", "student").get(pk=case.pk)
    _check_keeper(by, case.conference)
    fields = ["conclusion"]
    case.conclusion = (conclusion or "").strip()
    if notes is not None:
        if case.student_id not in scope.named_students(by, [case.student]):
            raise WorkforceError(_("Only those who may see this student's case notes write them."))
        case.notes = notes.strip()
        fields.append("notes")
    case.save(update_fields=fields)
    _audit(by, "conference.case", student=case.student, tier=Tier.T3 if notes is not None else Tier.T2,
           case=case.pk, notes=notes is not None)  # fmt: skip
    return case


@transaction.atomic
def add_task(case: ConferenceCase, *, by, text: str, assignee, due_on: dt.date | None) -> ConferenceTask:
    _check_keeper(by, case.conference)
    text = (text or "").strip()
    if not text:
        raise WorkforceError(_("Please say what is to be done."))
    if assignee is None:
        raise WorkforceError(_("Please choose who does it."))
    _check_staff(case.conference.school_id, [assignee], _("%(name)s does not work in this school."))
    if due_on is None or due_on < timezone.localdate(case.conference.held_at):
        raise WorkforceError(_("Please give a due date on or after the conference."))
    task = ConferenceTask.objects.create(case=case, text=text, assignee=assignee, due_on=due_on, created_by=by)
    _audit(by, "conference.task", AuditEntry.Action.CREATE, student=case.student, tier=Tier.T2, task=task.pk,
           assignee=assignee.username)  # fmt: skip
    return task


@transaction.atomic
def complete_task(task: ConferenceTask, *, by, note: str) -> ConferenceTask:
    task = (
        ConferenceTask.objects.select_for_update().select_related("case__conference", "case__student").get(pk=task.pk)
    )
    if not scope.may_complete_task(by, task):
        raise WorkforceError(_("Only the task's assignee or the conference's keepers record it as done."))
    if task.done_at is not None:
        raise WorkforceError(_("This task is already done."))
    note = (note or "").strip()
    if not note:
        raise WorkforceError(_("Please say what was done."))
    task.done_at, task.done_by, task.done_note = timezone.now(), by, note
    task.save(update_fields=["done_at", "done_by", "done_note"])
    _audit(by, "conference.task.done", student=task.case.student, tier=Tier.T2, task=task.pk)
    return task
