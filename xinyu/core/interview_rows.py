"""Interviews as rows of a work list. A counsellor's list may hold thousands: each is read as a few values
(what orders, filters and scopes it), and only the rows on the page shown are read whole, together."""

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from xinyu.care.interviews import tier_of
from xinyu.care.models import Interview
from xinyu.core.listing import Entry


@dataclass(slots=True)
class StudentRef:
    """What a list needs of a student: who, and what the scope rules and `listing` ask (`pk`, `user_id`,
    `class_group_id`, and the `place` xinyu.org.scope.tiers_for would otherwise look up)."""

    pk: int
    name: str
    user_id: int | None
    class_group_id: int
    place: tuple  # (school, college, class, dorm room) ids


@dataclass(slots=True)
class InterviewRow:
    pk: int
    source: str
    due_on: dt.date
    assignee_id: int | None
    student: StudentRef
    overdue: bool = False

    @property
    def student_id(self) -> int:
        return self.student.pk


FIELDS = ("pk", "source", "due_on", "assignee_id", "student_id", "student__name", "student__user_id",
          "student__school_id", "student__class_group__college_id", "student__class_group_id",
          "student__dorm_room_id")  # fmt: skip


def interview_rows(interviews) -> list[InterviewRow]:
    """The queryset's interviews as rows, in its order, each marked overdue if due before today."""
    today = timezone.localdate()
    rows = []
    for pk, source, due_on, assignee_id, student_id, name, user_id, *place in interviews.values_list(*FIELDS):
        student = StudentRef(student_id, name, user_id, place[2], tuple(place))
        rows.append(InterviewRow(pk, source, due_on, assignee_id, student, overdue=due_on < today))
    return rows


def interview_entry(row: InterviewRow, *, kind: str, kind_label, mine: bool = True) -> Entry:
    return Entry(
        kind=kind, kind_label=kind_label, row_kind="interview", title=row.student.name, student=row.student,
        tier=tier_of(row),
        due=row.due_on, overdue=row.overdue, mine=mine, id=row.pk, source=row.source,
        obj=row, fill=describe_interviews,
    )  # fmt: skip


def describe_interviews(entries: list[Entry]) -> None:
    """The words, badges and link of the interviews on the page, read in one query."""
    interviews = Interview.objects.select_related("case", "assignee").in_bulk([entry.id for entry in entries])
    today = timezone.localdate()
    for entry in entries:
        interview = interviews[entry.id]
        entry.due_label = pgettext("of an interview", "Due on")
        if interview.case_id and interview.case.is_drill:
            entry.badges.append((_("Drill"), "text-bg-warning"))
        if not entry.overdue and interview.due_on == today:
            entry.badges.append((_("Today"), "text-bg-warning"))
        entry.detail = interview.get_kind_display()
        if entry.kind != interview.source:  # the list's kind says the source already where it is the source
            entry.detail += f" · {interview.get_source_display()}"
        if not entry.mine:
            entry.detail += f" · {interview.assignee.full_name}"
        entry.url = interview.get_absolute_url()
