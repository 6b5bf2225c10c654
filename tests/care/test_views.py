"""Every registry, plan and check-in page × the cast, in scope and out of scope; the reads are audited; the
dorm leader sees names only."""

import pytest
from django.urls import reverse

from tests.care.conftest import confirm, propose
from xinyu.audit.models import AuditEntry
from xinyu.care.models import CheckIn, CheckInAssignment, ProgressNote, RegistryEntry
from xinyu.care.registry import decide_removal, request_removal
from xinyu.concerns.models import ConcernReport

STAFF_T2 = ("head_teacher", "advisor", "student_affairs")
STAFF_T3 = ("mental_health_advisor", "college_leader", "counsellor", "supervisor")
NOBODY = ("outsider", "leading_group_member", "dorm_leader", "wellbeing_rep", "student")
REASON = "家庭变故后情绪低落"


def url(name, *args):
    return reverse(name, args=args)


@pytest.mark.parametrize("who", STAFF_T2 + STAFF_T3 + NOBODY)
def test_entry_detail_by_tier(world, client_for, active, who):
    response = client_for(world.cast[who]).get(url("care:entry_detail", active.pk))
    if who in NOBODY:
        assert response.status_code == 404
        assert not AuditEntry.objects.filter(what="care.registry.entry").exists()
        return
    assert response.status_code == 200
    page = response.content.decode()
    assert "张三" in page
    assert "辅导员每两周谈心一次" in page  # the class level's measures: T2
    audit = AuditEntry.objects.get(what="care.registry.entry")
    assert (audit.action, audit.student_id, audit.actor) == ("view", world.in_scope.pk, world.cast[who])
    if who in STAFF_T2:
        assert audit.tier == 2
        for secret in (
            REASON,
            "情绪稳定，正常上课",
            "每两周一次心理咨询",
            'data-testid="entry-categories"',
            'data-testid="entry-history"',
        ):
            assert secret not in page
    else:
        assert audit.tier == 3
        assert REASON in page and "情绪稳定，正常上课" in page and 'data-testid="entry-history"' in page


def test_entries_out_of_scope_are_404_and_in_scope_for_their_own_college(world, client_for):
    entry = propose(world, world.other_college)
    assert client_for(world.cast["mental_health_advisor"]).get(url("care:entry_detail", entry.pk)).status_code == 404
    assert client_for(world.cast["advisor"]).get(url("care:entry_detail", entry.pk)).status_code == 404
    assert client_for(world.cast["outsider"]).get(url("care:entry_detail", entry.pk)).status_code == 200
    assert client_for(world.cast["outsider"]).get(url("care:entry_detail", 999999)).status_code == 404


@pytest.mark.parametrize("who", ("head_teacher", "mental_health_advisor", "counsellor", "outsider", "student_affairs"))
def test_registry_list_shows_only_students_in_scope(world, client_for, active, who):
    other = propose(world, world.other_college)
    response = client_for(world.cast[who]).get(url("care:registry"))
    assert response.status_code == 200
    page = response.content.decode()
    sees_in_scope = who != "outsider"
    sees_other = who in ("counsellor", "outsider", "student_affairs")
    assert ("张三" in page) == sees_in_scope
    assert ("王五" in page) == sees_other
    listed = set(AuditEntry.objects.filter(what="care.registry.list").values_list("student_id", flat=True))
    assert listed == {s.pk for s, shown in ((world.in_scope, sees_in_scope), (other.student, sees_other)) if shown}
    assert REASON not in page


@pytest.mark.parametrize("who", ("leading_group_member", "dorm_leader", "wellbeing_rep", "student"))
def test_registry_list_is_404_for_others(world, client_for, who):
    assert client_for(world.cast[who]).get(url("care:registry")).status_code == 404


def test_removed_entries_are_hidden_but_the_centre_can_filter_them(world, client_for, active):

    request_removal(active, by=world.cast["mental_health_advisor"], reason="稳定")
    decide_removal(active, by=world.cast["counsellor"], assessment="同意", approve=True)
    for who in ("mental_health_advisor", "counsellor"):
        assert "张三" not in client_for(world.cast[who]).get(url("care:registry")).content.decode()
    assert "张三" in client_for(world.cast["counsellor"]).get(url("care:registry") + "?status=removed").content.decode()
    mha = client_for(world.cast["mental_health_advisor"]).get(url("care:registry") + "?status=removed")
    assert "张三" not in mha.content.decode()
    # The history stays readable at T3, not at T2.
    assert client_for(world.cast["mental_health_advisor"]).get(url("care:entry_detail", active.pk)).status_code == 200
    assert client_for(world.cast["advisor"]).get(url("care:entry_detail", active.pk)).status_code == 404


def _form(world, **extra):
    data = {
        "categories": ["family_change", "other"],
        "risk_level": "high",
        "goals": "目标",
        "measures_class": "班级措施",
        "college_person": world.cast["mental_health_advisor"].pk,
        "class_person": world.cast["advisor"].pk,
        "dorm_leader": world.cast["dorm_leader"].pk,
        "student_contact_every_days": 7,
        "family_contact_every_days": 30,
        "review_every_days": 30,
    }
    return data | extra


