"""Care plans (一人一策, 第七条(七)): one per registry entry; the responsible person at each level, contact
frequencies, progress notes, and the overdue work ("my work", escalation to the college leader)."""

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from xinyu.audit.models import AuditEntry
from xinyu.care import checkins, scope
from xinyu.care.common import RegistryError, care_rules, log_event
from xinyu.care.models import CarePlan, FamilyContact, ProgressNote, RegistryEntry, RegistryEvent
from xinyu.notify.services import notify
from xinyu.org.access_log import Event, record
from xinyu.org.models import COLLEGE_WORKING_GROUP_POSTS, Appointment, Post
from xinyu.org.responsibility import holders_of
from xinyu.org.scope import CENTRE_POSTS, Tier

# Days an overdue contact or review waits before the college's leader in charge is told (once).
# A module constant until the policy file has a setting for it.
ESCALATE_AFTER_OVERDUE_DAYS = 7
LEVELS = ("centre", "college", "class")
LEVEL_LABELS = {
    "centre": lambda: _("Responsible: psychology centre"),
    "college": lambda: _("Responsible: college"),
    "class": lambda: _("Responsible: class"),
}
STUDENT_CONTACT, FAMILY_CONTACT, REVIEW = "student_contact", "family_contact", "review"
PLAN_TEXT_FIELDS = ("goals", "measures_centre", "measures_college", "measures_class")


def candidates(student, level: str) -> list:
    """People who may be named responsible at `level`: those holding posts over the student today."""
    group = student.class_group
    match level:
        case "centre":
            condition = Q(post__in=CENTRE_POSTS, school_id=student.school_id)
        case "college":
            condition = Q(post__in=COLLEGE_WORKING_GROUP_POSTS, college_id=group.college_id)
        case "class":
            condition = Q(post__in=[Post.ADVISOR, Post.HEAD_TEACHER], class_group_id=group.pk)
        case _:
            raise ValueError(level)
    people = [
        appointment.person
        for appointment in Appointment.objects.current(on=timezone.localdate())
        .filter(condition)
        .select_related("person")
        .order_by("post", "id")
    ]
    return list(dict.fromkeys(people))


def _check_days(value, default: int, label) -> int:
    if value in (None, ""):
        return default
    if not isinstance(value, int) or value <= 0 or value > 366:
        raise RegistryError(_("%(field)s: please give a number of days from 1 to 366.") % {"field": label})
    return value


def _apply(plan: CarePlan, student, data, rules) -> None:

    for name in PLAN_TEXT_FIELDS:
        setattr(plan, name, (getattr(data, name) or "").strip())
    for level in LEVELS:
        person = getattr(data, f"{level}_person")
        if person is not None and person not in candidates(student, level):
            raise RegistryError(
                _("Each responsible person must hold a post over the student (%(field)s).")
                % {"field": LEVEL_LABELS[level]()}
            )
        setattr(plan, f"{level}_person", person)
    if plan.college_person is None:
        raise RegistryError(_("Please name the responsible person at the college level."))
    plan.student_contact_every_days = _check_days(
        data.student_contact_every_days, rules.plan_student_contact_every_days, _("talk with the student every (days)")
    )
    plan.family_contact_every_days = _check_days(
        data.family_contact_every_days, rules.plan_family_contact_every_days, _("contact the family every (days)")
    )
    plan.review_every_days = _check_days(data.review_every_days, rules.plan_review_every_days, _("review every (days)"))


def create_plan(entry, *, by, data) -> CarePlan:
    """Called by confirm_entry inside its transaction."""

    plan = CarePlan(entry=entry)
    _apply(plan, entry.student, data, care_rules())
    plan.save()
    if data.dorm_leader is not None:
        checkins.assign(plan, data.dorm_leader, by=by)
    return plan


@transaction.atomic
def update_plan(entry, *, by, data) -> CarePlan:
    """Change the plan (goals, measures, people, frequencies, the dorm check-in)."""

    entry = RegistryEntry.objects.select_for_update().select_related("student__class_group").get(pk=entry.pk)
    if not scope.may_confirm_entry(by, entry):
        raise RegistryError(_("Only the college's mental-health advisor or the psychology centre can change the plan."))
    plan = CarePlan.objects.select_for_update().filter(entry=entry, ended_at__isnull=True).first()
    if plan is None:
        raise RegistryError(_("This entry has no care plan in force."))
    _apply(plan, entry.student, data, care_rules())
    plan.save()
    open_leaders = {a.dorm_leader_id: a for a in plan.check_in_assignments.filter(ended_at__isnull=True)}
    wanted = data.dorm_leader
    for leader_id, assignment in open_leaders.items():
        if wanted is None or wanted.pk != leader_id:
            checkins.end_assignment(assignment)
    if wanted is not None and wanted.pk not in open_leaders:
        checkins.assign(plan, wanted, by=by)
    log_event(entry, RegistryEvent.Kind.PLAN_CHANGED, by, plan=plan.pk)
    record(
        by,
        Event(
            AuditEntry.Action.UPDATE,
            "care.plan",
            student=entry.student,
            tier=Tier.T3,
            detail={"entry": entry.pk, "plan": plan.pk},
        ),
    )
    return plan


def end_plan(entry, *, by) -> None:
    """The entry is removed: the plan ends, and so do its dorm check-ins (caller's transaction)."""

    plan = CarePlan.objects.filter(entry=entry, ended_at__isnull=True).first()
    if plan is None:
        return
    plan.ended_at = timezone.now()
    plan.save(update_fields=["ended_at"])
    for assignment in plan.check_in_assignments.filter(ended_at__isnull=True):
        checkins.end_assignment(assignment)


