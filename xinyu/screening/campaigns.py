"""Assessment campaigns (测评任务): creating one and materialising who is asked (DESIGN.md §5).

A campaign names its instruments in order, a window, a target population (enrolment years, colleges,
class groups, student statuses; an empty list means "all") and the consent text and version students
agree to. Creating it writes one Participation row per targeted student, in bulk: a freshmen census of
15,000 students is a handful of INSERTs, not 15,000 round trips.
"""

import datetime as dt
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from xinyu.audit.models import AuditEntry
from xinyu.notify.services import notify
from xinyu.org.access_log import Event, record, record_many
from xinyu.org.models import Appointment, Post, Student
from xinyu.org.scope import Tier
from xinyu.policy.loader import policy_in_force
from xinyu.screening.models import Campaign, CampaignInstrument, Instrument, Participation, Reminder, Sitting


def help_lines(campaign: Campaign | None = None) -> list[str]:
    """The help shown after submitting and on a student's results: the campaign's own lines (if it has
    any) first, then the centre's help from the policy file's [centre] table (阳光心理中心, its phone and
    room, the school's 24-hour line, the hotlines, 110/120) — always there, whatever the campaign says."""
    own = [line.strip() for line in (campaign.resources_text if campaign else "").splitlines() if line.strip()]
    centre = policy_in_force(timezone.localdate()).centre.help_lines()
    return own + [line for line in centre if line not in own]


BATCH_SIZE = 2000


def target_students(campaign: Campaign) -> QuerySet[Student]:
    """The students a campaign asks: its school's, narrowed by each non-empty target list."""
    students = Student.objects.filter(school_id=campaign.school_id)
    if campaign.enrolment_years:
        students = students.filter(enrolment_year__in=campaign.enrolment_years)
    college_ids = list(campaign.colleges.values_list("pk", flat=True))
    if college_ids:
        students = students.filter(class_group__college_id__in=college_ids)
    class_group_ids = list(campaign.class_groups.values_list("pk", flat=True))
    if class_group_ids:
        students = students.filter(class_group_id__in=class_group_ids)
    statuses = campaign.student_statuses or [Student.Status.ENROLLED]
    return students.filter(status__in=statuses)


def _validate(
    *, school, instruments, opens_at, closes_at, consent_text, consent_version, student_statuses, colleges, class_groups
) -> None:
    """The checks a campaign's settings pass when it is created or edited before opening."""
    if not instruments:
        raise ValidationError(_("Choose at least one instrument."))
    if len({instrument.pk for instrument in instruments}) != len(instruments):
        raise ValidationError(_("An instrument is listed twice."))
    for instrument in instruments:
        if instrument.is_draft:
            raise ValidationError(
                _("%(instrument)s is a draft: the psychology centre must check and activate it before it is used.")
                % {"instrument": instrument}
            )
        if not instrument.parsed().administrable:
            raise ValidationError(
                _("%(instrument)s cannot be given yet: its item texts are not loaded.") % {"instrument": instrument}
            )
    if closes_at <= opens_at:
        raise ValidationError(_("The campaign must close after it opens."))
    if not consent_text.strip() or not consent_version.strip():
        raise ValidationError(_("Give the consent text and its version."))
    unknown = set(student_statuses) - set(Student.Status.values)
    if unknown:
        raise ValidationError(_("Unknown student status: %(status)s") % {"status": ", ".join(sorted(unknown))})
    for item in list(colleges) + [group.college for group in class_groups]:
        if item.school_id != school.pk:
            raise ValidationError(_("The target must be within the campaign's school."))


