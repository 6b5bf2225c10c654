"""The leading group's year (第七条(二), 第十一条): the year's work summary and next year's priorities, drafted
from the year's figures (summed from the colleges' monthly reports sent) and edited by 学工部; the yearly
symposium with the papers put before it, its minutes and its decisions, each with an owner and a due date,
tracked in the owner's work until done. Each write is one transaction with its access-log entry."""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from xinyu.audit.models import AuditEntry
from xinyu.common.word import a4_document, to_bytes
from xinyu.notify.services import notify
from xinyu.org.access_log import Event, record
from xinyu.org.models import Appointment, College, Post
from xinyu.org.scope import Tier
from xinyu.reports import scope
from xinyu.reports.figures import figure, figure_rows
from xinyu.reports.models import Decision, MonthlyReport, ResearchOutput, Symposium, YearSummary
from xinyu.reports.monthly import ReportError

# Who may own a decision: the school's and the colleges' people who run the work.
OWNER_POSTS = (
    Post.LEADING_GROUP_HEAD, Post.LEADING_GROUP_DEPUTY, Post.LEADING_GROUP_MEMBER, Post.STUDENT_AFFAIRS_STAFF,
    Post.CENTRE_SUPERVISOR, Post.CENTRE_COUNSELLOR, Post.COLLEGE_GROUP_HEAD, Post.COLLEGE_LEADER_IN_CHARGE,
    Post.COLLEGE_OFFICE_DIRECTOR, Post.MENTAL_HEALTH_ADVISOR,
)  # fmt: skip


def _audit(by, what: str, action=AuditEntry.Action.UPDATE, **detail) -> None:
    record(by, Event(action, f"reports.annual.{what}", tier=Tier.T0, detail=detail))


def _check_editor(by, school) -> None:
    if not scope.may_edit_annual(by, school):
        raise ReportError(_("Only 学工部 keeps the leading group's year."))


def year_figures(school, year: int) -> dict:
    """The year's figures: each monthly-report figure summed over the colleges' sent reports of the year,
    and how many reports were sent, late, and expected."""
    reports = MonthlyReport.objects.filter(
        college__school=school, month__year=year, status=MonthlyReport.Status.SENT
    ).only("figures", "sent_at", "due_on")
    reports = list(reports)
    totals = {}
    for _label, path in figure_rows():
        totals[".".join(path)] = sum(v for v in (figure(r.figures, path) for r in reports) if isinstance(v, int))
    colleges = College.objects.filter(school=school).count()
    months = sum(1 for month in range(1, 13) if dt.date(year, month, 1) < timezone.localdate().replace(day=1))
    outputs = ResearchOutput.objects.filter(school=school, on__year=year)
    return {
        "year": year,
        "research": {kind: outputs.filter(kind=kind).count() for kind in ResearchOutput.Kind.values},
        "reports_sent": len(reports),
        "reports_late": sum(1 for report in reports if report.was_late),
        "reports_expected": colleges * months,
        "totals": totals,
    }


def draft_texts(figures: dict) -> tuple[str, str]:
    """The summary's and the priorities' first draft, in words, from the year's figures."""
    totals = figures["totals"]
    opened = sum(totals.get(f"crisis_cases.opened.{level}", 0) for level in "ABCD")
    summary = _(
        "In %(year)s the colleges sent %(sent)s of %(expected)s monthly reports (%(late)s late). "
        "%(reports)s concern reports were raised, %(crisis)s of them judged a crisis; %(opened)s crisis cases "
        "were opened (level C and D: %(serious)s). %(added)s students were added to the key-concern registry "
        "and %(removed)s removed; %(held)s interviews were held."
    ) % {
        "year": figures["year"], "sent": figures["reports_sent"], "expected": figures["reports_expected"],
        "late": figures["reports_late"], "reports": totals.get("concern_reports.total", 0),
        "crisis": totals.get("concern_reports.by_outcome.crisis", 0), "opened": opened,
        "serious": totals.get("crisis_cases.opened.C", 0) + totals.get("crisis_cases.opened.D", 0),
        "added": totals.get("registry.added", 0), "removed": totals.get("registry.removed", 0),
        "held": totals.get("interviews.done", 0),
    }  # fmt: skip
    research = figures.get("research", {})
    summary += " " + _(
        "Research on students' mental health: %(projects)s projects, %(papers)s papers, %(activities)s academic "
        "activities."
    ) % {"projects": research.get("project", 0), "papers": research.get("paper", 0),
         "activities": research.get("activity", 0)}  # fmt: skip
    priorities = _(
        "1. Monthly reports sent on time by every college.\n2. Interviews held by their due date.\n"
        "3. Training for class wellbeing reps and dorm leaders."
    )
    return summary, priorities


