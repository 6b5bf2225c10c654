"""Opening, printing and exporting a student file: the timeline read and its access-log entry commit together.

Views, and anything else that shows a file, call `read_file`; it reads every timeline source for the
viewer's tier (the sources decide through the scope module) and records one audit entry at the viewer's
tier in the same transaction, so a failed audit write fails the read.
"""

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from xinyu.audit.models import AuditEntry
from xinyu.audit.reads import Read
from xinyu.common.word import a4_document, to_bytes
from xinyu.org.access_log import Event, record
from xinyu.org.scope import Tier
from xinyu.studentfile import scope
from xinyu.studentfile.timeline import TimelineEntry, timeline_for

WHAT = {
    AuditEntry.Action.VIEW: Read.STUDENT_FILE,
    AuditEntry.Action.PRINT: "studentfile.print",
    AuditEntry.Action.EXPORT: "studentfile.export",
}
TIER_LABELS = {
    Tier.T1: "T1",
    Tier.T2: "T2",
    Tier.T3: "T3",
    Tier.T4: "T4",
}


@dataclass
class KindChoice:
    kind: str
    label: str
    count: int
    selected: bool


@dataclass
class Month:
    start: dt.date
    entries: list[TimelineEntry] = field(default_factory=list)


@dataclass
class StudentFile:
    student: object
    tier: Tier
    entries: list[TimelineEntry]  # after the kind filter and the confidential choice
    kinds: list[KindChoice]
    badges: list[str]
    has_confidential: bool  # the viewer's timeline holds confidential entries (they may ask to print them)
    includes_confidential: bool
    total: int  # entries the viewer may see, before any filter

    @property
    def months(self) -> list[Month]:
        """The entries grouped by month in the school's time zone, newest first."""
        months: list[Month] = []
        for entry in self.entries:
            local = timezone.localtime(entry.at)
            start = dt.date(local.year, local.month, 1)
            if not months or months[-1].start != start:
                months.append(Month(start))
            months[-1].entries.append(entry)
        return months

    @property
    def tier_label(self) -> str:
        return TIER_LABELS.get(self.tier, "")


def read_file(
    viewer,
    student,
    tier: Tier,
    grant,
    *,
    action: str = AuditEntry.Action.VIEW,
    kinds: list[str] | None = None,
    confidential: bool = True,
    address: str | None = None,
) -> StudentFile:
    """The viewer's file of `student` (the caller has checked `tier` through scope.get_file_student).

    `kinds` keeps only entries of those kinds (unknown kinds are ignored); `confidential` False leaves
    confidential (T4) entries out, which print and export do unless the viewer asks for them."""
    with transaction.atomic():
        everything = timeline_for(student, viewer, tier)
        # One chip per kind of record as the viewer reads it (its label): the registry's entry and its
        # events, for instance, are one "key-concern registry"; asking for one of its kinds asks for all.
        counts = Counter(entry.kind for entry in everything)
        label_of = {entry.kind: str(entry.kind_label) for entry in everything}
        kinds_of: dict[str, list[str]] = {}
        for kind in sorted(counts):
            kinds_of.setdefault(label_of[kind], []).append(kind)
        asked = {label_of[kind] for kind in kinds or [] if kind in counts}
        wanted = {kind for label in asked for kind in kinds_of[label]}
        includes_confidential = confidential and scope.may_include_confidential(everything)
        entries = [
            entry
            for entry in everything
            if (not wanted or entry.kind in wanted) and (includes_confidential or not entry.confidential)
        ]
        badges = list(dict.fromkeys(entry.header_badge for entry in everything if entry.header_badge))
        highest = max((int(entry.tier) for entry in entries), default=0)
        record(
            viewer,
            Event(
                action,
                WHAT[action],
                student=student,
                tier=tier,
                post=grant.post if grant else "",
                detail={
                    "entries": len(entries),
                    "highest_tier": highest,
                    "kinds": sorted(wanted),
                    "confidential": any(entry.confidential for entry in entries),
                },
            ),
            address=address,
        )
    return StudentFile(
        student=student,
        tier=tier,
        entries=entries,
        kinds=[
            KindChoice(group[0], label, sum(counts[kind] for kind in group), label in asked)
            for label, group in sorted(kinds_of.items(), key=lambda item: item[1][0])
        ],
        badges=badges,
        has_confidential=any(entry.confidential for entry in everything),
        includes_confidential=includes_confidential,
        total=len(everything),
    )


# --- Word export --------------------------------------------------------------------------------------


def file_to_docx(student_file: StudentFile, viewer) -> bytes:
    """The file as a Word document (A4): the header, then each month's entries in a table."""

    student = student_file.student
    document = a4_document()
    document.add_heading(_("Student file: %(name)s") % {"name": student.name}, level=1)
    header = document.add_table(rows=0, cols=2)
    header.style = "Table Grid"
    for label, value in (
        (_("Student number"), student.student_number),
        (_("College"), student.class_group.college.name),
        (_("Class group"), student.class_group.name),
        (pgettext("of a student", "Status"), student.get_status_display()),
    ):
        cells = header.add_row().cells
        cells[0].text, cells[1].text = str(label), str(value)
    if student_file.badges:
        document.add_paragraph("、".join(student_file.badges))
    document.add_paragraph(
        _("Exported by %(name)s at %(at)s. Shows what tier %(tier)s allows. Confidential: do not forward.")
        % {
            "name": viewer.full_name or viewer.username,
            "at": timezone.localtime().strftime("%Y-%m-%d %H:%M"),
            "tier": student_file.tier_label,
        }
    )
    if not student_file.entries:
        document.add_paragraph(_("No records."))
    for month in student_file.months:
        document.add_heading(month.start.strftime("%Y-%m"), level=2)
        table = document.add_table(rows=1, cols=4)
        table.style = "Table Grid"
        for cell, title in zip(table.rows[0].cells, (_("Date"), _("Kind"), _("Record"), _("Tier")), strict=True):
            cell.text = str(title)
        for entry in month.entries:
            cells = table.add_row().cells
            cells[0].text = timezone.localtime(entry.at).strftime("%Y-%m-%d %H:%M")
            cells[1].text = str(entry.kind_label)
            cells[2].text = "\n".join(part for part in (str(entry.title), str(entry.summary)) if part)
            mark = TIER_LABELS.get(entry.tier, "")
            cells[3].text = f"{mark} {_('Confidential')}" if entry.confidential else mark
    return to_bytes(document)
