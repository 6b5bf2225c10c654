"""What the registry adds to "my work" and to the student file's timeline (registered in apps.py)."""

import datetime as dt

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from xinyu.care import plans, scope
from xinyu.care.models import CheckIn, ProgressNote, RegistryEntry, RegistryEvent
from xinyu.common.timeline import TimelineEntry
from xinyu.common.work import WorkItem, WorkSection
from xinyu.org.scope import Tier

# Work due within this many days shows in "my work" before it is overdue.
DUE_SOON_DAYS = 3


def _kind_titles():

    return {
        plans.STUDENT_CONTACT: _("Talk with %(name)s"),
        plans.FAMILY_CONTACT: _("Contact the family of %(name)s"),
        plans.REVIEW: _("Review the registry entry of %(name)s"),
    }


def registry_work(user, now: dt.datetime) -> WorkSection | None:
    """Proposals to confirm, removals to assess, and the plan work (talks, family contacts, reviews) due
    soon or overdue for the person the plan names. Four queries, whatever the number of items."""

    if not getattr(user, "is_authenticated", False) or user.is_student or not scope.grants_for(user):
        return None
    today = timezone.localtime(now).date()
    items = []
    waiting = (
        scope.registry_entries_for(user, Tier.T3)
        .filter(status__in=[RegistryEntry.Status.PROPOSED, RegistryEntry.Status.REMOVAL_REQUESTED])
        .select_related("student__class_group")
    )
    for entry in waiting:
        if entry.status == RegistryEntry.Status.PROPOSED and scope.may_confirm_entry(user, entry):
            title = _("Confirm the registry proposal for %(name)s")
        elif entry.status == RegistryEntry.Status.REMOVAL_REQUESTED and scope.may_decide_removal(user, entry):
            title = _("Assess the registry removal of %(name)s")
        else:
            continue
        items.append(
            WorkItem(
                kind="registry_" + entry.status,
                title=title % {"name": entry.student.name},
                tier=Tier.T2,  # that the student is (proposed) on the registry; why is on the entry's page
                student=entry.student,
                due=timezone.localtime(entry.proposed_at).date(),
                url=entry.get_absolute_url(),
                id=entry.pk,
            )
        )
    mine = plans.live_plans().filter(Q(centre_person=user) | Q(college_person=user) | Q(class_person=user))
    mine = mine.filter(entry__student__in=scope.students_for(user, Tier.T2))
    titles = _kind_titles()
    for plan in plans.with_last_contacts(mine):
        for kind, due in plans.plan_due_dates(plan).items():
            if plans.responsible_for(plan, kind) != user or (due - today).days > DUE_SOON_DAYS:
                continue
            student = plan.entry.student
            items.append(
                WorkItem(
                    kind=f"care_{kind}",
                    title=titles[kind] % {"name": student.name},
                    tier=Tier.T2,  # a care-plan measure asked of me: "talk with 张三", never why
                    student=student,
                    due=due,
                    overdue=due < today,
                    url=plan.get_absolute_url(),
                    id=plan.pk,
                )
            )
    if not items and not mine.exists() and not (scope.posts_of(user) & scope.REGISTRY_CONFIRM_POSTS):
        return None
    items.sort(key=lambda item: (not item.overdue, item.due or today))
    return WorkSection(
        key="care",
        title=_("Key-concern registry and care plans"),
        items=items,
    )


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def registry_timeline(student, viewer, tier: Tier):
    """T2: that the student was on the registry (status, risk level). T3: categories, history, the plan,
    progress notes, dorm check-ins. Four queries at most."""

    if tier < Tier.T2:
        return []
    entries = list(RegistryEntry.objects.filter(student=student))
    if tier < Tier.T3:
        entries = [entry for entry in entries if entry.is_live]
    label = _("Key-concern registry")
    timeline = []
    for entry in entries:
        timeline.append(
            TimelineEntry(
                at=entry.proposed_at,
                kind="registry_entry",
                kind_label=label,
                tier=Tier.T2,
                title=_("On the key-concern registry: %(status)s") % {"status": entry.get_status_display()},
                summary=_("Risk level: %(risk)s") % {"risk": entry.get_risk_level_display() or "—"},
                url=entry.get_absolute_url(),
                header_badge=_("On the key-concern registry") if entry.is_live else "",
            )
        )
    if tier < Tier.T3 or not entries:
        return timeline
    shown = {
        RegistryEvent.Kind.CONFIRMED,
        RegistryEvent.Kind.REVIEWED,
        RegistryEvent.Kind.LAPSED,
        RegistryEvent.Kind.REMOVAL_REQUESTED,
        RegistryEvent.Kind.REMOVAL_DECLINED,
        RegistryEvent.Kind.REMOVED,
    }
    for event in RegistryEvent.objects.filter(entry__in=entries, kind__in=shown):
        timeline.append(
            TimelineEntry(
                at=event.at,
                kind=f"registry_{event.kind}",
                kind_label=label,
                tier=Tier.T3,
                title=event.get_kind_display(),
                summary=event.reason[:200],
                url=reverse("care:entry_detail", args=[event.entry_id]),
            )
        )
    plan_label = _("Care plan")
    for note in ProgressNote.objects.filter(plan__entry__in=entries).select_related("by", "plan"):
        timeline.append(
            TimelineEntry(
                at=note.happened_at,
                kind="care_plan_note",
                kind_label=plan_label,
                tier=Tier.T3,
                title=f"{note.get_kind_display()} · {note.by.full_name}",
                summary=note.text[:200],
                url=note.plan.get_absolute_url(),
            )
        )
    for check_in in CheckIn.objects.filter(assignment__plan__entry__in=entries).select_related("assignment__plan"):
        timeline.append(
            TimelineEntry(
                at=check_in.at,
                kind="dorm_check_in",
                kind_label=_("Dorm check-in"),
                tier=Tier.T3,
                title=check_in.get_status_display(),
                summary=check_in.note[:200],
                url=check_in.assignment.plan.get_absolute_url(),
            )
        )
    return timeline
