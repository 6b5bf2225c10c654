"""The crisis board for the psychology centre and 学工部: open cases by level and college, overdue steps,
time to first acknowledgement. Drills are counted apart, labelled 演练, and never in the statistics."""

import datetime as dt
import statistics
from dataclasses import dataclass

from django import forms
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, F, Q
from django.http import QueryDict
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from xinyu.common.access import requires
from xinyu.concerns import queries, scope
from xinyu.concerns.models import CaseStep, ConcernReport, CrisisCase
from xinyu.concerns.views.reports import case_url
from xinyu.org.access_log import Read, read_event, record_reads
from xinyu.org.models import Post
from xinyu.org.scope import Tier

LEVELS = [level for level, _label in CrisisCase.Level.choices]
ACK_WINDOW = dt.timedelta(days=30)
OVERDUE_SHOWN = 50
CASES_PAGE = 50


@dataclass
class AckTimes:
    """Time from a report to its first acknowledgement over the window (drills excluded)."""

    reports: int
    acknowledged: int
    median: dt.timedelta | None
    worst: dt.timedelta | None
    late: int
    waiting: int


def human_duration(span: dt.timedelta | None) -> str:
    if span is None:
        return "—"
    minutes = max(0, round(span.total_seconds() / 60))
    hours, minutes = divmod(minutes, 60)
    if hours >= 24:
        days, hours = divmod(hours, 24)
        return _("%(days)d d %(hours)d h") % {"days": days, "hours": hours}
    if hours:
        return _("%(hours)d h %(minutes)d min") % {"hours": hours, "minutes": minutes}
    return _("%(minutes)d min") % {"minutes": minutes}


def ack_times(user, now: dt.datetime) -> AckTimes:
    reports = ConcernReport.objects.filter(
        pk__in=scope.reports_for(user).values("pk"), created_at__gte=now - ACK_WINDOW
    )
    rows = queries.real_reports(reports).values_list(
        "created_at", "ack__acknowledged_at", "ack__due_at", "ack__cancelled_at"
    )
    spans, late, waiting, total = [], 0, 0, 0
    for created_at, acknowledged_at, due_at, cancelled_at in rows:
        total += 1
        if acknowledged_at is not None:
            spans.append(acknowledged_at - created_at)
            late += bool(due_at and acknowledged_at > due_at)
        elif cancelled_at is None:
            waiting += 1
    return AckTimes(
        reports=total,
        acknowledged=len(spans),
        median=statistics.median(spans) if spans else None,
        worst=max(spans) if spans else None,
        late=late,
        waiting=waiting,
    )


def _level_counts(cases) -> dict:
    counts = dict.fromkeys(LEVELS, 0)
    counts.update(dict(cases.values_list("level").annotate(n=Count("pk")).order_by()))
    counts["total"] = sum(counts[level] for level in LEVELS)
    return counts


def _by_college(cases) -> list[dict]:
    rows: dict = {}
    grouped = (
        cases.values("student__class_group__college_id", "student__class_group__college__name", "level")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in grouped:
        college = rows.setdefault(
            row["student__class_group__college_id"],
            {
                "id": row["student__class_group__college_id"],
                "name": row["student__class_group__college__name"],
                "levels": dict.fromkeys(LEVELS, 0),
                "total": 0,
            },
        )
        college["levels"][row["level"]] += row["n"]
        college["total"] += row["n"]
    for college in rows.values():
        college["cells"] = [college["levels"][level] for level in LEVELS]
    return sorted(rows.values(), key=lambda college: (-college["total"], college["name"]))


class CaseFilter(forms.Form):
    college = forms.TypedChoiceField(label=gettext_lazy("College"), required=False, coerce=int, empty_value=None)
    level = forms.ChoiceField(label=gettext_lazy("Level"), required=False)
    overdue = forms.BooleanField(label=gettext_lazy("With overdue steps only"), required=False)

    def __init__(self, data, colleges: list[dict]):
        super().__init__(data)
        everyone = pgettext_lazy("any value", "All")
        self.fields["college"].choices = [("", everyone), *((college["id"], college["name"]) for college in colleges)]
        self.fields["level"].choices = [("", everyone), *CrisisCase.Level.choices]


def board_data(user, *, page_number=None, params=None, now: dt.datetime | None = None) -> dict:
    """The board; `params` (a QueryDict) filters the open cases' list by college, level and overdue steps
    (an invalid filter is shown with its error and filters nothing)."""
    now = now or timezone.now()
    visible = CrisisCase.objects.filter(pk__in=scope.cases_for(user).values("pk"))
    open_cases = visible.filter(status=CrisisCase.Status.OPEN)
    real, drills = queries.real_cases(open_cases), queries.drill_cases(open_cases)
    overdue_filter = Q(completed_at__isnull=True, superseded_at__isnull=True, due_at__lt=now)
    overdue = CaseStep.objects.filter(overdue_filter, case__in=open_cases)
    overdue_steps = list(
        overdue.select_related("case__student__class_group__college", "assignee").order_by("due_at", "pk")[
            :OVERDUE_SHOWN
        ]
    )
    for step in overdue_steps:
        step.late_by = human_duration(now - step.due_at)
        step.url = case_url(step.case_id)
    cases = open_cases.select_related("student__class_group__college", "organiser").annotate(
        overdue_steps=Count(
            "steps",
            filter=Q(steps__completed_at__isnull=True, steps__superseded_at__isnull=True, steps__due_at__lt=now),
        )
    )
    colleges = _by_college(real)
    form = CaseFilter(params or {}, colleges)
    if form.is_valid():
        wanted = form.cleaned_data
        if wanted["college"] is not None:
            cases = cases.filter(student__class_group__college_id=wanted["college"])
        if wanted["level"]:
            cases = cases.filter(level=wanted["level"])
        if wanted["overdue"]:
            cases = cases.filter(overdue_steps__gt=0)
    # The urgent levels first (C and D: the letters sort so), then those with overdue steps, the oldest first.
    ordered = cases.order_by("-level", F("overdue_steps").desc(), "opened_at", "pk")
    page = Paginator(ordered, CASES_PAGE).get_page(page_number)
    query = params.copy() if params is not None else QueryDict(mutable=True)
    query.pop("page", None)
    for case in page:
        case.url = case_url(case.pk)
    times = ack_times(user, now)
    return {
        "levels": LEVELS,
        "level_counts": _level_counts(real),
        "drill_counts": _level_counts(drills),
        "colleges": colleges,
        "form": form,
        "query": query.urlencode(),
        "overdue_steps": overdue_steps,
        "overdue_total": overdue.count(),
        "ack_times": times,
        "ack_median": human_duration(times.median),
        "ack_worst": human_duration(times.worst),
        "page": page,
    }


@requires(scope.may_view_crisis_board, "crisis_board")
def board(request):
    context = board_data(request.user, page_number=request.GET.get("page"), params=request.GET)
    students = {case.student.pk: case.student for case in context["page"]}
    students.update({step.case.student.pk: step.case.student for step in context["overdue_steps"]})
    board_posts = sorted(scope.posts_of(request.user) & (scope.CENTRE_POSTS | {Post.STUDENT_AFFAIRS_STAFF}))
    post = board_posts[0] if board_posts else ""
    # Open crises and their levels are T2 data about each student named: audited with the read.
    with transaction.atomic():
        record_reads(
            request,
            [read_event(Read.CRISIS_BOARD, student=student, tier=Tier.T2, post=post) for student in students.values()],
        )
        return render(request, "concerns/board.html", context)
