"""What counselling adds to "my work" and to the student file's timeline, decided through the scope module.

- My work (counsellors): bookings waiting for my confirmation; past booked times of mine with no session
  recorded and no no-show marked (record the session, or mark the no-show).
- Timeline: for the centre, each session's date and kind (T3); for the treating counsellor and the
  supervisors, an entry marked confidential with the structured record and a link to the notes, which
  open behind step-up (the notes' text is never put on the timeline).
"""

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext as _

from xinyu.common.timeline import TimelineEntry
from xinyu.common.work import WorkItem, WorkSection
from xinyu.counselling import scope
from xinyu.counselling.models import Booking, Session
from xinyu.org.scope import Tier


def counselling_work(user, now: dt.datetime) -> WorkSection | None:
    if not scope.is_counsellor(user):
        return None
    bookings = list(
        scope.bookings_for_staff(user)
        .filter(slot__counsellor=user, status__in=Booking.OPEN)
        .select_related("slot__room", "student")
        .order_by("slot__starts_at", "pk")
    )
    items = []
    for booking in bookings:
        begun = booking.slot.starts_at <= now
        if begun:
            items.append(
                WorkItem(
                    kind="counselling-to-record",
                    title=_("Record the session or mark the no-show: %(name)s") % {"name": booking.student.name},
                    tier=Tier.T3,  # that the student comes to counselling (and only on their counsellor's list)
                    student=booking.student,
                    due=booking.slot.starts_at,
                    overdue=booking.slot.ends_at + dt.timedelta(days=1) < now,
                    url=reverse("counselling:schedule"),
                    detail=booking.slot.room.name,
                    id=booking.pk,
                )
            )
        elif booking.status == Booking.Status.REQUESTED:
            items.append(
                WorkItem(
                    kind="counselling-to-confirm",
                    title=_("Confirm the counselling booking: %(name)s") % {"name": booking.student.name},
                    tier=Tier.T3,
                    student=booking.student,
                    due=booking.slot.starts_at,
                    overdue=False,
                    url=reverse("counselling:schedule"),
                    detail=booking.slot.room.name,
                    id=booking.pk,
                )
            )
    return WorkSection(key="counselling", title=_("Counselling"), items=items)


def counselling_timeline(student, viewer, tier: Tier):
    if not scope.is_counsellor(viewer) or not scope.counselling_students_for(viewer).filter(pk=student.pk).exists():
        return []
    sessions = list(Session.objects.filter(student=student).select_related("counsellor").order_by("-held_at"))
    readable = set(scope.session_records_for(viewer).filter(student=student).values_list("pk", flat=True))
    entries = []
    for session in sessions:
        title = _("Counselling session (%(kind)s)") % {"kind": session.get_kind_display()}
        if session.pk in readable:
            entries.append(
                TimelineEntry(
                    at=session.held_at,
                    kind="counselling_session",
                    kind_label=_("Counselling"),
                    title=title,
                    tier=Tier.T4,
                    summary=_("Session %(number)d with %(counsellor)s; risk: %(risk)s; next step: %(next)s")
                    % {
                        "number": session.session_number,
                        "counsellor": session.counsellor.full_name,
                        "risk": session.get_risk_level_display(),
                        "next": session.get_next_step_display(),
                    },
                    url=reverse("counselling:session_detail", args=[session.pk]),
                    confidential=True,
                )
            )
        else:
            entries.append(
                TimelineEntry(
                    at=session.held_at,
                    kind="counselling_session",
                    kind_label=_("Counselling"),
                    title=title,
                    tier=Tier.T3,
                    summary=_("With %(counsellor)s") % {"counsellor": session.counsellor.full_name},
                )
            )
    return entries
