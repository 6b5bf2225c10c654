"""Crisis cases (第十二条): one write path per transition; each writes its event, audit entry and
notifications in the same transaction."""

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from xinyu.audit.models import AuditEntry
from xinyu.care.models import FamilyContact
from xinyu.care.registry import propose_entry
from xinyu.concerns import scope
from xinyu.concerns.errors import ConcernError
from xinyu.concerns.evidence import LABELS as EVIDENCE_LABELS
from xinyu.concerns.evidence import NEW_FAMILY_CONTACT, EvidenceError, clean_evidence
from xinyu.concerns.models import CaseEvent, CaseMember, CaseStep, CrisisCase
from xinyu.concerns.services import acks
from xinyu.concerns.services.duty import duty_leader_for
from xinyu.concerns.services.family_contacts import new_family_contact
from xinyu.notify.services import notify
from xinyu.org.access_log import Event, record
from xinyu.org.responsibility import holders_of
from xinyu.policy import calendar
from xinyu.policy.loader import Deadline, Policy, policy_in_force, policy_version


def people_for(policy: Policy, role: str, student, *, at: dt.datetime, organiser=None) -> list:
    if role == "organiser":
        return [organiser] if organiser else []
    leader = duty_leader_for(policy, at) if role == "school_leader" else None
    return holders_of(role, student, at=at, duty_leader=leader)


def log_event(case, kind, *, by=None, reason="", from_level="", to_level="", **detail):
    """Append to the case's history; the one place that writes it."""
    return CaseEvent.objects.create(
        case=case, kind=kind, by=by, by_name=getattr(by, "full_name", "") if by else "", reason=reason,
        from_level=from_level, to_level=to_level, detail=detail,
    )  # fmt: skip


def _audit(by, case, what, **detail):
    record(by, Event(AuditEntry.Action.UPDATE, what, student=case.student, detail={"case": case.pk, **detail}))


def _titled(case, title: str) -> str:
    """A notification's title; a drill's says so (演练) wherever it goes."""
    return _("[Drill] %(title)s") % {"title": title} if case.is_drill else title


def _start_level(case: CrisisCase, policy: Policy, level: str, now: dt.datetime) -> None:
    """Set the organiser and create the steps of `level`, each with its owner and deadlines."""
    rule = policy.level(level)
    organisers = people_for(policy, rule.organiser, case.student, at=now)
    case.organiser = organisers[0] if organisers else None
    case.save(update_fields=["organiser", "level"])
    if case.organiser:
        CaseMember.objects.get_or_create(case=case, person=case.organiser, role=CaseMember.Role.ORGANISER)
        log_event(case, CaseEvent.Kind.ORGANISER_SET, to_level=level, organiser=case.organiser.username)
    collaborators = []
    for role in rule.collaborators:
        collaborators += people_for(policy, role, case.student, at=now, organiser=case.organiser)
    for person in dict.fromkeys(collaborators):
        CaseMember.objects.get_or_create(case=case, person=person, role=CaseMember.Role.COLLABORATOR)
    urgent = rule.urgent
    link = case.get_absolute_url()
    notify([*organisers[:1], *collaborators], key=f"case{case.pk}:level{level}:{now.timestamp():.0f}",
           student=case.student, tier=scope.Tier.T2,  # all members of the case: T2 while it is open
           title=_titled(case, _("Crisis case %(level)s: you are on it") % {"level": rule.name}), link=link,
           urgent=urgent, drill=case.is_drill)  # fmt: skip
    for step_rule in rule.steps:
        owners = people_for(policy, step_rule.role, case.student, at=now, organiser=case.organiser)
        step = CaseStep.objects.create(
            case=case, level=level, code=step_rule.code, title=step_rule.title, role=step_rule.role,
            assignee=owners[0] if owners else None,
            due_at=calendar.due_at(policy, now, Deadline(step_rule.within_minutes, step_rule.clock)),
            evidence_required=list(step_rule.evidence),
        )  # fmt: skip
        for person in owners[:1]:
            CaseMember.objects.get_or_create(case=case, person=person, role=CaseMember.Role.STEP)
        acks.request_ack(
            policy, people=owners[:1] or organisers[:1], deadline=Deadline(step_rule.ack_minutes, step_rule.clock),
            step=step, title=_titled(case, _("Crisis step to take: %(step)s") % {"step": step_rule.title}),
            link=link, urgent=urgent,
        )  # fmt: skip


