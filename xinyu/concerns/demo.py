"""Crisis work in the demo college: a few open cases at levels A, B and C, a drill, two reports waiting to be
taken, and a week of duty leaders on the roster.

Everything goes through the services, so the steps, deadlines, acknowledgements, notifications, case events
and access-log entries are the real ones, and the demo accounts find work in "my work" and their inbox. The
students are drawn with `random.Random(seed)` from 信息工程学院, never the demo accounts' own students, so
the same seed picks the same students.
"""

import datetime as dt
import random
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from xinyu.accounts.models import User
from xinyu.care.models import FamilyContact
from xinyu.concerns.errors import ConcernError
from xinyu.concerns.models import ConcernReport, CrisisCase, DutyShift
from xinyu.concerns.services import case_records as care
from xinyu.concerns.services import cases, duty, reports
from xinyu.org.demo.accounts import ACCOUNT, DEMO_COLLEGE, DEMO_STUDENT_KEYS, current_intake, demo_class_name
from xinyu.org.models import Student
from xinyu.org.responsibility import holders_of

# The demo accounts who are students: the demo cases are never about them.
# Duty leaders take turns through the week's nights (17:30 until 08:00 the next morning).
DUTY_KEYS = ("leading_group_head", "student_affairs", "leading_group_member")
NIGHT_STARTS, NIGHT_ENDS = dt.time(17, 30), dt.time(8, 0)


@dataclass
class DemoCases:
    cases: list[CrisisCase] = field(default_factory=list)
    waiting_reports: list[ConcernReport] = field(default_factory=list)
    duty_shifts: list[DutyShift] = field(default_factory=list)


def _account(key: str) -> User:
    intake = current_intake(timezone.localdate())
    return User.objects.get(username=ACCOUNT[key].username.format(intake=intake))


def _demo_students(school, intake: int) -> tuple[list[Student], list[Student]]:
    """(students of the demo class, other students of the demo college), the demo accounts left out."""
    own = [ACCOUNT[key].username.format(intake=intake) for key in DEMO_STUDENT_KEYS]
    students = (
        Student.objects.filter(school=school, class_group__college__name=DEMO_COLLEGE, status=Student.Status.ENROLLED)
        .exclude(student_number__in=own)
        .select_related("class_group")
        .order_by("student_number")
    )
    demo_class = demo_class_name(intake)
    in_class = [s for s in students if s.class_group.name == demo_class]
    others = [s for s in students if s.class_group.name != demo_class]
    return in_class, others


def _own_room(user: User) -> int | None:
    return Student.objects.filter(user=user).values_list("dorm_room_id", flat=True).first()


def _seed_duty_week(now: dt.datetime, by: User) -> list[DutyShift]:
    """Last night's shift if it still runs, tonight's and the next six nights', unless shifts are there."""
    leaders = [_account(key) for key in DUTY_KEYS]
    today = timezone.localdate(now)
    tz = timezone.get_current_timezone()
    shifts = []
    for offset in range(-1, 7):
        day = today + dt.timedelta(days=offset)
        starts = dt.datetime.combine(day, NIGHT_STARTS, tzinfo=tz)
        ends = dt.datetime.combine(day + dt.timedelta(days=1), NIGHT_ENDS, tzinfo=tz)
        person = leaders[(offset + 1) % len(leaders)]
        try:
            shifts.append(duty.add_shift(person=person, starts_at=starts, ends_at=ends, by=by))
        except ConcernError:
            continue  # a shift is already there, or the night is over
    return shifts


def _watch_evidence(note: str) -> dict:
    return {"note": note, "watchers": "辅导员、室友", "watch_from": timezone.localtime().strftime("%Y-%m-%d %H:%M")}


