"""The demo college's year of education work: this year's plans (the school's, by 学工部, and every
college's, by its mental-health advisor), published, with measured items, one done by hand, one due soon and
one late; and the activities of the last two terms: the 5·25 activity month and lectures, the student
psychology association's events, a community service day, college activities, a theme class meeting in most
classes each term (attendance from the roster, a few absent) and dorm activities in about half of the dorm
rooms with a dorm leader. Written in bulk (it is the demo), deterministic for a seed, fast."""

import datetime as dt
import random
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from xinyu.education.models import Activity, Attendance, Level, Plan, PlanItem
from xinyu.org.models import Appointment, ClassGroup, College, Post, Student
from xinyu.policy.terms import term_of

CLASS_TOPICS = (
    "珍爱生命 阳光成长",
    "学会情绪管理",
    "人际交往与宿舍和谐",
    "新生适应与生涯规划",
    "压力应对与考试心理",
    "感恩与责任",
)
DORM_TOPICS = ("寝室夜谈：我的烦恼与快乐", "寝室生日会", "寝室卫生与作息约定", "寝室团体心理游戏")
LECTURES = ("大学生常见心理困扰与应对", "睡眠与心理健康", "恋爱心理与情感成长")
ASSOCIATION = ("大学生心理协会心理情景剧展演", "心理协会“心灵驿站”朋辈辅导", "心理协会心理知识竞赛")


@dataclass
class DemoEducation:
    plans: int = 0
    items: int = 0
    activities: int = 0
    attendance: int = 0


def _holders(posts) -> dict:
    """(scope id) → the first person holding one of `posts` there, for the posts given."""
    holders = {}
    for appointment in Appointment.objects.current().filter(post__in=posts).order_by("post", "id"):
        key = appointment.college_id or appointment.class_group_id or appointment.dorm_room_id or 0
        holders.setdefault((appointment.post, key), appointment.person_id)
    return holders


def _day(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randrange(max(1, (end - start).days)))


def _plans(school, today: dt.date, people: dict, colleges, result: DemoEducation) -> None:
    year = today.year
    affairs = people.get((Post.STUDENT_AFFAIRS_STAFF, 0))
    supervisor = people.get((Post.CENTRE_SUPERVISOR, 0)) or affairs
    if affairs is None:
        return
    now = timezone.now()
    school_plan = Plan.objects.create(
        school=school,
        year=year,
        status=Plan.Status.PUBLISHED,
        created_by_id=affairs,
        published_by_id=affairs,
        published_at=now,
    )
    items = [
        PlanItem(
            plan=school_plan,
            title="每班每学期至少召开一次心理主题班会",
            article="第九条（一）",
            owner_id=affairs,
            due_on=dt.date(year, 12, 31),
            level=Level.CLASS,
            measure="class_meetings",
        ),
        PlanItem(
            plan=school_plan,
            title="举办5·25心理健康教育活动月",
            article="第七条（五）",
            owner_id=supervisor,
            due_on=dt.date(year, 5, 31),
            level=Level.SCHOOL,
            measure="activity_month",
        ),
        PlanItem(
            plan=school_plan,
            title="每个寝室每学期至少开展一次寝室心理活动",
            article="第十条（三）",
            owner_id=affairs,
            due_on=dt.date(year, 12, 31),
            level=Level.CLASS,
            measure="dorm_activities",
        ),
        PlanItem(
            plan=school_plan,
            title="新生全员修读《大学生心理健康教育》课程",
            article="第七条（三）",
            owner_id=supervisor,
            due_on=dt.date(year, 12, 31),
            level=Level.SCHOOL,
            measure="freshmen_course",
        ),
        PlanItem(
            plan=school_plan,
            title="指导大学生心理协会开展朋辈活动",
            article="第七条（九）",
            owner_id=supervisor,
            due_on=dt.date(year, 6, 30),
            level=Level.SCHOOL,
            done_at=now,
            done_by_id=supervisor,
        ),
        PlanItem(
            plan=school_plan,
            title="组织全校心理健康教育工作队伍培训",
            article="第七条（八）",
            owner_id=supervisor,
            due_on=today + dt.timedelta(days=10),
            level=Level.SCHOOL,
        ),
    ]
    for college in colleges:
        advisor = people.get((Post.MENTAL_HEALTH_ADVISOR, college.pk))
        if advisor is None:
            continue
        plan = Plan.objects.create(
            school=school,
            college=college,
            year=year,
            status=Plan.Status.PUBLISHED,
            created_by_id=advisor,
            published_by_id=advisor,
            published_at=now,
        )
        items += [
            PlanItem(
                plan=plan,
                title=f"{college.name}各班每学期心理主题班会",
                article="第八条（一）",
                owner_id=advisor,
                due_on=dt.date(year, 12, 31),
                level=Level.CLASS,
                measure="class_meetings",
            ),
            PlanItem(
                plan=plan,
                title=f"{college.name}心理健康专题讲座",
                article="第八条（一）",
                owner_id=advisor,
                due_on=today - dt.timedelta(days=5),
                level=Level.COLLEGE,
            ),
        ]
        result.plans += 1
    PlanItem.objects.bulk_create(items)
    result.plans += 1
    result.items += len(items)