@transaction.atomic
def create_campaign(
    *,
    school,
    kind: str,
    title: str,
    instruments: Sequence[Instrument],
    opens_at: dt.datetime,
    closes_at: dt.datetime,
    consent_text: str,
    consent_version: str,
    by,
    enrolment_years: Sequence[int] = (),
    colleges: Sequence = (),
    class_groups: Sequence = (),
    student_statuses: Sequence[str] = (),
    show_summary_to_student: bool = False,
    resources_text: str = "",
    one_item_per_screen: bool = False,
    reminder_text: str = "",
) -> Campaign:
    """Create a campaign and its Participation rows. Instruments are asked in the order given."""
    _validate(
        school=school,
        instruments=instruments,
        opens_at=opens_at,
        closes_at=closes_at,
        consent_text=consent_text,
        consent_version=consent_version,
        student_statuses=student_statuses,
        colleges=colleges,
        class_groups=class_groups,
    )
    campaign = Campaign.objects.create(
        school=school,
        kind=kind,
        title=title,
        opens_at=opens_at,
        closes_at=closes_at,
        enrolment_years=sorted({int(year) for year in enrolment_years}),
        student_statuses=list(student_statuses),
        consent_text=consent_text,
        consent_version=consent_version,
        show_summary_to_student=show_summary_to_student,
        resources_text=resources_text.strip(),
        one_item_per_screen=one_item_per_screen,
        reminder_text=reminder_text.strip(),
        created_by=by,
    )
    CampaignInstrument.objects.bulk_create(
        CampaignInstrument(campaign=campaign, instrument=instrument, position=position)
        for position, instrument in enumerate(instruments)
    )
    if colleges:
        campaign.colleges.set(colleges)
    if class_groups:
        campaign.class_groups.set(class_groups)
    materialise_participations(campaign)
    return campaign


# --- Editing and closing (the centre) ---
#
# Before a campaign opens everything may change. Once it has opened, students have consented to its text
# and answered its instruments, so only the close time (later, never earlier: "close now" ends it), the
# resources shown and the reminder text may change. After it has closed, only the resources shown (students
# still read them on their results history page).

EDITABLE_BEFORE_OPENING = (
    "kind",
    "title",
    "instruments",
    "opens_at",
    "closes_at",
    "enrolment_years",
    "colleges",
    "class_groups",
    "student_statuses",
    "consent_text",
    "consent_version",
    "show_summary_to_student",
    "resources_text",
    "one_item_per_screen",
    "reminder_text",
)
EDITABLE_WHILE_OPEN = ("closes_at", "resources_text", "reminder_text")
EDITABLE_AFTER_CLOSING = ("resources_text",)
_RELATED = ("instruments", "colleges", "class_groups")


def editable_fields(campaign: Campaign, at=None) -> tuple[str, ...]:
    """The settings of `campaign` that may still change at `at` (now by default)."""
    if not campaign.has_opened(at):
        return EDITABLE_BEFORE_OPENING
    if not campaign.has_closed(at):
        return EDITABLE_WHILE_OPEN
    return EDITABLE_AFTER_CLOSING


def current_settings(campaign: Campaign) -> dict:
    """The campaign's editable settings, in the form `update_campaign` takes them."""
    values = {name: getattr(campaign, name) for name in EDITABLE_BEFORE_OPENING if name not in _RELATED}
    values["instruments"] = campaign_instruments(campaign)
    values["colleges"] = list(campaign.colleges.order_by("pk"))
    values["class_groups"] = list(campaign.class_groups.order_by("pk"))
    return values


def _comparable(name: str, value):
    if name == "instruments":
        return [instrument.pk for instrument in value]  # the order is asked as given: it matters
    if name in ("colleges", "class_groups"):
        return sorted(item.pk for item in value)
    if name == "enrolment_years":
        return sorted({int(year) for year in value})
    if name == "student_statuses":
        return sorted(value)
    if name in ("resources_text", "reminder_text", "consent_text", "title", "consent_version"):
        return (value or "").strip()
    return value


def _field_label(name: str) -> str:
    return str(Campaign._meta.get_field(name).verbose_name)


def _audit_value(name: str, value):
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if name == "instruments":
        return [f"{instrument.code}@{instrument.version}" for instrument in value]
    if name in ("colleges", "class_groups"):
        return [item.pk for item in value]
    if name in ("consent_text", "resources_text", "reminder_text"):
        return len(value or "")  # the length only: the texts themselves are in the campaign
    return value


