"""Retention for the centre and 学工部 (`scope.may_view_retention`; everyone else gets 404): what would be
archived and destroyed, year by year (a dry run that changes and records nothing), and the runs so far.
Counts only, of the reader's school: no student is named. The runs are the whole system's (one run covers
every school). Runs are made by `manage.py apply_retention` (the technical
administrator's schedule), never from this page."""

from django.shortcuts import render
from django.views.decorators.http import require_GET

from xinyu.common.access import requires
from xinyu.privacy import scope
from xinyu.privacy.models import RetentionRun
from xinyu.privacy.retention import forecast, kind_label

RUNS_SHOWN = 50


def _kinds(records: dict) -> list[tuple[str, int]]:
    return sorted(((kind_label(kind), count) for kind, count in records.items() if count), key=lambda row: -row[1])


@requires(scope.may_view_retention, "retention")
@require_GET
def retention(request):
    plan = forecast(schools=scope.retention_schools_for(request.user))
    runs = list(RetentionRun.objects.order_by("-ran_at", "-pk")[:RUNS_SHOWN])
    context = {
        "plan": plan,
        "years": [(year, _kinds(year.records)) for year in plan.years],
        "runs": [(run, _kinds(run.records), run.policy_key.rpartition("@")[2]) for run in runs],
    }
    return render(request, "privacy/retention.html", context)
