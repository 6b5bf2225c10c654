"""Break-glass: only staff outside the chain, only with a reason, time-limited through the scope module,
logged (grant and reads), the centre alerted, reviewed by the centre's supervisors."""

import datetime as dt

import pytest
from django.db import connection
from django.http import Http404
from django.test import override_settings
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from tests.factories import SchoolFactory, UserFactory
from tests.helpers import freeze_time
from xinyu.audit.models import AuditEntry
from xinyu.core.work import extra_sections
from xinyu.notify.models import Notification
from xinyu.org import scope
from xinyu.org.models import Post
from xinyu.org.scope import Tier
from xinyu.org.services import appoint
from xinyu.privacy import breakglass
from xinyu.privacy import scope as privacy_scope
from xinyu.privacy.models import BreakGlassGrant

REASON = "学生在宿舍群里说要轻生，辅导员电话打不通，需要马上联系家长。"


def post_break_glass(client, student, reason=REASON, name=None):
    return client.post(
        reverse("privacy:break_glass"),
        {"student_number": student.student_number, "student_name": name or student.name, "reason": reason},
    )


def grant_for(world, person="outsider", student="in_scope"):
    return breakglass.open_break_glass(world.cast[person], world.students[student], reason=REASON)


# --- the service ---------------------------------------------------------------------------------


def test_a_grant_gives_t3_through_the_scope_module_and_expires(world):
    outsider, student = world.cast["outsider"], world.in_scope
    assert scope.tier_for(outsider, student)[0] == Tier.T0
    assert not scope.students_for(outsider, Tier.T3).filter(pk=student.pk).exists()

    grant = grant_for(world)

    tier, source = scope.tier_for(outsider, student)
    assert source.scope_id == grant.pk
    assert tier == Tier.T3 and source.post == scope.BREAK_GLASS
    assert scope.students_for(outsider, Tier.T3).filter(pk=student.pk).exists()
    assert scope.get_student_for_user(outsider, student.pk, Tier.T3) == student
    assert not scope.students_for(outsider, Tier.T4).filter(pk=student.pk).exists()
    # Only that student.
    assert scope.tier_for(outsider, world.other_class)[0] == Tier.T0

    now = timezone.now()
    BreakGlassGrant.objects.filter(pk=grant.pk).update(
        granted_at=now - dt.timedelta(minutes=61), expires_at=now - dt.timedelta(minutes=1)
    )
    outsider = type(outsider).objects.get(pk=outsider.pk)  # the next request
    assert scope.tier_for(outsider, student)[0] == Tier.T0
    assert not scope.students_for(outsider).filter(pk=student.pk).exists()
    with pytest.raises(Http404):
        scope.get_student_for_user(outsider, student.pk)


def test_grant_lasts_the_policy_minutes_and_review_is_due_in_policy_days(world):
    grant = grant_for(world)
    assert grant.expires_at - grant.granted_at == dt.timedelta(minutes=60)
    assert grant.review_due_on == timezone.localdate(grant.granted_at) + dt.timedelta(days=3)


def test_reason_is_required(world):
    for reason in ("", "   ", "急"):
        with pytest.raises(breakglass.BreakGlassError):
            breakglass.open_break_glass(world.cast["outsider"], world.in_scope, reason=reason)
    assert not BreakGlassGrant.objects.exists()


@pytest.mark.parametrize("who", ["advisor", "head_teacher", "mental_health_advisor", "counsellor", "supervisor"])
def test_people_in_the_chain_do_not_need_it(world, who):
    with pytest.raises(breakglass.BreakGlassError):
        grant_for(world, who)
    assert not BreakGlassGrant.objects.exists()


@pytest.mark.parametrize("who", ["student", "dorm_leader", "wellbeing_rep"])
def test_students_can_never_use_it(world, who):
    assert not privacy_scope.may_break_glass(world.cast[who])
    with pytest.raises(breakglass.BreakGlassError):
        breakglass.open_break_glass(world.cast[who], world.other_college, reason=REASON)


