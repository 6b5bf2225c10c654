"""The leading group's work in the demo college. A year of monthly reports: every college's reports for the
twelve months before this one, written by its mental-health advisor (or 学工办 director) and sent by its
working group head through the services, mostly on time, some late; one returned by 学工部 and corrected in
a second version; last month's still in progress or missing in a few colleges. Last year's summary and its
symposium with three decisions. Deterministic for a seed."""

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from xinyu.org.models import Appointment, College, Post
from xinyu.reports import annual, monthly
from xinyu.reports.figures import next_month
from xinyu.reports.models import MonthlyReport
from xinyu.reports.overview import previous_month

FOCUS = {
    1: "寒假前安全教育与重点学生假期联系",
    3: "开学心理筛查与返校适应",
    4: "心理委员培训，筹备5·25心理健康活动月",
    5: "5·25心理健康活动月",
    6: "毕业生就业压力疏导，期末考试心理调适",
    9: "新生心理普查及约谈",
    10: "新生适应团体辅导",
    11: "重点关注学生复评，人际关系主题班会",
    12: "期末考试心理调适，寒假前排查",
}
PROBLEMS = ("无", "个别班级心理委员履职不够主动，已提醒班主任督促。", "部分学生作息不规律，寝室走访中发现。")
CONCERNS = (
    "无新增。",
    "一名学生因家庭变故情绪低落，已纳入重点关注并联系家长。",
    "两名学生学业压力较大，辅导员每周谈心。",
)


def _person(college, posts):
    appointment = Appointment.objects.current().filter(college=college, post__in=posts).select_related("person").first()
    return appointment.person if appointment else None


def _narrative(month: dt.date, rng: random.Random) -> dict:
    classes = rng.randint(6, 18)
    return {
        "activities": f"{month.month}月共开展心理主题班会{classes}次、寝室走访{rng.randint(20, 60)}间次；"
        f"心理委员例会{rng.randint(1, 2)}次。",
        "problems": rng.choice(PROBLEMS),
        "concerns": rng.choice(CONCERNS),
        "next_focus": FOCUS.get(next_month(month).month, "常规排查与重点学生跟踪"),
    }


def _send(report, drafter, head, *, sent_on: dt.date) -> MonthlyReport:
    monthly.submit_report(report, by=drafter)
    report = monthly.approve_and_send(report, by=head)
    at = timezone.make_aware(dt.datetime.combine(sent_on, dt.time(16, 30)))
    MonthlyReport.objects.filter(pk=report.pk).update(submitted_at=at - dt.timedelta(hours=5), sent_at=at)
    report.refresh_from_db()
    return report


@transaction.atomic
def seed_monthly_reports(school, seed: int) -> dict:
    rng = random.Random(seed)
    today = timezone.localdate()
    last = previous_month(today)
    months = [last]
    for _n in range(11):
        months.append(previous_month(months[-1]))
    affairs = Appointment.objects.current().filter(post=Post.STUDENT_AFFAIRS_STAFF).select_related("person").first()
    counts = {"sent": 0, "late": 0, "in_progress": 0, "missing": 0, "returned": 0}
    for index, college in enumerate(College.objects.filter(school=school).order_by("code")):
        drafter = _person(college, (Post.MENTAL_HEALTH_ADVISOR, Post.COLLEGE_OFFICE_DIRECTOR))
        head = _person(college, (Post.COLLEGE_GROUP_HEAD, Post.COLLEGE_LEADER_IN_CHARGE))
        if drafter is None or head is None:
            continue
        for month in reversed(months):
            due = monthly.due_on(month)
            if month == last and index % 3 == 2:
                counts["missing"] += 1
                continue  # not started: missing once its due date passes
            report = monthly.start_report(college, month, by=drafter)
            monthly.save_narrative(report, by=drafter, **_narrative(month, rng))
            if month == last and (index % 3 == 1 or today <= due):
                counts["in_progress"] += 1
                continue  # still a draft
            late = rng.random() < 0.1
            report = _send(report, drafter, head, sent_on=due + dt.timedelta(days=2) if late else due - dt.timedelta(
                days=rng.randint(0, 3)))  # fmt: skip
            counts["late" if late else "sent"] += 1
            if index == 0 and month == months[2] and affairs is not None:
                monthly.return_for_changes(report, by=affairs.person, note="请补充寝室走访发现的问题及处理情况。")
                fresh = monthly.new_version(report, by=drafter, reason="按学工部意见补充寝室走访情况")
                monthly.save_narrative(fresh, by=drafter, problems="寝室走访发现两间寝室作息混乱，已约谈寝室长。")
                _send(fresh, drafter, head, sent_on=due + dt.timedelta(days=4))
                counts["returned"] += 1
    return counts


@transaction.atomic
def seed_leading_group_year(school, seed: int) -> dict:
    """Last year's summary (drafted from the figures) and its symposium with three decisions: one done, one
    due soon, one overdue — each in its owner's work until done."""
    today = timezone.localdate()
    year = today.year - 1
    affairs = Appointment.objects.current().filter(post=Post.STUDENT_AFFAIRS_STAFF).select_related("person").first()
    if affairs is None:
        return {}
    by = affairs.person
    annual.start_year_summary(school, year, by=by)
    meeting = annual.record_symposium(
        school, by=by, held_on=dt.date(year, 12, 18), place="行政楼三楼会议室",
        attendees="领导小组组长、副组长及成员，学工部、阳光心理中心负责人，各二级学院分管领导",
        papers=["year_summary", "status_report", "compliance", "monthly_reports"],
        minutes="会议听取了年度工作总结和学生心理健康状况专题报告，审议了达标情况，"
        "讨论了月报逾期、约谈逾期和专项经费使用等问题，形成以下决定。",
    )  # fmt: skip
    owners = {post: Appointment.objects.current().filter(post=post).select_related("person").first()
              for post in (Post.CENTRE_SUPERVISOR, Post.COLLEGE_GROUP_HEAD, Post.STUDENT_AFFAIRS_STAFF)}  # fmt: skip
    plans = (
        (Post.CENTRE_SUPERVISOR, "春季学期开学前完成全体心理委员、寝室长培训", today + dt.timedelta(days=40), False),
        (Post.COLLEGE_GROUP_HEAD, "各学院每月5个工作日内报送心理健康状况月报", today - dt.timedelta(days=10), False),
        (Post.STUDENT_AFFAIRS_STAFF, "专项经费按生均不低于20元编入下一年度预算", dt.date(year, 12, 31), True),
    )
    decisions = []
    for post, text, due, done in plans:
        owner = owners[post]
        if owner is None:
            continue
        decision = annual.add_decision(meeting, by=by, text=text, owner=owner.person,
                                       due_on=max(due, meeting.held_on))  # fmt: skip
        if done:
            annual.complete_decision(decision, by=owner.person, note="已编入预算并经领导小组审定。")
        decisions.append(decision)
    return {"symposium": meeting.pk, "decisions": len(decisions)}
