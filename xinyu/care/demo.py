"""The key-concern registry in the demo school: about thirty active entries across the
colleges, each with a care plan (some with contacts overdue, so "my work" and the monthly review list have
something to show), one proposal waiting to be confirmed, one lapsed entry, one removed with its whole
history, and a dorm check-in for a dorm leader (the demo dorm leader's room-mate when there is one).

Everything goes through the services, so the history, plans, notifications and access-log entries are the
real ones. Students are drawn with `random.Random(seed)`, never the demo accounts' own students nor
students holding a post, so the same seed picks the same students.
"""

import datetime as dt
import random
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from xinyu.accounts.models import User
from xinyu.care import plans, scope
from xinyu.care.models import CarePlan, CheckInAssignment, RegistryEntry
from xinyu.care.registry import (
    PlanInput,
    care_rules,
    confirm_entry,
    decide_removal,
    lapse_overdue_entries,
    propose_entry,
    request_removal,
    review_entry,
)
from xinyu.org.demo.accounts import ACCOUNT, DEMO_STUDENT_KEYS, current_intake
from xinyu.org.models import Appointment, Post, Student
from xinyu.org.responsibility import holders_of

ACTIVE_ENTRIES = 30
SOURCES = ("census_interview", "concern_report", "crisis", "referral", "self_referral", "centre")
REASONS = (
    "心理普查结果异常，约谈后情绪低落，睡眠差。",
    "寝室长反映近两周常独自哭泣，不愿与人交流。",
    "父亲重病住院，家庭经济压力大，学业明显下滑。",
    "沉迷网络游戏，多门课程缺勤，作息紊乱。",
    "失恋后情绪波动大，曾说“活着没意思”。",
    "新生适应困难，多次提出退学想法。",
)
GOALS = "情绪稳定，按时上课；与家长保持沟通；每月研判一次。"
MEASURES = {
    "measures_centre": "心理中心每两周安排一次心理咨询，必要时转介。",
    "measures_college": "心理辅导员每月与家长联系一次，组织研判。",
    "measures_class": "辅导员每两周谈心一次，班主任关注出勤和课堂表现。",
}


@dataclass
class DemoCare:
    active: list[RegistryEntry] = field(default_factory=list)
    proposed: RegistryEntry | None = None
    lapsed: RegistryEntry | None = None
    removed: RegistryEntry | None = None
    check_in: CheckInAssignment | None = None


def _own_accounts() -> list[str]:
    intake = current_intake(timezone.localdate())
    return [ACCOUNT[key].username.format(intake=intake) for key in DEMO_STUDENT_KEYS]


def _candidates(school) -> list[Student]:
    holding_posts = Appointment.objects.current().values("person_id")
    return list(
        Student.objects.filter(school=school, status=Student.Status.ENROLLED)
        .exclude(student_number__in=_own_accounts())
        .exclude(user_id__in=holding_posts)
        .exclude(registry_entries__status__in=RegistryEntry.LIVE)
        .select_related("class_group__college", "dorm_room")
        .order_by("student_number")
    )


def _confirmer(student):
    """The student's mental-health advisor, else the centre's first person; None if neither may confirm."""
    for role in ("mental_health_advisor", "centre"):
        for person in holders_of(role, student):
            if person.is_active and scope.may_confirm_entry(person, RegistryEntry(student=student)):
                return person
    return None


def _plan_input(student, rng, dorm_leader=None) -> PlanInput | None:
    people = {level: plans.candidates(student, level) for level in plans.LEVELS}
    if not people["college"]:
        return None
    mental_health = [p for p in people["college"] if scope.may_confirm_entry(p, RegistryEntry(student=student))]
    return PlanInput(
        goals=GOALS,
        **MEASURES,
        centre_person=people["centre"][0] if people["centre"] else None,
        college_person=(mental_health or people["college"])[0],
        class_person=people["class"][0] if people["class"] else None,
        dorm_leader=dorm_leader,
        student_contact_every_days=rng.choice((7, 14, 14)),
        family_contact_every_days=30,
        review_every_days=30,
    )