@transaction.atomic
def start_year_summary(school, year: int, *, by) -> YearSummary:
    """The year's summary, drafted from the figures the first time (then kept as edited)."""
    _check_editor(by, school)
    existing = YearSummary.objects.filter(school=school, year=year).first()
    if existing is not None:
        return existing
    figures = year_figures(school, year)
    summary, priorities = draft_texts(figures)
    created = YearSummary.objects.create(
        school=school, year=year, summary=summary, priorities=priorities, figures=figures, updated_by=by
    )
    _audit(by, "summary.start", AuditEntry.Action.CREATE, year=year)
    return created


@transaction.atomic
def save_year_summary(summary: YearSummary, *, by, text: str, priorities: str) -> YearSummary:
    _check_editor(by, summary.school)
    if not (text or "").strip():
        raise ReportError(_("Please write the year's work summary."))
    summary.summary, summary.priorities, summary.updated_by = text.strip(), (priorities or "").strip(), by
    summary.save(update_fields=["summary", "priorities", "updated_by", "updated_at"])
    _audit(by, "summary.save", year=summary.year)
    return summary


@transaction.atomic
def record_symposium(school, *, by, held_on: dt.date, place: str, attendees: str, papers, minutes: str) -> Symposium:
    _check_editor(by, school)
    if held_on is None:
        raise ReportError(_("Please give the date of the symposium."))
    if not (attendees or "").strip():
        raise ReportError(_("Please list who attended."))
    unknown = set(papers or ()) - set(Symposium.Paper.values)
    if unknown:
        raise ReportError(_("Unknown paper: %(code)s.") % {"code": sorted(unknown)[0]})
    symposium = Symposium.objects.create(
        school=school, year=held_on.year, held_on=held_on, place=(place or "").strip(), attendees=attendees.strip(),
        papers=list(dict.fromkeys(papers or ())), minutes=(minutes or "").strip(), recorded_by=by,
    )  # fmt: skip
    _audit(by, "symposium", AuditEntry.Action.CREATE, symposium=symposium.pk)
    return symposium


def owners_for(school):
    """The people a decision may be given to: the school's and its colleges' people who run the work."""
    appointments = (
        Appointment.objects.current().filter(post__in=OWNER_POSTS).select_related("person", "college", "department")
    )
    people = [a.person for a in appointments.order_by("post", "id") if scope.school_id_of(a) == school.pk]
    return list(dict.fromkeys(people))


@transaction.atomic
def add_decision(symposium: Symposium, *, by, text: str, owner, due_on: dt.date | None) -> Decision:
    _check_editor(by, symposium.school)
    if not (text or "").strip():
        raise ReportError(_("Please write the decision."))
    if owner is None or owner not in owners_for(symposium.school):
        raise ReportError(_("A decision goes to someone who runs the work in this school."))
    if due_on is None or due_on < symposium.held_on:
        raise ReportError(_("Please give a due date after the symposium."))
    decision = Decision.objects.create(symposium=symposium, text=text.strip(), owner=owner, due_on=due_on)
    _audit(by, "decision", AuditEntry.Action.CREATE, decision=decision.pk, owner=owner.username)
    notify([owner], student=None, tier=Tier.T0, key=f"reports.decision{decision.pk}:given",
           title=_("A decision of the symposium is yours, due on %(day)s") % {"day": due_on.isoformat()},
           link=decision.get_absolute_url())  # fmt: skip
    return decision