def test_grant_is_logged_and_encrypted_and_centre_alerted_without_the_name(world):
    grant = grant_for(world)
    entry = AuditEntry.objects.get(what="privacy.break_glass", action=AuditEntry.Action.CREATE)
    assert entry.student_id == world.in_scope.pk
    assert entry.post == "break_glass" and entry.tier == Tier.T3
    # The log names the grant; the reason stays with the grant, encrypted, and never in the log's clear text.
    assert entry.reason == "" and entry.detail["grant"] == grant.pk
    assert REASON not in str(AuditEntry.objects.values_list("reason", "detail", "what"))
    assert entry.actor_username == world.cast["outsider"].username

    alerted = Notification.objects.filter(dedupe_key__startswith=f"privacy.break_glass{grant.pk}:")
    recipients = {notification.recipient for notification in alerted}
    assert recipients == {world.cast["counsellor"], world.cast["supervisor"]}
    assert all(notification.urgent for notification in alerted)
    assert all(world.in_scope.name not in notification.title for notification in alerted)

    with connection.cursor() as cursor:
        cursor.execute("SELECT reason FROM privacy_breakglassgrant")
        (stored,) = cursor.fetchone()
    assert REASON not in stored and stored


def test_a_second_request_while_active_reuses_the_grant(world):
    first = grant_for(world)
    assert grant_for(world) == first
    assert BreakGlassGrant.objects.count() == 1


def test_ending_early(world):
    grant = grant_for(world)
    with pytest.raises(breakglass.BreakGlassError):
        breakglass.end_break_glass(grant, by=world.cast["advisor"])
    breakglass.end_break_glass(grant, by=world.cast["outsider"])
    assert scope.tier_for(world.cast["outsider"], world.in_scope)[0] == Tier.T0
    assert AuditEntry.objects.filter(what="privacy.break_glass.end").count() == 1
    with pytest.raises(breakglass.BreakGlassError):
        breakglass.end_break_glass(grant, by=world.cast["outsider"])


def test_review_task_in_supervisors_work_and_outcome(world):
    grant = grant_for(world)
    supervisor = world.cast["supervisor"]
    sections = {section.key: section for section in extra_sections(supervisor, timezone.now())}
    items = sections["break-glass-reviews"].items
    assert [item.id for item in items] == [grant.pk]
    assert items[0].due == grant.review_due_on
    assert "break-glass-reviews" not in {s.key for s in extra_sections(world.cast["counsellor"], timezone.now())}
    assert "break-glass-reviews" not in {s.key for s in extra_sections(world.cast["outsider"], timezone.now())}

    # Only a supervisor reviews; not justified needs a note and tells the student-affairs office.
    with pytest.raises(breakglass.BreakGlassError):
        breakglass.review_break_glass(grant, by=world.cast["counsellor"], outcome="justified", note="")
    with pytest.raises(breakglass.BreakGlassError):
        breakglass.review_break_glass(grant, by=supervisor, outcome="not_justified", note="")
    breakglass.review_break_glass(grant, by=supervisor, outcome="not_justified", note="当时辅导员可以联系到。")
    grant.refresh_from_db()
    assert grant.outcome == "not_justified" and grant.reviewed_by == supervisor and grant.ended_at is not None
    told = Notification.objects.filter(dedupe_key__startswith=f"privacy.break_glass{grant.pk}:not_justified")
    assert {n.recipient for n in told} == {world.cast["student_affairs"]}
    assert AuditEntry.objects.filter(what="privacy.break_glass.review").count() == 1
    assert not extra_sections(supervisor, timezone.now())[-1].items or all(
        item.kind != "break_glass_review"
        for section in extra_sections(supervisor, timezone.now())
        for item in section.items
    )
    with pytest.raises(breakglass.BreakGlassError):
        breakglass.review_break_glass(grant, by=supervisor, outcome="justified", note="")


def test_justified_review_notifies_nobody_else(world):
    grant = grant_for(world)
    breakglass.review_break_glass(grant, by=world.cast["supervisor"], outcome="justified", note="")
    assert not Notification.objects.filter(dedupe_key__contains="not_justified").exists()


def test_lookup_needs_exact_number_and_name_and_is_rate_limited(world):
    outsider = world.cast["outsider"]
    assert breakglass.find_student(outsider, "２０２５０００００１", " 张三 ") == world.in_scope
    with pytest.raises(breakglass.BreakGlassError):
        breakglass.find_student(outsider, world.in_scope.student_number, "张")
    assert AuditEntry.objects.filter(what=breakglass.LOOKUP_FAILED).count() == 1
    for _ in range(breakglass.LOOKUP_LIMIT):
        with pytest.raises(breakglass.BreakGlassError):
            breakglass.find_student(outsider, "2025999999", "无名")
    with pytest.raises(breakglass.BreakGlassError, match="Too many"):
        breakglass.find_student(outsider, world.in_scope.student_number, world.in_scope.name)


