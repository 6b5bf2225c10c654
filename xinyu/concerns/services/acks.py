"""Acknowledgement requests: who must take something by when, and what happens when nobody does.

The life of one request, in the minutes of the policy's [escalation] table, counted on the item's own
clock (office minutes for an office-hours deadline, round-the-clock minutes otherwise):

    due_at                                   the deadline to acknowledge
    due_at + renotify_after_minutes          stage 1: everyone asked is reminded
    … + escalate_every_minutes               stage 2: the next role up the chain is added and told
    … + escalate_every_minutes               stage 3: the next one, and so on up to the chain's top
    … + escalate_every_minutes, again …      the top keeps being reminded, with everyone asked so far

`next_action_at` is the moment of the next stage, so due work is found from the database (the clock's
tick, xinyu/concerns/escalation.py) and a restart or a crashed worker loses nothing. The schedule is
anchored on the deadline, not on when a tick happened to run: a tick that comes late (the clock was
down) catches up every escalation that fell due meanwhile, in one go. Acknowledging or cancelling sets
`next_action_at` to NULL, which stops everything.
"""

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xinyu.concerns.models import Acknowledgement, AckRecipient, CaseStep, ConcernReport
from xinyu.concerns.services.duty import duty_leader_for
from xinyu.notify.services import notify
from xinyu.org.responsibility import FALLBACK, holders_of
from xinyu.org.scope import Tier
from xinyu.policy import calendar
from xinyu.policy.loader import Deadline, Policy

SKIPPED, RENOTIFIED, ESCALATED, CANCELLED = "skipped", "renotified", "escalated", "cancelled"
MAX_STAGE = 30_000  # the column is a small integer; at 10 minutes a stage that is half a year
MAX_CATCH_UP = 10_000  # slots a late tick may skip at the chain's top (a guard; one reminder covers them)


def later(policy: Policy, clock: str, start: dt.datetime, minutes: int) -> dt.datetime:
    """`minutes` after `start` on `clock` ("office" counts office minutes only); `start` itself for 0."""
    if minutes <= 0:
        return start
    return calendar.due_at(policy, start, Deadline(minutes, clock))


def _interval(policy: Policy) -> int:
    """Minutes between escalation stages; at least one, so that a schedule always moves forward."""
    return max(1, policy.escalate_every_minutes)


def request_ack(policy: Policy, *, people, deadline: Deadline, report=None, step=None, title: str, link: str,
                urgent: bool) -> Acknowledgement:  # fmt: skip
    """Ask `people` to acknowledge a report or a step by the deadline; notifies them in this transaction."""
    now = timezone.now()
    due = calendar.due_at(policy, now, deadline)
    first_action = later(policy, deadline.clock, due, policy.renotify_after_minutes)
    ack = Acknowledgement.objects.create(report=report, step=step, due_at=due, next_action_at=first_action)
    people = list(dict.fromkeys(person for person in people if person is not None))
    AckRecipient.objects.bulk_create([AckRecipient(ack=ack, person=person, stage=0) for person in people])
    drill = bool(report.is_drill if report is not None else step.case.is_drill)
    student = report.student if report is not None else step.case.student
    notify(people, key=f"ack{ack.pk}:0", student=student, tier=Tier.T2, title=title, link=link, urgent=urgent,
           drill=drill, withheld_title=_withheld_title(report is not None, drill))  # fmt: skip
    return ack


def _withheld_title(is_report: bool, drill: bool) -> str:
    """What someone asked without holding T2 over the student (the school leader at the chain's top, who
    holds no post over students and no role on a case) is told: that it waits, and whom to push."""
    if is_report:
        title = _(
            "A concern report in your school has not been taken in time. Please call the Student Affairs "
            "Department to make sure it is taken now."
        )
    else:
        title = _("A crisis step has not been acknowledged in time. Please call the Student Affairs Department.")
    return _("[Drill] %(title)s") % {"title": title} if drill else title


def acknowledge(ack: Acknowledgement, *, by) -> bool:
    """Mark taken; returns False when it already was (a second click changes nothing)."""
    updated = Acknowledgement.objects.filter(pk=ack.pk, acknowledged_at__isnull=True, cancelled_at__isnull=True).update(
        acknowledged_at=timezone.now(), acknowledged_by=by, next_action_at=None
    )
    ack.refresh_from_db()
    return bool(updated)


