"""The pages that keep the network: granting a post, the posts one may end, grants to confirm. Every page
× every viewer, then the flows a college's office uses: fill a gap shown on the network page, end a post,
confirm or refuse a grant."""

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from xinyu.audit.models import AuditEntry
from xinyu.org.models import Appointment, Post

pytestmark = pytest.mark.django_db

VIEWERS = (
    "dorm_leader", "wellbeing_rep", "student", "head_teacher", "advisor", "mental_health_advisor", "college_leader",
    "counsellor", "leading_group_member", "outsider", "supervisor", "student_affairs", "admin", "group_head",
    "deputy", "office_director",
)  # fmt: skip
# Who may grant some post (the appointment form), and who may use the post pages at all (also to confirm).
GRANTERS = {"student_affairs", "admin", "office_director", "advisor"}
POST_PAGES = GRANTERS | {"supervisor", "group_head", "deputy"}


@pytest.mark.parametrize("who", VIEWERS)
def test_who_reaches_the_post_pages(network, client_for, who):
    client = client_for(network.cast[who])
    expected = 200 if who in POST_PAGES else 404
    assert client.get(reverse("grants:posts")).status_code == expected
    assert client.get(reverse("grants:grants")).status_code == expected
    assert client.get(reverse("grants:appoint")).status_code == (200 if who in GRANTERS else 404)


@pytest.mark.parametrize("who", VIEWERS)
def test_the_posts_listed_are_those_the_viewer_may_end(network, client_for, who):
    if who not in POST_PAGES:
        return
    response = client_for(network.cast[who]).get(reverse("grants:posts"))
    listed = {(a.person.username, a.post) for a in response.context["page"]}
    expected = {
        "student_affairs": {(a.person.username, a.post) for a in Appointment.objects.exclude(post__in=[
            Post.CENTRE_SUPERVISOR, Post.LEADING_GROUP_HEAD, Post.LEADING_GROUP_DEPUTY])},
        "admin": {(a.person.username, a.post) for a in Appointment.objects.all()},
        "office_director": {("T10001", Post.HEAD_TEACHER), ("T10002", Post.ADVISOR),
                            ("2025000005", Post.WELLBEING_REP), ("2025000004", Post.DORM_LEADER)},
        "advisor": {("2025000005", Post.WELLBEING_REP), ("2025000004", Post.DORM_LEADER)},
        "supervisor": {(a.person.username, a.post) for a in Appointment.objects.filter(post__in=[
            Post.CENTRE_COUNSELLOR, Post.CENTRE_PART_TIME_COUNSELLOR, Post.MENTAL_HEALTH_ADVISOR,
            Post.COLLEGE_LEADER_IN_CHARGE, Post.COLLEGE_GROUP_HEAD, Post.COLLEGE_OFFICE_DIRECTOR,
            Post.COLLEGE_CONSULTANT])},
        "group_head": {("T10008", Post.CENTRE_SUPERVISOR), ("T10030", Post.LEADING_GROUP_HEAD),
                       ("T10031", Post.LEADING_GROUP_DEPUTY)},
    }  # fmt: skip
    expected["deputy"] = expected["group_head"]
    assert listed == expected[who]
    # The viewer's own post is listed when they may end it (stepping down), and only then.
    assert all(a.may_end for a in response.context["page"])


def test_a_gap_on_the_network_page_is_filled_from_its_link(network, client_for):
    w = network
    client = client_for(w.cast["office_director"])
    page = client.get(reverse("org:network")).content.decode()
    fill = f"{reverse('grants:appoint')}?post=head_teacher&amp;place=class_group%3A{w.a2.pk}"
    assert fill in page
    form = client.get(reverse("grants:appoint"), {"post": "head_teacher", "place": f"class_group:{w.a2.pk}"})
    assert form.context["form"]["place"].value() == f"class_group:{w.a2.pk}"
    # Only the director's own college's classes are offered.
    assert {value for value, _label in form.context["form"].fields["place"].choices if value} == {
        f"class_group:{w.a1.pk}",
        f"class_group:{w.a2.pk}",
    }
    response = client.post(
        reverse("grants:appoint"),
        {"person": "T20001", "post": "head_teacher", "place": f"class_group:{w.a2.pk}", "starts_on": "2026-09-01"},
    )
    assert response.status_code == 302
    made = Appointment.objects.get(person=w.cast["newcomer"])
    assert (made.post, made.class_group, made.status, made.granted_by) == (
        "head_teacher",
        w.a2,
        "active",
        w.cast["office_director"],
    )
    assert AuditEntry.objects.get(what="org.appointment.grant").actor == w.cast["office_director"]


