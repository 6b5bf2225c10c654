import datetime as dt

import pytest
from django.utils import timezone

from xinyu.referrals import services
from xinyu.referrals.models import ReturnAssessment

DIAGNOSIS = "中度抑郁发作-机密诊断"
MEDICATION = "舍曲林50mg-机密用药"
STATEMENT = "住院治疗建议-机密证明"
FITNESS = "可以复学-机密证明"


@pytest.fixture
def referral(world):
    """A referral of `in_scope`, planned by the mental-health advisor, outcome and T4 text by the counsellor."""
    cast = world.cast
    referral = services.create_referral(
        world.in_scope, by=cast["mental_health_advisor"], destination="衢州市第三医院（衢州市精神卫生中心）",
        planned_at=timezone.now() - dt.timedelta(days=1), urgency="urgent", reason="持续失眠两个月",
        escorts=[cast["advisor"]], family_escorts="母亲",
    )  # fmt: skip
    return services.record_outcome(
        referral, by=cast["counsellor"], outcome="outpatient", outcome_note="门诊就诊",
        follow_up_plan="每周谈心一次", diagnosis_summary=DIAGNOSIS, medication=MEDICATION,
    )  # fmt: skip


@pytest.fixture
def leave(world):
    """`in_scope` on leave, with a hospital statement whose summary the counsellor recorded."""
    today = timezone.localdate()
    return services.start_leave(
        world.in_scope, by=world.cast["counsellor"], applied_on=today - dt.timedelta(days=40),
        reason_summary="住院治疗", starts_on=today - dt.timedelta(days=35),
        expected_return_on=today + dt.timedelta(days=10), statement_received_on=today - dt.timedelta(days=41),
        statement_hospital="衢州市第三医院", statement_summary=STATEMENT,
    )  # fmt: skip


def do_item(code, leave, cast, *, result=ReturnAssessment.Result.FIT):
    """Record one gate item by the right person."""
    today = timezone.localdate()
    match code:
        case "fitness":
            return services.record_fitness_statement(
                leave, by=cast["counsellor"], dated=today, hospital="衢州市第三医院", summary=FITNESS
            )
        case "assessment":
            return services.record_return_assessment(leave, by=cast["counsellor"], result=result, note="评估")
        case "parents":
            return services.record_parents_agreement(
                leave, by=cast["mental_health_advisor"], agreed_on=today, contacts=[("张父", "父亲", "13900000001")]
            )
        case "sign_off":
            return services.sign_off_return(leave, by=cast["college_leader"], note="同意")
    raise ValueError(code)
