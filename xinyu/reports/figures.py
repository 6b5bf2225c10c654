"""The figures of a college's monthly report, assembled from what Xinyu records (第十一条). Counts only: no
student is named. Counselling is the centre's alone and is not in a college's report. Drills are left out.

The keys are English and stable (the README documents them; `manage.py monthly_report --format json`
prints them); the pages and the Word file put them into words through `rows`.
"""

import datetime as dt
import math
from collections import Counter

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from xinyu.audit.services import SYSTEM_USERNAME
from xinyu.care.models import CheckIn, CheckInAssignment, Interview, RegistryEntry
from xinyu.concerns.models import ConcernReport, CrisisCase
from xinyu.org.models import Appointment, Post, Student
from xinyu.referrals.models import Leave, Referral
from xinyu.screening.models import Campaign, Participation

LEVELS = tuple(CrisisCase.Level.values)
REPORT_SOURCES = ("dorm", "class", "self", "screening", "other")
CLASS_POSTS = (Post.HEAD_TEACHER, Post.ADVISOR, Post.WELLBEING_REP)


def parse_month(text: str) -> dt.date:
    """'2026-11' → 1 Nov 2026; ValueError otherwise."""
    return dt.datetime.strptime(text or "", "%Y-%m").date()


def month_start(month: dt.date) -> dt.date:
    return month.replace(day=1)


def next_month(month: dt.date) -> dt.date:
    return (month_start(month) + dt.timedelta(days=32)).replace(day=1)


def bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The month as [start, end) in the school's time zone."""
    zone = timezone.get_current_timezone()
    return (
        dt.datetime.combine(month_start(month), dt.time(), tzinfo=zone),
        dt.datetime.combine(next_month(month), dt.time(), tzinfo=zone),
    )


def _report_sources(reports) -> Counter:
    """Who raised each report: a dorm leader, someone in the class (head teacher, advisor, wellbeing rep),
    the student themself, a screening (the system account), or anyone else."""
    reporters = {report.reporter_id for report in reports}
    posts: dict[int, set] = {}
    for person_id, post in Appointment.objects.filter(person_id__in=reporters).values_list("person_id", "post"):
        posts.setdefault(person_id, set()).add(post)
    counted = Counter()
    for report in reports:
        held = posts.get(report.reporter_id, set())
        if report.reporter.username == SYSTEM_USERNAME:
            counted["screening"] += 1
        elif report.reporter_id == report.student.user_id:
            counted["self"] += 1
        elif Post.DORM_LEADER in held:
            counted["dorm"] += 1
        elif held & set(CLASS_POSTS):
            counted["class"] += 1
        else:
            counted["other"] += 1
    return counted


def _concern_reports(college, start, end) -> dict:
    reports = list(
        ConcernReport.objects.filter(
            student__class_group__college=college, created_at__gte=start, created_at__lt=end, is_drill=False
        ).select_related("reporter", "student")
    )
    sources = _report_sources(reports)
    outcomes = Counter(
        "crisis" if report.status == ConcernReport.Status.CRISIS
        else "no_crisis" if report.status == ConcernReport.Status.NO_CRISIS
        else "open"
        for report in reports
    )  # fmt: skip
    return {
        "total": len(reports),
        "by_source": {source: sources[source] for source in REPORT_SOURCES},
        "by_outcome": {outcome: outcomes[outcome] for outcome in ("crisis", "no_crisis", "open")},
    }


def _by_level(cases) -> dict:
    counted = Counter(cases.values_list("level", flat=True))
    return {level: counted[level] for level in LEVELS}


def _crisis_cases(college, start, end) -> dict:
    cases = CrisisCase.objects.filter(student__class_group__college=college, is_drill=False)
    return {
        "opened": _by_level(cases.filter(opened_at__gte=start, opened_at__lt=end)),
        "closed": _by_level(cases.filter(closed_at__gte=start, closed_at__lt=end)),
        "open_at_month_end": cases.filter(opened_at__lt=end).filter(Q(closed_at__isnull=True) | Q(closed_at__gte=end))
        .count(),
    }  # fmt: skip


def _registry(college, start, end) -> dict:
    entries = RegistryEntry.objects.filter(student__class_group__college=college)
    return {
        "added": entries.filter(confirmed_at__gte=start, confirmed_at__lt=end).count(),
        "removed": entries.filter(removed_at__gte=start, removed_at__lt=end).count(),
        "active_at_month_end": entries.filter(confirmed_at__lt=end)
        .filter(Q(removed_at__isnull=True) | Q(removed_at__gte=end))
        .count(),
    }


def _interviews(college, first: dt.date, following: dt.date, end) -> dict:
    interviews = Interview.objects.filter(student__class_group__college=college).filter(
        Q(case__isnull=True) | Q(case__is_drill=False)
    )
    return {
        "due": interviews.filter(due_on__gte=first, due_on__lt=following).count(),
        "done": interviews.filter(conducted_at__gte=bounds(first)[0], conducted_at__lt=end).count(),
        "overdue_at_month_end": interviews.filter(due_on__lt=following)
        .filter(Q(conducted_at__isnull=True) | Q(conducted_at__gte=end))
        .count(),
    }