@transaction.atomic
def open_case(student, level: str, *, by, reason: str, report=None, is_drill: bool = False) -> CrisisCase:
    if level not in CrisisCase.Level.values:
        raise ConcernError(_("Unknown crisis level."))
    now = timezone.now()
    policy = policy_in_force(timezone.localdate())
    try:
        with transaction.atomic():
            case = CrisisCase.objects.create(
                student=student, level=level, opened_by=by, policy_key=policy.key, is_drill=is_drill
            )
    except IntegrityError:
        raise ConcernError(_("This student already has an open crisis case; raise its level instead.")) from None
    log_event(case, CaseEvent.Kind.OPENED, by=by, reason=reason, to_level=level, report=report.pk if report else None)
    CaseMember.objects.get_or_create(case=case, person=by, role=CaseMember.Role.COLLABORATOR)
    _start_level(case, policy, level, now)
    record(
        by, Event(AuditEntry.Action.CREATE, "crisis.case", student=student, detail={"case": case.pk, "level": level})
    )
    return case


@transaction.atomic
def open_drill(student, level: str, *, by, reason: str = "") -> CrisisCase:
    """A drill (演练): the centre runs the whole flow on a student it sees; labelled everywhere, never counted."""
    if not scope.is_centre_staff(by):
        raise ConcernError(_("Only the psychology centre's staff can start a drill."))
    if not scope.students_for(by, scope.Tier.T2).filter(pk=student.pk).exists():
        raise ConcernError(_("No student with this student number is in your care."))
    return open_case(student, level, by=by, reason=reason.strip() or _("Drill"), is_drill=True)


def case_policy(case: CrisisCase) -> Policy:
    """The policy version the case was opened under."""
    return policy_version(case.policy_key)


def _lock(case: CrisisCase) -> CrisisCase:
    case = CrisisCase.objects.select_for_update().select_related("student__class_group").get(pk=case.pk)
    if not case.is_open:
        raise ConcernError(_("This case is closed."))
    return case


def _require_actor(case: CrisisCase, by) -> None:
    if not scope.may_act_on_case(by, case):
        raise ConcernError(_("Only the people responsible for this student can work on the case."))


def lock_for_record(case: CrisisCase, by) -> CrisisCase:
    """The open case, locked, for `by` to add a record to (xinyu.concerns.services.case_records)."""
    case = _lock(case)
    _require_actor(case, by)
    return case


def record_escalation(case: CrisisCase, step: CaseStep, move) -> None:
    """An unacknowledged step reminded or escalated (xinyu.concerns.services.acks): the people it went up
    to join the case, and its history says so."""
    CaseMember.objects.bulk_create(
        [CaseMember(case=case, person=person, role=CaseMember.Role.ESCALATED) for person in move.added],
        ignore_conflicts=True,
    )
    log_event(
        case,
        CaseEvent.Kind.ESCALATED if move.kind == acks.ESCALATED else CaseEvent.Kind.RENOTIFIED,
        step=step.code,
        stage=move.stage,
        role=move.role,
        to=[person.username for person in move.told],
        added=[person.username for person in move.added],
    )


def _supersede_open_steps(case: CrisisCase, now: dt.datetime) -> None:
    """A level change ends the previous level's steps: open ones stop (their reminders are cancelled), done
    ones stay done; all are marked as of an earlier level, so the case can come back to that level later."""
    for step in case.steps.filter(superseded_at__isnull=True):
        step.superseded_at = now
        step.save(update_fields=["superseded_at"])
        if step.completed_at is None and hasattr(step, "ack"):
            acks.cancel(step.ack)


@transaction.atomic
def raise_level(case: CrisisCase, *, by, to_level: str, reason: str) -> CrisisCase:
    """Anyone responsible may raise the level at any time."""
    case = _lock(case)
    _require_actor(case, by)
    if to_level not in CrisisCase.Level.above(case.level):
        raise ConcernError(_("The new level must be higher than the current one."))
    if not reason.strip():
        raise ConcernError(_("Please give the reason for raising the level."))
    now = timezone.now()
    from_level, case.level = case.level, to_level
    _supersede_open_steps(case, now)
    log_event(case, CaseEvent.Kind.LEVEL_RAISED, by=by, reason=reason, from_level=from_level, to_level=to_level)
    _start_level(case, case_policy(case), to_level, now)
    _audit(by, case, "crisis.case.raise", to_level=to_level)
    return case


