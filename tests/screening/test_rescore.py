"""Re-scoring: the rules in force re-applied to stored answers, recording rules_version."""

import io
from dataclasses import replace

import pytest
from django.core.management import CommandError, call_command

from tests.screening.conftest import upi_answers
from tests.screening.test_triage import make_campaign, submit
from xinyu.care.models import Interview
from xinyu.concerns.models import ConcernReport
from xinyu.policy import loader as policy_module
from xinyu.policy.screening import DEFAULT_RULES, ScoringRules
from xinyu.screening.models import Result
from xinyu.screening.scoring import rules_version
from xinyu.screening.services import get_instrument, load_shipped_instruments
from xinyu.screening.tasks import new_job, read_progress, rescore

# 22 "yes" among the plain items: 第二类 under the default rules (20–24), 第一类 when 第一类 starts at 22.
TWENTY_TWO = (1, 2, 3, 4, 6, 7, 9, 10, 11, 12, 13, 14, 15, 17, 18, 19, 21, 22, 23, 24, 27, 28)


@pytest.fixture
def stored(world):
    campaign = make_campaign(world)
    submit(campaign, world.in_scope, {"UPI": upi_answers(yes=TWENTY_TWO), "PHQ-9": {n: 0 for n in range(1, 10)}})
    submit(campaign, world.other_class, {"UPI": upi_answers(yes=TWENTY_TWO[:5])})
    return campaign


def upi_result(student) -> Result:
    return Result.objects.get(student=student, instrument__code="UPI")


def test_unchanged_rules_change_nothing(world, stored):
    before = list(Result.objects.order_by("pk").values_list("pk", "classification", "rules_version", "scored_at"))
    progress = rescore()
    assert (progress.total, progress.done, progress.changed, progress.incomplete, progress.finished) == (
        3,
        3,
        0,
        0,
        True,
    )
    assert (
        list(Result.objects.order_by("pk").values_list("pk", "classification", "rules_version", "scored_at")) == before
    )


def test_changed_rules_change_results_and_record_the_rules_version(world, stored):
    assert upi_result(world.in_scope).classification == "class_2"
    stricter = ScoringRules(upi_class1_min_total=22)
    progress = rescore(rules=stricter, chunk=1)
    assert (progress.total, progress.changed) == (3, 2)  # both UPI results: a new rules_version
    changed = upi_result(world.in_scope)
    upi = get_instrument("UPI").parsed()
    assert changed.classification == "class_1"
    assert changed.severity == "severe"
    assert changed.rules_version == rules_version(upi, stricter)
    assert changed.rules_version != rules_version(upi, DEFAULT_RULES)
    assert changed.detail["classification"]["code"] == "class_1"
    unchanged_class = upi_result(world.other_class)
    assert (unchanged_class.classification, unchanged_class.rules_version) == ("class_3", rules_version(upi, stricter))
    # PHQ-9 reads none of the changed settings: its rules_version stays.
    phq9 = Result.objects.get(instrument__code="PHQ-9")
    assert phq9.rules_version == rules_version(get_instrument("PHQ-9").parsed(), DEFAULT_RULES)
    # Re-scoring changes results, never triage after the fact.
    assert Interview.objects.count() == 0
    assert ConcernReport.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_the_writes_go_through_the_writer_thread_and_land(world):
    """As the task runs it (autocommit): on PostgreSQL a writer thread with its own connection writes the
    batches while scoring goes on; every change lands, and a second run finds nothing left to change."""
    load_shipped_instruments()  # a transactional test's flush empties the migration's rows
    campaign = make_campaign(world)
    for student in (world.in_scope, world.other_class, world.other_college):
        submit(campaign, student, {"UPI": upi_answers(yes=TWENTY_TWO)})
    stricter = ScoringRules(upi_class1_min_total=22)
    progress = rescore(rules=stricter, chunk=1)
    assert (progress.done, progress.changed, progress.finished) == (3, 3, True)
    assert set(Result.objects.values_list("classification", flat=True)) == {"class_1"}
    assert rescore(rules=stricter).changed == 0


def test_selection_by_campaign_and_instrument(world, stored):
    other = make_campaign(world, title="专项")
    submit(other, world.other_college, {"UPI": upi_answers(yes=TWENTY_TWO)})
    stricter = ScoringRules(upi_class1_min_total=22)
    assert rescore(rules=stricter, campaign_id=other.pk).changed == 1
    assert upi_result(world.in_scope).classification == "class_2"
    assert rescore(rules=stricter, instrument_code="PHQ-9").total == 1
    assert rescore(rules=stricter, campaign_id=stored.pk, instrument_code="UPI").changed == 2
    assert upi_result(world.in_scope).classification == "class_1"


def test_progress_is_kept_under_the_job(world, stored):
    job = new_job()
    seen = []
    rescore(job=job, chunk=2, on_progress=lambda p: seen.append(p.done), everything=True)
    assert seen == [2, 3]
    progress = read_progress(job)
    assert (progress.done, progress.total, progress.finished) == (3, 3, True)


def test_results_already_under_the_current_rules_are_skipped_unless_everything_is_asked(world, stored):
    """Their rules_version hashes the rules and the scorer, so scoring them again cannot change them: they
    count as done without being read. An answer edited behind Xinyu's back shows the difference."""
    result = upi_result(world.other_class)
    answers = dict(result.response.answers)
    answers.update({str(n): 1 for n in TWENTY_TWO})  # now 22 "yes": 第二类 if it were scored again
    type(result.response).objects.filter(pk=result.response_id).update(answers=answers)
    progress = rescore()
    assert (progress.total, progress.done, progress.changed, progress.finished) == (3, 3, 0, True)
    assert upi_result(world.other_class).classification == "class_3"
    progress = rescore(everything=True)
    assert (progress.total, progress.done, progress.changed) == (3, 3, 1)
    assert upi_result(world.other_class).classification == "class_2"


def test_incomplete_answers_are_left_for_a_person(world, stored):
    result = upi_result(world.other_class)
    answers = dict(result.response.answers)
    answers.pop("3")
    type(result.response).objects.filter(pk=result.response_id).update(answers=answers)
    progress = rescore(rules=ScoringRules(upi_class1_min_total=22))
    assert progress.incomplete == 1
    assert upi_result(world.other_class).rules_version == result.rules_version


def test_command_runs_the_task_with_the_policy_rules(world, stored, monkeypatch):
    stricter = policy_module.DEFAULT_SCREENING.__class__(scoring=ScoringRules(upi_class1_min_total=22))
    real = policy_module.policy_in_force

    def with_stricter(on=None):

        return replace(real(on), screening=stricter)

    monkeypatch.setattr("xinyu.screening.tasks.policy_in_force", with_stricter)
    out = io.StringIO()
    call_command("rescore", "--instrument", "UPI", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("重新计分任务 ")
    assert lines[-1] == "完成：已处理 2/2，结果有变化 2"
    assert upi_result(world.in_scope).classification == "class_1"


def test_command_inline_prints_progress(world, stored):
    out = io.StringIO()
    call_command("rescore", "--inline", "--campaign", str(stored.pk), stdout=out)
    assert out.getvalue().splitlines() == ["已处理 3/3，结果有变化 0", "完成：已处理 3/3，结果有变化 0"]


@pytest.mark.parametrize(
    "args,message", [(["--campaign", "999"], "找不到测评任务 999"), (["--instrument", "XX"], "找不到量表 XX")]
)
def test_command_errors(world, args, message):
    with pytest.raises(CommandError) as caught:
        call_command("rescore", *args)
    assert str(caught.value) == message