def test_the_form_says_what_is_wrong_in_chinese(network, client_for):
    w = network
    client = client_for(w.cast["student_affairs"])
    with translation.override("zh-hans"):
        cases = {
            "T99999": ("person", "没有这个工号或学号的账号。"),
            "T10009": (None, "不能给自己任命岗位，请由其他有权任命的同事办理。"),
        }
        for number, (field, message) in cases.items():
            response = client.post(
                reverse("grants:appoint"),
                {"person": number, "post": "advisor", "place": f"class_group:{w.a1.pk}", "starts_on": "2026-09-01"},
                HTTP_ACCEPT_LANGUAGE="zh-hans",
            )
            errors = response.context["form"].errors
            assert errors[field or "__all__"] == [message]
        no_place = client.post(
            reverse("grants:appoint"), {"person": "T20001", "post": "advisor", "starts_on": "2026-09-01"}
        )
        assert no_place.context["form"].errors["place"] == ["请选择任职范围。"]
    assert not Appointment.objects.filter(person__username__in=["T20001", "T10009"], post="advisor").exists()


def test_a_student_post_takes_the_students_own_class(network, client_for):
    w = network
    client = client_for(w.cast["advisor"])
    htmx = client.get(reverse("grants:appoint"), {"post": "wellbeing_rep"}, headers={"HX-Request": "true"})
    assert 'data-testid="derived-place"' in htmx.content.decode() and "<html" not in htmx.content.decode()
    response = client.post(
        reverse("grants:appoint"),
        {"person": w.in_scope.student_number, "post": "wellbeing_rep", "starts_on": "2026-09-01"},
    )
    assert response.status_code == 302
    assert Appointment.objects.get(person=w.in_scope.user, post="wellbeing_rep").class_group == w.a1


def test_a_t3_grant_made_on_the_page_waits_for_the_supervisor_who_confirms_on_the_grants_page(network, client_for):
    w = network
    client_for(w.cast["student_affairs"]).post(
        reverse("grants:appoint"),
        {"person": "T20001", "post": "mental_health_advisor", "place": f"college:{w.college_a.pk}",
         "starts_on": timezone.localdate().isoformat()},
    )  # fmt: skip
    pending = Appointment.objects.get(person=w.cast["newcomer"])
    assert pending.status == "pending"
    # Others are answered as for a missing grant; the granter may only withdraw it.
    confirm = reverse("grants:grant_decision", args=[pending.pk, "confirm"])
    for who in ("student_affairs_2", "deputy", "office_director"):
        assert client_for(w.cast[who]).post(confirm).status_code == 404
    assert client_for(w.cast["student_affairs"]).post(confirm).status_code == 302
    pending.refresh_from_db()
    assert pending.status == "pending"
    supervisor = client_for(w.cast["supervisor"])
    assert [a.pk for a in supervisor.get(reverse("grants:grants")).context["waiting"]] == [pending.pk]
    supervisor.post(reverse("grants:grant_decision", args=[pending.pk, "confirm"]))
    pending.refresh_from_db()
    assert (pending.status, pending.decided_by) == ("active", w.cast["supervisor"])
    assert supervisor.post(reverse("grants:grant_decision", args=[pending.pk, "nonsense"])).status_code == 404


def test_refusing_needs_a_reason_and_the_granter_may_withdraw(network, client_for):
    w = network
    client_for(w.cast["student_affairs"]).post(
        reverse("grants:appoint"),
        {"person": "T20001", "post": "centre_counsellor", "place": f"school:{w.school.pk}", "starts_on": "2026-09-01"},
    )
    pending = Appointment.objects.get(person=w.cast["newcomer"])
    supervisor = client_for(w.cast["supervisor"])
    supervisor.post(reverse("grants:grant_decision", args=[pending.pk, "refuse"]), {"reason": ""})
    pending.refresh_from_db()
    assert pending.status == "pending"
    client_for(w.cast["student_affairs"]).post(reverse("grants:grant_decision", args=[pending.pk, "withdraw"]))
    pending.refresh_from_db()
    assert pending.status == "withdrawn"


def test_ending_a_post_on_the_page(network, client_for):
    w = network
    head_teacher = Appointment.objects.get(person=w.cast["head_teacher"])
    refused = client_for(w.cast["advisor"]).post(reverse("grants:end_post", args=[head_teacher.pk]), {"reason": "x"})
    assert refused.status_code == 404  # the advisor may not end a head teacher's post
    assert (
        client_for(w.cast["office_director"]).get(reverse("grants:end_post", args=[head_teacher.pk])).status_code == 405
    )
    client_for(w.cast["office_director"]).post(reverse("grants:end_post", args=[head_teacher.pk]), {"reason": ""})
    head_teacher.refresh_from_db()
    assert head_teacher.ends_on is None  # a reason is needed
    client_for(w.cast["office_director"]).post(reverse("grants:end_post", args=[head_teacher.pk]), {"reason": "换届"})
    head_teacher.refresh_from_db()
    assert head_teacher.ends_on == timezone.localdate() and head_teacher.ended_by == w.cast["office_director"]
