"""Anonymised research extracts (第十六–十七条, DESIGN.md §10): a study approved by the centre's supervisor; an
extract of one screening round holds only the students who consented to research use (and have not
withdrawn), each under the study's own pseudonym (a keyed hash: another study gives another pseudonym), with
age band, college, grade and gender generalised step by step until every combination of them holds at least
k people — and refused when even the coarsest step does not. No names, numbers, free text or dates finer
than the month; per instrument only the total and the band or severity."""

import csv
import datetime as dt
import hashlib
import hmac
import io
import secrets
from collections import Counter
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xinyu.audit.models import AuditEntry
from xinyu.org.access_log import Event, record
from xinyu.org.scope import Tier
from xinyu.policy.loader import policy_in_force
from xinyu.privacy.models import ConsentRecord
from xinyu.reports.models import ResearchExtract, ResearchOutput, ResearchStudy
from xinyu.reports.monthly import ReportError
from xinyu.reports.scope import may_run_research
from xinyu.screening.models import Result

QUASI = ("age_band", "college", "grade", "gender")
UNKNOWN = "—"


def k_minimum() -> int:
    return policy_in_force(timezone.localdate()).care.research_k_min


@transaction.atomic
def approve_study(school, *, by, title: str, purpose: str, starts_on, ends_on, k: int | None = None) -> ResearchStudy:
    if not may_run_research(by, school):
        raise ReportError(_("Only the psychology centre's supervisor approves a research study."))
    title, purpose = (title or "").strip(), (purpose or "").strip()
    if not title or not purpose:
        raise ReportError(_("Please give the study's title and purpose."))
    if starts_on is None or ends_on is None or ends_on < starts_on:
        raise ReportError(_("Please give the study's dates, the end after the start."))
    k = k or k_minimum()
    if k < k_minimum():
        raise ReportError(_("k must be at least %(k)s (the policy).") % {"k": k_minimum()})
    if ResearchStudy.objects.filter(school=school, title=title).exists():
        raise ReportError(_("A study with this title already exists."))
    study = ResearchStudy.objects.create(
        school=school, title=title, purpose=purpose, starts_on=starts_on, ends_on=ends_on, k=k,
        pseudonym_key=secrets.token_hex(32), approved_by=by,
    )  # fmt: skip
    record(by, Event(AuditEntry.Action.CREATE, "reports.research.study", detail={"study": study.pk, "k": k}))
    return study


def pseudonym(study: ResearchStudy, student_id: int) -> str:
    return hmac.new(bytes.fromhex(study.pseudonym_key), str(student_id).encode(), hashlib.sha256).hexdigest()[:16]


def _age_band(born: dt.date | None, on: dt.date, coarse: bool) -> str:
    if born is None:
        return UNKNOWN
    age = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
    if coarse:
        return "≤20" if age <= 20 else "≥21"
    if age <= 18:
        return "≤18"
    if age <= 20:
        return "19–20"
    if age <= 22:
        return "21–22"
    return "≥23"


# The steps of generalisation, finest first: what each keeps of the quasi-identifiers.
STEPS = (
    ("fine", {"coarse_age": False, "college": True, "grade": True, "gender": True}),
    ("coarse_age", {"coarse_age": True, "college": True, "grade": True, "gender": True}),
    ("no_college", {"coarse_age": True, "college": False, "grade": True, "gender": True}),
    ("no_grade", {"coarse_age": True, "college": False, "grade": False, "gender": True}),
    ("gender_only", {"coarse_age": True, "college": False, "grade": False, "gender": False}),
)


@dataclass
class Extract:
    header: list[str]
    rows: list[list]
    k_achieved: int
    step: str


def _quasi(student, on: dt.date, step: dict) -> tuple:
    return (
        _age_band(student.date_of_birth, on, step["coarse_age"]),
        student.class_group.college.name if step["college"] else UNKNOWN,
        f"{student.enrolment_year}级" if step["grade"] else UNKNOWN,
        student.get_gender_display() if step["gender"] else UNKNOWN,
    )


def _first_step_reaching(k: int, students: list, on: dt.date) -> tuple[str, dict, int] | None:
    """The finest step of generalisation at which every combination holds at least k students."""
    for name, step in STEPS:
        groups = Counter(_quasi(student, on, step) for student in students)
        if students and min(groups.values()) >= k:
            return name, step, min(groups.values())
    return None


