"""Demo supervision and case conferences for the demo college: this term's cases brought to supervision by the
centre's counsellors (from counselling sessions whose next step was supervision), individual and group sessions
with the supervisor's guidance, two still waiting in the queue; and two case conferences (one held, with
conclusions and tasks for head teachers, one coming). Deterministic for a given seed."""

import datetime as dt
import random
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from xinyu.counselling import services as counselling
from xinyu.org.models import Appointment, Post, Student
from xinyu.policy.terms import term_of
from xinyu.workforce import services
from xinyu.workforce.models import SupervisionRequest

CASES = 8
QUESTIONS = (
    "来访者多次提到“活着没意思”，但否认具体计划。我对风险评估的把握不足，想请督导帮助判断是否需要启动危机干预。",
    "来访者与室友冲突反复，咨询中常把责任归于他人，我感到被拉入站队，如何处理这种反移情？",
    "来访者为家庭变故后的哀伤，已咨询五次仍进展缓慢，是否应调整咨询目标或转介？",
    "来访者对专业学习严重焦虑并伴有躯体症状，想讨论认知行为干预的节奏。",
    "来访者在咨询中沉默较多、频繁迟到，如何理解和处理阻抗？",
    "来访者透露曾有自伤史，目前情绪稳定，想讨论后续咨询中如何持续做风险监测。",
    "来访者希望我为其保密不告知家长，但其状况可能需要家校联系，如何把握保密例外？",
    "来访者为网络成瘾问题前来，动机不足，想讨论动机式访谈的运用。",
)
GUIDANCE = (
    "风险评估需结构化：询问意念频率、计划、手段和保护因素；本案建议每次咨询做简短风险评估，并与来访者签订安全约定。",
    "注意觉察自己的情绪反应，避免评判；可用“我注意到……”的方式反馈来访者的归因模式。",
    "哀伤有其节奏，进展缓慢并不意味着无效；建议回顾咨询目标，必要时与来访者讨论是否需要医院评估。",
    "先稳定躯体症状，教授放松训练；认知重构放在关系稳固之后，每周布置一项小作业。",
    "把沉默和迟到当作咨询材料，温和地与来访者探讨其意义，不急于填补沉默。",
    "建立风险监测的固定环节，记录在案；与来访者共同制定出现危机时的求助清单。",
    "向来访者重申保密例外的边界；如评估存在风险，应按学校规定启动家校联系并记录理由。",
    "从来访者自身的矛盾心理入手，避免说教；先建立合作关系再讨论改变。",
)
DISCUSSION = "个案汇报后，督导与咨询师讨论了个案概念化、咨询关系和下一步计划。"
CONCLUSIONS = (
    ("班主任和辅导员加强日常关注，每周与学生谈心一次；心理中心继续咨询。", "每周与学生谈心一次，记录情况"),
    ("联系家长，了解学生在家情况；学院心理辅导员跟进学业困难。", "与家长电话沟通，了解学生近况"),
)
CASE_NOTES = "学生近期情绪低落，学业压力较大，家庭支持不足。与会人员讨论了学院、班级和宿舍三方面的支持措施。"


@dataclass
class DemoWorkforce:
    requests: int = 0
    sessions: int = 0
    conferences: int = 0
    tasks: int = 0


def _people(school, posts) -> list:
    appointments = (
        Appointment.objects.current()
        .filter(school=school, post__in=posts)
        .select_related("person")
        .order_by("post", "person__username")
    )
    return list(dict.fromkeys(appointment.person for appointment in appointments))


def _at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=timezone.get_current_timezone())


