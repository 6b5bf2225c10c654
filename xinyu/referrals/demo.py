"""Referral, leave and return in the demo college.

- two referrals: one to the first green-channel hospital, gone, with its outcome, a follow-up plan and (by
  the centre's counsellor) a diagnosis summary and medication; one planned for the coming days;
- a student on leave whose return gate is half done (the hospital's statement of fitness and the parents'
  agreement with emergency contacts; the centre's assessment and the college's sign-off still to come);
- a student who went through the whole gate and is back, with the follow-ups scheduled.

Everything goes through the services, so the access log, status changes and follow-ups are the real ones.
The students are drawn with `random.Random(seed)` from the demo college (or the whole school when it has no
such college), never the demo accounts' own students; the people are those responsible for each student.
"""

import datetime as dt
import random
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from xinyu.org.demo.accounts import ACCOUNT, DEMO_COLLEGE, DEMO_STUDENT_KEYS, current_intake
from xinyu.org.models import Student
from xinyu.org.responsibility import holders_of
from xinyu.referrals import services
from xinyu.referrals.models import Leave, Referral, ReturnAssessment


@dataclass
class DemoReferrals:
    referrals: list[Referral] = field(default_factory=list)
    on_leave: Leave | None = None
    returned: Leave | None = None


def _candidates(school) -> list[Student]:
    intake = current_intake(timezone.localdate())
    own = [ACCOUNT[key].username.format(intake=intake) for key in DEMO_STUDENT_KEYS]
    students = (
        Student.objects.filter(school=school, status=Student.Status.ENROLLED)
        .exclude(student_number__in=own)
        .select_related("class_group__college")
        .order_by("student_number")
    )
    in_demo_college = [s for s in students if s.class_group.college.name == DEMO_COLLEGE]
    return in_demo_college or list(students)


def _people(student):
    """(a centre counsellor, the mental-health advisor, the leader in charge) for the student: holders_of
    lists the centre's people by post, full-time counsellors before the supervisor."""
    counsellor = holders_of("centre", student)[0]
    return (
        counsellor,
        holders_of("mental_health_advisor", student)[0],
        holders_of("college_leader_in_charge", student)[0],
    )


@transaction.atomic
def seed_referrals(school, seed: int) -> DemoReferrals:
    rng = random.Random(seed)
    candidates = _candidates(school)
    if len(candidates) < 4:
        raise ValueError("The demo college is too small for the demo referrals.")
    done_student, planned_student, leave_student, returned_student = rng.sample(candidates, 4)
    now = timezone.now()
    today = timezone.localdate(now)
    hospitals = services.green_channel_hospitals()
    result = DemoReferrals()

    counsellor, advisor, _leader = _people(done_student)
    escorts = [p for p in services.escort_choices(done_student) if p == advisor][:1]
    done = services.create_referral(
        done_student, by=counsellor, destination=hospitals[0].name if hospitals else "衢州市第三医院",
        planned_at=now - dt.timedelta(days=9), urgency=Referral.Urgency.URGENT,
        reason="持续失眠、情绪低落两个月，PHQ-9 总分 17，约谈后建议专科就诊。", escorts=escorts,
        family_escorts="母亲", recommend_registry=True,
    )  # fmt: skip
    services.mark_went(done, by=counsellor, went_at=now - dt.timedelta(days=9))
    done = services.record_outcome(
        done, by=counsellor, outcome=Referral.Outcome.OUTPATIENT, outcome_note="门诊就诊，医生建议药物治疗并定期复诊。",
        follow_up_plan="心理辅导员每周谈心一次；每月与家长联系；四周后中心复评。",
        diagnosis_summary="中度抑郁发作（门诊诊断）。", medication="舍曲林 50mg 每日一次。",
    )  # fmt: skip
    result.referrals.append(done)

    counsellor, advisor, _leader = _people(planned_student)
    result.referrals.append(
        services.create_referral(
            planned_student,
            by=advisor,
            destination=hospitals[-1].name if hospitals else "衢州市人民医院",
            planned_at=now + dt.timedelta(days=2),
            urgency=Referral.Urgency.ROUTINE,
            reason="反复头痛、心慌，排除躯体疾病后建议心身医学科就诊。",
            escorts=[advisor],
        )
    )

    counsellor, advisor, _leader = _people(leave_student)
    leave = services.start_leave(
        leave_student, by=counsellor, applied_on=today - dt.timedelta(days=75),
        reason_summary="因心理疾病需住院治疗，家长申请休学。", starts_on=today - dt.timedelta(days=70),
        expected_return_on=today + dt.timedelta(days=20), statement_received_on=today - dt.timedelta(days=76),
        statement_hospital=hospitals[0].name if hospitals else "衢州市第三医院",
        statement_summary="建议住院治疗，休学一学期。",
    )  # fmt: skip
    services.record_fitness_statement(
        leave, by=counsellor, dated=today - dt.timedelta(days=3), hospital=leave.statement_hospital,
        summary="病情稳定，可以复学，需继续门诊随访。",
    )  # fmt: skip
    services.record_parents_agreement(
        leave, by=advisor, agreed_on=today - dt.timedelta(days=2), note="家长同意复学，承诺配合学校跟踪。",
        contacts=[
            (f"{leave_student.name[0]}父", "父亲", "13905700001"),
            (f"{leave_student.name[0]}母", "母亲", "13905700002"),
        ],
    )  # fmt: skip
    leave.refresh_from_db()
    result.on_leave = leave

    counsellor, advisor, leader = _people(returned_student)
    back = services.start_leave(
        returned_student, by=advisor, applied_on=today - dt.timedelta(days=130),
        reason_summary="抑郁情绪加重，经医院建议休学治疗。", starts_on=today - dt.timedelta(days=125),
        expected_return_on=today - dt.timedelta(days=1),
    )  # fmt: skip
    services.record_return_assessment(back, by=counsellor, result=ReturnAssessment.Result.NOT_YET,
                                      note="情绪仍不稳定，建议继续治疗两周后再评估。")  # fmt: skip
    services.record_fitness_statement(
        back, by=counsellor, dated=today - dt.timedelta(days=6), hospital="衢州市人民医院"
    )
    services.record_parents_agreement(
        back, by=advisor, agreed_on=today - dt.timedelta(days=5),
        contacts=[(f"{returned_student.name[0]}母", "母亲", "13905700003")],
    )  # fmt: skip
    services.sign_off_return(back, by=leader, note="同意复学。")
    services.record_return_assessment(back, by=counsellor, result=ReturnAssessment.Result.FIT,
                                      note="复评：情绪平稳，社会功能恢复，同意复学。")  # fmt: skip
    back.refresh_from_db()
    result.returned = back
    return result