def build_extract(study: ResearchStudy, campaign, k: int | None = None) -> Extract:
    """The extract's rows, or ReportError when no step of generalisation reaches k."""
    k = k or study.k
    if k < k_minimum():
        raise ReportError(_("k must be at least %(k)s (the policy).") % {"k": k_minimum()})
    consented = ConsentRecord.objects.filter(purpose=ConsentRecord.Purpose.RESEARCH, withdrawn_at__isnull=True).values(
        "student_id"
    )
    results = list(
        Result.objects.filter(campaign=campaign, student__in=consented)
        .select_related("student__class_group__college", "instrument")
        .order_by("student_id", "instrument__code")
    )
    instruments = sorted({result.instrument.code for result in results})
    by_student: dict = {}
    for result in results:
        by_student.setdefault(result.student_id, (result.student, {}))[1][result.instrument.code] = result
    on = timezone.localtime(campaign.opens_at).date()
    found = _first_step_reaching(k, [student for student, _scored in by_student.values()], on)
    if found is None:
        raise ReportError(
            _("This extract cannot reach k = %(k)s: %(n)s consenting students, and even the coarsest grouping "
              "leaves a group smaller than k. Nothing was exported.") % {"k": k, "n": len(by_student)}
        )  # fmt: skip
    name, step, smallest = found
    month = f"{on:%Y-%m}"
    header = ["pseudonym", *QUASI, "month"]
    for code in instruments:
        header += [f"{code}_total", f"{code}_band"]
    rows = []
    for student, scored in sorted(by_student.values(), key=lambda pair: pseudonym(study, pair[0].pk)):
        row = [pseudonym(study, student.pk), *_quasi(student, on, step), month]
        for code in instruments:
            result = scored.get(code)
            row += [result.total if result else "", (result.band or result.classification or result.severity)
                    if result else ""]  # fmt: skip
        rows.append(row)
    return Extract(header, rows, smallest, name)


def to_csv(extract: Extract) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(extract.header)
    writer.writerows(extract.rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")  # the BOM: Excel reads it as UTF-8


@transaction.atomic
def take_extract(study: ResearchStudy, campaign, *, by, k: int | None = None) -> tuple[Extract, ResearchExtract]:
    """Build the extract and record that it was taken (and the access log), or refuse."""
    if not may_run_research(by, study.school):
        raise ReportError(_("Only the psychology centre's supervisor takes a research extract."))
    if campaign.school_id != study.school_id:
        raise ReportError(_("The screening round is not this school's."))
    today = timezone.localdate()
    if not study.starts_on <= today <= study.ends_on:
        raise ReportError(
            _("The study runs from %(start)s to %(end)s.") % {"start": study.starts_on, "end": study.ends_on}
        )
    extract = build_extract(study, campaign, k)
    taken = ResearchExtract.objects.create(
        study=study, campaign=campaign, taken_by=by, rows=len(extract.rows), k_achieved=extract.k_achieved,
        generalisation=extract.step,
    )  # fmt: skip
    record(by, Event(AuditEntry.Action.EXPORT, "reports.research.extract", tier=Tier.T0,
                     detail={"study": study.pk, "campaign": campaign.pk, "rows": taken.rows,
                             "k": taken.k_achieved, "step": taken.generalisation}))  # fmt: skip
    return extract, taken


@transaction.atomic
def record_output(school, *, by, kind: str, title: str, people: str, venue: str, on) -> ResearchOutput:
    """A project, paper or academic activity for the register (第十七条)."""
    if not may_run_research(by, school):
        raise ReportError(_("Only the psychology centre's supervisor keeps the research register."))
    if kind not in ResearchOutput.Kind.values:
        raise ReportError(_("Please choose what it is: a project, a paper or an academic activity."))
    if not (title or "").strip() or not (people or "").strip() or on is None:
        raise ReportError(_("Please give its title, the people and the date."))
    output = ResearchOutput.objects.create(
        school=school, kind=kind, title=title.strip(), people=people.strip(), venue=(venue or "").strip(), on=on,
        recorded_by=by,
    )  # fmt: skip
    record(by, Event(AuditEntry.Action.CREATE, "reports.research.output", detail={"output": output.pk}))
    return output