@transaction.atomic
def seed_workforce(school, seed: int) -> DemoWorkforce:
    rng = random.Random(f"workforce-{seed}")
    result = DemoWorkforce()
    supervisors = _people(school, [Post.CENTRE_SUPERVISOR])
    counsellors = _people(school, [Post.CENTRE_COUNSELLOR, Post.CENTRE_PART_TIME_COUNSELLOR])[:4]
    if not supervisors or not counsellors:
        return result
    supervisor = supervisors[0]
    today = timezone.localdate()
    now = timezone.now()
    # This term, or the last 60 days early in a term; the last cases brought two weeks ago.
    start = min(term_of(today).start, today - dt.timedelta(days=60))
    span = (today - start).days - 14
    pool = list(
        Student.objects.filter(school=school, status="enrolled").order_by("pk").values_list("pk", flat=True)[:3000]
    )
    if len(pool) < CASES + 4:
        return result
    picked = Student.objects.select_related("class_group").in_bulk(rng.sample(pool, CASES + 4))
    students = [picked[pk] for pk in sorted(picked)]
    rng.shuffle(students)

    # Cases brought to supervision across the term, from counselling sessions marked "bring to supervision".
    requests = []
    for index in range(CASES):
        counsellor = counsellors[index % len(counsellors)]
        held = _at(start + dt.timedelta(days=index * span // CASES), 14 + index % 3)
        session = counselling.record_session(
            students[index], by=counsellor, held_at=held, duration_minutes=50, risk_level="low",
            next_step="supervision", notes="来访者主诉情绪困扰，本次会谈评估了风险与支持系统，拟提交督导。", now=now,
        )  # fmt: skip
        request = services.submit_request(students[index], by=counsellor, question=QUESTIONS[index], session=session)
        SupervisionRequest.objects.filter(pk=request.pk).update(submitted_at=held + dt.timedelta(hours=3))
        requests.append((request, held))
    result.requests = len(requests)

    # Sessions: individual for one case, group for two, a week after the later one was brought; the last two
    # cases wait in the queue (one scheduled).
    index = 0
    while index < CASES - 2:
        group = index % 3 == 1 and index + 1 < CASES - 2
        batch = requests[index : index + (2 if group else 1)]
        held = min(max(h for _r, h in batch) + dt.timedelta(days=7), now - dt.timedelta(days=1))
        held = held.replace(hour=10, minute=0, second=0, microsecond=0)
        discussions = [(request, DISCUSSION, GUIDANCE[requests.index((request, h))]) for request, h in batch]
        services.record_session(
            school, by=supervisor, kind="group" if group else "individual", held_at=held,
            duration_minutes=90 if group else 60, place="大学生活动中心 305",
            counsellors=counsellors if group else [], discussions=discussions, now=now,
        )  # fmt: skip
        result.sessions += 1
        index += len(batch)
    for number, (request, _held) in enumerate(requests[: CASES - 2]):
        if number % 3 == 0:
            services.close_request(request, by=request.counsellor)
        elif number % 3 == 1:
            services.mark_guidance_read(request, by=request.counsellor, now=now)
    services.schedule_request(requests[-2][0], by=supervisor, at=_at(today + dt.timedelta(days=3), 10))
    # A monthly group supervision for all counsellors, no case of theirs brought.
    services.record_session(
        school, by=supervisor, kind="group", held_at=_at(start + dt.timedelta(days=20), 15), duration_minutes=120,
        place="大学生活动中心 305", counsellors=counsellors, now=now,
    )  # fmt: skip
    result.sessions += 1

    # Case conferences: one held this term with conclusions and tasks, one coming next week.
    organisers = _people(school, [Post.CENTRE_SUPERVISOR]) + [
        a.person
        for a in Appointment.objects.current().filter(post=Post.STUDENT_AFFAIRS_STAFF, department__school=school)
    ]
    organiser = organisers[-1]
    cases = students[CASES:]
    for number, (title, held, with_record) in enumerate((
        ("本学期第一次心理危机个案研讨", _at(start + dt.timedelta(days=span // 2), 14), True),
        ("期末前重点学生个案研讨", _at(today + dt.timedelta(days=7), 14), False),
    )):  # fmt: skip
        students_here = cases[number * 2 : number * 2 + 2]
        teachers = [
            a.person
            for a in Appointment.objects.current()
            .filter(post__in=[Post.HEAD_TEACHER, Post.ADVISOR], class_group__in=[s.class_group for s in students_here])
            .select_related("person")
            .order_by("post", "pk")
        ]
        conference = services.schedule_conference(
            school, by=organiser, title=title, held_at=held, place="行政楼 402 会议室", chair=supervisor,
            attendees=[*counsellors[:2], *teachers],
        )  # fmt: skip
        result.conferences += 1
        for student, (conclusion, task_text) in zip(students_here, CONCLUSIONS, strict=False):
            case = services.add_case(conference, by=supervisor, student=student)
            if not with_record:
                continue
            services.save_case(case, by=supervisor, conclusion=conclusion, notes=CASE_NOTES)
            head = next(
                (
                    a.person
                    for a in Appointment.objects.current().filter(
                        post=Post.HEAD_TEACHER, class_group=student.class_group
                    )
                ),
                counsellors[0],
            )
            task = services.add_task(case, by=supervisor, text=task_text, assignee=head,
                                     due_on=held.date() + dt.timedelta(days=14))  # fmt: skip
            result.tasks += 1
            if case.position == 0:
                services.complete_task(task, by=head, note="已按要求完成，学生情绪较前平稳。")
    return result
