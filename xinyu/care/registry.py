"""The key-concern registry (重点关注学生库, 第七条(四)(六)): propose, confirm, review (研判), lapse,
removal (解除) with the centre's sign-off, and the monthly review list.

Every change is one transaction with its RegistryEvent (the entry's append-only history) and its
audit entry. State machine: proposed → active → (lapsed) → removal_requested → removed; a review brings a
lapsed entry back to active, a declined removal returns the entry to active.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from xinyu.audit.models import AuditEntry
from xinyu.care import plans, scope
from xinyu.care.common import PlanInput, RegistryError, care_rules, log_event
from xinyu.care.models import RegistryEntry, RegistryEvent, ReviewSupport
from xinyu.notify.services import notify
from xinyu.org.access_log import Event, record
from xinyu.org.responsibility import holders_of
from xinyu.org.scope import Tier

Status = RegistryEntry.Status
Kind = RegistryEvent.Kind


def _audit(by, entry, what: str, action=AuditEntry.Action.UPDATE, **detail) -> None:
    record(by, Event(action, what, student=entry.student, tier=Tier.T3, detail={"entry": entry.pk, **detail}))


def _lock(entry) -> RegistryEntry:
    return RegistryEntry.objects.select_for_update().select_related("student__class_group").get(pk=entry.pk)


def _source_ref(source_object) -> str:
    if source_object is None:
        return ""
    return f"{source_object._meta.label_lower}:{source_object.pk}"


def _check_categories(categories, rules) -> list[str]:
    codes = list(dict.fromkeys(categories or ()))
    unknown = [code for code in codes if rules.category(code) is None]
    if unknown:
        raise RegistryError(_("Unknown category: %(code)s.") % {"code": unknown[0]})
    return codes


def _check_risk(risk_level: str, *, required: bool) -> str:
    if not risk_level and not required:
        return ""
    if risk_level not in RegistryEntry.Risk.values:
        raise RegistryError(_("Please choose the risk level (high, medium or low)."))
    return risk_level


@transaction.atomic
def propose_entry(
    student, *, source: str, proposed_by, reason: str, categories=(), risk_level: str = "", source_object=None
) -> RegistryEntry:
    """Propose `student` for the registry. Idempotent: a live entry (proposed, active, lapsed, removal
    requested) is reused and the proposal added to its history. Returns the entry."""
    if source not in RegistryEntry.Source.values:
        raise RegistryError(_("Unknown source of the proposal."))
    reason = (reason or "").strip()
    if not reason:
        raise RegistryError(_("Please give the reason for the proposal."))
    rules = care_rules()
    codes = _check_categories(categories, rules)
    risk_level = _check_risk(risk_level, required=False)
    detail = {"source": source, "source_object": _source_ref(source_object)}
    entry = RegistryEntry.objects.select_for_update().filter(student=student).exclude(status=Status.REMOVED).first()
    if entry is None:
        try:
            with transaction.atomic():
                entry = RegistryEntry.objects.create(
                    student=student,
                    source=source,
                    reason=reason,
                    categories=codes,
                    risk_level=risk_level,
                    proposed_by=proposed_by if getattr(proposed_by, "pk", None) else None,
                )
        except IntegrityError:  # another proposal won the race: reuse its entry
            entry = RegistryEntry.objects.select_for_update().get(student=student, status__in=RegistryEntry.LIVE)
        else:
            log_event(entry, Kind.PROPOSED, proposed_by, reason=reason, **detail, categories=codes)
            _audit(proposed_by, entry, "care.registry.propose", AuditEntry.Action.CREATE, **detail)
            _notify_confirmers(entry)
            return entry
    log_event(entry, Kind.PROPOSED, proposed_by, reason=reason, **detail, categories=codes, again=True)
    _audit(proposed_by, entry, "care.registry.propose", AuditEntry.Action.UPDATE, again=True, **detail)
    return entry


def _notify_confirmers(entry) -> None:

    notify(
        holders_of("mental_health_advisor", entry.student),
        student=entry.student,
        tier=Tier.T2,  # that the student is proposed for the registry; why is on the entry's page
        key=f"care.registry{entry.pk}:proposed",
        title=_("A student is proposed for the key-concern registry"),
        link=entry.get_absolute_url(),
    )


@transaction.atomic
def confirm_entry(entry, *, by, categories, risk_level: str, plan: PlanInput, reason: str = "") -> RegistryEntry:
    """The college's mental-health advisor (or the centre) confirms a proposal: categories, risk level, the
    responsible people; the care plan is created and the next review date set."""

    entry = _lock(entry)
    if not scope.may_confirm_entry(by, entry):
        raise RegistryError(_("Only the college's mental-health advisor or the psychology centre can confirm."))
    # Not the table's question: a lapsed entry may become active too, but by review, not by confirmation.
    if entry.status != Status.PROPOSED:
        raise RegistryError(_("Only a proposed entry can be confirmed."))
    rules = care_rules()
    codes = _check_categories(categories, rules)
    if not codes:
        raise RegistryError(_("Please choose at least one category."))
    entry.categories = codes
    entry.risk_level = _check_risk(risk_level, required=True)
    entry.status = Status.ACTIVE
    entry.confirmed_at, entry.confirmed_by = timezone.now(), by
    review_days = plan.review_every_days or rules.registry_review_every_days
    entry.next_review_on = timezone.localdate() + dt.timedelta(days=review_days)
    entry.save(update_fields=["categories", "risk_level", "status", "confirmed_at", "confirmed_by", "next_review_on"])
    care_plan = plans.create_plan(entry, by=by, data=plan)
    log_event(
        entry,
        Kind.CONFIRMED,
        by,
        reason=reason.strip(),
        categories=codes,
        risk_level=entry.risk_level,
        next_review_on=entry.next_review_on.isoformat(),
        plan=care_plan.pk,
    )
    _audit(by, entry, "care.registry.confirm", plan=care_plan.pk)
    return entry


@transaction.atomic
def review_entry(
    entry,
    *,
    by,
    assessment: str,
    support: str,
    risk_level: str = "",
    categories=None,
    next_review_on: dt.date | None = None,
) -> RegistryEntry:
    """研判: renews the entry with a new next review date (the plan's cadence unless given), may change the
    risk level and categories; writes a review-and-support record (ReviewSupport)."""
    entry = _lock(entry)
    if not scope.may_confirm_entry(by, entry):
        raise RegistryError(_("Only the college's mental-health advisor or the psychology centre can review."))
    if entry.status not in (Status.ACTIVE, Status.LAPSED, Status.REMOVAL_REQUESTED):
        raise RegistryError(_("Only a confirmed entry can be reviewed."))
    assessment, support = (assessment or "").strip(), (support or "").strip()
    if not assessment or not support:
        raise RegistryError(
            _("Please fill in: %(fields)s.")
            % {
                "fields": "、".join(
                    str(label)
                    for label, value in ((_("assessment"), assessment), (_("support agreed"), support))
                    if not value
                )
            }
        )
    changes = {}
    if risk_level and risk_level != entry.risk_level:
        changes["risk_level"] = [entry.risk_level, _check_risk(risk_level, required=True)]
        entry.risk_level = risk_level
    if categories is not None:
        codes = _check_categories(categories, care_rules())
        if not codes:
            raise RegistryError(_("Please choose at least one category."))
        if codes != entry.categories:
            changes["categories"] = [entry.categories, codes]
            entry.categories = codes
    today = timezone.localdate()
    if next_review_on is None:
        every = (
            getattr(getattr(entry, "plan", None), "review_every_days", None) or care_rules().registry_review_every_days
        )
        next_review_on = today + dt.timedelta(days=every)
    if next_review_on <= today:
        raise RegistryError(_("The next review must be after today."))
    was = entry.status
    if entry.status == Status.LAPSED:
        entry.status = Status.ACTIVE
    entry.next_review_on = next_review_on
    entry.save(update_fields=["risk_level", "categories", "status", "next_review_on"])
    review = ReviewSupport.objects.create(
        student=entry.student, registry_entry=entry, recorded_by=by, assessment=assessment, support=support
    )
    log_event(
        entry,
        Kind.REVIEWED,
        by,
        reason=assessment,
        review_support=review.pk,
        was=was,
        next_review_on=next_review_on.isoformat(),
        **changes,
    )
    _audit(by, entry, "care.registry.review", review_support=review.pk)
    return entry


def lapse_overdue_entries(today: dt.date | None = None) -> list[int]:
    """Active entries not reviewed `registry_expires_after_overdue_days` after their review date lapse.
    Idempotent (a lapsed entry is not lapsed again); returns the ids it lapsed."""
    today = today or timezone.localdate()
    grace = care_rules().registry_expires_after_overdue_days
    lapsed = []
    with transaction.atomic():
        due = (
            RegistryEntry.objects.select_for_update()
            .filter(status=Status.ACTIVE, next_review_on__lt=today - dt.timedelta(days=grace))
            .select_related("student")
        )
        for entry in due:
            entry.status = Status.LAPSED
            entry.save(update_fields=["status"])
            log_event(entry, Kind.LAPSED, None, reason="", next_review_on=entry.next_review_on.isoformat())
            _audit(None, entry, "care.registry.lapse")
            lapsed.append(entry.pk)
    return lapsed


@transaction.atomic
def request_removal(entry, *, by, reason: str) -> RegistryEntry:
    """解除, first step: the college asks, with a reason; the centre must assess and sign off."""
    entry = _lock(entry)
    if not scope.may_request_removal(by, entry):
        raise RegistryError(_("Only the student's college working group can request removal."))
    RegistryEntry.MOVES.check(
        entry.status,
        Status.REMOVAL_REQUESTED,
        error=RegistryError,
        message=_("Removal can be requested only for an active or lapsed entry."),
    )
    reason = (reason or "").strip()
    if not reason:
        raise RegistryError(_("Please give the reason for removal."))
    entry.status, entry.removal_reason, entry.removal_requested_by = Status.REMOVAL_REQUESTED, reason, by
    entry.save(update_fields=["status", "removal_reason", "removal_requested_by"])
    log_event(entry, Kind.REMOVAL_REQUESTED, by, reason=reason)
    _audit(by, entry, "care.registry.removal_request")

    notify(
        holders_of("centre", entry.student),
        student=entry.student,
        tier=Tier.T2,
        key=f"care.registry{entry.pk}:removal:{entry.events.count()}",
        title=_("A key-concern registry removal waits for the centre's assessment"),
        link=entry.get_absolute_url(),
    )
    return entry


@transaction.atomic
def decide_removal(entry, *, by, assessment: str, approve: bool) -> RegistryEntry:
    """解除, second step: the centre records its assessment and signs off (removed) or declines (active
    again). A removed entry keeps its history; its plan and dorm check-ins end."""

    entry = _lock(entry)
    if not scope.may_decide_removal(by, entry):
        raise RegistryError(_("Only the psychology centre can sign off a removal."))
    # Only an entry that may be removed has a removal to decide, whichever way it goes.
    RegistryEntry.MOVES.check(
        entry.status, Status.REMOVED, error=RegistryError, message=_("No removal has been requested for this entry.")
    )
    assessment = (assessment or "").strip()
    if not assessment:
        raise RegistryError(_("Please write the centre's assessment."))
    entry.centre_assessment = assessment
    if approve:
        entry.status, entry.removed_at, entry.removed_by = Status.REMOVED, timezone.now(), by
        plans.end_plan(entry, by=by)
        log_event(entry, Kind.REMOVED, by, reason=assessment, removal_reason=entry.removal_reason)
    else:
        entry.status = Status.ACTIVE
        if entry.next_review_on and entry.next_review_on <= timezone.localdate():
            entry.next_review_on = timezone.localdate() + dt.timedelta(days=care_rules().registry_review_every_days)
        log_event(entry, Kind.REMOVAL_DECLINED, by, reason=assessment)
    entry.save(update_fields=["centre_assessment", "status", "removed_at", "removed_by", "next_review_on"])
    _audit(by, entry, "care.registry.removal_decision", approved=approve)
    return entry


# --- the monthly review list (研判清单) ---------------------------------------------------------------


@dataclass
class ReviewList:
    month: dt.date  # first day
    due: list = field(default_factory=list)
    new: list = field(default_factory=list)
    lapsed: list = field(default_factory=list)
    removal_requested: list = field(default_factory=list)
    overdue_contacts: list = field(default_factory=list)  # plans.OverdueItem

    def students(self):
        seen = {}
        for entry in [*self.due, *self.new, *self.lapsed, *self.removal_requested]:
            seen[entry.student_id] = entry.student
        for item in self.overdue_contacts:
            seen[item.entry.student_id] = item.entry.student
        return list(seen.values())


def month_bounds(month: dt.date) -> tuple[dt.date, dt.date]:
    first = month.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return first, following


def review_list(user, colleges, month: dt.date) -> ReviewList:
    """Entries of `colleges` (already limited to what `user` may see) due for review by the end of the
    month, new this month, lapsed, removal waiting; and plans with overdue contacts."""

    first, following = month_bounds(month)
    entries = (
        scope.registry_entries_for(user, Tier.T3)
        .filter(student__class_group__college__in=colleges)
        .select_related("student__class_group__college")
        .order_by("next_review_on", "id")
    )
    result = ReviewList(month=first)
    start = timezone.make_aware(dt.datetime.combine(first, dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(following, dt.time.min))
    for entry in entries.filter(
        Q(status=Status.ACTIVE, next_review_on__lt=following)
        | Q(status__in=[Status.LAPSED, Status.REMOVAL_REQUESTED])
        | Q(proposed_at__gte=start, proposed_at__lt=end)
    ):
        if entry.status == Status.LAPSED:
            result.lapsed.append(entry)
        elif entry.status == Status.REMOVAL_REQUESTED:
            result.removal_requested.append(entry)
        elif entry.status == Status.ACTIVE and entry.next_review_on and entry.next_review_on < following:
            result.due.append(entry)
        if start <= entry.proposed_at < end:
            result.new.append(entry)
    now = timezone.now()
    result.overdue_contacts = [
        item
        for item in plans.overdue_items(plans.live_plans().filter(entry__in=entries), now)
        if item.kind != plans.REVIEW
    ]
    return result