def cancel(ack: Acknowledgement) -> None:
    """No longer needed (the step was superseded, the case closed): never escalated again."""
    Acknowledgement.objects.filter(pk=ack.pk, acknowledged_at__isnull=True, cancelled_at__isnull=True).update(
        cancelled_at=timezone.now(), next_action_at=None
    )


@dataclass(frozen=True)
class Subject:
    """What an acknowledgement is about, as escalation needs it."""

    student: object
    case: object | None
    step: object | None
    link: str
    roles: tuple[str, ...]  # the roles first asked, where the climb up the chain starts
    clock: str
    urgent: bool
    is_drill: bool
    finished: bool  # the thing no longer waits for anyone: the ack is cancelled, not escalated


def subject_of(ack: Acknowledgement, policy: Policy) -> Subject:
    if ack.report_id:
        report = ConcernReport.objects.select_related("student__class_group").get(pk=ack.report_id)
        urgent = report.urgency == ConcernReport.Urgency.URGENT
        return Subject(
            student=report.student,
            case=None,
            step=None,
            link=report.get_absolute_url(),
            roles=policy.urgent_report_receivers if urgent else policy.report_receivers,
            clock=(policy.urgent_report_ack if urgent else policy.report_ack).clock,
            urgent=urgent,
            is_drill=report.is_drill,
            finished=report.status != ConcernReport.Status.NEW,
        )
    step = CaseStep.objects.select_related("case__student__class_group").get(pk=ack.step_id)
    case = step.case
    rule = policy.levels.get(step.level)
    step_rule = next((s for s in rule.steps if s.code == step.code), None) if rule else None
    role = rule.organiser if rule and step.role == "organiser" else step.role
    return Subject(
        student=case.student,
        case=case,
        step=step,
        link=case.get_absolute_url(),
        roles=(role,),
        clock=step_rule.clock if step_rule else "always",  # unknown to the policy: the faster clock
        urgent=True,
        is_drill=case.is_drill,
        finished=not step.is_active or not case.is_open,
    )


def first_escalation_index(policy: Policy, roles) -> int:
    """Where in `policy.escalation_chain` the first escalation goes: the next role above everyone first
    asked. A role in the chain escalates to the one after it; any other role to the first chain role it
    falls back to (the network's FALLBACK: a centre counsellor to 学工部, a mental-health advisor to the
    college leader in charge). len(chain) means the first asked are already at the top."""
    chain = policy.escalation_chain
    best = len(chain)
    for role in roles:
        if role in chain:
            best = min(best, chain.index(role) + 1)
            continue
        current = FALLBACK.get(role)
        while current is not None and current not in chain:
            current = FALLBACK.get(current)
        if current is not None:
            best = min(best, chain.index(current))
    return best


def escalation_target(policy: Policy, student, index: int, *, at: dt.datetime) -> tuple[str, list]:
    """The role at `index` of the chain (the top when beyond it) and the people holding it for `student`
    at `at`: the school leader in charge is the duty leader out of office hours (第十二条(三))."""

    chain = policy.escalation_chain
    role = chain[min(index, len(chain) - 1)]
    leader = duty_leader_for(policy, at) if role == "school_leader" else None
    return role, holders_of(role, student, at=at, duty_leader=leader)


@dataclass
class Move:
    stage: int
    kind: str  # RENOTIFIED or ESCALATED
    role: str
    told: list
    added: list


def _title(subject: Subject, kind: str) -> str:
    if subject.step is None:
        title = (
            _("Escalated to you: a concern report nobody has taken yet")
            if kind == ESCALATED
            else _("Reminder: a concern report is waiting for you to take it")
        )
    else:
        title = (
            _("Escalated to you: a crisis step nobody has acknowledged yet")
            if kind == ESCALATED
            else _("Reminder: a crisis step is waiting for you to acknowledge it")
        )
    return _("[Drill] %(title)s") % {"title": title} if subject.is_drill else title


