"""Timeline sources for screening, concern reports and crises, and the care records crises start
(family contact, follow-up, review and support).

Each source answers for one student and one viewer's tier with a fixed number of queries, whatever the
number of records, and shows at each tier what the existing pages show at that tier (DESIGN.md §4):
- T2 (the responsible chain, case members): concern reports (as the report page shows them at T2),
  crisis cases, their level and its changes with the reasons given for them, that a case was closed,
  follow-ups scheduled (who, when, done or not). Nothing of screening: not even that an interview is due.
- T3 (the college's working group, the centre): screening scores, bands and flags, interviews with their
  reasons and notes, the centre's assessments, case filing notes, family contacts, follow-up outcomes,
  review and support.
An entry carries the highest tier of what it shows. Drills are left out.
"""

import datetime as dt

from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from xinyu.care.interviews import tier_of
from xinyu.care.models import FamilyContact, Interview, ReviewSupport
from xinyu.common.timeline import TimelineEntry
from xinyu.concerns.models import CaseEvent, ConcernReport, CrisisCase
from xinyu.org.scope import Tier
from xinyu.screening.labels import outcome_label, severity_label
from xinyu.screening.models import Result

SUMMARY_WORDS = 80  # characters of free text shown in a timeline entry (the record's page has the rest)


def _url(name: str, *args) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def _start_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())


def _short(text: str) -> str:
    return Truncator((text or "").strip()).chars(SUMMARY_WORDS)


def _join(*parts) -> str:
    return "；".join(str(part) for part in parts if part)


# --- Screening (T3) -------------------------------------------------------------------------------


def screening_results(student, viewer, tier):

    if tier < Tier.T3:
        return []
    url = _url("screening:student_results", student.pk)
    entries = []
    for result in Result.objects.filter(student=student).select_related("campaign", "instrument"):
        flags = "、".join(
            str(flag.get("label") or flag.get("code", "")) for flag in result.flags or [] if isinstance(flag, dict)
        )
        total = "" if result.total is None else f"{result.total:g}"
        entries.append(
            TimelineEntry(
                at=result.scored_at,
                kind="screening_result",
                kind_label=_("Screening result"),
                title=f"{result.instrument.name} · {result.campaign.title}",
                tier=Tier.T3,
                summary=_join(
                    total and _("total %(total)s") % {"total": total},
                    outcome_label(result),
                    result.severity and _("severity %(severity)s") % {"severity": severity_label(result.severity)},
                    flags and _("flags: %(flags)s") % {"flags": flags},
                ),
                url=url,
            )
        )
    return entries


def interviews(student, viewer, tier):
    """Every 约谈 at the tier its source reveals (xinyu.care.interviews.tier_of): that a screening called
    for one is T3; a follow-up of a case, a talk after a report or a return is T2 (who, when, done or
    not). What came of an interview is T3."""

    if tier < Tier.T2:
        return []
    rows = Interview.objects.filter(NOT_A_DRILL, student=student).select_related("assignee", "conducted_by")
    entries = []
    for interview in rows:
        if tier_of(interview) > tier:
            continue
        done = interview.conducted_at is not None
        if done and tier >= Tier.T3:
            summary = _join(
                interview.conducted_by.full_name if interview.conducted_by else "",
                interview.get_method_display(),
                interview.get_outcome_display(),
                _short(interview.notes),
            )
        elif done:
            summary = _join(interview.conducted_by.full_name if interview.conducted_by else "", _("Done"))
        else:
            summary = _("%(name)s, due on %(day)s, not recorded yet") % {
                "name": interview.assignee.full_name,
                "day": interview.due_on.isoformat(),
            }
        entries.append(
            TimelineEntry(
                at=interview.conducted_at or interview.created_at,
                kind="interview",
                kind_label=_("Interview"),
                title=f"{interview.get_kind_display()}：{interview.reason or interview.get_source_display()}",
                tier=Tier.T3 if done and tier >= Tier.T3 else tier_of(interview),
                summary=summary,
                url=interview.get_absolute_url(),
            )
        )
    return entries


# --- Concern reports and crises (T2, some records T3) -----------------------------------------------


def concern_reports(student, viewer, tier):
    """As the report page shows a report: to the student's chain at T2 what, who reported it, its status;
    why Xinyu itself raised one (a screening's red flag) only at T3, and neither its reporter below."""

    if tier < Tier.T2:
        return []
    rows = ConcernReport.objects.filter(student=student, is_drill=False).select_related("reporter")
    entries = []
    for report in rows:
        restricted = bool(report.restricted_detail)
        shows_restricted = restricted and tier >= Tier.T3
        entries.append(
            TimelineEntry(
                at=report.created_at,
                kind="concern_report",
                kind_label=_("Concern report"),
                title=report.get_category_display(),
                tier=Tier.T3 if shows_restricted else Tier.T2,
                summary=_join(
                    report.get_status_display(),
                    report.urgency == ConcernReport.Urgency.URGENT and report.get_urgency_display(),
                    (not restricted or shows_restricted)
                    and _("reported by %(name)s") % {"name": report.reporter.full_name},
                    _short(report.description),
                    shows_restricted and _short(report.restricted_detail),
                ),
                url=_url("concerns:report_detail", report.pk),
            )
        )
    return entries


