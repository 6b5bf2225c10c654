"""The monthly report as a college office files it (Word, A4): title, college and month, the figures
table, the narrative, and the signature lines."""

from django.utils import timezone
from django.utils.translation import gettext as _

from xinyu.common.word import a4_document, to_bytes
from xinyu.reports.figures import monthly_figures, rows
from xinyu.reports.models import MonthlyReport


def figures_of(report: MonthlyReport) -> dict:
    """Frozen when sent; assembled now for a draft."""
    if report.sent_at is not None:
        return report.figures
    return monthly_figures(report.college, report.month)


def report_to_docx(report: MonthlyReport) -> bytes:
    document = a4_document(font_size=11)
    title = _("%(college)s student mental-health monthly report, %(year)s-%(month)02d") % {
        "college": report.college.name, "year": report.month.year, "month": report.month.month,
    }  # fmt: skip
    document.add_heading(title, level=1)
    if report.version > 1:
        version = {"version": report.version, "reason": report.reason}
        document.add_paragraph(_("Version %(version)s: %(reason)s") % version)
    state = report.get_status_display()
    if report.sent_at:
        state = _("Sent on %(day)s") % {"day": timezone.localtime(report.sent_at).strftime("%Y-%m-%d")}
    document.add_paragraph(_("Due on %(day)s. %(state)s.") % {"day": report.due_on.isoformat(), "state": state})

    document.add_heading(_("Figures"), level=2)
    table = document.add_table(rows=1, cols=2)
    table.style = "Table Grid"
    table.rows[0].cells[0].text, table.rows[0].cells[1].text = _("Item"), _("Number")
    for label, value in rows(figures_of(report)):
        cells = table.add_row().cells
        cells[0].text, cells[1].text = label, "—" if value is None else str(value)
    for screening in figures_of(report).get("screening", []):
        document.add_paragraph(_("%(campaign)s: %(submitted)s of %(invited)s students answered.") % screening)
    for heading, text in (
        (_("Activities held"), report.activities),
        (_("Problems found"), report.problems),
        (_("Students of concern"), report.concerns),
        (_("Next month's focus"), report.next_focus),
    ):
        document.add_heading(heading, level=2)
        for paragraph in (text or "—").splitlines() or ["—"]:
            document.add_paragraph(paragraph)

    signatures = document.add_table(rows=2, cols=2)
    signatures.rows[0].cells[0].text = _("Drafted by: %(name)s") % {"name": report.drafted_by.full_name}
    signatures.rows[0].cells[1].text = _("Approved by (working group head): %(name)s") % {
        "name": report.sent_by.full_name if report.sent_by else "________"
    }
    signatures.rows[1].cells[0].text = _("Date: ________")
    signatures.rows[1].cells[1].text = _("Seal of the college: ________")
    return to_bytes(document)
