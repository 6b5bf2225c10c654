"""The clock's work as background tasks (Django's tasks API), for deployments whose clock enqueues it
(`run_clock --enqueue`) for a pool of workers instead of doing it in its own process."""

from django.tasks import task

from xinyu.concerns.escalation import tick
from xinyu.concerns.invariants import run_check
from xinyu.notify.delivery import deliver_due


@task()
def escalation_tick() -> dict:
    """Remind and escalate every acknowledgement that is due (xinyu/concerns/escalation.py)."""

    return tick().as_dict()


@task()
def outbox_sweep() -> int:
    """Deliver what is due in the outbox: the safety net beside the delivery kicked on each commit."""

    return deliver_due()


@task()
def crisis_invariants() -> list[str]:
    """Check the crisis invariants, log what is broken and tell 学工部; returns the problems' kinds."""

    return [f"{problem.kind}:{problem.object_id}" for problem in run_check()]
