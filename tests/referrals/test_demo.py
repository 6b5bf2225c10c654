"""The demo seed for referral, leave and return: what it makes, deterministic by seed."""

import pytest
from django.db import transaction

from xinyu.care.models import Interview
from xinyu.org.models import Student
from xinyu.referrals.demo import seed_referrals
from xinyu.referrals.models import Leave, Referral
from xinyu.referrals.services import missing_items


class Rollback(Exception):
    pass


def _picks(result):
    return (
        [r.student.student_number for r in result.referrals],
        result.on_leave.student.student_number,
        result.returned.student.student_number,
    )


def test_seed_makes_referrals_a_half_done_gate_and_a_return(world):
    result = seed_referrals(world.school, 3)
    done, planned = result.referrals
    assert done.status == Referral.Status.OUTCOME and done.medication and done.diagnosis_summary and done.green_channel
    assert planned.status == Referral.Status.PLANNED
    on_leave = result.on_leave
    assert on_leave.status == Leave.Status.ON_LEAVE
    assert on_leave.student.status == Student.Status.ON_LEAVE
    assert [item.code for item in missing_items(on_leave)] == ["assessment", "sign_off"]
    returned = result.returned
    assert returned.status == Leave.Status.RETURNED and returned.assessments.count() == 2
    assert Student.objects.get(pk=returned.student_id).status == Student.Status.ENROLLED
    assert Interview.objects.filter(student=returned.student, source=Interview.Source.RETURN_FROM_LEAVE).count() == 9
    assert len({on_leave.student_id, returned.student_id, done.student_id, planned.student_id}) == 4


def test_seed_is_deterministic(world):
    picks = []
    for _ in range(2):
        with pytest.raises(Rollback), transaction.atomic():
            picks.append(_picks(seed_referrals(world.school, 5)))
            raise Rollback
    assert picks[0] == picks[1]
