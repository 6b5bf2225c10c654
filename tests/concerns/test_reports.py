"""A concern report's moves: taken (once), then handled as no crisis or as a crisis, from each status."""

import itertools

import pytest

from tests.concerns.conftest import OFFICE_TIME
from tests.helpers import freeze_time
from xinyu.concerns.errors import ConcernError
from xinyu.concerns.models import ConcernReport
from xinyu.concerns.services import reports

pytestmark = pytest.mark.django_db

Status = ConcernReport.Status

# service -> (how to call it, {status it works from: the statuses it takes the report through}). Triage takes
# a new report first: new, taken, handled.
REPORT_SERVICES = {
    "acknowledge": (
        lambda r, w: reports.acknowledge_report(r, by=w.cast["advisor"]),
        {Status.NEW: (Status.ACKNOWLEDGED,)},
    ),
    "no_crisis": (
        lambda r, w: reports.triage_report(r, by=w.cast["advisor"], crisis_level=None, note="谈心后情绪平稳"),
        {Status.NEW: (Status.ACKNOWLEDGED, Status.NO_CRISIS), Status.ACKNOWLEDGED: (Status.NO_CRISIS,)},
    ),
    "crisis": (
        lambda r, w: reports.triage_report(r, by=w.cast["advisor"], crisis_level="B", note="情绪很不稳定"),
        {Status.NEW: (Status.ACKNOWLEDGED, Status.CRISIS), Status.ACKNOWLEDGED: (Status.CRISIS,)},
    ),
}


def test_the_table_holds_the_moves_of_taking_and_handling():
    made = set()
    for _call, works in REPORT_SERVICES.values():
        for current, path in works.items():
            made |= set(itertools.pairwise((current, *path)))
    declared = {pair for pair in ConcernReport.MOVES.pairs() if ConcernReport.MOVES.allows(*pair)}
    assert made == declared
    assert ConcernReport.MOVES.final() == {Status.NO_CRISIS, Status.CRISIS}


@freeze_time(OFFICE_TIME)
@pytest.mark.parametrize("current", Status.values)
@pytest.mark.parametrize("service", REPORT_SERVICES)
def test_taking_and_triage_move_a_report_as_the_table_says(crisis_world, service, current):
    w = crisis_world
    report = reports.submit_report(
        w.cast["dorm_leader"], w.in_scope, category="self_harm", urgency="urgent", description="说了不想活了",
        place="1号楼101",
    )  # fmt: skip
    ConcernReport.objects.filter(pk=report.pk).update(status=current)
    report.refresh_from_db()
    call, works = REPORT_SERVICES[service]
    if current in works:
        call(report, w)
        report.refresh_from_db()
        assert report.status == works[current][-1]
    elif service == "acknowledge":
        call(report, w)  # taking a report someone has taken changes nothing
        report.refresh_from_db()
        assert report.status == current
    else:
        with pytest.raises(ConcernError, match="already been handled"):
            call(report, w)
        report.refresh_from_db()
        assert report.status == current
