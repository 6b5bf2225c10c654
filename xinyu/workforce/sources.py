"""What supervision and case conferences add to "my work" (registered in xinyu.core.work.WORK_SOURCES).

- Supervisors: the cases waiting in their queue (T4: that the case is brought to supervision; supervisors hold
  T4 over their school's students).
- Counsellors: guidance given on their own case and not read yet, and counselling sessions of theirs whose next
  step was "bring to supervision" with no request since. Declared T3 (that the student comes to counselling,
  what the counselling work lists already say to a counsellor), and listed only to the treating counsellor.
- Anyone given a task by a case conference, until done: naming the student to someone who may be told T2
  about them (what they are asked to do), otherwise by the case's code (about nobody, T0).
"""

import datetime as dt

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from xinyu.common.work import WorkItem, WorkSection
from xinyu.counselling.models import Session
from xinyu.org.scope import Tier
from xinyu.workforce import scope
from xinyu.workforce.models import ConferenceTask, SupervisionRequest

# How far back a session marked "bring to supervision" still asks to be submitted.
TO_SUBMIT_DAYS = 60


def supervision_work(user, now: dt.datetime) -> WorkSection | None:
    if not scope.may_use_supervision(user):
        return None
    items = []
    for request in scope.queue_for(user).select_related("student", "counsellor").order_by("submitted_at", "pk"):
        items.append(WorkItem(
            kind="supervision-queue", tier=Tier.T4, student=request.student,
            title=_("Supervision asked by %(counsellor)s: %(name)s")
            % {"counsellor": request.counsellor.full_name, "name": request.student.name},
            due=request.scheduled_for, overdue=False, url=request.get_absolute_url(), id=request.pk,
        ))  # fmt: skip
    unread = (
        scope.requests_for(user)
        .filter(counsellor_id=user.pk, status=SupervisionRequest.Status.DISCUSSED, guidance_read_at__isnull=True)
        .select_related("student")
        .order_by("changed_at", "pk")
    )
    for request in unread:
        items.append(WorkItem(
            kind="supervision-guidance", tier=Tier.T3, student=request.student,
            title=_("Read the guidance from supervision: %(name)s") % {"name": request.student.name},
            url=request.get_absolute_url(), id=request.pk,
        ))  # fmt: skip
    later = SupervisionRequest.objects.filter(
        counsellor_id=user.pk, student_id=OuterRef("student_id"), submitted_at__gte=OuterRef("held_at")
    )
    marked = (
        Session.objects.filter(
            counsellor_id=user.pk,
            next_step=Session.NextStep.SUPERVISION,
            held_at__gte=now - dt.timedelta(days=TO_SUBMIT_DAYS),
            student__in=scope.case_students_for(user),
        )
        .exclude(Exists(later))
        .select_related("student")
        .order_by("held_at", "pk")
    )
    for session in marked:
        items.append(WorkItem(
            kind="supervision-to-submit", tier=Tier.T3, student=session.student,
            title=_("Bring the case to supervision: %(name)s") % {"name": session.student.name},
            due=session.held_at, overdue=False,
            url=f"{reverse('workforce:request_new')}?session={session.pk}", id=session.pk,
        ))  # fmt: skip
    if not items and not scope.is_supervisor(user):
        return None
    return WorkSection(key="supervision", title=_("Supervision"), items=items)


def conference_work(user, now: dt.datetime) -> WorkSection | None:
    tasks = list(
        ConferenceTask.objects.filter(assignee_id=user.pk, done_at__isnull=True)
        .select_related("case__student", "case__conference")
        .order_by("due_on", "pk")
    )
    if not tasks:
        return None
    today = timezone.localdate(now)
    told = scope.may_be_told(user, [(task.case.student, scope.CONFERENCE_TASK_TIER) for task in tasks])
    items = []
    for task, named in zip(tasks, told, strict=True):
        common = {"due": task.due_on, "overdue": task.due_on < today, "url": task.get_absolute_url(), "id": task.pk}
        if named:
            items.append(WorkItem(kind="conference_task", tier=scope.CONFERENCE_TASK_TIER, student=task.case.student,
                                  title=f"{task.case.student.name}：{task.text}"[:120], **common))  # fmt: skip
        else:
            label = f"{task.case.code}（{task.case.conference.held_at:%Y-%m-%d}）"
            items.append(WorkItem(kind="conference_task-coded", tier=Tier.T0, student=None,
                                  title=f"{label}：{task.text}"[:120], **common))  # fmt: skip
    return WorkSection("conference-tasks", _("Tasks from case conferences"), items)