def _next_move(ack: Acknowledgement, policy: Policy, subject: Subject, asked: dict, now: dt.datetime) -> Move:
    """The stage after `ack.stage`: a reminder, one role up the chain (skipping roles that would add
    nobody new), or, at the top, a reminder to the top's holders of the moment and everyone asked."""
    chain = policy.escalation_chain
    if ack.stage == 0:
        return Move(1, RENOTIFIED, "", list(asked.values()), [])
    first = first_escalation_index(policy, subject.roles)
    index = first + ack.stage - 1  # stage s ≥ 2 stands at chain index first + s - 2
    if index < len(chain):
        while True:
            role, people = escalation_target(policy, subject.student, index, at=now)
            added = [person for person in people if person.pk not in asked]
            if added or index >= len(chain) - 1:
                return Move(index - first + 2, ESCALATED, role, people, added)
            index += 1
    role, people = escalation_target(policy, subject.student, len(chain) - 1, at=now)
    added = [person for person in people if person.pk not in asked]
    told = list(dict.fromkeys([*people, *asked.values()]))
    return Move(min(ack.stage + 1, MAX_STAGE), ESCALATED if added else RENOTIFIED, role, told, added)


def _apply(ack: Acknowledgement, subject: Subject, move: Move, asked: dict, record_case_move) -> None:
    # The row lock keeps other ticks out; ignore_conflicts keeps a person already there (e.g. by hand) there.
    AckRecipient.objects.bulk_create(
        [AckRecipient(ack=ack, person=person, stage=move.stage) for person in move.added], ignore_conflicts=True
    )
    if subject.case is not None:
        # The case's own records (members, history) are written by the cases module.
        record_case_move(subject.case, subject.step, move)
    asked.update((person.pk, person) for person in move.added)
    # People escalated to on a case were made members just above: they hold T2 on its student now.
    notify(move.told, key=f"ack{ack.pk}:{move.stage}", student=subject.student, tier=Tier.T2,
           title=_title(subject, move.kind), link=subject.link, urgent=subject.urgent, drill=subject.is_drill,
           withheld_title=_withheld_title(subject.step is None, subject.is_drill))  # fmt: skip


class _Lost(Exception):
    """Another tick changed the acknowledgement first."""


def process_due(ack: Acknowledgement, policy: Policy, *, record_case_move, now: dt.datetime | None = None) -> str:
    """One acknowledgement whose next action is due: remind, escalate (catching up missed stages), or
    cancel it when its report or step no longer waits. Safe to run twice or in two clocks at once: the
    row is locked and re-checked, and saved only if nobody changed it meanwhile. A move on a case's step is
    recorded on the case by `record_case_move(case, step, move)` (xinyu.concerns.services.cases), in the
    same transaction."""
    now = now or timezone.now()
    try:
        with transaction.atomic():
            return _process(ack, policy, now, record_case_move)
    except _Lost:
        return SKIPPED


def _process(ack: Acknowledgement, policy: Policy, now: dt.datetime, record_case_move) -> str:
    ack = Acknowledgement.objects.select_for_update().get(pk=ack.pk)
    if ack.acknowledged_at or ack.cancelled_at or ack.next_action_at is None or ack.next_action_at > now:
        return SKIPPED
    seen = (ack.stage, ack.next_action_at)
    subject = subject_of(ack, policy)
    if subject.finished:
        _save(ack, seen, cancelled_at=now, next_action_at=None)
        return CANCELLED
    asked = {r.person_id: r.person for r in ack.recipients.select_related("person").order_by("stage", "id")}
    outcome = RENOTIFIED
    while ack.next_action_at <= now:
        move = _next_move(ack, policy, subject, asked, now)
        _apply(ack, subject, move, asked, record_case_move)
        outcome = ESCALATED if move.kind == ESCALATED or outcome == ESCALATED else RENOTIFIED
        top = move.role == policy.escalation_chain[-1]
        ack.stage = move.stage
        ack.next_action_at = later(policy, subject.clock, ack.next_action_at, _interval(policy))
        if top:  # at the top one reminder covers the slots a late tick missed
            for _slot in range(MAX_CATCH_UP):
                if ack.next_action_at > now:
                    break
                ack.next_action_at = later(policy, subject.clock, ack.next_action_at, _interval(policy))
            else:
                ack.next_action_at = later(policy, subject.clock, now, _interval(policy))
    _save(ack, seen, stage=ack.stage, next_action_at=ack.next_action_at)
    return outcome


def _save(ack: Acknowledgement, seen: tuple, **fields) -> None:
    stage, next_action_at = seen
    updated = Acknowledgement.objects.filter(
        pk=ack.pk, stage=stage, next_action_at=next_action_at, acknowledged_at__isnull=True, cancelled_at__isnull=True
    ).update(**fields)
    if not updated:
        raise _Lost
