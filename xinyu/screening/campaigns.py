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
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from xinyu.org.models import Student
from xinyu.screening.models import Campaign, CampaignInstrument, Instrument, Participation

# Shown after submitting unless the campaign says otherwise. Independent of any policy file: these lines
# must be there even when nothing else is configured.
DEFAULT_RESOURCES = "\n".join(
    [
        "学校心理健康教育与咨询中心：工作日可预约面谈或电话咨询",
        "全国心理援助热线：12356",
        "希望24热线：400-161-9995",
        "遇到紧急危险：报警 110，急救 120",
    ]
)

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
) -> Campaign:
    """Create a campaign and its Participation rows. Instruments are asked in the order given."""
    if not instruments:
        raise ValidationError(_("Choose at least one instrument."))
    if len({instrument.pk for instrument in instruments}) != len(instruments):
        raise ValidationError(_("An instrument is listed twice."))
    for instrument in instruments:
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
        resources_text=resources_text.strip() or DEFAULT_RESOURCES,
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


def materialise_participations(campaign: Campaign) -> int:
    """Add a Participation for every targeted student who has none yet; returns how many were added.
    Safe to run again (e.g. after late enrolments): existing rows are kept as they are."""
    existing = set(Participation.objects.filter(campaign=campaign).values_list("student_id", flat=True))
    ids = [pk for pk in target_students(campaign).values_list("pk", flat=True).iterator() if pk not in existing]
    Participation.objects.bulk_create(
        (Participation(campaign=campaign, student_id=pk) for pk in ids), batch_size=BATCH_SIZE
    )
    return len(ids)


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


@transaction.atomic
def remind(campaign: Campaign, class_group, *, link: str = "", student_link: str = "") -> int:
    """Remind the class's head teacher and advisor, and each student who has not answered, in the inbox;
    once a day per class. Returns how many notifications were sent."""
    from django.utils import timezone

    from xinyu.notify.services import notify
    from xinyu.org.models import Appointment, Post

    day = timezone.localdate().isoformat()
    waiting = list(
        Participation.objects.filter(campaign=campaign, student__class_group=class_group, status__in=WAITING)
        .select_related("student__user")
        .order_by("student__student_number")
    )
    staff = [
        appointment.person
        for appointment in Appointment.objects.current()
        .filter(post__in=[Post.HEAD_TEACHER, Post.ADVISOR], class_group=class_group)
        .select_related("person")
    ]
    sent = notify(
        staff,
        key=f"screening-remind:{campaign.pk}:{class_group.pk}:{day}",
        title=_("%(count)d students of %(class_group)s have not answered “%(campaign)s” yet")
        % {"count": len(waiting), "class_group": class_group.name, "campaign": campaign.title},
        link=link,
    )
    students = [p.student.user for p in waiting if p.student.user_id and p.student.user.is_active]
    sent += notify(
        students,
        key=f"screening-remind:{campaign.pk}:{day}",
        title=_("Please answer “%(campaign)s” before %(closes)s")
        % {"campaign": campaign.title, "closes": timezone.localtime(campaign.closes_at).strftime("%Y-%m-%d %H:%M")},
        link=student_link,
    )
    return len(sent)
