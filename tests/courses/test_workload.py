"""Teaching minutes for the workload statement: periods × the policy's class period, by the term's start."""

import datetime as dt

import pytest

from xinyu.courses.models import Section, SectionTeacher
from xinyu.courses.workload import teaching_minutes
from xinyu.policy.loader import policy_in_force

pytestmark = pytest.mark.django_db


def test_minutes_are_periods_times_the_class_period_by_term_start(world, records):
    period = policy_in_force().workforce.class_period_minutes
    assert period == 45
    counsellor, advisor = world.cast["counsellor"], world.cast["advisor"]
    shared = Section.objects.create(course=records["course"], term="2025-2026-1", name="共享")
    SectionTeacher.objects.create(section=shared, teacher=counsellor, class_periods=20)
    SectionTeacher.objects.create(section=shared, teacher=advisor, class_periods=12)
    spring = Section.objects.create(course=records["course"], term="2025-2026-2", name="春季")
    SectionTeacher.objects.create(section=spring, teacher=advisor, class_periods=32)
    # The first term of 2025—2026 starts on 1 August 2025, the second on 1 February 2026.
    autumn = {counsellor.pk: (32 + 20) * period, advisor.pk: 12 * period}
    assert teaching_minutes(dt.date(2025, 8, 1), dt.date(2026, 2, 1)) == autumn
    assert teaching_minutes(dt.date(2025, 8, 2), dt.date(2026, 2, 1)) == {}  # the term began the day before
    assert teaching_minutes(dt.date(2025, 1, 1), dt.date(2025, 8, 1)) == {}  # end is exclusive
    assert teaching_minutes(dt.date(2026, 2, 1), dt.date(2026, 8, 1)) == {advisor.pk: 32 * period}
    assert teaching_minutes(dt.date(2025, 1, 1), dt.date(2027, 1, 1)) == {
        counsellor.pk: (32 + 20) * period, advisor.pk: (12 + 32) * period
    }  # fmt: skip


def test_the_policy_class_period_is_used(world, records, monkeypatch):
    from dataclasses import replace  # noqa: PLC0415

    from xinyu.courses import workload  # noqa: PLC0415

    policy = policy_in_force()
    changed = replace(policy, workforce=replace(policy.workforce, class_period_minutes=40))
    monkeypatch.setattr(workload, "policy_in_force", lambda: changed)
    assert teaching_minutes(dt.date(2025, 8, 1), dt.date(2026, 2, 1)) == {world.cast["counsellor"].pk: 32 * 40}


def test_no_sections_no_minutes(db):
    assert teaching_minutes(dt.date(2000, 1, 1), dt.date(2099, 1, 1)) == {}
