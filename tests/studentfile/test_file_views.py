"""The student file page × the cast: who opens it, what each tier sees, the audit entry, the query count."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.helpers import queries_for_page
from tests.studentfile.conftest import CONFIDENTIAL_TEXT, DRILL_TEXT, T2_TEXTS, T3_TEXTS, make_records
from xinyu.audit.models import AuditEntry
from xinyu.care.models import Interview
from xinyu.concerns.models import CaseMember, CrisisCase
from xinyu.concerns.services.interviews import record_interview
from xinyu.org.models import Student
from xinyu.privacy.models import BreakGlassGrant


def file_url(student) -> str:
    return reverse("studentfile:file", args=[student.pk])


def test_the_url_is_fixed(world):
    assert file_url(world.in_scope) == f"/files/{world.in_scope.pk}/"


@pytest.mark.parametrize("who", ["head_teacher", "advisor", "student_affairs"])
def test_t2_chain_sees_that_attention_is_needed_but_no_scores_or_notes(world, client_for, records, who):
    response = client_for(world.cast[who]).get(file_url(world.in_scope))
    assert response.status_code == 200
    html = response.content.decode()
    for text in T2_TEXTS:
        assert text in html, text
    for text in (*T3_TEXTS, "OPEN-REASON", DRILL_TEXT):
        assert text not in html, text
    kinds = {entry.kind for entry in response.context["file"].entries}
    # Nothing of screening, not even that an interview is due: that is a positive screening (T3). The case's
    # follow-up (an interview too) shows, without what came of it.
    assert kinds == {"concern_report", "crisis", "interview"}
    shown = [entry.url for entry in response.context["file"].entries if entry.kind == "interview"]
    assert shown == [records["follow_up"].get_absolute_url()]
    assert {int(entry.tier) for entry in response.context["file"].entries} == {2}


@pytest.mark.parametrize("who", ["mental_health_advisor", "college_leader", "counsellor", "supervisor"])
def test_t3_readers_see_scores_interview_notes_and_family_contacts(world, client_for, records, who):
    response = client_for(world.cast[who]).get(file_url(world.in_scope))
    assert response.status_code == 200
    html = response.content.decode()
    for text in (*T2_TEXTS, "INTERVIEW-NOTE-学业压力", "FAMILY-OUTCOME-母亲同意", "FOLLOWUP-OUTCOME-情绪好转"):
        assert text in html, text
    for text in ("REVIEW-ASSESSMENT-稳定", "CENTRE-ASSESSMENT-中心评估", "OPEN-REASON"):
        assert text in html, text
    assert DRILL_TEXT not in html
    kinds = {entry.kind for entry in response.context["file"].entries}
    assert kinds == {
        "screening_result", "interview", "concern_report", "crisis", "family_contact", "review_support"
    }  # fmt: skip
    shown = {entry.url for entry in response.context["file"].entries if entry.kind == "interview"}
    assert shown == {records[key].get_absolute_url() for key in ("interview", "open_interview", "follow_up")}
    result = next(entry for entry in response.context["file"].entries if entry.kind == "screening_result")
    assert "12" in result.summary and "中度焦虑" in result.summary and "moderate" not in result.summary


@pytest.mark.parametrize("who", ["dorm_leader", "wellbeing_rep", "student", "outsider", "leading_group_member"])
def test_others_get_404_for_a_file_that_exists(world, client_for, records, who):
    response = client_for(world.cast[who]).get(file_url(world.in_scope))
    assert response.status_code == 404
    assert "宿舍里情绪低落-REPORT" not in response.content.decode()
    assert not AuditEntry.objects.filter(what__startswith="studentfile.").exists()


@pytest.mark.parametrize("who", ["head_teacher", "advisor"])
def test_chain_of_another_class_gets_404(world, client_for, who):
    for student in (world.other_class, world.other_college):
        assert client_for(world.cast[who]).get(file_url(student)).status_code == 404


def test_missing_student_is_the_same_404(world, client_for):
    assert client_for(world.cast["supervisor"]).get("/files/999999/").status_code == 404


def test_signed_out_goes_to_sign_in(world, client):
    response = client.get(file_url(world.in_scope))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_opening_writes_one_audit_entry_at_the_viewers_tier(world, client_for, records):
    client_for(world.cast["head_teacher"]).get(file_url(world.in_scope))
    client_for(world.cast["mental_health_advisor"]).get(file_url(world.in_scope))
    entries = list(AuditEntry.objects.filter(what="studentfile.file").order_by("id"))
    assert [(e.actor_username, e.action, e.tier, e.post, e.student_id) for e in entries] == [
        ("T10001", "view", 2, "head_teacher", world.in_scope.pk),
        ("T10003", "view", 3, "mental_health_advisor", world.in_scope.pk),
    ]
    assert entries[0].detail["highest_tier"] == 2
    assert entries[1].detail["highest_tier"] == 3


def test_a_case_member_outside_the_chain_opens_the_file_while_the_case_is_open(world, client_for, records):
    outsider = world.cast["outsider"]
    CaseMember.objects.create(case=records["case"], person=outsider, role=CaseMember.Role.COLLABORATOR)
    response = client_for(outsider).get(file_url(world.in_scope))
    assert response.status_code == 200
    assert "INTERVIEW-NOTE-学业压力" not in response.content.decode()
    assert AuditEntry.objects.get(what="studentfile.file").post == "case_member"
    CrisisCase.objects.filter(pk=records["case"].pk).update(status=CrisisCase.Status.CLOSED)
    assert client_for(outsider).get(file_url(world.in_scope)).status_code == 404


def test_filter_by_kind(world, client_for, records):
    client = client_for(world.cast["mental_health_advisor"])
    response = client.get(file_url(world.in_scope), {"kind": ["family_contact", "review_support", "nonsense"]})
    student_file = response.context["file"]
    assert {entry.kind for entry in student_file.entries} == {"family_contact", "review_support"}
    assert {choice.kind for choice in student_file.kinds if choice.selected} == {"family_contact", "review_support"}
    assert "宿舍里情绪低落-REPORT" not in response.content.decode()
    assert AuditEntry.objects.get(what="studentfile.file").detail["kinds"] == ["family_contact", "review_support"]


def test_grouped_by_month_newest_first(world, client_for, records):
    response = client_for(world.cast["mental_health_advisor"]).get(file_url(world.in_scope))
    student_file = response.context["file"]
    ats = [entry.at for entry in student_file.entries]
    assert ats == sorted(ats, reverse=True)
    months = student_file.months
    assert months and sum(len(month.entries) for month in months) == len(student_file.entries)
    assert [month.start for month in months] == sorted({month.start for month in months}, reverse=True)


def test_header_shows_status_and_the_open_crisis_badge(world, client_for, records):
    Student.objects.filter(pk=world.in_scope.pk).update(status=Student.Status.ON_LEAVE)
    response = client_for(world.cast["head_teacher"]).get(file_url(world.in_scope))
    badges = response.context["file"].badges
    assert len(badges) == 1 and "B" in badges[0]  # the open case's level, in the page's language
    html = response.content.decode()
    assert 'data-testid="file-badge"' in html
    assert world.in_scope.student_number in html and "软件2501班" in html
    assert str(Student.Status.ON_LEAVE.label) in html or "休学" in html


def test_no_badge_without_an_open_crisis(world, client_for):
    response = client_for(world.cast["head_teacher"]).get(file_url(world.in_scope))
    assert response.context["file"].badges == []
    assert response.context["file"].entries == []


def test_confidential_entries_are_marked_for_those_whose_sources_grant_them(
    world, client_for, records, confidential_source
):
    supervisor = client_for(world.cast["supervisor"]).get(file_url(world.in_scope))
    assert CONFIDENTIAL_TEXT in supervisor.content.decode()
    assert 'data-testid="confidential-mark"' in supervisor.content.decode()
    assert 'data-testid="file-print-confidential"' in supervisor.content.decode()
    counsellor = client_for(world.cast["counsellor"]).get(file_url(world.in_scope))
    assert CONFIDENTIAL_TEXT not in counsellor.content.decode()
    assert 'data-testid="file-print-confidential"' not in counsellor.content.decode()


def test_the_student_detail_page_links_to_the_file_for_t2_and_above(world, client_for):
    detail = reverse("org:student_detail", args=[world.in_scope.pk])
    assert file_url(world.in_scope) in client_for(world.cast["head_teacher"]).get(detail).content.decode()


@pytest.mark.parametrize("who", ["head_teacher", "mental_health_advisor"])
def test_query_count_does_not_grow_with_records(world, client_for, who):
    client = client_for(world.cast[who])
    url = file_url(world.in_scope)
    make_records(world)
    one, response = queries_for_page(client, url)
    few = len(response.context["file"].entries)
    for serial in range(1, 4):
        CrisisCase.objects.filter(student=world.in_scope, is_drill=False).update(status=CrisisCase.Status.CLOSED)
        make_records(world, serial=serial)
    many, response = queries_for_page(client, url)
    assert len(response.context["file"].entries) > few
    assert many == one


def test_a_follow_up_done_on_a_case_shows_once(world, client_for, records):
    follow_up = Interview.objects.create(
        student=world.in_scope, case=records["case"], source=Interview.Source.CRISIS_CASE,
        due_on=records["case"].opened_at.date(), assignee=world.cast["advisor"],
        scheduled_by=world.cast["mental_health_advisor"],
    )  # fmt: skip
    record_interview(follow_up, by=world.cast["advisor"], conducted_at=timezone.now(), method="phone",
                     outcome="watch", notes="ONCE-ONLY-回访")  # fmt: skip
    response = client_for(world.cast["mental_health_advisor"]).get(file_url(world.in_scope))
    assert response.content.decode().count("ONCE-ONLY-回访") == 1


def test_break_glass_opens_the_file_at_t3_while_the_grant_lasts(world, client_for, records):

    outsider = world.cast["outsider"]  # the other college's mental-health advisor: no tier on 张三
    assert client_for(outsider).get(file_url(world.in_scope)).status_code == 404
    now = timezone.now()
    grant = BreakGlassGrant.objects.create(
        person=outsider, student=world.in_scope, reason="夜间联系不上，室友报告有危险", granted_at=now,
        expires_at=now + dt.timedelta(minutes=30), review_due_on=timezone.localdate(),
    )  # fmt: skip
    response = client_for(outsider).get(file_url(world.in_scope))
    assert response.status_code == 200
    assert "INTERVIEW-NOTE-学业压力" in response.content.decode()
    entry = AuditEntry.objects.get(what="studentfile.file")
    assert (entry.actor_username, entry.tier, entry.post) == ("T10007", 3, "break_glass")
    BreakGlassGrant.objects.filter(pk=grant.pk).update(ended_at=timezone.now())
    assert client_for(outsider).get(file_url(world.in_scope)).status_code == 404