def last_level_change(case: CrisisCase):
    return case.events.filter(
        kind__in=[CaseEvent.Kind.OPENED, CaseEvent.Kind.LEVEL_RAISED, CaseEvent.Kind.LEVEL_LOWERED]
    ).last()


def has_centre_assessment_since_level_change(case: CrisisCase) -> bool:
    change = last_level_change(case)
    assessments = case.events.filter(kind=CaseEvent.Kind.CENTRE_ASSESSMENT)
    return assessments.filter(pk__gt=change.pk).exists() if change else assessments.exists()


@transaction.atomic
def lower_level(case: CrisisCase, *, by, to_level: str, reason: str) -> CrisisCase:
    """Lowering needs the centre's assessment (recorded since the last level change) and a reason."""
    case = _lock(case)
    _require_actor(case, by)
    if to_level not in CrisisCase.Level.below(case.level):
        raise ConcernError(_("The new level must be lower than the current one."))
    if not reason.strip():
        raise ConcernError(_("Please give the reason for lowering the level."))
    if not has_centre_assessment_since_level_change(case):
        raise ConcernError(_("Lowering the level needs the psychology centre's assessment first."))
    now = timezone.now()
    from_level, case.level = case.level, to_level
    _supersede_open_steps(case, now)
    log_event(case, CaseEvent.Kind.LEVEL_LOWERED, by=by, reason=reason, from_level=from_level, to_level=to_level)
    _start_level(case, case_policy(case), to_level, now)
    _audit(by, case, "crisis.case.lower", to_level=to_level)
    return case


@transaction.atomic
def record_centre_assessment(case: CrisisCase, *, by, summary: str) -> None:
    case = _lock(case)
    if not scope.is_centre_staff(by):
        raise ConcernError(_("Only the psychology centre's staff can record its assessment."))
    if not summary.strip():
        raise ConcernError(_("Please write the assessment."))
    log_event(case, CaseEvent.Kind.CENTRE_ASSESSMENT, by=by, reason=summary.strip())
    _audit(by, case, "crisis.case.assessment")


def _take_step(step: CaseStep, by) -> CaseStep:
    """The step, locked, on an open case, if `by` may take it (assignee, organiser, asked to acknowledge)."""
    step = CaseStep.objects.select_for_update().get(pk=step.pk)
    step.case = _lock(step.case)
    if not scope.may_take_case_step(by, step):
        raise ConcernError(_("Only the step's owner, the organiser or the people asked to take it can do this."))
    if step.superseded_at:
        raise ConcernError(_("This step belongs to an earlier level and no longer applies."))
    return step


@transaction.atomic
def acknowledge_step(step: CaseStep, *, by) -> CaseStep:
    """Taking a step: stops its reminders and escalation. A second acknowledgement changes nothing."""
    step = _take_step(step, by)
    if hasattr(step, "ack") and acks.acknowledge(step.ack, by=by):
        log_event(step.case, CaseEvent.Kind.STEP_ACKNOWLEDGED, by=by, step=step.code)
        _audit(by, step.case, "crisis.step.acknowledge", step=step.code)
    return step


def _family_contact_evidence(step: CaseStep, by, cleaned: dict) -> dict:
    """The step's family contact: one recorded on the case, or a new one recorded now (with the case's event
    and audit entry). The evidence keeps the row's id instead of the fields."""
    chosen = cleaned.pop("family_contact", "")
    fields = {field: cleaned.pop(field, "") for field in NEW_FAMILY_CONTACT}
    case = step.case
    if chosen:
        # Choosing a recorded contact is for those who read the case's records (T3).
        readable = case.family_contacts.all() if scope.may_read_case_records(by, case) else FamilyContact.objects.none()
        contact = readable.filter(pk=int(chosen)).first()
        if contact is None:
            label = str(EVIDENCE_LABELS["family_contact"])
            raise EvidenceError(_("Please choose a family contact recorded on this case."), {"family_contact": label})
    else:
        contact = new_family_contact(
            case.student, by=by, case=case, contact_name=fields["family_who"], relation=fields["family_relation"],
            contacted_at=parse_datetime(fields["family_when"]), method=fields["family_how"],
            outcome=fields["family_outcome"],
        )  # fmt: skip
        log_event(case, CaseEvent.Kind.FAMILY_CONTACT, by=by, reason=contact.outcome, family_contact=contact.pk,
                  step=step.code)  # fmt: skip
        record(by, Event(AuditEntry.Action.CREATE, "care.family_contact", student=case.student, tier=scope.Tier.T3,
                         detail={"family_contact": contact.pk, "case": case.pk}))  # fmt: skip
    return {**cleaned, "family_contact": contact.pk}