@transaction.atomic
def update_campaign(campaign: Campaign, *, by, address: str | None = None, **changes) -> list[str]:
    """Change the settings given in `changes` (names as in EDITABLE_BEFORE_OPENING); returns the names of
    those that actually changed. Raises ValidationError, saying which setting and why, for a change the
    campaign's state no longer allows or for settings that do not fit together. Audited."""

    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    unknown = set(changes) - set(EDITABLE_BEFORE_OPENING)
    if unknown:
        raise ValueError(f"not campaign settings: {sorted(unknown)}")
    before = current_settings(campaign)
    changed = [name for name in changes if _comparable(name, changes[name]) != _comparable(name, before[name])]
    if not changed:
        return []
    now = timezone.now()
    allowed = editable_fields(campaign, now)
    refused = [name for name in changed if name not in allowed]
    if refused:
        if campaign.has_closed(now):
            message = _("%(fields)s can no longer be changed: the campaign has closed.")
        else:
            message = _("%(fields)s can no longer be changed: the campaign has opened and students are answering.")
        raise ValidationError(message % {"fields": "、".join(_field_label(name) for name in refused)})
    after = before | {name: changes[name] for name in changed}
    if campaign.has_opened(now):
        if "closes_at" in changed and after["closes_at"] <= before["closes_at"]:
            raise ValidationError(
                _(
                    "Once a campaign has opened its close time can only be moved later (now %(closes)s). "
                    "To end it early, use “Close now”."
                )
                % {"closes": timezone.localtime(before["closes_at"]).strftime("%Y-%m-%d %H:%M")}
            )
        if "closes_at" in changed and after["closes_at"] <= now:
            raise ValidationError(_("The new close time is already past."))
    else:
        _validate(
            school=campaign.school,
            instruments=after["instruments"],
            opens_at=after["opens_at"],
            closes_at=after["closes_at"],
            consent_text=after["consent_text"],
            consent_version=after["consent_version"],
            student_statuses=after["student_statuses"],
            colleges=after["colleges"],
            class_groups=after["class_groups"],
        )
    for name in changed:
        value = after[name]
        if name in _RELATED:
            continue
        if name == "enrolment_years":
            value = sorted({int(year) for year in value})
        elif name == "student_statuses":
            value = list(value)
        elif name in ("resources_text", "reminder_text", "title", "consent_text", "consent_version"):
            value = value.strip()
        setattr(campaign, name, value)
    campaign.save()
    if "instruments" in changed:
        CampaignInstrument.objects.filter(campaign=campaign).delete()
        CampaignInstrument.objects.bulk_create(
            CampaignInstrument(campaign=campaign, instrument=instrument, position=position)
            for position, instrument in enumerate(after["instruments"])
        )
    if "colleges" in changed:
        campaign.colleges.set(after["colleges"])
    if "class_groups" in changed:
        campaign.class_groups.set(after["class_groups"])
    if {"enrolment_years", "colleges", "class_groups", "student_statuses"} & set(changed):
        # Before opening nobody has started: the rows of students no longer targeted simply go.
        targeted = target_students(campaign).values("pk")
        Participation.objects.filter(campaign=campaign, status=Participation.Status.PENDING).exclude(
            student_id__in=targeted
        ).delete()
        materialise_participations(campaign)
    record(
        by,
        Event(
            AuditEntry.Action.UPDATE,
            "screening.campaign",
            detail={
                "campaign": campaign.pk,
                "changed": {
                    name: [_audit_value(name, before[name]), _audit_value(name, after[name])] for name in changed
                },
            },
        ),
        address=address,
    )
    return changed


