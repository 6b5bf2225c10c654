"""The monthly report's one write path: draft, submit, send back, approve and send (figures frozen), return
for changes, a new version; the due date from the policy; reminders and escalation."""

import datetime as dt

import pytest

from tests.reports.conftest import DUE, NOVEMBER, TODAY
from xinyu.audit.models import AuditEntry
from xinyu.concerns.services import reports
from xinyu.notify.models import Notification
from xinyu.reports import monthly
from xinyu.reports.figures import monthly_figures
from xinyu.reports.models import MonthlyReport

pytestmark = pytest.mark.usefixtures("now")
NARRATIVE = {"activities": "5·25 心理健康活动月筹备", "problems": "无", "concerns": "一名学生因家庭变故情绪低落",
             "next_focus": "期末考试前的心理疏导"}  # fmt: skip


def drafted(world, **changes):
    report = monthly.start_report(world.college_a, NOVEMBER, by=world.cast["mental_health_advisor"])
    return monthly.save_narrative(report, by=world.cast["mental_health_advisor"], **(NARRATIVE | changes))


def test_the_due_date_is_the_policys_working_day_of_the_next_month():
    assert monthly.due_on(NOVEMBER) == DUE  # 1–4 Dec (Tue–Fri) and Monday the 7th
    # The National Day holiday (1–7 Oct) skipped, Saturday the 10th worked: 8, 9, 10, 12, 13 October.
    assert monthly.due_on(dt.date(2026, 9, 1)) == dt.date(2026, 10, 13)


def test_only_the_colleges_office_drafts(world):
    for who in ("head_teacher", "college_leader", "outsider", "student_affairs"):
        with pytest.raises(monthly.ReportError):
            monthly.start_report(world.college_a, NOVEMBER, by=world.cast[who])
    report = drafted(world)
    assert (report.status, report.version, report.due_on) == ("draft", 1, DUE)
    assert monthly.start_report(world.college_a, NOVEMBER, by=world.cast["mental_health_advisor"]) == report
    with pytest.raises(monthly.ReportError, match="not begun"):
        monthly.start_report(world.college_a, dt.date(2027, 1, 1), by=world.cast["mental_health_advisor"])


def test_submitting_needs_every_part_of_the_narrative(world):
    report = drafted(world, problems=" ", concerns="")
    with pytest.raises(monthly.ReportError) as caught:
        monthly.submit_report(report, by=world.cast["mental_health_advisor"])
    assert "problems found" in str(caught.value) and "students of concern" in str(caught.value)
    report.refresh_from_db()
    assert report.status == "draft"


def concern_report_in_november(world, now, day):
    now.move_to(dt.datetime(2026, 11, day, 10, 0, tzinfo=TODAY.tzinfo))
    reports.submit_report(world.cast["head_teacher"], world.in_scope, category="emotional_change",
                          urgency="normal", description="情绪低落")  # fmt: skip
    now.move_to(TODAY)


def test_the_head_approves_and_the_figures_freeze(world, heads, now):
    concern_report_in_november(world, now, 20)
    report = monthly.submit_report(drafted(world), by=world.cast["mental_health_advisor"])
    assert report.status == "awaiting_approval"
    told = Notification.objects.filter(dedupe_key__startswith=f"reports.monthly{report.pk}:v1:submitted")
    assert {n.recipient for n in told} == {heads, world.cast["college_leader"]}
    with pytest.raises(monthly.ReportError):
        monthly.approve_and_send(report, by=world.cast["outsider"])
    sent = monthly.approve_and_send(report, by=heads)
    assert (sent.status, sent.sent_by, sent.was_late) == ("sent", heads, False)
    assert sent.figures["concern_reports"]["total"] == 1
    # A November report entered afterwards changes the live figures, not what was sent.
    concern_report_in_november(world, now, 25)
    assert monthly_figures(world.college_a, NOVEMBER)["concern_reports"]["total"] == 2
    assert MonthlyReport.objects.get(pk=sent.pk).figures["concern_reports"]["total"] == 1
    arrived = Notification.objects.get(dedupe_key__startswith=f"reports.monthly{report.pk}:v1:sent")
    assert arrived.recipient == world.cast["student_affairs"] and arrived.student is None and arrived.tier == 0
    assert AuditEntry.objects.filter(what="reports.monthly.send", student=None).count() == 1
    with pytest.raises(monthly.ReportError):
        monthly.save_narrative(sent, by=world.cast["mental_health_advisor"], problems="改一下")


def test_the_head_sends_a_draft_back_with_a_note(world, heads):
    report = monthly.submit_report(drafted(world), by=world.cast["mental_health_advisor"])
    with pytest.raises(monthly.ReportError, match="what should change"):
        monthly.send_back(report, by=heads, note=" ")
    back = monthly.send_back(report, by=heads, note="活动写具体一些")
    assert (back.status, back.head_note) == ("draft", "活动写具体一些")
    monthly.save_narrative(back, by=world.cast["mental_health_advisor"], activities="11月20日心理委员培训")


def test_returned_and_corrected_by_a_new_version(world, heads):
    sent = monthly.approve_and_send(monthly.submit_report(drafted(world), by=world.cast["mental_health_advisor"]),
                                    by=heads)  # fmt: skip
    with pytest.raises(monthly.ReportError):
        monthly.return_for_changes(sent, by=world.cast["college_leader"], note="x")
    returned = monthly.return_for_changes(sent, by=world.cast["student_affairs"], note="缺少活动照片说明")
    assert returned.status == "returned"
    with pytest.raises(monthly.ReportError, match="reason"):
        monthly.new_version(returned, by=world.cast["mental_health_advisor"], reason="")
    second = monthly.new_version(returned, by=world.cast["mental_health_advisor"], reason="补充活动说明")
    assert (second.version, second.status, second.activities) == (2, "draft", NARRATIVE["activities"])
    assert MonthlyReport.objects.get(pk=sent.pk).status == "superseded"
    assert monthly.current_report(world.college_a, NOVEMBER) == second


def test_a_report_sent_after_its_due_date_is_late(world, heads, now):
    report = monthly.submit_report(drafted(world), by=world.cast["mental_health_advisor"])
    now.move_to(TODAY + dt.timedelta(days=6))  # Wednesday the 9th
    assert monthly.approve_and_send(report, by=heads).was_late


def test_reminders_before_the_due_date_and_escalation_after(world, heads, now):
    now.move_to(TODAY + dt.timedelta(days=2))  # Saturday the 5th: two days before the 7th
    counts = monthly.remind_and_escalate()
    reminded = Notification.objects.filter(dedupe_key__contains=f":{world.college_a.pk}:2026-11:remind")
    assert {n.recipient for n in reminded} == {world.cast["mental_health_advisor"]}
    assert counts["reminded"] >= 1 and counts["late"] == 0
    assert monthly.remind_and_escalate()["reminded"] == 0  # once
    now.move_to(TODAY + dt.timedelta(days=5))  # Tuesday the 8th
    monthly.remind_and_escalate()
    late = {
        n.recipient for n in Notification.objects.filter(dedupe_key__contains=f":{world.college_a.pk}:2026-11:late")
    }
    assert late == {world.cast["mental_health_advisor"], world.cast["college_leader"], heads,
                    world.cast["student_affairs"]}  # fmt: skip
    # A college whose report was sent is not chased.
    outsider_college = Notification.objects.filter(dedupe_key__contains=f":{world.college_b.pk}:2026-11:late")
    assert outsider_college.exists()