@transaction.atomic
def seed_education(school, seed: int) -> DemoEducation:
    rng = random.Random(seed)
    result = DemoEducation()
    today = timezone.localdate()
    colleges = list(College.objects.filter(school=school).order_by("code", "name"))
    people = _holders(
        [
            Post.STUDENT_AFFAIRS_STAFF,
            Post.CENTRE_SUPERVISOR,
            Post.CENTRE_COUNSELLOR,
            Post.MENTAL_HEALTH_ADVISOR,
            Post.HEAD_TEACHER,
            Post.WELLBEING_REP,
            Post.DORM_LEADER,
        ]
    )
    _plans(school, today, people, colleges, result)
    counsellor = people.get((Post.CENTRE_COUNSELLOR, 0)) or people.get((Post.CENTRE_SUPERVISOR, 0))
    if counsellor is None:
        return result
    current = term_of(today)
    terms = [(current.previous().start, current.start), (current.start, today + dt.timedelta(days=1))]
    activities: list[Activity] = []
    rosters: dict[int, list[int]] = {}
    for student_id, class_id in Student.objects.filter(
        class_group__college__school=school, status=Student.Status.ENROLLED
    ).values_list("pk", "class_group_id"):
        rosters.setdefault(class_id, []).append(student_id)
    dorm_colleges = dict(
        Student.objects.filter(school=school, dorm_room__isnull=False).values_list(
            "dorm_room_id", "class_group__college_id"
        )
    )

    def add(**fields):
        activities.append(Activity(school=school, created_by_id=fields["organiser_id"], **fields))

    may_25 = dt.date(today.year if today >= dt.date(today.year, 5, 25) else today.year - 1, 5, 25)
    add(
        kind=Activity.Kind.ACTIVITY_MONTH,
        level=Level.SCHOOL,
        title=f"{may_25.year}年5·25心理健康教育活动月启动仪式",
        held_on=may_25 - dt.timedelta(days=20),
        minutes=90,
        organiser_id=counsellor,
        audience="全校学生",
        headcount=600,
        account="启动仪式、心理游园会、心理主题海报展。",
    )
    for index, (start, end) in enumerate(terms):
        add(
            kind=Activity.Kind.LECTURE,
            level=Level.SCHOOL,
            title=LECTURES[index % len(LECTURES)],
            minutes=90,
            held_on=_day(rng, start, end),
            organiser_id=counsellor,
            audience="全校学生",
            headcount=rng.randint(150, 400),
        )
        add(
            kind=Activity.Kind.ASSOCIATION,
            level=Level.SCHOOL,
            title=ASSOCIATION[index % len(ASSOCIATION)],
            minutes=120,
            held_on=_day(rng, start, end),
            organiser_id=counsellor,
            audience="大学生心理协会会员及学生",
            headcount=rng.randint(40, 120),
        )
        for college in colleges:
            advisor = people.get((Post.MENTAL_HEALTH_ADVISOR, college.pk))
            if advisor is not None and rng.random() < 0.8:
                add(
                    kind=Activity.Kind.COLLEGE_EVENT,
                    level=Level.COLLEGE,
                    college=college,
                    minutes=60,
                    title=f"{college.name}心理健康团体辅导",
                    held_on=_day(rng, start, end),
                    organiser_id=advisor,
                    audience="本院学生",
                    headcount=rng.randint(30, 80),
                )
    add(
        kind=Activity.Kind.COMMUNITY_SERVICE,
        level=Level.SCHOOL,
        title="走进社区：青少年心理健康宣传",
        held_on=_day(rng, *terms[0]),
        minutes=180,
        organiser_id=counsellor,
        audience="社区居民",
        headcount=60,
    )
    meetings = []
    for group in ClassGroup.objects.filter(college__school=school).order_by("pk"):
        roster = rosters.get(group.pk)
        organiser = people.get((Post.WELLBEING_REP, group.pk)) or people.get((Post.HEAD_TEACHER, group.pk))
        if not roster or organiser is None:
            continue
        for start, end in terms:
            if rng.random() < 0.85:
                add(
                    kind=Activity.Kind.CLASS_MEETING,
                    level=Level.CLASS,
                    college_id=group.college_id,
                    class_group=group,
                    title=f"{rng.choice(CLASS_TOPICS)}主题班会",
                    held_on=_day(rng, start, end),
                    minutes=45,
                    organiser_id=organiser,
                    headcount=0,
                )
                meetings.append((len(activities) - 1, roster))
    for (post, room), leader in sorted(people.items(), key=lambda pair: (pair[0][0], pair[0][1])):
        if post != Post.DORM_LEADER:
            continue
        for start, end in terms:
            if rng.random() < 0.5:
                add(
                    kind=Activity.Kind.DORM_ACTIVITY,
                    level=Level.DORM,
                    dorm_room_id=room,
                    college_id=dorm_colleges.get(room),
                    title=rng.choice(DORM_TOPICS),
                    held_on=_day(rng, start, end),
                    minutes=30,
                    organiser_id=leader,
                )
    attendance = []
    for index, roster in meetings:
        present = [student for student in roster if rng.random() > 0.05]
        activities[index].headcount = len(present)
        attendance.append((index, present))
    created = Activity.objects.bulk_create(activities)
    rows = [
        Attendance(activity=created[index], student_id=student) for index, present in attendance for student in present
    ]
    Attendance.objects.bulk_create(rows, batch_size=2000)
    result.activities, result.attendance = len(created), len(rows)
    return result