# --- the pages -----------------------------------------------------------------------------------


def test_page_grants_access_and_redirects_to_the_file(world, client_for):
    client = client_for(world.cast["outsider"])
    assert client.get(reverse("privacy:break_glass")).status_code == 200
    response = post_break_glass(client, world.in_scope)
    grant = BreakGlassGrant.objects.get()
    assert response.status_code == 302
    assert response.url == breakglass.student_file_url(world.in_scope)
    assert str(world.in_scope.pk) in response.url
    # A read under the grant is logged with the post "break_glass".
    detail = client.get(reverse("org:student_detail", args=[world.in_scope.pk]))
    assert detail.status_code == 200
    read = AuditEntry.objects.filter(what="student.detail", student=world.in_scope).get()
    assert read.post == "break_glass" and read.actor_username == world.cast["outsider"].username
    assert grant.person == world.cast["outsider"]


def test_student_file_url_prefers_the_student_file(world):
    try:
        expected = reverse("studentfile:file", args=[world.in_scope.pk])
    except NoReverseMatch:
        expected = reverse("org:student_detail", args=[world.in_scope.pk])
    assert breakglass.student_file_url(world.in_scope) == expected


def test_page_refuses_without_a_reason(world, client_for):
    client = client_for(world.cast["outsider"])
    response = post_break_glass(client, world.in_scope, reason="")
    assert response.status_code == 200
    assert not BreakGlassGrant.objects.exists()


def test_page_says_when_the_user_is_in_the_chain(world, client_for):
    response = post_break_glass(client_for(world.cast["advisor"]), world.in_scope)
    assert response.status_code == 200
    assert b'data-testid="break-glass-already"' in response.content
    assert not BreakGlassGrant.objects.exists()


def test_page_wrong_name_is_an_error(world, client_for):
    response = post_break_glass(client_for(world.cast["outsider"]), world.in_scope, name="张四")
    assert response.status_code == 200
    assert b'data-testid="form-errors"' in response.content
    assert not BreakGlassGrant.objects.exists()


@pytest.mark.parametrize("who", ["student", "dorm_leader"])
def test_students_get_404_on_every_break_glass_page(world, client_for, who):
    grant = grant_for(world)
    client = client_for(world.cast[who])
    assert client.get(reverse("privacy:break_glass")).status_code == 404
    assert client.get(reverse("privacy:break_glass_list")).status_code == 404
    assert client.get(reverse("privacy:break_glass_detail", args=[grant.pk])).status_code == 404
    assert client.post(reverse("privacy:break_glass_end", args=[grant.pk])).status_code == 404
    assert (
        client.post(reverse("privacy:break_glass_review", args=[grant.pk]), {"outcome": "justified"}).status_code == 404
    )


def test_break_glass_needs_sign_in(world, client):
    response = client.get(reverse("privacy:break_glass"))
    assert response.status_code == 302 and "login" in response.url


@override_settings(XINYU_ENFORCE_TWO_FACTOR=True)
def test_break_glass_needs_step_up(world, client_for):
    client = client_for(world.cast["outsider"])
    try:
        step_up = reverse("accounts:step_up")
    except NoReverseMatch:
        pytest.skip("the step-up page (accounts:step_up) does not exist yet")
    for response in (client.get(reverse("privacy:break_glass")), post_break_glass(client, world.in_scope)):
        assert response.status_code == 302 and response.url.startswith(step_up)
    assert not BreakGlassGrant.objects.exists()