def _demo_dorm_leader():

    names = _own_accounts()
    return User.objects.filter(username__in=names, appointments__post=Post.DORM_LEADER).first()


def _check_in_student(candidates, leader):
    """A student whose room has a dorm leader: the demo dorm leader's room-mate first."""
    for student in candidates:
        leaders = scope.dorm_leaders_for(student)
        if leaders and (leader is None or leader in leaders):
            return student, (leader if leader in leaders else leaders[0])
    return None, None


def _confirm(student, rng, *, dorm_leader=None) -> RegistryEntry | None:
    confirmer = _confirmer(student)
    data = _plan_input(student, rng, dorm_leader)
    if confirmer is None or data is None:
        return None
    codes = [c.code for c in care_rules().registry_categories]
    entry = propose_entry(student, source=rng.choice(SOURCES), proposed_by=confirmer, reason=rng.choice(REASONS))
    return confirm_entry(
        entry,
        by=confirmer,
        categories=rng.sample(codes, rng.choice((1, 1, 2))),
        risk_level=rng.choice(("high", "medium", "medium", "low", "low")),
        plan=data,
    )


@transaction.atomic
def seed_care(school, seed: int) -> DemoCare:
    rng = random.Random(seed)
    candidates = _candidates(school)
    result = DemoCare()
    leader = _demo_dorm_leader()
    checked, checked_leader = _check_in_student(candidates, leader)
    rest = [s for s in candidates if s != checked]
    rng.shuffle(rest)
    # Spread over the colleges: take students round-robin by college.
    by_college: dict[int, list[Student]] = {}
    for student in rest:
        by_college.setdefault(student.class_group.college_id, []).append(student)
    ordered = []
    while any(by_college.values()):
        for college_id in sorted(by_college):
            if by_college[college_id]:
                ordered.append(by_college[college_id].pop())
    if checked is not None:
        entry = _confirm(checked, rng, dorm_leader=checked_leader)
        if entry is not None:
            result.active.append(entry)
            result.check_in = CheckInAssignment.objects.filter(plan__entry=entry).first()
    pool = iter(ordered)

    def next_confirmed():
        for student in pool:
            entry = _confirm(student, rng)
            if entry is not None:
                return entry
        return None

    # The removed one, with its history: confirmed, reviewed, removal requested and signed off.
    removed = next_confirmed()
    if removed is not None:
        centre = holders_of("centre", removed.student)[0]
        college = removed.plan.college_person
        review_entry(removed, by=college, assessment="情绪明显好转，能正常上课。", support="继续每月谈心。")
        request_removal(removed, by=college, reason="连续三个月状态稳定，家长反馈良好。")
        result.removed = decide_removal(removed, by=centre, assessment="中心评估：状态稳定，同意解除。", approve=True)
    # The lapsed one: its review date long past.
    lapsed = next_confirmed()
    if lapsed is not None:
        grace = care_rules().registry_expires_after_overdue_days
        RegistryEntry.objects.filter(pk=lapsed.pk).update(
            next_review_on=timezone.localdate() - dt.timedelta(days=grace + 3)
        )
        lapse_overdue_entries()
        lapsed.refresh_from_db()
        result.lapsed = lapsed
    # The proposal waiting for the mental-health advisor.
    for student in pool:
        confirmer = _confirmer(student)
        if confirmer is not None:
            result.proposed = propose_entry(
                student,
                source="census_interview",
                proposed_by=confirmer,
                reason="普查约谈后建议纳入重点关注：近期失眠、食欲下降。",
            )
            break
    while len(result.active) < ACTIVE_ENTRIES:
        entry = next_confirmed()
        if entry is None:
            break
        result.active.append(entry)
    # Some plans started weeks ago, with some contacts done and others overdue.
    now = timezone.now()
    for n, entry in enumerate(result.active):
        if n % 3 == 0:
            CarePlan.objects.filter(entry=entry).update(started_at=now - dt.timedelta(days=rng.randint(20, 45)))
        if n % 3 == 1 and entry.plan.class_person:
            plans.add_progress_note(
                entry.plan,
                by=entry.plan.class_person,
                kind="student_contact",
                text="谈心一次，学生情绪较平稳，按时上课。",
            )
    return result