def _level_label(level: str) -> str:
    return str(CrisisCase.Level(level).label) if level in CrisisCase.Level.values else level


def _opening_levels(cases, events) -> dict:
    """Each case's level when it was opened: its opening event's, else the level its first change started
    from, else (no history) the level it has now."""
    opened = {event.case_id: event.to_level for event in events if event.kind == CaseEvent.Kind.OPENED}
    levels = {}
    for case in cases:
        changes = [event for event in events if event.case_id == case.pk and event.from_level]
        first_change = min(changes, key=lambda event: (event.at, event.pk), default=None)
        levels[case.pk] = opened.get(case.pk) or (first_change.from_level if first_change else case.level)
    return levels


def crisis_cases(student, viewer, tier):
    """The case (at the level it was opened at) and its level changes at T2 (with the reasons anyone on the
    case reads); the centre's assessments, notes and the filing note at T3. Two queries."""

    if tier < Tier.T2:
        return []
    reads_records = tier >= Tier.T3
    cases = list(CrisisCase.objects.filter(student=student, is_drill=False))
    shown = [CaseEvent.Kind.LEVEL_RAISED, CaseEvent.Kind.LEVEL_LOWERED, CaseEvent.Kind.CLOSED]
    if reads_records:
        shown += [CaseEvent.Kind.CENTRE_ASSESSMENT, CaseEvent.Kind.NOTE]
    events = list(
        CaseEvent.objects.filter(
            case__student=student, case__is_drill=False, kind__in=[*shown, CaseEvent.Kind.OPENED]
        ).order_by("at", "pk")
    )
    opening = _opening_levels(cases, events)
    by_pk = {case.pk: case for case in cases}
    entries = []
    for case in cases:
        level_then = opening[case.pk]
        changed = level_then != case.level
        entries.append(
            TimelineEntry(
                at=case.opened_at,
                kind="crisis",
                kind_label=_("Crisis"),
                title=_("Crisis case opened: %(level)s") % {"level": _level_label(level_then)},
                tier=Tier.T2,
                summary=_join(
                    _("now %(level)s") % {"level": case.get_level_display()} if changed else "",
                    case.get_status_display() if case.is_open else "",
                ),
                url=_url("concerns:case_detail", case.pk),
                header_badge=_("Open crisis: %(level)s") % {"level": case.get_level_display()} if case.is_open else "",
            )
        )
    for event in events:
        if event.kind == CaseEvent.Kind.OPENED or (event.detail or {}).get("interview_done"):
            continue  # the opening is the case's own entry; a follow-up's outcome shows with the interview
        title = event.get_kind_display()
        levels = {"from": _level_label(event.from_level), "to": _level_label(event.to_level)}
        if event.kind == CaseEvent.Kind.LEVEL_RAISED and event.from_level and event.to_level:
            title = _("Level raised from %(from)s to %(to)s") % levels
        elif event.kind == CaseEvent.Kind.LEVEL_LOWERED and event.from_level and event.to_level:
            title = _("Level lowered from %(from)s to %(to)s") % levels
        event_tier, summary = Tier.T2, ""
        if event.kind in (CaseEvent.Kind.LEVEL_RAISED, CaseEvent.Kind.LEVEL_LOWERED):
            summary = _short(event.reason)
        elif event.kind == CaseEvent.Kind.CLOSED:
            filing_note = by_pk[event.case_id].filing_note
            if reads_records and filing_note:
                event_tier, summary = Tier.T3, _short(filing_note)
        else:
            event_tier, summary = Tier.T3, _short(event.reason)
        entries.append(
            TimelineEntry(
                at=event.at,
                kind="crisis",
                kind_label=_("Crisis"),
                title=title,
                tier=event_tier,
                summary=_join(event.by_name, summary),
                url=_url("concerns:case_detail", event.case_id),
            )
        )
    return entries


# --- Care records (family contact, follow-up, review and support) --------------------------------------

NOT_A_DRILL = Q(case__isnull=True) | Q(case__is_drill=False)


def family_contacts(student, viewer, tier):

    if tier < Tier.T3:
        return []
    rows = FamilyContact.objects.filter(NOT_A_DRILL, student=student).select_related("contacted_by")
    return [
        TimelineEntry(
            at=contact.contacted_at,
            kind="family_contact",
            kind_label=_("Family contact"),
            title=f"{contact.contact_name}（{contact.relation}）· {contact.get_method_display()}",
            tier=Tier.T3,
            summary=_join(contact.contacted_by.full_name, _short(contact.outcome)),
            url=_url("concerns:case_detail", contact.case_id) if contact.case_id else "",
        )
        for contact in rows
    ]


def review_supports(student, viewer, tier):

    if tier < Tier.T3:
        return []
    rows = ReviewSupport.objects.filter(NOT_A_DRILL, student=student).select_related("recorded_by")
    return [
        TimelineEntry(
            at=record.recorded_at,
            kind="review_support",
            kind_label=_("Review and support"),
            title=_short(record.assessment),
            tier=Tier.T3,
            summary=_join(record.recorded_by.full_name, _short(record.support)),
            url=_url("concerns:case_detail", record.case_id) if record.case_id else "",
        )
        for record in rows
    ]


SOURCES = (
    screening_results,
    interviews,
    concern_reports,
    crisis_cases,
    family_contacts,
    review_supports,
)
