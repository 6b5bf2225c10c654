"""Data for the work-list and notification matrix (tests/test_work_tier_matrix.py).

On top of the care matrix's world and records (tests/authorization/care_data.py: registry, plans, dorm check-in,
counselling, referrals, leave, break-glass, each text carrying a marker), everything that puts an item in
someone's "my work" or inbox, through the services that do it:

- screening: 张三 (in_scope) answers PHQ-9 with item 9 (a red flag: an urgent concern report; and an
  interview for the mental-health advisor); 王五 (other_college) a severe PHQ-9 (a centre evaluation); a
  reminder for the class A1 (its head teacher and advisor, and two students who have not answered);
- the red flag's report nobody takes: it climbs the chain to the school leader in charge (no post over
  students);
- a level B crisis case about 李四 (other_class): its steps, a step nobody acknowledges climbing to 学工部 and
  the school leader (who then holds a role on the case), a follow-up for 学工部, the invariant check's alert;
- a concern report about 王五 taken by the college B mental-health advisor (outsider);
- care plans due soon (the head teacher is the class's person on 张三's plan), overdue plan work escalated;
- a booking confirmed and reminded, a referral waiting for its outcome, a return through the gate;
- a break-glass access found not justified;
- training (T0): a reported training waiting for 学工部, a certificate expiring and reminded;
- items left with people who do not (or no longer) hold the tier they need: a screening interview
  assigned to 后勤保卫处 staff, a follow-up about 李四 for them, the school leader's report.

Two more viewers join the care matrix's: the school leader in charge (领导小组组长) and 后勤保卫处 staff.
"""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from tests.conftest import SINCE
from tests.factories import DepartmentFactory, UserFactory
from tests.referrals.conftest import do_item
from tests.screening.test_triage import make_campaign, phq9, submit
from xinyu.care import plans
from xinyu.care.models import CarePlan, Interview
from xinyu.compliance.models import Qualification
from xinyu.concerns import escalation, invariants
from xinyu.concerns.models import CrisisCase
from xinyu.concerns.services import cases, reports
from xinyu.concerns.services.interviews import schedule_follow_up
from xinyu.counselling import services as counselling
from xinyu.org.models import Department, Post
from xinyu.org.services import appoint
from xinyu.policy.loader import policy_in_force
from xinyu.privacy import breakglass
from xinyu.privacy.models import BreakGlassGrant
from xinyu.referrals import services as referrals
from xinyu.screening import campaigns
from xinyu.screening.models import Participation
from xinyu.screening.triage import triage_submission
from xinyu.training.models import Attendance, TrainingEvent
from xinyu.training.services import send_qualification_reminders

# Words that say something T3 about a student: a screening (a score, an instrument, its item 9 and the flag
# it raised), counselling, referral, leave and return. None may reach someone holding less than T3 over the
# student. (A concern report's category, "self-harm or suicidal talk", is T2: the chain is told that a
# student needs attention and what to do. An interview is T2 or T3 by what raised it: the words of a
# screening's or a return's give it away, "约谈" alone does not.)
T3_WORDS = (
    "测评", "筛查", "PHQ", "GAD", "量表", "第9题", "item 9", "suicidal_ideation", "咨询", "转介", "休学",
    "复学", "screening", "counselling", "referral", "leave", "return",
)  # fmt: skip
REPORT_DESCRIPTION = "REPORT-DESC-OG-说了不想活了"  # the taken report's text: T2 for 王五's chain


