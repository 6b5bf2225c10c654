"""The crisis invariants (no alert lost or unowned), their command and their alert to 学工部; and the back
office, where 学工部 and the centre look the broken records up (read-only, scoped, audited)."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.concerns.conftest import NIGHT_TIME, OFFICE_TIME
from tests.helpers import freeze_time
from xinyu.concerns import escalation, invariants
from xinyu.concerns.models import Acknowledgement, AckRecipient, CaseStep, CrisisCase
from xinyu.concerns.services import cases, reports
from xinyu.notify.models import Notification

pytestmark = pytest.mark.django_db
MIN = dt.timedelta(minutes=1)


def report(world, student, urgency="normal"):
    return reports.submit_report(
        world.cast["head_teacher"], student, category="emotional_change", urgency=urgency,
        description="最近情绪低落", place="教室",
    )  # fmt: skip


def kinds(problems) -> set[tuple[str, int]]:
    return {(problem.kind, problem.object_id) for problem in problems}


def run_command(*args) -> tuple[str, CommandError | None]:
    out = StringIO()
    try:
        call_command("check_crisis_invariants", *args, stdout=out)
    except CommandError as error:
        return out.getvalue(), error
    return out.getvalue(), None


def test_a_healthy_database_keeps_every_invariant(crisis_world):
    w = crisis_world
    with freeze_time(OFFICE_TIME):
        report(w, w.in_scope, "urgent")
        cases.open_case(w.other_class, "A", by=w.cast["advisor"], reason="适应问题")
    # Due work that the clock handles in time is no problem: due 10:20, checked 10:20:59.
    with freeze_time(OFFICE_TIME + 20 * MIN + dt.timedelta(seconds=59)):
        assert invariants.check() == []
        output, error = run_command()
    assert error is None and output.strip()


@freeze_time(OFFICE_TIME + 30 * MIN)
def test_the_command_finds_every_kind_of_break_and_exits_non_zero(crisis_world):
    w = crisis_world
    with freeze_time(OFFICE_TIME):
        case = cases.open_case(w.in_scope, "B", by=w.cast["advisor"], reason="倾向明显")
        late = report(w, w.other_class)
        lonely = report(w, w.other_college)
    CrisisCase.objects.filter(pk=case.pk).update(organiser=None)
    watch = case.steps.get(code="watch")
    CaseStep.objects.filter(pk=watch.pk).update(assignee=None)
    Acknowledgement.objects.filter(report=late).update(next_action_at=OFFICE_TIME + 25 * MIN)  # 5 minutes past
    AckRecipient.objects.filter(ack__report=lonely).delete()

    problems = invariants.check()
    assert kinds(problems) == {
        (invariants.CASE_WITHOUT_ORGANISER, case.pk),
        (invariants.STEP_WITHOUT_ASSIGNEE, watch.pk),
        (invariants.ACK_NOT_ESCALATED, late.ack.pk),
        (invariants.REPORT_WITHOUT_RECIPIENT, lonely.pk),
    }
    output, error = run_command()
    assert error is not None
    lines = output.strip().splitlines()
    assert len(lines) == 4
    for number in (f"#{case.pk}", f"#{late.pk}", f"#{lonely.pk}", f"#{late.ack.pk}", watch.code):
        assert number in output
    # Records by number only: no student's name or number in what is printed or logged.
    for student in (w.in_scope, w.other_class, w.other_college):
        assert student.name not in output and student.student_number not in output


@pytest.mark.parametrize(("seconds", "broken"), [(60, False), (61, True)])
def test_an_item_counts_as_not_escalated_after_a_minute(crisis_world, seconds, broken):
    w = crisis_world
    with freeze_time(OFFICE_TIME):
        ack = report(w, w.in_scope, "urgent").ack
    with freeze_time(ack.next_action_at + dt.timedelta(seconds=seconds)):
        assert kinds(invariants.check()) == ({(invariants.ACK_NOT_ESCALATED, ack.pk)} if broken else set())


def test_taken_cancelled_and_closed_items_are_no_problem(crisis_world):
    w = crisis_world
    with freeze_time(OFFICE_TIME):
        taken = report(w, w.in_scope, "urgent")
        reports.acknowledge_report(taken, by=w.cast["advisor"])
        case = cases.open_case(w.other_class, "B", by=w.cast["advisor"], reason="倾向")
    with freeze_time(OFFICE_TIME + 5 * MIN):
        cases.raise_level(case, by=w.cast["advisor"], to_level="C", reason="自伤")  # B's steps superseded
    CaseStep.objects.filter(case=case, superseded_at__isnull=False).update(assignee=None)
    with freeze_time(OFFICE_TIME + 6 * MIN):
        assert invariants.check() == []


def test_the_clock_repairs_what_a_stopped_clock_left(crisis_world):
    w = crisis_world
    with freeze_time(NIGHT_TIME):
        cases.open_case(w.in_scope, "D", by=w.cast["advisor"], reason="危及生命")
    with freeze_time(NIGHT_TIME + 40 * MIN):
        assert {p.kind for p in invariants.check()} == {invariants.ACK_NOT_ESCALATED}
        escalation.tick()
        assert invariants.check() == []


def test_broken_invariants_tell_student_affairs_once(crisis_world):
    w = crisis_world
    with freeze_time(OFFICE_TIME):
        case = cases.open_case(w.in_scope, "B", by=w.cast["advisor"], reason="倾向明显")
        drill = cases.open_case(w.other_class, "A", by=w.cast["counsellor"], reason="演练", is_drill=True)
    CrisisCase.objects.filter(pk__in=[case.pk, drill.pk]).update(organiser=None)
    with freeze_time(OFFICE_TIME + MIN):
        problems = invariants.run_check()
        again = invariants.run_check()
    assert (
        kinds(problems)
        == kinds(again)
        == {
            (invariants.CASE_WITHOUT_ORGANISER, case.pk),
            (invariants.CASE_WITHOUT_ORGANISER, drill.pk),
        }
    )
    items = Notification.objects.filter(dedupe_key__startswith="invariant:")
    assert {(n.recipient.full_name, n.link, n.urgent) for n in items} == {
        ("蒋学工", f"/concerns/cases/{case.pk}/", True),
        ("蒋学工", f"/concerns/cases/{drill.pk}/", True),
    }
    assert {n.drill for n in items} == {True, False}
    for item in items:
        assert w.in_scope.name not in item.title + item.body and w.other_class.name not in item.title + item.body
    # The next day it is told again, as long as it stays broken.
    with freeze_time(OFFICE_TIME + dt.timedelta(days=1)):
        invariants.run_check()
    assert Notification.objects.filter(dedupe_key__startswith="invariant:case_without_organiser:").count() == 4


def test_the_command_can_tell_student_affairs_too(crisis_world):
    w = crisis_world
    with freeze_time(OFFICE_TIME):
        case = cases.open_case(w.in_scope, "A", by=w.cast["advisor"], reason="适应问题")
    CrisisCase.objects.filter(pk=case.pk).update(organiser=None)
    run_command()
    assert not Notification.objects.filter(dedupe_key__startswith="invariant:").exists()
    output, error = run_command("--notify")
    assert error is not None and f"#{case.pk}" in output
    assert set(
        Notification.objects.filter(dedupe_key__startswith="invariant:").values_list("recipient__full_name", flat=True)
    ) == {"蒋学工"}
