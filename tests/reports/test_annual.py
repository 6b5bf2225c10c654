"""The leading group's year: the summary drafted from the year's figures and kept by 学工部, the symposium and
its decisions tracked in their owners' work until done; the pages × the cast; the Word file."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from docx import Document

from tests.reports.test_views import sent_report
from xinyu.core.my_work import work_for
from xinyu.notify.models import Notification
from xinyu.reports import annual
from xinyu.reports.monthly import ReportError

pytestmark = pytest.mark.usefixtures("now")
OVERSEERS = {"student_affairs", "supervisor", "leading_group_member"}
OTHERS = {"mental_health_advisor", "college_leader", "head_teacher", "advisor", "counsellor", "outsider", "student"}


def symposium(world):
    return annual.record_symposium(
        world.school, by=world.cast["student_affairs"], held_on=dt.date(2026, 12, 1), place="行政楼会议室",
        attendees="领导小组成员、各学院分管领导", papers=["year_summary", "compliance"],
        minutes="MINUTES-讨论了月报报送",
    )  # fmt: skip


def test_the_summary_is_drafted_from_the_years_figures_and_kept_by_student_affairs(world):
    sent_report(world)
    with pytest.raises(ReportError):
        annual.start_year_summary(world.school, 2026, by=world.cast["leading_group_member"])
    summary = annual.start_year_summary(world.school, 2026, by=world.cast["student_affairs"])
    assert summary.figures["reports_sent"] == 1 and summary.figures["reports_expected"] == 2 * 11
    assert "2026" in summary.summary and summary.priorities
    annual.save_year_summary(summary, by=world.cast["student_affairs"], text="全年工作总结", priorities="一、…")
    summary.refresh_from_db()
    assert summary.summary == "全年工作总结"
    with pytest.raises(ReportError):
        annual.save_year_summary(summary, by=world.cast["supervisor"], text="改", priorities="")


def test_a_decision_waits_in_its_owners_work_until_done(world):
    meeting = symposium(world)
    owner = world.cast["mental_health_advisor"]
    with pytest.raises(ReportError, match="someone who runs the work"):
        annual.add_decision(meeting, by=world.cast["student_affairs"], text="x", owner=world.cast["head_teacher"],
                            due_on=dt.date(2027, 3, 1))  # fmt: skip
    with pytest.raises(ReportError, match="due date"):
        annual.add_decision(meeting, by=world.cast["student_affairs"], text="x", owner=owner,
                            due_on=dt.date(2026, 11, 1))  # fmt: skip
    decision = annual.add_decision(meeting, by=world.cast["student_affairs"], text="各学院配齐心理委员",
                                   owner=owner, due_on=dt.date(2027, 3, 1))  # fmt: skip
    told = Notification.objects.get(dedupe_key__startswith=f"reports.decision{decision.pk}:given")
    assert told.recipient == owner and told.student is None
    sections = {section.key: section for section in work_for(owner).sections}
    assert [item.id for item in sections["decisions"].items] == [decision.pk]
    with pytest.raises(ReportError):
        annual.complete_decision(decision, by=world.cast["head_teacher"], note="做了")
    with pytest.raises(ReportError, match="what was done"):
        annual.complete_decision(decision, by=owner, note=" ")
    annual.complete_decision(decision, by=owner, note="已配齐")
    assert "decisions" not in {section.key for section in work_for(owner).sections}


@pytest.mark.parametrize("who", sorted(OVERSEERS | OTHERS))
def test_the_year_page_in_scope_and_out(world, client_for, who):
    # "reports:annual", "reports:annual_docx"
    symposium(world)
    client = client_for(world.cast[who])
    page = client.get(reverse("reports:annual", args=[2026]))
    docx = client.get(reverse("reports:annual_docx", args=[2026]))
    expected = 200 if who in OVERSEERS else 404
    assert page.status_code == docx.status_code == expected
    if expected == 200:
        assert "MINUTES-讨论了月报报送" in page.content.decode()
        assert ('data-testid="symposium-form"' in page.content.decode()) == (who == "student_affairs")
        text = "\n".join(p.text for p in Document(io.BytesIO(docx.content)).paragraphs)
        assert "MINUTES-讨论了月报报送" in text
    refused = client.post(reverse("reports:annual", args=[2026]), {"action": "start_summary"})
    assert refused.status_code == (302 if who == "student_affairs" else 400 if expected == 200 else 404)


def test_a_decisions_page_is_its_owners_and_the_readers(world, client_for):
    # "reports:decision"
    owner = world.cast["college_leader"]
    decision = annual.add_decision(symposium(world), by=world.cast["student_affairs"], text="DECISION-完善月报",
                                   owner=owner, due_on=dt.date(2027, 1, 15))  # fmt: skip
    url = reverse("reports:decision", args=[decision.pk])
    assert client_for(world.cast["leading_group_member"]).get(url).status_code == 200
    for who in ("head_teacher", "mental_health_advisor", "student"):
        assert client_for(world.cast[who]).get(url).status_code == 404
    client = client_for(owner)
    assert 'data-testid="done-form"' in client.get(url).content.decode()
    assert client.post(url, {"note": ""}).status_code == 400
    assert client.post(url, {"note": "已修订月报模板"}).status_code == 302
    decision.refresh_from_db()
    assert decision.done_by == owner and decision.done_note == "已修订月报模板"


def test_recording_a_symposium_through_the_page(world, client_for):
    client = client_for(world.cast["student_affairs"])
    url = reverse("reports:annual", args=[2026])
    bad = client.post(url, {"action": "symposium", "held_on": "", "attendees": ""})
    assert bad.status_code == 400
    fields = {"action": "symposium", "held_on": "2026-12-02", "place": "会议室", "attendees": "领导小组",
              "papers": ["year_summary", "status_report"], "minutes": "会议纪要"}  # fmt: skip
    assert client.post(url, fields).status_code == 302
    meeting = world.school.symposiums.get()
    assert meeting.papers == ["year_summary", "status_report"] and meeting.year == 2026
    decision = {"action": "decision", "symposium": meeting.pk, "text": "加强培训",
                "owner": world.cast["supervisor"].pk, "due_on": "2027-04-01"}  # fmt: skip
    assert client.post(url, decision).status_code == 302
    assert meeting.decisions.get().owner == world.cast["supervisor"]