def _check_ins(college, start, end) -> dict:
    """Due: for each dorm check-in assignment, the whole periods of its cadence it ran within the month."""
    due = 0
    assignments = CheckInAssignment.objects.filter(student__class_group__college=college, started_at__lt=end).filter(
        Q(ended_at__isnull=True) | Q(ended_at__gt=start)
    )
    for assignment in assignments:
        running = min(assignment.ended_at or end, end) - max(assignment.started_at, start)
        due += math.floor(running / dt.timedelta(days=assignment.every_days))
    done = CheckIn.objects.filter(assignment__student__class_group__college=college, at__gte=start, at__lt=end).count()
    return {"due": due, "done": done}


def _referrals_and_leave(college, first: dt.date, following: dt.date, start, end) -> dict:
    students = Q(student__class_group__college=college)
    return {
        "referrals": Referral.objects.filter(students, created_at__gte=start, created_at__lt=end).count(),
        "leaves_started": Leave.objects.filter(students, starts_on__gte=first, starts_on__lt=following).count(),
        "returns": Leave.objects.filter(students, returned_on__gte=first, returned_on__lt=following).count(),
    }


def _screening(college, start, end) -> list[dict]:
    """Each screening round open during the month: the college's students invited and those who answered."""
    rounds = []
    for campaign in Campaign.objects.filter(school_id=college.school_id, opens_at__lt=end, closes_at__gt=start):
        participations = Participation.objects.filter(campaign=campaign, student__class_group__college=college)
        invited = participations.count()
        if invited:
            submitted = participations.filter(status=Participation.Status.SUBMITTED).count()
            rounds.append({"campaign": campaign.title, "invited": invited, "submitted": submitted})
    return rounds


def monthly_figures(college, month: dt.date) -> dict:
    """Everything the college's report counts for `month` (see the module's docstring)."""
    first, following = month_start(month), next_month(month)
    start, end = bounds(month)
    return {
        "college": college.code,
        "month": f"{first:%Y-%m}",
        "students_on_roll": Student.objects.filter(
            class_group__college=college, status=Student.Status.ENROLLED
        ).count(),
        "concern_reports": _concern_reports(college, start, end),
        "crisis_cases": _crisis_cases(college, start, end),
        "registry": _registry(college, start, end),
        "interviews": _interviews(college, first, following, end),
        "check_ins": _check_ins(college, start, end),
        **_referrals_and_leave(college, first, following, start, end),
        "screening": _screening(college, start, end),
    }


def figure_rows() -> tuple:
    """The figures in words, in the order a college office lists them: (label, path into the figures), in
    the language of the request."""
    return (
        (_("Students on roll"), ("students_on_roll",)),
        (_("Concern reports"), ("concern_reports", "total")),
        (_("… from dorm leaders"), ("concern_reports", "by_source", "dorm")),
        (_("… from the class (head teacher, advisor, wellbeing rep)"), ("concern_reports", "by_source", "class")),
        (_("… from the students themselves"), ("concern_reports", "by_source", "self")),
        (_("… from screening"), ("concern_reports", "by_source", "screening")),
        (_("… from others"), ("concern_reports", "by_source", "other")),
        (_("Reports judged a crisis"), ("concern_reports", "by_outcome", "crisis")),
        (_("Reports judged no crisis"), ("concern_reports", "by_outcome", "no_crisis")),
        (_("Reports still being handled"), ("concern_reports", "by_outcome", "open")),
        *(
            (_("Crisis cases opened at level %(level)s") % {"level": level}, ("crisis_cases", "opened", level))
            for level in LEVELS
        ),
        *(
            (_("Crisis cases closed at level %(level)s") % {"level": level}, ("crisis_cases", "closed", level))
            for level in LEVELS
        ),
        (_("Crisis cases open at month end"), ("crisis_cases", "open_at_month_end")),
        (_("Key-concern registry: added"), ("registry", "added")),
        (_("Key-concern registry: removed"), ("registry", "removed")),
        (_("Key-concern registry: on it at month end"), ("registry", "active_at_month_end")),
        (_("Interviews due"), ("interviews", "due")),
        (_("Interviews held"), ("interviews", "done")),
        (_("Interviews overdue at month end"), ("interviews", "overdue_at_month_end")),
        (_("Dorm check-ins due"), ("check_ins", "due")),
        (_("Dorm check-ins done"), ("check_ins", "done")),
        (_("Referrals"), ("referrals",)),
        (_("Leaves of absence started"), ("leaves_started",)),
        (_("Returns from leave"), ("returns",)),
    )


def figure(figures: dict, path: tuple) -> int | None:
    value = figures
    for key in path:
        if not isinstance(value, dict) or key not in value:
            return None
        value = value[key]
    return value


def rows(figures: dict) -> list[tuple[str, int | None]]:
    """(label, value) of every figure, in words."""
    return [(str(label), figure(figures, path)) for label, path in figure_rows()]