@pytest.mark.parametrize(
    "who,status",
    [
        ("mental_health_advisor", 200),
        ("supervisor", 200),
        ("advisor", 404),
        ("college_leader", 404),
        ("outsider", 404),
        ("student", 404),
    ],
)
def test_confirm_page(world, client_for, proposed, who, status):
    client = client_for(world.cast[who])
    assert client.get(url("care:entry_confirm", proposed.pk)).status_code == status
    response = client.post(url("care:entry_confirm", proposed.pk), _form(world))
    proposed.refresh_from_db()
    if status == 404:
        assert response.status_code == 404
        assert proposed.status == "proposed"
        return
    assert response.status_code == 302
    assert (proposed.status, proposed.risk_level, proposed.categories) == ("active", "high", ["family_change", "other"])
    assert proposed.plan.student_contact_every_days == 7
    assert CheckInAssignment.objects.filter(student=world.in_scope).count() == 1


def test_confirm_errors_are_shown_and_nothing_is_saved(world, client_for, proposed):
    client = client_for(world.cast["mental_health_advisor"])
    response = client.post(url("care:entry_confirm", proposed.pk), _form(world, class_person=world.cast["outsider"].pk))
    assert response.status_code == 400
    response = client.post(
        url("care:entry_confirm", proposed.pk), _form(world, dorm_leader=""), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 302  # no dorm check-in is fine
    proposed.refresh_from_db()
    assert proposed.status == "active"


@pytest.mark.parametrize(
    "who,status",
    [("mental_health_advisor", 302), ("counsellor", 302), ("advisor", 404), ("head_teacher", 404), ("outsider", 404)],
)
def test_review_page(world, client_for, active, who, status):
    client = client_for(world.cast[who])
    assert client.get(url("care:entry_review", active.pk)).status_code == (200 if status == 302 else 404)
    response = client.post(
        url("care:entry_review", active.pk),
        {"assessment": "好转", "support": "继续", "risk_level": "low", "categories": ["other"]},
    )
    assert response.status_code == status
    active.refresh_from_db()
    assert (active.risk_level == "low") == (status == 302)


@pytest.mark.parametrize(
    "who,status",
    [("mental_health_advisor", 302), ("supervisor", 302), ("advisor", 404), ("college_leader", 404), ("outsider", 404)],
)
def test_plan_edit_page(world, client_for, active, who, status):
    client = client_for(world.cast[who])
    assert client.get(url("care:plan_edit", active.pk)).status_code == (200 if status == 302 else 404)
    data = _form(world, goals="新的目标")
    response = client.post(url("care:plan_edit", active.pk), data)
    assert response.status_code == status
    active.plan.refresh_from_db()
    assert (active.plan.goals == "新的目标") == (status == 302)


@pytest.mark.parametrize(
    "who,status",
    [("mental_health_advisor", 302), ("college_leader", 302), ("counsellor", 404), ("advisor", 404), ("outsider", 404)],
)
def test_removal_request_page(world, client_for, active, who, status):
    client = client_for(world.cast[who])
    assert client.get(url("care:removal_request", active.pk)).status_code == (200 if status == 302 else 404)
    assert client.post(url("care:removal_request", active.pk), {"reason": "稳定三个月"}).status_code == status
    active.refresh_from_db()
    assert (active.status == "removal_requested") == (status == 302)


@pytest.mark.parametrize(
    "who,status",
    [
        ("counsellor", 302),
        ("supervisor", 302),
        ("mental_health_advisor", 404),
        ("college_leader", 404),
        ("student_affairs", 404),
        ("outsider", 404),
    ],
)
def test_removal_decision_page(world, client_for, active, who, status):
    request_removal(active, by=world.cast["mental_health_advisor"], reason="稳定")
    client = client_for(world.cast[who])
    assert client.get(url("care:removal_decision", active.pk)).status_code == (200 if status == 302 else 404)
    response = client.post(url("care:removal_decision", active.pk), {"assessment": "同意", "decision": "approve"})
    assert response.status_code == status
    active.refresh_from_db()
    assert (active.status == "removed") == (status == 302)


def test_removal_decision_without_a_request_is_404(world, client_for, active):
    assert client_for(world.cast["counsellor"]).get(url("care:removal_decision", active.pk)).status_code == 404


@pytest.mark.parametrize(
    "who,saved",
    [
        ("advisor", True),
        ("mental_health_advisor", True),
        ("head_teacher", False),
        ("outsider", False),
        ("dorm_leader", False),
    ],
)
def test_plan_note(world, client_for, active, who, saved):
    response = client_for(world.cast[who]).post(
        url("care:plan_note", active.pk), {"kind": "student_contact", "text": "谈心"}
    )
    assert response.status_code == (302 if saved else 404)
    assert ProgressNote.objects.exists() == saved


def test_a_t2_person_cannot_write_a_progress_note(world, client_for, active):
    client_for(world.cast["advisor"]).post(url("care:plan_note", active.pk), {"kind": "note", "text": "x"})
    assert not ProgressNote.objects.exists()


@pytest.mark.parametrize(
    "who,status",
    [
        ("mental_health_advisor", 200),
        ("college_leader", 200),
        ("counsellor", 200),
        ("outsider", 200),
        ("advisor", 404),
        ("head_teacher", 404),
        ("student_affairs", 404),
        ("dorm_leader", 404),
        ("student", 404),
    ],
)
def test_review_list(world, client_for, active, proposed, who, status):
    response = client_for(world.cast[who]).get(url("care:review_list"))
    assert response.status_code == status
    if status == 200:
        page = response.content.decode()
        assert ("张三" in page) == (who != "outsider")
        if who != "outsider":
            audit = AuditEntry.objects.get(what="care.registry.review_list")
            assert (audit.student_id, audit.tier) == (world.in_scope.pk, 3)


def test_check_ins_show_the_dorm_leader_names_only(world, client_for, active):
    response = client_for(world.cast["dorm_leader"]).get(url("concerns:check_ins"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    page = response.content.decode()
    assert "张三" in page
    for word in (
        "registry",
        "Registry",
        "重点关注",
        "plan",
        "一人一策",
        "risk",
        "Risk",
        REASON,
        "家庭重大变故",
        "辅导员每两周谈心一次",
        "2025000001",
    ):
        assert word not in page, word
    zh = client_for(world.cast["dorm_leader"]).get(url("concerns:check_ins")).content.decode()
    assert "重点关注" not in zh and "一人一策" not in zh
    audits = AuditEntry.objects.filter(what="care.check_in.list")
    assert set(audits.values_list("student_id", "tier", "actor_id")) == {
        (world.in_scope.pk, 2, world.cast["dorm_leader"].pk)
    }


@pytest.mark.parametrize("who", ("wellbeing_rep", "student", "outsider", "advisor", "mental_health_advisor"))
def test_check_ins_are_404_for_everyone_else(world, client_for, active, who):
    assignment = CheckInAssignment.objects.get()
    client = client_for(world.cast[who])
    assert client.get(url("concerns:check_ins")).status_code == 404
    assert client.post(url("concerns:check_in", assignment.pk), {"status": "ok"}).status_code == 404
    assert not CheckIn.objects.exists()


def test_check_in_post_and_something_wrong_becomes_a_report(world, client_for, active):
    assignment = CheckInAssignment.objects.get()
    client = client_for(world.cast["dorm_leader"])
    assert client.post(url("concerns:check_in", assignment.pk), {"status": "ok"}).status_code == 302
    assert (
        client.post(url("concerns:check_in", assignment.pk), {"status": "wrong", "note": "两天没去上课"}).status_code
        == 302
    )
    assert CheckIn.objects.count() == 2
    assert ConcernReport.objects.get().description == "两天没去上课"


def test_a_dorm_leader_without_assignments_sees_nothing(world, client_for, proposed):
    assert client_for(world.cast["dorm_leader"]).get(url("concerns:check_ins")).status_code == 404


def test_navigation_link(world, client_for, active):
    assert 'data-testid="nav-care"' in client_for(world.cast["advisor"]).get("/").content.decode()
    assert 'href="/concerns/check-ins/"' in client_for(world.cast["dorm_leader"]).get("/").content.decode()
    assert 'data-testid="nav-care"' not in client_for(world.cast["wellbeing_rep"]).get("/").content.decode()


def test_second_entry_for_other_student(world):
    entry = confirm(world, propose(world, world.other_class), class_person=None, dorm_leader=None)
    assert RegistryEntry.objects.filter(status="active").get() == entry


@pytest.mark.parametrize(
    "who,status",
    [("mental_health_advisor", 302), ("college_leader", 302), ("counsellor", 302), ("advisor", 404),
     ("head_teacher", 404), ("outsider", 404), ("student_affairs", 404), ("dorm_leader", 404), ("student", 404)],
)  # fmt: skip
def test_propose_page(world, client_for, who, status):
    client = client_for(world.cast[who])
    propose_url = url("care:entry_propose", world.in_scope.pk)
    assert client.get(propose_url).status_code == (200 if status == 302 else 404)
    response = client.post(
        propose_url, {"source": "self_referral", "reason": "本人来中心求助", "categories": ["other"]}
    )
    assert response.status_code == status
    entries = RegistryEntry.objects.filter(student=world.in_scope)
    assert entries.count() == (1 if status == 302 else 0)
    if status == 302:
        entry = entries.get()
        assert (entry.status, entry.source, entry.categories) == ("proposed", "self_referral", ["other"])
        assert response["Location"] == url("care:entry_detail", entry.pk)


def test_propose_page_needs_a_reason_and_reuses_a_live_entry(world, client_for, proposed):
    client = client_for(world.cast["counsellor"])
    propose_url = url("care:entry_propose", world.in_scope.pk)
    assert client.post(propose_url, {"source": "centre", "reason": ""}).status_code == 400
    assert client.post(propose_url, {"source": "centre", "reason": "再次求助"}).status_code == 302
    assert RegistryEntry.objects.get() == proposed
    assert proposed.events.count() == 2
    assert client.get(url("care:entry_propose", 999999)).status_code == 404
