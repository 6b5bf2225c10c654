"""Acknowledgement requests: who must take something by when, re-notification and escalation."""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xinyu.concerns import calendar
from xinyu.concerns.models import Acknowledgement, AckRecipient, CaseEvent
from xinyu.concerns.policy import Deadline, Policy
from xinyu.notify.services import notify
from xinyu.org.responsibility import holders_of


def request_ack(policy: Policy, *, people, deadline: Deadline, report=None, step=None, title: str, link: str,
                urgent: bool) -> Acknowledgement:  # fmt: skip
    now = timezone.now()
    due = calendar.due_at(policy, now, deadline)
    ack = Acknowledgement.objects.create(report=report, step=step, due_at=due, next_action_at=due)
    for person in dict.fromkeys(people):
        AckRecipient.objects.create(ack=ack, person=person, stage=0)
    notify(people, key=f"ack{ack.pk}:0", title=title, link=link, urgent=urgent)
    return ack


def acknowledge(ack: Acknowledgement, *, by) -> bool:
    """Mark taken; returns False when it already was (a second click changes nothing)."""
    updated = Acknowledgement.objects.filter(pk=ack.pk, acknowledged_at__isnull=True, cancelled_at__isnull=True).update(
        acknowledged_at=timezone.now(), acknowledged_by=by, next_action_at=None
    )
    ack.refresh_from_db()
    return bool(updated)


def cancel(ack: Acknowledgement) -> None:
    Acknowledgement.objects.filter(pk=ack.pk, acknowledged_at__isnull=True).update(
        cancelled_at=timezone.now(), next_action_at=None
    )


def _subject(ack: Acknowledgement):
    """(student, case or None, link, title) of what the acknowledgement is about."""
    if ack.report_id:
        report = ack.report
        return report.student, None, f"/concerns/reports/{report.pk}/", _("Overdue: a concern report is waiting")
    step = ack.step
    return step.case.student, step.case, f"/concerns/cases/{step.case_id}/", _("Overdue: a crisis step is waiting")


def escalation_target(policy: Policy, student, stage: int, *, at: dt.datetime) -> list:
    """Who is told at escalation `stage` (1 = first escalation): the chain's next role after the first."""
    from xinyu.concerns.services.cases import duty_leader_for

    chain = policy.escalation_chain
    role = chain[min(stage, len(chain) - 1)]
    leader = duty_leader_for(policy, at) if role == "school_leader" else None
    return holders_of(role, student, at=at, duty_leader=leader)


@transaction.atomic
def process_due(ack: Acknowledgement, policy: Policy, *, now: dt.datetime) -> str:
    """One overdue acknowledgement: first a reminder to those already asked, then up the chain, each
    `escalate_every_minutes`; the chain's top keeps being reminded."""
    ack = Acknowledgement.objects.select_for_update().get(pk=ack.pk)
    if ack.acknowledged_at or ack.cancelled_at or not ack.next_action_at or ack.next_action_at > now:
        return "skipped"
    student, case, link, title = _subject(ack)
    asked = [r.person for r in ack.recipients.select_related("person")]
    if ack.stage == 0:
        ack.stage = 1
        notify(asked, key=f"ack{ack.pk}:1", title=title, link=link, urgent=True)
        ack.next_action_at = now + dt.timedelta(minutes=policy.escalate_every_minutes)
        outcome = "renotified"
        kind = CaseEvent.Kind.RENOTIFIED
        targets = asked
    else:
        targets = escalation_target(policy, student, ack.stage, at=now)
        new = [person for person in targets if person not in asked]
        for person in new:
            AckRecipient.objects.get_or_create(ack=ack, person=person, defaults={"stage": ack.stage + 1})
        notify(targets, key=f"ack{ack.pk}:{ack.stage + 1}", title=title, link=link, urgent=True)
        ack.stage += 1
        ack.next_action_at = now + dt.timedelta(minutes=policy.escalate_every_minutes)
        outcome = "escalated"
        kind = CaseEvent.Kind.ESCALATED
        if case is not None:
            from xinyu.concerns.models import CaseMember

            for person in new:
                CaseMember.objects.get_or_create(case=case, person=person, role=CaseMember.Role.ESCALATED)
    ack.save(update_fields=["stage", "next_action_at"])
    if case is not None:
        CaseEvent.objects.create(
            case=case,
            kind=kind,
            detail={"step": ack.step.code, "stage": ack.stage, "to": [p.username for p in targets]},
        )
    return outcome
