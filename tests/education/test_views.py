"""The pages: who may reach each (in scope and out of scope), what they show, and the writes they make."""

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from tests.education.conftest import CLASS_A1_STAFF, COLLEGE_A_GROUP, EVERYONE, SCHOOL_WIDE, activity, jpeg_with_exif
from tests.helpers import queries_for_page
from xinyu.audit.models import AuditEntry
from xinyu.education.models import Activity, ActivityPhoto, Plan, PlanItem
from xinyu.policy.terms import term_of

pytestmark = pytest.mark.django_db


def reachable(client_for, world, url, people) -> set[str]:
    return {who for who in people if client_for(world.cast[who]).get(url).status_code == 200}


# Plans ---------------------------------------------------------------------------------------------------


def test_plan_list_is_for_staff_and_lists_what_each_may_read(client_for, world, records):
    url = reverse("education:plans")
    staff = set(EVERYONE) - {"wellbeing_rep", "dorm_leader", "student"}
    assert reachable(client_for, world, url, EVERYONE) == staff
    page = client_for(world.cast["head_teacher"]).get(url).content.decode()
    assert world.school.name in page and world.college_a.name not in page  # the college's plan is a draft
    page = client_for(world.cast["mental_health_advisor"]).get(url).content.decode()
    assert world.college_a.name in page  # its drafter sees the draft


def test_school_plan_is_read_by_the_school_staff_college_plan_by_the_college(client_for, world, records):
    school_url = reverse("education:plan", args=[records["school_plan"].pk])
    college_url = reverse("education:plan", args=[records["college_plan"].pk])
    staff = set(EVERYONE) - {"wellbeing_rep", "dorm_leader", "student"}
    assert reachable(client_for, world, school_url, EVERYONE) == staff
    assert reachable(client_for, world, college_url, EVERYONE) == {"mental_health_advisor", "college_leader"}
    Plan.objects.filter(pk=records["college_plan"].pk).update(status=Plan.Status.PUBLISHED)
    assert reachable(client_for, world, college_url, EVERYONE) == {*SCHOOL_WIDE, *COLLEGE_A_GROUP, *CLASS_A1_STAFF}


def test_school_plan_shows_progress_from_the_records(client_for, world, records):
    page = client_for(world.cast["student_affairs"]).get(reverse("education:plan", args=[records["school_plan"].pk]))
    text = page.content.decode()
    # A1 held a theme class meeting this term, A2 and B1 did not (the records' meetings are yesterday).
    classes_held = 2 if term_of(timezone.localdate() - dt.timedelta(days=1)) == term_of() else 0
    assert f"{classes_held} / 3" in text


def test_drafting_adding_and_publishing_a_college_plan(client_for, world, records):
    client = client_for(world.cast["college_leader"])
    plan = records["college_plan"]
    url = reverse("education:plan", args=[plan.pk])
    due = timezone.localdate() + dt.timedelta(days=30)
    response = client.post(
        url,
        {
            "action": "add_item",
            "title": "每个寝室每学期至少一次寝室活动",
            "article": "第十条（三）",
            "owner": world.cast["advisor"].pk,
            "due_on": due.isoformat(),
            "level": "class",
            "measure": "dorm_activities",
        },
    )
    assert response.status_code == 302
    item = PlanItem.objects.get(plan=plan, title="每个寝室每学期至少一次寝室活动")
    assert (item.owner, item.measure, item.article) == (world.cast["advisor"], "dorm_activities", "第十条（三）")
    # An owner from another college is refused, with the form shown again.
    response = client.post(
        url,
        {
            "action": "add_item",
            "title": "x",
            "owner": world.cast["outsider"].pk,
            "due_on": due.isoformat(),
            "level": "class",
        },
    )
    assert response.status_code == 400
    assert client.post(url, {"action": "published"}).status_code == 302
    plan.refresh_from_db()
    assert plan.status == Plan.Status.PUBLISHED and plan.published_by == world.cast["college_leader"]
    assert AuditEntry.objects.filter(what="education.plan.published").count() == 1


def test_only_drafters_change_a_plan(client_for, world, records):
    plan = records["school_plan"]
    url = reverse("education:plan", args=[plan.pk])
    for who in ("supervisor", "mental_health_advisor", "head_teacher"):
        assert client_for(world.cast[who]).post(url, {"action": "draft"}).status_code == 400
    plan.refresh_from_db()
    assert plan.status == Plan.Status.PUBLISHED
    assert (
        client_for(world.cast["outsider"])
        .post(reverse("education:plan", args=[records["college_plan"].pk]), {"action": "published"})
        .status_code
        == 404
    )