@transaction.atomic
def close_campaign(campaign: Campaign, *, by, address: str | None = None) -> Campaign:
    """End an open campaign now: no more entries, answers or submissions; its open sittings close too.
    Audited. Raises ValidationError for a campaign that is not open."""

    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    now = timezone.now()
    if not campaign.has_opened(now):
        raise ValidationError(_("The campaign has not opened yet: change its times instead of closing it."))
    if campaign.has_closed(now):
        raise ValidationError(_("The campaign has already closed."))
    before = campaign.closes_at
    campaign.closes_at = max(now, campaign.opens_at + dt.timedelta(microseconds=1))
    campaign.save(update_fields=["closes_at"])
    sittings = Sitting.objects.filter(campaign=campaign, closes_at__gt=campaign.closes_at).update(
        closes_at=campaign.closes_at
    )
    record(
        by,
        Event(
            AuditEntry.Action.UPDATE,
            "screening.campaign_close",
            detail={
                "campaign": campaign.pk,
                "closes_at": [before.isoformat(), campaign.closes_at.isoformat()],
                "sittings_closed": sittings,
            },
        ),
        address=address,
    )
    return campaign


def materialise_participations(campaign: Campaign) -> int:
    """Add a Participation for every targeted student who has none yet; returns how many were added.
    Safe to run again (e.g. after late enrolments): existing rows are kept as they are."""
    existing = set(Participation.objects.filter(campaign=campaign).values_list("student_id", flat=True))
    ids = [pk for pk in target_students(campaign).values_list("pk", flat=True).iterator() if pk not in existing]
    Participation.objects.bulk_create(
        (Participation(campaign=campaign, student_id=pk) for pk in ids), batch_size=BATCH_SIZE
    )
    return len(ids)


def instrument_ids(campaign: Campaign) -> list[int]:
    """The ids of the campaign's instruments in the order they are asked."""
    return list(
        CampaignInstrument.objects.filter(campaign=campaign)
        .order_by("position", "id")
        .values_list("instrument_id", flat=True)
    )


def campaign_instruments(campaign: Campaign) -> list[Instrument]:
    """The campaign's instruments in the order they are asked."""
    return [
        link.instrument
        for link in CampaignInstrument.objects.filter(campaign=campaign)
        .select_related("instrument")
        .order_by("position", "id")
    ]


# --- Completion: who has not answered yet (names only, never results) ---

WAITING = (Participation.Status.PENDING, Participation.Status.IN_PROGRESS)


def completion_by_class(campaign: Campaign, class_groups) -> list[dict]:
    """Per class group: counts by progress and the names of those who have not answered (no results)."""
    rows = []
    groups = list(class_groups.select_related("college").order_by("college__name", "name"))
    participations = (
        Participation.objects.filter(campaign=campaign, student__class_group__in=groups)
        .select_related("student")
        .order_by("student__student_number")
    )
    by_group: dict[int, list[Participation]] = {group.pk: [] for group in groups}
    for participation in participations:
        by_group[participation.student.class_group_id].append(participation)
    for group in groups:
        members = by_group[group.pk]
        waiting = [p.student for p in members if p.status in WAITING]
        rows.append(
            {
                "class_group": group,
                "total": len(members),
                "submitted": sum(1 for p in members if p.status == Participation.Status.SUBMITTED),
                "declined": sum(1 for p in members if p.status == Participation.Status.DECLINED),
                "waiting": waiting,
            }
        )
    return rows


def completion_by_college(campaign: Campaign, class_groups) -> list[dict]:
    """Per college: how many of its classes take part, and the counts by progress (no names; one query)."""
    college = "student__class_group__college"
    submitted, declined = Participation.Status.SUBMITTED, Participation.Status.DECLINED
    rows = (
        Participation.objects.filter(campaign=campaign, student__class_group__in=class_groups)
        .values(college, f"{college}__name", f"{college}__code")
        .annotate(
            classes=Count("student__class_group", distinct=True),
            total=Count("pk"),
            submitted=Count("pk", filter=Q(status=submitted)),
            declined=Count("pk", filter=Q(status=declined)),
        )
        .order_by(f"{college}__code")
    )
    return [
        {
            "pk": row[college],
            "name": row[f"{college}__name"],
            "classes": row["classes"],
            "total": row["total"],
            "submitted": row["submitted"],
            "declined": row["declined"],
            "completion": f"{row['submitted'] / row['total']:.0%}" if row["total"] else "—",
        }
        for row in rows
    ]


