"""The board as Excel (formula-safe: every cell goes through `xinyu.roster.export`, which prefixes = + - @)
and as Word (A4, like the student file's export). Counts only; the words in the language of the request."""

import io

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from xinyu.compliance import board as bd
from xinyu.roster import export

XLSX_WIDTHS = [8, 10, 44, 12, 12, 22]


def headers() -> list[str]:
    return [
        pgettext("compliance board", "Year"),
        pgettext("compliance board", "Article"),
        pgettext("compliance board", "Requirement"),
        pgettext("compliance board", "Required"),
        pgettext("compliance board", "Actual"),
        pgettext("compliance board", "Status"),
    ]


def _article(number: int) -> str:
    return _("Article %(n)s") % {"n": number}


def table_rows(school, year: int):
    """The year's rows, then each earlier year's."""
    years = [(year, bd.board(school, year))] + [(facts.year, rows) for facts, rows in bd.history(school, year)]
    for each_year, rows in years:
        for row in rows:
            yield [str(each_year), _article(row.article), str(row.label), str(row.required), str(row.actual),
                   row.shortfall_text]  # fmt: skip


def to_xlsx(school, year: int) -> tuple[bytes, int]:
    return export.to_xlsx(_("Compliance"), headers(), table_rows(school, year), XLSX_WIDTHS)


def to_docx(school, year: int, viewer) -> bytes:
    facts = bd.figures(school, year)
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Mm(18))
    style = document.styles["Normal"]
    style.font.size = Pt(10.5)
    style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "宋体")
    document.add_heading(_("%(school)s: mental-health education compliance, %(year)s") % {
        "school": school.name, "year": year
    }, level=1)  # fmt: skip
    document.add_paragraph(
        _("Enrolled students counted on %(on)s: %(n)s. Counted spending: %(spent)s yuan.")
        % {"on": facts.on.isoformat(), "n": facts.students, "spent": facts.counted_spending}
    )
    document.add_paragraph(
        _("Exported by %(name)s at %(at)s.")
        % {"name": viewer.full_name or viewer.username, "at": timezone.localtime().strftime("%Y-%m-%d %H:%M")}
    )
    rows = list(table_rows(school, year))
    table = document.add_table(rows=1, cols=len(headers()))
    table.style = "Table Grid"
    for cell, title in zip(table.rows[0].cells, headers(), strict=True):
        cell.text = title
    for values in rows:
        for cell, value in zip(table.add_row().cells, values, strict=True):
            cell.text = value
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