def test_starting_a_plan(client_for, world, records):
    year = timezone.localdate().year + 1
    response = client_for(world.cast["student_affairs"]).post(
        reverse("education:plans"), {"place": f"{world.school.pk}-", "year": year}
    )
    plan = Plan.objects.get(school=world.school, college=None, year=year)
    assert response.status_code == 302 and response["Location"] == plan.get_absolute_url()
    # A college's drafter may start only their college's plan.
    response = client_for(world.cast["mental_health_advisor"]).post(
        reverse("education:plans"), {"place": f"{world.school.pk}-{world.college_b.pk}", "year": year}
    )
    assert response.status_code == 200 and not Plan.objects.filter(college=world.college_b).exists()
    assert client_for(world.cast["head_teacher"]).post(reverse("education:plans"), {"year": year}).status_code == 404


def test_owner_marks_an_item_done(client_for, world, records):
    item = records["college_plan"].items.get()
    Plan.objects.filter(pk=records["college_plan"].pk).update(status=Plan.Status.PUBLISHED)
    url = reverse("education:plan", args=[records["college_plan"].pk])
    assert client_for(world.cast["head_teacher"]).post(url, {"action": "complete", "item": item.pk}).status_code == 400
    assert (
        client_for(world.cast["mental_health_advisor"]).post(url, {"action": "complete", "item": item.pk}).status_code
        == 302
    )
    item.refresh_from_db()
    assert item.done_by == world.cast["mental_health_advisor"]


# Activities ------------------------------------------------------------------------------------------------


def test_activity_list_shows_each_person_their_activities(client_for, world, records):
    url = reverse("education:activities")
    assert reachable(client_for, world, url, EVERYONE) == set(EVERYONE) - {"student"}
    expected = {
        "student_affairs": {"lecture", "a1_meeting", "b1_meeting", "dorm"},
        "mental_health_advisor": {"lecture", "a1_meeting", "dorm"},
        "head_teacher": {"lecture", "a1_meeting"},
        "outsider": {"lecture", "b1_meeting"},
        "wellbeing_rep": {"a1_meeting"},
        "dorm_leader": {"dorm"},
    }
    for who, keys in expected.items():
        page = client_for(world.cast[who]).get(url).content.decode()
        shown = {key for key in ("lecture", "a1_meeting", "b1_meeting", "dorm") if records[key].title in page}
        assert (who, shown) == (who, keys)


@pytest.mark.parametrize(
    ("key", "allowed"),
    [
        ("lecture", set(EVERYONE) - {"wellbeing_rep", "dorm_leader", "student"}),
        ("a1_meeting", {*SCHOOL_WIDE, *COLLEGE_A_GROUP, *CLASS_A1_STAFF, "wellbeing_rep"}),
        ("b1_meeting", {*SCHOOL_WIDE, "outsider"}),
        ("dorm", {*SCHOOL_WIDE, *COLLEGE_A_GROUP, "dorm_leader"}),
    ],
)
def test_activity_page_in_and_out_of_scope(client_for, world, records, key, allowed):
    url = reverse("education:activity", args=[records[key].pk])
    assert reachable(client_for, world, url, EVERYONE) == allowed


def test_attendance_is_shown_only_to_staff_over_the_students(client_for, world, records):
    url = reverse("education:activity", args=[records["a1_meeting"].pk])
    names = {"张三", "赵寝", "钱委"}
    for who, shown in (
        ("head_teacher", names),
        ("counsellor", names),
        ("mental_health_advisor", names),
        ("leading_group_member", set()),
        ("wellbeing_rep", set()),
    ):
        page = client_for(world.cast[who]).get(url).content.decode()
        assert (who, set(re.findall(r'data-testid="attendee">([^<]+)<', page))) == (who, shown)
    reads = AuditEntry.objects.filter(what="education.attendance")
    assert set(reads.values_list("actor__username", flat=True)) == {
        world.cast[who].username for who in ("head_teacher", "counsellor", "mental_health_advisor")
    }


def test_photos_are_served_to_staff_who_see_the_activity_without_storing(client_for, world, records):
    photo = ActivityPhoto.objects.get(activity=records["a1_meeting"])
    url = reverse("education:photo", args=[records["a1_meeting"].pk, photo.pk])
    allowed = {*SCHOOL_WIDE, *COLLEGE_A_GROUP, *CLASS_A1_STAFF}
    assert reachable(client_for, world, url, EVERYONE) == allowed
    response = client_for(world.cast["head_teacher"]).get(url)
    assert "no-store" in response["Cache-Control"] and response["Content-Type"] == "image/jpeg"
    # Another activity's id with this photo: 404.
    other = reverse("education:photo", args=[records["b1_meeting"].pk, photo.pk])
    assert client_for(world.cast["student_affairs"]).get(other).status_code == 404