def test_detail_in_scope_and_out(world, client_for):
    grant = grant_for(world)
    url = reverse("privacy:break_glass_detail", args=[grant.pk])
    # The holder, the centre (alerted) and 学工部 (told when not justified) see it; reading it is logged.
    for who in ("outsider", "supervisor", "counsellor", "student_affairs"):
        response = client_for(world.cast[who]).get(url)
        assert response.status_code == 200
        assert REASON in response.content.decode()
        assert (b'data-testid="review-form"' in response.content) == (who == "supervisor")
    assert AuditEntry.objects.filter(what="privacy.break_glass", action=AuditEntry.Action.VIEW).count() == 4
    # Other staff: 404, even the student's own advisor and the college's leaders.
    for who in ("advisor", "head_teacher", "mental_health_advisor", "college_leader", "leading_group_member"):
        assert client_for(world.cast[who]).get(url).status_code == 404
    assert (
        client_for(world.cast["outsider"]).get(reverse("privacy:break_glass_detail", args=[grant.pk + 99])).status_code
        == 404
    )


def test_list_in_scope_and_out(world, client_for):
    grant = grant_for(world)
    url = reverse("privacy:break_glass_list")
    supervisor_page = client_for(world.cast["supervisor"]).get(url).content.decode()
    assert f'data-grant="{grant.pk}"' in supervisor_page
    assert f'data-grant="{grant.pk}"' in client_for(world.cast["outsider"]).get(url).content.decode()
    assert f'data-grant="{grant.pk}"' not in client_for(world.cast["advisor"]).get(url).content.decode()
    assert f'data-grant="{grant.pk}"' not in client_for(world.cast["mental_health_advisor"]).get(url).content.decode()


def test_the_list_is_logged_for_each_student_it_names(world, client_for):
    grant = grant_for(world)
    client_for(world.cast["supervisor"]).get(reverse("privacy:break_glass_list"))
    logged = AuditEntry.objects.get(what="privacy.break_glass.list")
    assert (logged.actor, logged.student_id, logged.tier) == (world.cast["supervisor"], grant.student_id, 2)
    client_for(world.cast["advisor"]).get(reverse("privacy:break_glass_list"))  # names nobody: nothing logged
    assert AuditEntry.objects.filter(what="privacy.break_glass.list").count() == 1


def test_review_task_shows_on_my_work(world, client_for):
    grant = grant_for(world)
    page = client_for(world.cast["supervisor"]).get(reverse("core:my_work")).content.decode()
    assert 'data-section="break-glass-reviews"' in page
    assert reverse("privacy:break_glass_detail", args=[grant.pk]) in page
    page = client_for(world.cast["counsellor"]).get(reverse("core:my_work")).content.decode()
    assert 'data-section="break-glass-reviews"' not in page


def test_end_page(world, client_for):
    grant = grant_for(world)
    url = reverse("privacy:break_glass_end", args=[grant.pk])
    assert client_for(world.cast["advisor"]).post(url).status_code == 404
    assert client_for(world.cast["outsider"]).get(url).status_code == 405
    response = client_for(world.cast["outsider"]).post(url)
    assert response.status_code == 302
    grant.refresh_from_db()
    assert grant.ended_at is not None


def test_review_page(world, client_for):
    grant = grant_for(world)
    url = reverse("privacy:break_glass_review", args=[grant.pk])
    assert client_for(world.cast["outsider"]).post(url, {"outcome": "justified"}).status_code == 404
    assert client_for(world.cast["counsellor"]).post(url, {"outcome": "justified"}).status_code == 404
    response = client_for(world.cast["supervisor"]).post(url, {"outcome": "justified", "note": "情况属实。"})
    assert response.status_code == 302
    grant.refresh_from_db()
    assert grant.outcome == "justified" and grant.review_note == "情况属实。"


def test_supervisor_of_another_school_sees_nothing(world, client_for):

    grant = grant_for(world)
    other = UserFactory(username="T20001", full_name="别校主任")
    appoint(other, Post.CENTRE_SUPERVISOR, SchoolFactory(name="别的学校", code="OTHER"), starts_on=dt.date(2020, 9, 1))
    assert client_for(other).get(reverse("privacy:break_glass_detail", args=[grant.pk])).status_code == 404
    assert (
        client_for(other)
        .post(reverse("privacy:break_glass_review", args=[grant.pk]), {"outcome": "justified"})
        .status_code
        == 404
    )


def test_grant_expiring_during_a_request_is_honoured(world):
    outsider, student = world.cast["outsider"], world.in_scope
    grant = grant_for(world)
    assert scope.tier_for(outsider, student)[0] == Tier.T3  # cached for this request
    with freeze_time(grant.expires_at + dt.timedelta(seconds=1)):
        assert scope.tier_for(outsider, student)[0] == Tier.T0