# A class's students are reminded at most once in this many hours (a module setting: the policy file has
# no screening reminder rule).
REMINDER_HOURS = 12


class ReminderRefused(Exception):
    """A reminder that cannot be sent now, with the reason to show."""


def last_reminder(campaign: Campaign, class_group) -> Reminder | None:
    return Reminder.objects.filter(campaign=campaign, class_group=class_group).order_by("-sent_at").first()


def next_reminder_at(campaign: Campaign, class_group, reminder: Reminder | None = None) -> dt.datetime | None:
    """When the class can next be reminded, or None when it can be now."""
    reminder = reminder if reminder is not None else last_reminder(campaign, class_group)
    if reminder is None:
        return None
    next_at = reminder.sent_at + dt.timedelta(hours=REMINDER_HOURS)
    return next_at if next_at > timezone.now() else None


def remind(
    campaign: Campaign, class_group, *, by=None, link: str = "", student_link: str = "", address: str | None = None
) -> int:
    """Remind each student of the class who has not answered, and the class's head teacher and advisor,
    in the inbox; at most once every REMINDER_HOURS per class. Audited (one entry per student reminded).
    Returns how many notifications were sent; raises ReminderRefused when no reminder may go now."""

    with transaction.atomic():
        # One press at a time per campaign: two presses at once cannot both pass the check below.
        campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
        now = timezone.now()
        if not campaign.is_open(now):
            raise ReminderRefused(_("The campaign is not open: there is nothing to remind of."))
        next_at = next_reminder_at(campaign, class_group)
        if next_at is not None:
            raise ReminderRefused(
                _("This class was reminded less than %(hours)d hours ago. The next reminder can go at %(time)s.")
                % {"hours": REMINDER_HOURS, "time": timezone.localtime(next_at).strftime("%Y-%m-%d %H:%M")}
            )
        waiting = list(
            Participation.objects.filter(campaign=campaign, student__class_group=class_group, status__in=WAITING)
            .select_related("student__user")
            .order_by("student__student_number")
        )
        if not waiting:
            raise ReminderRefused(_("Everyone in this class has answered: nobody to remind."))
        reminder = Reminder.objects.create(
            campaign=campaign, class_group=class_group, sent_by=by, sent_at=now, students=len(waiting)
        )
        staff = [
            appointment.person
            for appointment in Appointment.objects.current()
            .filter(post__in=[Post.HEAD_TEACHER, Post.ADVISOR], class_group=class_group)
            .select_related("person")
        ]
        sent = notify(
            staff,
            student=None,
            tier=Tier.T0,  # a count for the class's own head teacher and advisor, naming nobody
            key=f"screening-remind:{campaign.pk}:{class_group.pk}:{reminder.pk}",
            title=_("%(count)d students of %(class_group)s have not answered “%(campaign)s” yet")
            % {"count": len(waiting), "class_group": class_group.name, "campaign": campaign.title},
            link=link,
        )
        students = [p.student.user for p in waiting if p.student.user_id and p.student.user.is_active]
        sent += notify(
            students,
            student=None,
            tier=Tier.T0,  # the same words to every student who has not answered
            key=f"screening-remind:{campaign.pk}:r{reminder.pk}",
            title=_("Please answer “%(campaign)s” before %(closes)s")
            % {
                "campaign": campaign.title,
                "closes": timezone.localtime(campaign.closes_at).strftime("%Y-%m-%d %H:%M"),
            },
            body=campaign.reminder_text,
            link=student_link,
        )
        record_many(
            by,
            [
                Event(
                    AuditEntry.Action.CREATE,
                    "screening.reminder",
                    student=participation.student,
                    tier=Tier.T2,
                    detail={"campaign": campaign.pk, "class_group": class_group.pk, "reminder": reminder.pk},
                )
                for participation in waiting
            ],
            address=address,
        )
    return len(sent)
