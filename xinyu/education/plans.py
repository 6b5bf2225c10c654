"""The year's work plan (第七条(二)): 学工部 drafts the school's, each college's working group its own under
it; items with an owner, a due date and optionally a measure; drafted, then published. Each write is one
transaction with its access-log entry."""

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from xinyu.audit.models import AuditEntry
from xinyu.education import scope
from xinyu.education.measures import MEASURES, progress_of
from xinyu.education.models import Level, Plan, PlanItem
from xinyu.org.access_log import Event, record
from xinyu.org.models import STUDENT_POSTS, Appointment
from xinyu.org.scope import Tier

# Items due within this many days (and those late) are in the owner's work list.
DUE_SOON_DAYS = 14


class PlanError(Exception):
    """A plan change refused, with the reason in words for the person who asked."""


def _audit(by, what: str, action=AuditEntry.Action.UPDATE, **detail) -> None:
    record(by, Event(action, f"education.{what}", tier=Tier.T0, detail=detail))


def _check_editor(by, plan: Plan) -> None:
    if not scope.may_edit_plan(by, plan):
        raise PlanError(_("Only the plan's drafters may change it."))


@transaction.atomic
def start_plan(*, by, school_id: int, college_id: int | None, year: int) -> Plan:
    """The plan of a school (college None) or a college for a year; the existing one if already started."""
    if (school_id, college_id) not in scope.plan_places_to_draft(by):
        raise PlanError(_("You may not draft this plan."))
    existing = Plan.objects.filter(school_id=school_id, college_id=college_id, year=year).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            plan = Plan.objects.create(school_id=school_id, college_id=college_id, year=year, created_by=by)
    except IntegrityError:
        return Plan.objects.get(school_id=school_id, college_id=college_id, year=year)
    _audit(by, "plan.start", AuditEntry.Action.CREATE, plan=plan.pk, year=year)
    return plan


def owners_for(plan: Plan):
    """Who may own an item: staff in post in the plan's school (the school's plan) or college (a college's)."""
    appointments = Appointment.objects.current().exclude(post__in=STUDENT_POSTS).select_related("person")
    if plan.college_id is None:
        appointments = appointments.filter(
            Q(school_id=plan.school_id)
            | Q(department__school_id=plan.school_id)
            | Q(college__school_id=plan.school_id)
            | Q(class_group__college__school_id=plan.school_id)
        )
    else:
        appointments = appointments.filter(Q(college_id=plan.college_id) | Q(class_group__college_id=plan.college_id))
    people = [a.person for a in appointments.order_by("post", "id")]
    return list(dict.fromkeys(people))


@transaction.atomic
def add_item(plan: Plan, *, by, title: str, article: str, owner, due_on: dt.date, level: str, measure: str) -> PlanItem:
    _check_editor(by, plan)
    title = (title or "").strip()
    if not title:
        raise PlanError(_("Please say what will be done."))
    if owner is None or owner not in owners_for(plan):
        raise PlanError(_("An item's owner is a member of staff of this school or college."))
    if due_on is None or due_on.year not in (plan.year, plan.year + 1):
        raise PlanError(_("The due date falls in the plan's year (or early the next)."))
    if level not in (Level.SCHOOL, Level.COLLEGE, Level.CLASS):
        raise PlanError(_("Please choose the level: school, college or class."))
    if measure and measure not in MEASURES:
        raise PlanError(_("Unknown measure."))
    item = PlanItem.objects.create(
        plan=plan, title=title, article=(article or "").strip(), owner=owner, due_on=due_on, level=level,
        measure=measure or "",
    )  # fmt: skip
    _audit(by, "plan.item", AuditEntry.Action.CREATE, plan=plan.pk, item=item.pk)
    return item


@transaction.atomic
def remove_item(item: PlanItem, *, by) -> None:
    _check_editor(by, item.plan)
    if item.plan.status != Plan.Status.DRAFT:
        raise PlanError(_("A published plan's items are kept; return it to draft first."))
    _audit(by, "plan.item.remove", AuditEntry.Action.DELETE, plan=item.plan_id, item=item.pk, title=item.title)
    item.delete()


@transaction.atomic
def set_status(plan: Plan, target: str, *, by) -> Plan:
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    _check_editor(by, plan)
    Plan.MOVES.check(plan.status, target, error=PlanError)
    if target == Plan.Status.PUBLISHED and not plan.items.exists():
        raise PlanError(_("A plan is published with at least one item."))
    plan.status = target
    if target == Plan.Status.PUBLISHED:
        plan.published_at, plan.published_by = timezone.now(), by
    plan.save(update_fields=["status", "published_at", "published_by"])
    _audit(by, f"plan.{target}", plan=plan.pk)
    return plan


@transaction.atomic
def complete_item(item: PlanItem, *, by) -> PlanItem:
    item = PlanItem.objects.select_for_update().select_related("plan").get(pk=item.pk)
    if not scope.may_complete_item(by, item):
        raise PlanError(_("Only the item's owner or the plan's drafters record it as done."))
    if item.done_at is not None:
        raise PlanError(_("This item is already done."))
    item.done_at, item.done_by = timezone.now(), by
    item.save(update_fields=["done_at", "done_by"])
    _audit(by, "plan.item.done", item=item.pk)
    return item


def item_rows(items, today: dt.date) -> list[dict]:
    """Each item with its progress (from its measure), whether it is done and whether it is late."""
    rows = []
    for item in items:
        progress = progress_of(item)
        done = item.done_at is not None or (progress is not None and progress.complete)
        rows.append({"item": item, "progress": progress, "done": done, "overdue": not done and item.due_on < today})
    return rows


def plan_summary(school, year: int, today: dt.date | None = None) -> dict:
    """The year's published plans of `school` (its own and its colleges'): every item with its progress, and
    how many are done, late and in all."""
    today = today or timezone.localdate()
    items = (
        PlanItem.objects.filter(plan__school=school, plan__year=year, plan__status=Plan.Status.PUBLISHED)
        .select_related("plan__school", "plan__college", "owner")
        .order_by("plan__college__code", "due_on", "pk")
    )
    rows = item_rows(items, today)
    return {
        "year": year,
        "items": rows,
        "total": len(rows),
        "done": sum(1 for row in rows if row["done"]),
        "overdue": sum(1 for row in rows if row["overdue"]),
    }