@transaction.atomic
def seed_open_cases(school, seed: int) -> DemoCases:
    """Open cases at A, B and C, a level B drill, and two reports waiting, in the demo college."""
    rng = random.Random(seed)
    now = timezone.now()
    intake = current_intake(timezone.localdate(now))
    in_class, others = _demo_students(school, intake)
    if len(in_class) < 3 or len(others) < 3:
        raise ValueError("The demo college is too small for the demo crisis cases.")
    dorm_leader = _account("dorm_leader")
    roommates = [s for s in in_class if s.dorm_room_id and s.dorm_room_id == _own_room(dorm_leader)]
    waiting_urgent = rng.choice(roommates) if roommates else None
    b_student, waiting_normal, fallback = rng.sample([s for s in in_class if s not in roommates], 3)
    waiting_urgent = waiting_urgent or fallback
    a_student, c_student, drill_student = rng.sample(others, 3)
    advisor, mental_health = _account("advisor"), _account("mental_health_advisor")
    college_leader, supervisor = _account("college_leader"), _account("centre_supervisor")
    result = DemoCases(duty_shifts=_seed_duty_week(now, _account("student_affairs")))

    # B: the class's wellbeing rep reports, the advisor takes it and opens the case; the organiser (the
    # college leader in charge) has already arranged the watch.
    report = reports.submit_report(
        _account("wellbeing_rep"), b_student, category="self_harm", urgency="urgent",
        description="晚自习时说“活着没意思”，手腕上有划痕，情绪很低落。", place="教学楼A302",
        observed_at=now - dt.timedelta(hours=1),
    )  # fmt: skip
    reports.acknowledge_report(report, by=advisor)
    b_case = reports.triage_report(report, by=advisor, crisis_level="B", note="已与学生面谈，有自伤倾向，需专人陪护。")
    watch = b_case.steps.get(code="watch", superseded_at__isnull=True)
    cases.complete_step(watch, by=college_leader, evidence=_watch_evidence("已安排陪护"))

    # A: the mental-health advisor opens it for a student under treatment; the first talk is done and the
    # family has been contacted.
    a_case = cases.open_case(a_student, "A", by=mental_health, reason="新生适应困难，已在专科医院接受治疗，情况平稳。")
    first_talk = a_case.steps.get(code="first_talk", superseded_at__isnull=True)
    cases.complete_step(first_talk, by=mental_health, evidence={"note": "谈心谈话一次，学生愿意配合治疗。"})
    contact = care.record_family_contact(
        a_student, by=mental_health, case=a_case, contact_name=f"{a_student.name[0]}先生", relation="父亲",
        contacted_at=now - dt.timedelta(hours=2), method=FamilyContact.Method.PHONE,
        outcome="家长知情，同意按方案配合。",
    )  # fmt: skip
    family_step = a_case.steps.get(code="family_contact", superseded_at__isnull=True)
    cases.complete_step(family_step, by=mental_health, evidence={"family_contact": str(contact.pk)})

    # C: the head teacher reports at once, the mental-health advisor opens it at level C; the school leader
    # in charge (out of office hours: the duty leader) organises.
    reporter = (holders_of("head_teacher", c_student) or [advisor])[0]
    report = reports.submit_report(
        reporter, c_student, category="self_harm", urgency="urgent",
        description="在寝室用刀片割伤手臂，已由室友制止，伤口已简单包扎。", place="宿舍",
        observed_at=now - dt.timedelta(minutes=20),
    )  # fmt: skip
    reports.acknowledge_report(report, by=mental_health)
    c_case = reports.triage_report(report, by=mental_health, crisis_level="C", note="已有自伤行为，未造成严重后果。")

    # A drill at level B, started by the centre.
    drill = cases.open_drill(drill_student, "B", by=supervisor, reason="本学期心理危机处置演练（B级）")
    result.cases = [a_case, b_case, c_case, drill]

    # Two reports waiting to be taken: an urgent one and a normal one.
    result.waiting_reports = [
        reports.submit_report(
            dorm_leader, waiting_urgent, category="missing", urgency="urgent",
            description="晚上十一点还没回寝室，电话一直打不通。", place="宿舍",
            observed_at=now - dt.timedelta(minutes=5),
        ),
        reports.submit_report(
            _account("wellbeing_rep"), waiting_normal, category="emotional_change", urgency="normal",
            description="最近两周上课总是走神，不太和同学说话，饭也吃得很少。", place="教室",
        ),
    ]  # fmt: skip
    return result