def test_recording_is_offered_for_the_places_each_may_record(client_for, world, records):
    url = reverse("education:activity_new")
    allowed = set(EVERYONE) - {"leading_group_member", "student"}
    assert reachable(client_for, world, url, EVERYONE) == allowed
    # The rep has one place: the form for their class at once, with the roster ticked.
    page = client_for(world.cast["wellbeing_rep"]).get(url).content.decode()
    assert 'data-testid="attendance"' in page and "张三" in page and "李四" not in page
    for who, level, place in (
        ("head_teacher", "class", world.b1.pk),
        ("wellbeing_rep", "class", world.a2.pk),
        ("dorm_leader", "dorm", world.r2.pk),
        ("mental_health_advisor", "college", world.college_b.pk),
        ("college_leader", "school", world.school.pk),
    ):
        response = client_for(world.cast[who]).get(url, {"level": level, "place": place})
        assert (who, response.status_code) == (who, 404)


def test_a_wellbeing_rep_records_a_class_meeting_with_attendance(client_for, world, records):
    client = client_for(world.cast["wellbeing_rep"])
    absent = world.in_scope
    present = [s.pk for s in world.a1.students.all() if s.pk != absent.pk]
    photo = SimpleUploadedFile("班会.jpg", jpeg_with_exif(), content_type="image/jpeg")
    response = client.post(
        reverse("education:activity_new") + f"?level=class&place={world.a1.pk}",
        {
            "kind": "class_meeting",
            "title": "珍爱生命主题班会",
            "held_on": timezone.localdate().isoformat(),
            "minutes": 40,
            "account": "讨论",
            "present": present,
            "photos": [photo],
        },
    )
    assert response.status_code == 302
    activity = Activity.objects.get(title="珍爱生命主题班会")
    assert (activity.class_group, activity.college, activity.organiser, activity.headcount) == (
        world.a1,
        world.college_a,
        world.cast["wellbeing_rep"],
        len(present),
    )
    assert set(activity.attendance.values_list("student_id", flat=True)) == set(present)
    stored = activity.photos.get()
    assert stored.file_name == "班会.jpg" and b"PhoneMaker" not in bytes(stored.content)


def test_bad_input_is_refused_with_a_clear_error(client_for, world, records):
    client = client_for(world.cast["head_teacher"])
    url = reverse("education:activity_new") + f"?level=class&place={world.a1.pk}"
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    response = client.post(url, {"kind": "class_meeting", "title": "班会", "held_on": tomorrow, "minutes": 40})
    assert response.status_code == 400 and 'data-field="held_on"' in response.content.decode()
    fake = SimpleUploadedFile("a.jpg", b"not a picture", content_type="image/jpeg")
    response = client.post(
        url,
        {
            "kind": "class_meeting",
            "title": "班会",
            "minutes": 40,
            "photos": [fake],
            "held_on": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 400 and 'data-testid="form-error"' in response.content.decode()
    assert not Activity.objects.filter(title="班会").exists()


# Coverage -------------------------------------------------------------------------------------------------------


def test_coverage_is_for_school_wide_staff_and_college_groups(client_for, world, records):
    url = reverse("education:coverage")
    assert reachable(client_for, world, url, EVERYONE) == {*SCHOOL_WIDE, *COLLEGE_A_GROUP, "outsider"}
    college_url = reverse("education:coverage_college", args=[world.college_a.pk])
    assert reachable(client_for, world, college_url, EVERYONE) == {*SCHOOL_WIDE, *COLLEGE_A_GROUP}
    assert client_for(world.cast["student_affairs"]).get(url, {"term": "nonsense"}).status_code == 404


def test_coverage_counts_classes_that_held_a_meeting_this_term(client_for, world, records):
    term = term_of(records["a1_meeting"].held_on)
    response = client_for(world.cast["mental_health_advisor"]).get(
        reverse("education:coverage_college", args=[world.college_a.pk]), {"term": term.code}
    )
    rows = response.content.decode()
    assert response.context["held"] == 1 and response.context["classes"] == 2
    assert 'data-held="yes"' in rows and 'data-held="no"' in rows


@pytest.mark.parametrize("page", ["education:activities", "education:plans"])
def test_list_pages_keep_their_queries_however_many_rows(client_for, world, records, page):
    client = client_for(world.cast["student_affairs"])
    few, _response = queries_for_page(client, reverse(page))
    for number in range(3):
        activity(world, kind=Activity.Kind.LECTURE, level="school", title=f"讲座{number}",
                 organiser=world.cast["counsellor"])  # fmt: skip
        Plan.objects.create(school=world.school, college=None if number == 0 else world.college_b, year=2030 + number,
                            status=Plan.Status.PUBLISHED)  # fmt: skip
    more, _response = queries_for_page(client, reverse(page))
    assert more == few