@transaction.atomic
def add_progress_note(plan, *, by, kind: str, text: str, happened_at: dt.datetime | None = None) -> ProgressNote:
    """A progress note (T3), or a talk with the student (also by the class-level person named on the plan)."""
    plan = CarePlan.objects.select_related("entry__student__class_group").get(pk=plan.pk)
    if plan.ended_at is not None:
        raise RegistryError(_("This care plan has ended."))
    if kind not in ProgressNote.Kind.values:
        raise RegistryError(_("Please choose what kind of note this is."))
    allowed = (
        scope.may_record_student_contact(by, plan)
        if kind == ProgressNote.Kind.STUDENT_CONTACT
        else (scope.registry_tier(by, plan.entry.student) >= Tier.T3)
    )
    if not allowed:
        raise RegistryError(_("Only the people responsible for this plan can record this."))
    text = (text or "").strip()
    if not text:
        raise RegistryError(_("Please write the note."))
    happened_at = happened_at or timezone.now()
    if happened_at > timezone.now() + dt.timedelta(minutes=10):
        raise RegistryError(_("A note cannot be about the future."))
    note = ProgressNote.objects.create(plan=plan, kind=kind, happened_at=happened_at, by=by, text=text)
    record(
        by,
        Event(
            AuditEntry.Action.CREATE,
            "care.plan.note",
            student=plan.entry.student,
            tier=Tier.T3,
            detail={"plan": plan.pk, "note": note.pk, "kind": kind},
        ),
    )
    return note


# --- overdue work --------------------------------------------------------------------------------------


@dataclass
class OverdueItem:
    plan: CarePlan
    entry: RegistryEntry
    kind: str  # STUDENT_CONTACT, FAMILY_CONTACT, REVIEW
    due: dt.date
    person: object  # who should do it

    @property
    def days_overdue(self) -> int:
        return (timezone.localdate() - self.due).days


def live_plans():
    return CarePlan.objects.filter(
        ended_at__isnull=True,
        entry__status__in=[
            RegistryEntry.Status.ACTIVE,
            RegistryEntry.Status.LAPSED,
            RegistryEntry.Status.REMOVAL_REQUESTED,
        ],
    )


def with_last_contacts(plans):
    last_talk = (
        ProgressNote.objects.filter(plan=OuterRef("pk"), kind=ProgressNote.Kind.STUDENT_CONTACT)
        .values("plan")
        .annotate(last=Max("happened_at"))
        .values("last")
    )
    last_family = (
        FamilyContact.objects.filter(student=OuterRef("entry__student"))
        .values("student")
        .annotate(last=Max("contacted_at"))
        .values("last")
    )
    return plans.annotate(last_talk=Subquery(last_talk), last_family=Subquery(last_family)).select_related(
        "entry__student__class_group__college", "centre_person", "college_person", "class_person"
    )


def plan_due_dates(plan) -> dict[str, dt.date]:
    """When each kind of work is next due (plan annotated by with_last_contacts)."""
    started = plan.started_at
    talk = max(filter(None, [started, plan.last_talk]))
    family = max(filter(None, [started, plan.last_family]))
    dues = {
        STUDENT_CONTACT: timezone.localtime(talk).date() + dt.timedelta(days=plan.student_contact_every_days),
        FAMILY_CONTACT: timezone.localtime(family).date() + dt.timedelta(days=plan.family_contact_every_days),
    }
    if plan.entry.next_review_on:
        dues[REVIEW] = plan.entry.next_review_on
    return dues


def responsible_for(plan, kind: str):
    """Talks with the student: the class level (else the college); the family and reviews: the college."""
    if kind == STUDENT_CONTACT:
        return plan.class_person or plan.college_person
    return plan.college_person or plan.centre_person


def overdue_items(plans, now: dt.datetime, *, days_overdue: int = 1) -> list[OverdueItem]:
    """Work on `plans` overdue by at least `days_overdue` days, in two queries."""
    today = timezone.localtime(now).date()
    items = []
    for plan in with_last_contacts(plans):
        for kind, due in plan_due_dates(plan).items():
            if (today - due).days >= days_overdue:
                items.append(OverdueItem(plan, plan.entry, kind, due, responsible_for(plan, kind)))
    return sorted(items, key=lambda item: (item.due, item.plan.pk))


def escalate_overdue(now: dt.datetime | None = None) -> int:
    """Work overdue by ESCALATE_AFTER_OVERDUE_DAYS or more: the college's leader in charge is told once
    per plan, kind and due date (the notification key makes it idempotent). Returns notifications made."""

    now = now or timezone.now()
    made = 0
    with transaction.atomic():
        for item in overdue_items(live_plans(), now, days_overdue=ESCALATE_AFTER_OVERDUE_DAYS):
            leaders = holders_of("college_leader_in_charge", item.entry.student)
            created = notify(
                leaders,
                student=item.entry.student,
                tier=Tier.T2,
                key=f"care.overdue:{item.plan.pk}:{item.kind}:{item.due.isoformat()}",
                title=_("Care plan work is overdue by %(days)s days")
                % {"days": (timezone.localtime(now).date() - item.due).days},
                link=item.entry.get_absolute_url(),
            )
            if created:
                made += len(created)
                record(
                    None,
                    Event(
                        AuditEntry.Action.UPDATE,
                        "care.plan.escalate",
                        student=item.entry.student,
                        tier=Tier.T2,
                        detail={"plan": item.plan.pk, "kind": item.kind, "due": item.due.isoformat()},
                    ),
                )
    return made
