"""Word files: the monthly report as a college office files it (title, college and month, the figures table,
the narrative, the signature lines), and the status report with its charts and tables."""

import io

from django.utils import timezone
from django.utils.translation import gettext as _
from docx.shared import Mm

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


def status_to_docx(status) -> bytes:
    """The status report (xinyu.reports.status) in Word: participation, the charts as images, the tables,
    suppressed cells written "<5"."""
    from xinyu.reports.charts import chart_png  # noqa: PLC0415 - matplotlib takes a second to load: only this draws

    document = a4_document(font_size=10)
    document.add_heading(_("%(school)s students' mental-health status report, %(year)s")
                         % {"school": status.school.name, "year": status.year}, level=1)  # fmt: skip
    document.add_paragraph(_("Counts only; every count from 1 to 4 is shown as “<5”, with one more where it could "
                             "otherwise be worked out from a total."))  # fmt: skip
    document.add_heading(_("Participation"), level=2)
    table = document.add_table(rows=1, cols=3)
    table.style = "Table Grid"
    for cell, title in zip(table.rows[0].cells, (_("Screening round"), _("Invited"), _("Answered")), strict=True):
        cell.text = str(title)
    for title, invited, answered in status.participation:
        cells = table.add_row().cells
        cells[0].text, cells[1].text, cells[2].text = title, str(invited), str(answered)
    document.add_heading(_("Charts"), level=2)
    for chart in status.charts:
        document.add_picture(io.BytesIO(chart_png(chart)), width=Mm(170))
    for part in status.tables:
        document.add_heading(part.title, level=2)
        grid = document.add_table(rows=1, cols=len(part.columns) + 1)
        grid.style = "Table Grid"
        for cell, title in zip(grid.rows[0].cells, ["", *part.columns], strict=True):
            cell.text = str(title)
        for label, values in part.rows:
            cells = grid.add_row().cells
            cells[0].text = str(label)
            for cell, value in zip(cells[1:], values, strict=True):
                cell.text = "<5" if value is None else str(value)
        if not part.rows:
            document.add_paragraph(_("Nothing to show."))
    return to_bytes(document)