def build_work_data(world, care) -> dict:
    cast = world.cast
    leader = UserFactory(username="T10010", full_name="严分管校领导")
    appoint(leader, Post.LEADING_GROUP_HEAD, world.school, starts_on=SINCE)
    security = UserFactory(username="T10012", full_name="杨保卫")
    department = DepartmentFactory(school=world.school, name="后勤保卫处", kind=Department.Kind.LOGISTICS_SECURITY)
    appoint(security, Post.DEPARTMENT_STAFF, department, starts_on=SINCE)
    cast.update({"school_leader": leader, "security": security})
    now = timezone.now()
    data = {}

    # Screening: a red flag and an interview for 张三, a centre evaluation for 王五, a class reminder.
    campaign = make_campaign(world)
    participation, results = submit(campaign, world.in_scope, {"PHQ-9": phq9(8, item9=1)})
    outcome = triage_submission(participation, results)
    data["red_flag_report"], data["interview"] = outcome.report, outcome.interview
    assert outcome.interview.assignee == cast["mental_health_advisor"]
    participation, results = submit(campaign, world.other_college, {"PHQ-9": phq9(23)})
    data["evaluation"] = triage_submission(participation, results).interview
    for user in (cast["dorm_leader"], cast["wellbeing_rep"]):
        Participation.objects.create(campaign=campaign, student=user.student)
    campaigns.remind(campaign, world.a1, by=cast["supervisor"], link="/screening/", student_link="/screening/my/")

    # The red flag's report climbs the chain to the school leader, nobody taking it.
    policy = policy_in_force(timezone.localdate())
    ack = data["red_flag_report"].ack
    for minutes in (5, 15, 25, 35):
        ack.refresh_from_db()
        escalation.process_due(ack, policy, now=ack.due_at + dt.timedelta(minutes=minutes, seconds=1))

    # A level B case about 李四; its watch step climbs to 学工部 and the school leader.
    case = cases.open_case(world.other_class, "B", by=cast["mental_health_advisor"], reason="CASE-OPEN-情绪异常")
    data["case"] = case
    watch = case.steps.get(code="watch")
    case_policy = cases.case_policy(case)
    for minutes in (5, 15, 25):
        watch.ack.refresh_from_db()
        escalation.process_due(watch.ack, case_policy, now=watch.ack.due_at + dt.timedelta(minutes=minutes, seconds=1))
    schedule_follow_up(case, by=case.organiser, due_on=timezone.localdate(), assignee=cast["student_affairs"])
    # The invariant check's alert: the case has lost its organiser (put back afterwards).
    CrisisCase.objects.filter(pk=case.pk).update(organiser=None)
    invariants.run_check(now)
    CrisisCase.objects.filter(pk=case.pk).update(organiser=cast["college_leader"])

    # A report about 王五 by the college B mental-health advisor, who takes it.
    report = reports.submit_report(
        cast["outsider"], world.other_college, category="emotional_change", urgency="normal",
        description=REPORT_DESCRIPTION,
    )  # fmt: skip
    reports.acknowledge_report(report, by=cast["outsider"])
    data["taken_report"] = report

    # Care plans: everything due tomorrow; the head teacher is the class's person on 张三's plan.
    CarePlan.objects.update(student_contact_every_days=1, family_contact_every_days=1)
    CarePlan.objects.filter(entry__student=world.in_scope).update(class_person=cast["head_teacher"])
    plans.escalate_overdue(now + dt.timedelta(days=10))

    # Counselling: 李四's booking confirmed, and reminded the day before.
    booking = care["bookings"]["other_class"]
    counselling.confirm_booking(booking, by=cast["counsellor"])
    counselling.send_reminders(now=booking.slot.starts_at - dt.timedelta(hours=2))
    # A referral of 张三 waiting for its outcome; 张三 returns from leave through the gate.
    data["referral"] = referrals.create_referral(
        world.in_scope, by=cast["mental_health_advisor"], destination="衢州市第三医院", planned_at=now,
        urgency="routine", reason="REFERRAL2-REASON-复诊",
    )  # fmt: skip
    leave = care["leaves"]["in_scope"]
    for code in ("fitness", "assessment", "parents", "sign_off"):
        do_item(code, leave, cast)
    # Break-glass: the outsider's ended access to 张三 found not justified (学工部 is told).
    breakglass.review_break_glass(
        care["grants"]["in_scope"], by=cast["supervisor"], outcome=BreakGlassGrant.Outcome.NOT_JUSTIFIED,
        note="没有紧急情况",
    )  # fmt: skip

    # Training (about staff, T0): a reported training waiting for 学工部, a certificate expiring (reminded);
    # in late November nobody in the cast has their yearly training hours.
    reported = TrainingEvent.objects.create(
        school=world.school, topic="校外研修", provider="external", kind="workshop", starts_on=SINCE,
        ends_on=SINCE, hours=Decimal(6), organiser="省高校心理健康教育研究会", reported=True,
    )  # fmt: skip
    Attendance.objects.create(event=reported, person=cast["head_teacher"], hours=Decimal(6), status="pending")
    Qualification.objects.update_or_create(
        person=cast["mental_health_advisor"], defaults={"degree": "master", "certificate": "心理健康教育指导师",
                                             "certificate_expires_on": timezone.localdate() + dt.timedelta(days=20)},
    )  # fmt: skip
    send_qualification_reminders()

    # Items left with someone who does not hold the tier they need.
    Interview.objects.create(
        student=world.in_scope, source=Interview.Source.SCREENING, kind=Interview.Kind.INTERVIEW,
        reason="PHQ-9: mild (mild)", assignee=security, due_on=timezone.localdate(),
    )  # fmt: skip
    Interview.objects.create(
        student=world.other_class, source=Interview.Source.CONCERN_REPORT, due_on=timezone.localdate(),
        assignee=security, scheduled_by=cast["supervisor"],
    )  # fmt: skip
    Interview.objects.create(
        student=world.in_scope, source=Interview.Source.CONCERN_REPORT, due_on=timezone.localdate(),
        assignee=cast["head_teacher"], scheduled_by=cast["mental_health_advisor"],
    )  # fmt: skip
    for user in cast.values():
        user.__dict__.pop("_xinyu_break_glass", None)
        user.__dict__.pop("_xinyu_appointments", None)
    return data