@transaction.atomic
def complete_step(step: CaseStep, *, by, evidence: dict) -> CaseStep:
    """Done, with the records the policy asks for (acknowledging it too, if nobody had)."""
    step = _take_step(step, by)
    if not step.is_active:
        raise ConcernError(_("This step is already done or no longer applies."))
    cleaned = clean_evidence(step.evidence_required, evidence)
    if "family_told" in step.evidence_required:
        cleaned = _family_contact_evidence(step, by, cleaned)
    acknowledge_step(step, by=by)
    step.completed_by, step.completed_at, step.evidence = by, timezone.now(), cleaned
    step.save(update_fields=["completed_by", "completed_at", "evidence"])
    log_event(step.case, CaseEvent.Kind.STEP_COMPLETED, by=by, step=step.code)
    _audit(by, step.case, "crisis.step.complete", step=step.code)
    return step


def _steps_without_family_contact(case: CrisisCase) -> list[CaseStep]:
    """Done steps asking for "family_told" whose family contact is not one of the case's rows. A step done
    before family contacts were its evidence, that no row matched, keeps what was written (`family_who`)."""
    contacts = set(case.family_contacts.values_list("pk", flat=True))
    steps = case.steps.filter(completed_at__isnull=False, superseded_at__isnull=True)
    return [
        step
        for step in steps
        if "family_told" in step.evidence_required
        and (step.evidence or {}).get("family_contact") not in contacts
        and not (step.evidence or {}).get("family_who")
    ]


def closing_gaps(case: CrisisCase) -> list[str]:
    """What 第十二条(四) still asks for before the case can be closed (empty when it can)."""
    gaps = []
    if case.steps.filter(completed_at__isnull=True, superseded_at__isnull=True).exists():
        gaps.append(_("Some steps are not done yet."))
    if not case.family_contacts.exists():
        gaps.append(_("No family contact is recorded."))
    elif _steps_without_family_contact(case):
        gaps.append(_("A step that tells the family has no family contact recorded."))
    if not case.interviews.exists():
        gaps.append(_("No follow-up is scheduled."))
    if not case.review_supports.exists():
        gaps.append(_("No review-and-support record yet."))
    if case_policy(case).level(
        case.level
    ).closing_requires_centre_review and not has_centre_assessment_since_level_change(case):
        gaps.append(_("The psychology centre's assessment is missing."))
    return gaps


@transaction.atomic
def close_case(case: CrisisCase, *, by, filing_note: str, propose_registry: bool = False) -> CrisisCase:
    """Closing (第十二条(四)): case filed, family contact recorded, follow-ups set, review and support
    recorded, and the organiser's sign-off. `propose_registry` proposes the student for the key-concern
    registry (xinyu.care.registry.propose_entry) in the same transaction."""
    case = _lock(case)
    if by != case.organiser:
        raise ConcernError(_("Only the case's organiser can sign it off."))
    gaps = closing_gaps(case)
    if not filing_note.strip():
        gaps.insert(0, _("Please write the case filing note."))
    if gaps:
        raise ConcernError(" ".join(gaps))
    case.status, case.closed_by, case.closed_at, case.filing_note = (
        CrisisCase.Status.CLOSED,
        by,
        timezone.now(),
        filing_note,
    )
    case.save(update_fields=["status", "closed_by", "closed_at", "filing_note"])
    for step in case.steps.filter(ack__isnull=False):
        acks.cancel(step.ack)
    log_event(case, CaseEvent.Kind.CLOSED, by=by, reason=filing_note)
    _audit(by, case, "crisis.case.close")
    if propose_registry and not case.is_drill:
        propose_entry(case.student, source="crisis", proposed_by=by, reason=filing_note, source_object=case)
    return case