def may_complete(user, decision: Decision) -> bool:
    return user.pk == decision.owner_id or scope.may_edit_annual(user, decision.symposium.school)


@transaction.atomic
def complete_decision(decision: Decision, *, by, note: str) -> Decision:
    decision = Decision.objects.select_for_update().select_related("symposium__school").get(pk=decision.pk)
    if not may_complete(by, decision):
        raise ReportError(_("Only the decision's owner or 学工部 records it as done."))
    if decision.done_at is not None:
        raise ReportError(_("This decision is already done."))
    if not (note or "").strip():
        raise ReportError(_("Please say what was done."))
    decision.done_at, decision.done_by, decision.done_note = timezone.now(), by, note.strip()
    decision.save(update_fields=["done_at", "done_by", "done_note"])
    _audit(by, "decision.done", decision=decision.pk)
    return decision


def _plan_to_docx(document, plan: dict) -> None:
    """The year's work plan (第七条(二)): each published item with its progress."""
    document.add_heading(_("The year's work plan"), level=2)
    document.add_paragraph(_("%(done)d of %(total)d items done, %(overdue)d late.") % plan)
    if not plan["items"]:
        return
    table = document.add_table(rows=1, cols=5)
    table.style = "Table Grid"
    for cell, title in zip(table.rows[0].cells, (_("Plan of"), _("Item"), _("Owner"), _("Due on"), _("Progress")),
                           strict=True):  # fmt: skip
        cell.text = str(title)
    for row in plan["items"]:
        item, progress = row["item"], row["progress"]
        cells = table.add_row().cells
        cells[0].text = (item.plan.college or item.plan.school).name
        cells[1].text, cells[2].text, cells[3].text = item.title, item.owner.full_name, item.due_on.isoformat()
        shown = f"{progress.done} / {progress.total} {progress.unit}".strip() if progress else ""
        cells[4].text = " ".join(part for part in (shown, str(_("Done")) if row["done"] else "") if part)


def year_to_docx(school, year: int, summary: YearSummary | None, symposiums, plan: dict | None = None) -> bytes:
    document = a4_document(font_size=11)
    document.add_heading(_("%(school)s student mental-health work, %(year)s") % {"school": school.name, "year": year},
                         level=1)  # fmt: skip
    document.add_heading(_("The year's work summary"), level=2)
    for paragraph in ((summary.summary if summary else "") or "—").splitlines():
        document.add_paragraph(paragraph)
    document.add_heading(_("Next year's priorities"), level=2)
    for paragraph in ((summary.priorities if summary else "") or "—").splitlines():
        document.add_paragraph(paragraph)
    if plan is not None:
        _plan_to_docx(document, plan)
    for symposium in symposiums:
        document.add_heading(_("Symposium of %(day)s") % {"day": symposium.held_on.isoformat()}, level=2)
        document.add_paragraph(_("Attendees: %(names)s") % {"names": symposium.attendees})
        if symposium.papers:
            document.add_paragraph(_("Papers: %(papers)s") % {"papers": "、".join(symposium.paper_labels())})
        for paragraph in (symposium.minutes or "").splitlines():
            document.add_paragraph(paragraph)
        decisions = list(symposium.decisions.select_related("owner"))
        if decisions:
            table = document.add_table(rows=1, cols=4)
            table.style = "Table Grid"
            titles = (pgettext("of the symposium", "Decision"), _("Owner"), _("Due on"), _("Done"))
            for cell, title in zip(table.rows[0].cells, titles, strict=True):
                cell.text = str(title)
            for decision in decisions:
                cells = table.add_row().cells
                cells[0].text, cells[1].text = decision.text, decision.owner.full_name
                cells[2].text = decision.due_on.isoformat()
                cells[3].text = timezone.localtime(decision.done_at).strftime("%Y-%m-%d") if decision.done_at else ""
    return to_bytes(document)
