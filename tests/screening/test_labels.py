"""Scoring's codes in words: bands, classifications, severities and flags read as their definition and the
catalogue say, in the reader's language; the results export and a task's reason carry the words."""

import re

import pytest
from django.utils import translation

from tests.screening.conftest import upi_answers
from tests.screening.test_triage import make_campaign, phq9, submit
from xinyu.screening import labels
from xinyu.screening.definition import SEVERITIES
from xinyu.screening.results import export_row
from xinyu.screening.triage import triage_submission

pytestmark = pytest.mark.django_db
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def test_every_severity_has_chinese_words():
    with translation.override("zh-hans"):
        for severity in SEVERITIES:
            assert CHINESE.search(labels.severity_label(severity)), severity


def test_a_result_reads_in_its_definitions_words(world):
    _participation, results = submit(
        make_campaign(world), world.in_scope, {"PHQ-9": phq9(21, item9=2), "UPI": upi_answers(yes=[25])}
    )
    phq, upi = sorted(results, key=lambda result: result.instrument.code)
    with translation.override("zh-hans"):
        assert labels.outcome_label(phq) == "重度抑郁"
        assert labels.outcome_label(upi) == "第一类"
        assert labels.flag_label(phq, "suicidal_ideation") == "第 9 题：有不如死掉或伤害自己的念头"
        row = export_row(phq)
        assert "重度抑郁" in row and "重度" in row
        assert not {"severe", "suicidal_ideation"} & set(row)
    with translation.override("en"):
        assert labels.outcome_label(phq) == "Severe"
        assert labels.outcome_label(upi) == "Class I"
    assert labels.flag_label(phq, "no_such_flag") == "no_such_flag"  # not in the definition: as stored


def test_a_tasks_reason_and_the_red_flag_report_are_written_in_words(world):
    participation, results = submit(make_campaign(world), world.in_scope, {"PHQ-9": phq9(21, item9=2)})
    with translation.override("zh-hans"):
        outcome = triage_submission(participation, results)
    assert outcome.interview.reason == "患者健康问卷抑郁量表（PHQ-9）：重度抑郁（严重程度：重度）"
    assert "患者健康问卷抑郁量表（PHQ-9）：第 9 题：有不如死掉或伤害自己的念头" in outcome.report.restricted_detail
    assert not re.search(r"severe|suicidal_ideation", outcome.interview.reason + outcome.report.restricted_detail)
