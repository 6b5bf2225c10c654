"""Reporting a concern, the reporter's own reports, and the handler's report page: every view × the cast,
in scope and out of scope, with data present that could leak.

The expected answers are written out by hand from the issue and DESIGN.md §4, not derived from the scope
module: a report about `in_scope` (软件2501班, room 1号楼101) goes to the advisor and the college's
mental-health advisor, urgent ones also to the centre; the chain at T2+ may read it.
"""

import datetime as dt
import re

import pytest
from django.urls import reverse

from tests.concerns.conftest import OFFICE_TIME
from tests.factories import UserFactory, student_with_account
from tests.helpers import freeze_time, last_entry_id, queries_for_page
from tests.policy.centre_policy import other_centre  # noqa: F401 - a fixture
from xinyu.audit.models import AuditEntry
from xinyu.care.models import Interview
from xinyu.concerns.models import AckRecipient, ConcernReport, CrisisCase
from xinyu.concerns.services import reports
from xinyu.concerns.services.reports import PEER_LOOKUP_LIMIT

pytestmark = pytest.mark.django_db

CAST = [
    "dorm_leader", "wellbeing_rep", "head_teacher", "advisor", "mental_health_advisor", "college_leader",
    "counsellor", "leading_group_member", "outsider", "student", "supervisor", "student_affairs",
    "school_leader", "duty_leader", "security",
]  # fmt: skip
STUDENTS = {"dorm_leader", "wellbeing_rep", "student"}
# Who may read an urgent report about in_scope: those asked (advisor, mental-health advisor, the centre)
# and the chain holding T2+ on the student (head teacher, college leader, 学工部).
READS_REPORT = {
    "head_teacher", "advisor", "mental_health_advisor", "college_leader", "counsellor", "supervisor",
    "student_affairs",
}  # fmt: skip
# The tier each reader holds on in_scope, as the access log records it.
READER_TIER = {
    "head_teacher": 2, "advisor": 2, "student_affairs": 2, "mental_health_advisor": 3, "college_leader": 3,
    "counsellor": 3, "supervisor": 4,
}  # fmt: skip
# Who may take and triage it: those asked, and T3+ on the student (college working group, the centre).
HANDLES_REPORT = {"advisor", "mental_health_advisor", "college_leader", "counsellor", "supervisor"}
# Names each may pick on the report form without typing a 学号 (staff: after searching "2025").
PICKER = {
    "dorm_leader": {"张三"},  # room 1号楼101: 张三 and the dorm leader themselves
    "wellbeing_rep": {"张三", "赵寝"},  # class 软件2501班, not the rep themselves
    "student": set(),
    "head_teacher": {"张三", "赵寝", "钱委"},
    "advisor": {"张三", "赵寝", "钱委"},
    "mental_health_advisor": {"张三", "赵寝", "钱委", "李四"},
    "college_leader": {"张三", "赵寝", "钱委", "李四"},
    "counsellor": {"张三", "赵寝", "钱委", "李四", "王五"},
    "leading_group_member": set(),
    "outsider": {"王五"},
    "supervisor": {"张三", "赵寝", "钱委", "李四", "王五"},
    "student_affairs": {"张三", "赵寝", "钱委", "李四", "王五"},
    "school_leader": set(),
    "duty_leader": set(),
    "security": set(),
}
ALL_NAMES = {"张三", "李四", "王五", "赵寝", "钱委"}
HTMX = {"HTTP_HX_REQUEST": "true"}


def submit(world, *, reporter="dorm_leader", urgency="urgent", category="self_harm", student=None):
    return reports.submit_report(
        world.cast[reporter], student or world.in_scope, category=category, urgency=urgency,
        description="夜里说了不想活了", place="1号楼101",
    )  # fmt: skip


def picked_names(response) -> set[str]:
    return {student.name for student in response.context["choices"]}


def form_data(**overrides):
    data = {"category": "emotional_change", "description": "最近一周很少说话，不去上课", "place": "教室"}
    data.update(overrides)
    return data


# --- The report form ------------------------------------------------------------------------------------


@freeze_time(OFFICE_TIME)
@pytest.mark.parametrize("who", CAST)
def test_report_form_picker_shows_only_the_reporters_own_names(crisis_world, client_for, who):
    client = client_for(crisis_world.cast[who])
    response = client.get(reverse("concerns:report_new"))
    assert response.status_code == 200
    if who not in STUDENTS:
        assert picked_names(response) == set()  # staff search; nothing is listed before they type
        response = client.get(reverse("concerns:report_new"), {"q": "2025", "part": "picker"}, **HTMX)
        assert response.status_code == 200
        assert "<form" not in response.content.decode()  # the fragment only
    assert picked_names(response) == PICKER[who]
    body = response.content.decode()
    for name in ALL_NAMES - PICKER[who] - {crisis_world.cast[who].full_name}:
        assert name not in body, f"{name} leaked to {who}"
    if who in STUDENTS:
        # Names only: a student reporter sees no student number, not even of their dorm-mates.
        assert not re.search(r"2025\d{6}", body)


@freeze_time(OFFICE_TIME)
def test_staff_search_by_number_prefix_or_name(crisis_world, client_for):
    client = client_for(crisis_world.cast["mental_health_advisor"])
    by_name = client.get(reverse("concerns:report_new"), {"q": "李", "part": "picker"}, **HTMX)
    assert picked_names(by_name) == {"李四"}
    by_number = client.get(reverse("concerns:report_new"), {"q": "２０２５０００００１", "part": "picker"}, **HTMX)
    assert picked_names(by_number) == {"张三"}  # full-width digits typed on a phone
    # Without htmx the same search is a full page with the picker filled in.
    page = client.get(reverse("concerns:report_new"), {"q": "张"})
    assert picked_names(page) == {"张三"} and "<form" in page.content.decode()


@freeze_time(OFFICE_TIME)
def test_only_a_student_has_the_about_myself_button(crisis_world, client_for):
    for who in CAST:
        body = client_for(crisis_world.cast[who]).get(reverse("concerns:report_new")).content.decode()
        assert ('data-testid="who-self"' in body) == (who in STUDENTS), who


@freeze_time(OFFICE_TIME)
def test_dorm_leader_reports_a_dorm_mate_in_one_post(crisis_world, client_for):
    w = crisis_world
    client = client_for(w.cast["dorm_leader"])
    response = client.post(reverse("concerns:report_new"), form_data(who=w.in_scope.pk, category="self_harm"))
    report = ConcernReport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("concerns:report_thanks", args=[report.pk])
    assert (report.student, report.reporter, report.category) == (w.in_scope, w.cast["dorm_leader"], "self_harm")
    # Urgent is pre-selected for self-harm: a reporter who leaves it alone sends an urgent report.
    assert report.urgency == ConcernReport.Urgency.URGENT
    assert report.observed_at is None or report.observed_at <= OFFICE_TIME
    assert {r.person.username for r in report.ack.recipients.all()} == {"T10002", "T10003", "T10005", "T10008"}


@freeze_time(OFFICE_TIME)
def test_urgency_follows_the_category_unless_chosen(crisis_world, client_for):
    w = crisis_world
    client = client_for(w.cast["dorm_leader"])
    client.post(reverse("concerns:report_new"), form_data(who=w.in_scope.pk, category="missing"))
    client.post(reverse("concerns:report_new"), form_data(who=w.in_scope.pk, category="self_harm", urgency="normal"))
    client.post(reverse("concerns:report_new"), form_data(who=w.in_scope.pk, category="other", urgency="urgent"))
    assert list(ConcernReport.objects.order_by("pk").values_list("category", "urgency")) == [
        ("missing", "normal"),
        ("self_harm", "normal"),
        ("other", "urgent"),
    ]


@freeze_time(OFFICE_TIME)
@pytest.mark.parametrize(("category", "checked"), [("self_harm", "urgent"), ("emotional_change", "normal")])
def test_choosing_a_category_swaps_in_the_urgency_buttons(crisis_world, client_for, category, checked):
    client = client_for(crisis_world.cast["dorm_leader"])
    response = client.get(reverse("concerns:report_new"), {"part": "urgency", "category": category}, **HTMX)
    body = response.content.decode()
    assert "<form" not in body
    assert re.findall(r'value="(\w+)" autocomplete="off" checked', body) == [checked]


@freeze_time(OFFICE_TIME)
def test_a_dorm_leader_cannot_report_by_pk_outside_their_room(crisis_world, client_for):
    w = crisis_world
    client = client_for(w.cast["dorm_leader"])
    response = client.post(reverse("concerns:report_new"), form_data(who=w.other_college.pk))
    assert response.status_code == 200
    assert "who" in response.context["form"].errors
    assert not ConcernReport.objects.exists()
    assert w.other_college.name not in response.content.decode()


@freeze_time(OFFICE_TIME)
def test_a_student_reports_about_themselves_with_one_tap(crisis_world, client_for):
    w = crisis_world
    client_for(w.cast["student"]).post(reverse("concerns:report_new"), form_data(who="self"))
    assert ConcernReport.objects.get().student == w.in_scope
    # Staff have no student record: "myself" means nothing for them.
    response = client_for(w.cast["advisor"]).post(reverse("concerns:report_new"), form_data(who="self"))
    assert response.status_code == 200 and "who" in response.context["form"].errors
    assert ConcernReport.objects.count() == 1


@freeze_time(OFFICE_TIME)
@pytest.mark.parametrize("who", ["student", "leading_group_member", "security", "outsider"])
def test_anyone_reports_a_peer_by_number_and_name(crisis_world, client_for, who):
    w = crisis_world
    response = client_for(w.cast[who]).post(
        reverse("concerns:report_new"), form_data(student_number=" 2025000002 ", student_name="李四")
    )
    assert response.status_code == 302
    assert ConcernReport.objects.get().student == w.other_class


@freeze_time(OFFICE_TIME)
def test_a_mismatch_says_so_without_saying_which_part(crisis_world, client_for):
    client = client_for(crisis_world.cast["student"])
    wrong_name = client.post(
        reverse("concerns:report_new"), form_data(student_number="2025000002", student_name="王五")
    )
    wrong_number = client.post(
        reverse("concerns:report_new"), form_data(student_number="2025000009", student_name="李四")
    )
    errors = [r.context["form"].errors["student_number"] for r in (wrong_name, wrong_number)]
    assert errors[0] == errors[1] and len(errors[0]) == 1
    assert not ConcernReport.objects.exists()
    for response in (wrong_name, wrong_number):
        assert "2025000002" not in response.content.decode().replace('value="2025000002"', "")


@pytest.mark.parametrize("who", ["student", "advisor"])
def test_failed_peer_lookups_are_rate_limited_per_reporter(crisis_world, client_for, who):
    w = crisis_world
    client = client_for(w.cast[who])
    url = reverse("concerns:report_new")
    with freeze_time(OFFICE_TIME) as clock:
        for n in range(PEER_LOOKUP_LIMIT):
            failed = client.post(url, form_data(student_number=f"20259{n:05d}", student_name="某某"))
            assert failed.status_code == 200 and "student_number" in failed.context["form"].errors
            clock.shift(dt.timedelta(minutes=1))
        assert reports.failed_peer_lookups(w.cast[who]) == PEER_LOOKUP_LIMIT
        # Past the limit even a correct pair is refused, so the form cannot confirm a guess.
        refused = client.post(url, form_data(student_number="2025000002", student_name="李四"))
        assert refused.status_code == 200 and "student_number" in refused.context["form"].errors
        assert not ConcernReport.objects.exists()
        # Someone else is not affected.
        other = client_for(w.cast["wellbeing_rep"])
        assert other.post(url, form_data(student_number="2025000002", student_name="李四")).status_code == 302
        # An hour after the first failures, the reporter may try again.
        clock.shift(dt.timedelta(minutes=52))
        client = client_for(w.cast[who])  # staff sessions end after 30 idle minutes
        accepted = client.post(url, form_data(student_number="2025000002", student_name="李四"))
        assert accepted.status_code == 302 and "/thanks/" in accepted["Location"]
    assert ConcernReport.objects.filter(reporter=w.cast[who]).count() == 1
    failures = AuditEntry.objects.filter(what="concern.report.peer_lookup_failed")
    assert set(failures.values_list("actor_username", flat=True)) == {w.cast[who].username}


@freeze_time(OFFICE_TIME)
@pytest.mark.parametrize(
    ("data", "field"),
    [
        (form_data(who="self", description="  "), "description"),
        (form_data(who="self", category="gossip"), "category"),
        (form_data(who="self", observed_at="2026-11-26T10:00"), None),  # tomorrow
        (form_data(), "who"),  # about nobody
    ],
)
def test_bad_input_is_refused_with_a_clear_error(crisis_world, client_for, data, field):
    response = client_for(crisis_world.cast["student"]).post(reverse("concerns:report_new"), data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors if field else "__all__" in errors
    assert not ConcernReport.objects.exists()


# --- The thank-you page and "my reports" ----------------------------------------------------------------


@freeze_time(OFFICE_TIME)
@pytest.mark.parametrize("urgency", ["urgent", "normal"])
def test_thank_you_page_names_roles_not_people_and_help_lines_when_urgent(crisis_world, client_for, urgency):
    w = crisis_world
    report = submit(w, urgency=urgency)
    response = client_for(w.cast["dorm_leader"]).get(reverse("concerns:report_thanks", args=[report.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert len(response.context["roles"]) == (3 if urgency == "urgent" else 2)
    for person in ("周辅导员", "吴心理辅导员", "冯咨询师", "卫主任"):
        assert person not in body
    assert ('data-testid="help-lines"' in body) == (urgency == "urgent")
    assert ("12356" in body, "400-161-9995" in body) == ((urgency == "urgent",) * 2)


@freeze_time(OFFICE_TIME)
@pytest.mark.parametrize("who", [c for c in CAST if c != "dorm_leader"])
def test_thank_you_page_is_the_reporters_only(crisis_world, client_for, who):
    report = submit(crisis_world)
    response = client_for(crisis_world.cast[who]).get(reverse("concerns:report_thanks", args=[report.pk]))
    assert response.status_code == 404


def statuses(response) -> dict[int, str]:
    return {item["report"].pk: item["status"] for item in response.context["items"]}


@freeze_time(OFFICE_TIME)
def test_my_reports_shows_own_reports_and_only_whether_taken(crisis_world, client_for):
    w = crisis_world
    waiting = submit(w, urgency="normal", category="life_event", student=w.in_scope)
    other = submit(w, reporter="wellbeing_rep", student=w.in_scope)
    triaged = submit(w, student=w.other_college, reporter="dorm_leader")
    reports.triage_report(triaged, by=w.cast["outsider"], crisis_level="C", note="已有自伤行为",
                          reason="割腕，未造成严重后果")  # fmt: skip
    case = CrisisCase.objects.get()
    response = client_for(w.cast["dorm_leader"]).get(reverse("concerns:my_reports"))
    assert response.status_code == 200
    assert statuses(response) == {waiting.pk: "waiting", triaged.pk: "taken"}
    assert other.pk not in statuses(response)
    body = response.content.decode()
    assert re.findall(r'data-status="(\w+)"', body) == ["taken", "waiting"]  # newest first
    # Never the outcome: no triage note, no level, no case, no handler, nothing else about the student.
    for leak in ("已有自伤行为", "割腕", f"/concerns/cases/{case.pk}/", "C级", "Level C", "褚外院",
                 w.other_college.student_number, "机电2501班", w.other_college.guardians.get().phone):  # fmt: skip
        assert leak not in body, leak
    assert ">C<" not in body


@freeze_time(OFFICE_TIME)
@pytest.mark.parametrize("who", CAST)
def test_my_reports_for_everyone_lists_only_their_own(crisis_world, client_for, who):
    w = crisis_world
    submit(w, reporter="dorm_leader")
    response = client_for(w.cast[who]).get(reverse("concerns:my_reports"))
    assert response.status_code == 200
    assert len(statuses(response)) == (1 if who == "dorm_leader" else 0)


@freeze_time(OFFICE_TIME)
def test_my_reports_queries_do_not_grow_with_rows(crisis_world, client_for):
    w = crisis_world
    client = client_for(w.cast["dorm_leader"])
    url = reverse("concerns:my_reports")
    submit(w)
    one, response = queries_for_page(client, url)
    assert len(statuses(response)) == 1
    submit(w, urgency="normal")
    reports.acknowledge_report(submit(w, category="missing"), by=w.cast["advisor"])
    three, response = queries_for_page(client, url)
    assert len(statuses(response)) == 3
    assert one == three


# --- The handler's report page ------------------------------------------------------------------------------


@freeze_time(OFFICE_TIME)
@pytest.mark.parametrize("who", CAST)
def test_report_detail(crisis_world, client_for, who):
    w = crisis_world
    report = submit(w)
    before = AuditEntry.objects.count()
    response = client_for(w.cast[who]).get(reverse("concerns:report_detail", args=[report.pk]))
    if who not in READS_REPORT:
        assert response.status_code == 404
        body = response.content.decode()
        for leak in ("夜里说了不想活了", w.in_scope.name, w.in_scope.student_number):
            assert leak not in body
        assert AuditEntry.objects.count() == before
        return
    assert response.status_code == 200
    body = response.content.decode()
    assert "夜里说了不想活了" in body and w.in_scope.name in body and w.in_scope.student_number in body
    assert reverse("org:student_detail", args=[w.in_scope.pk]) in body
    assert ('data-testid="report-acknowledge"' in body) == (who in HANDLES_REPORT)
    entry = AuditEntry.objects.order_by("id")[before]
    assert (entry.actor_username, entry.student_number, entry.action, entry.what, entry.tier, entry.detail) == (
        w.cast[who].username, w.in_scope.student_number, "view", "concern.report", READER_TIER[who],
        {"report": report.pk},
    )  # fmt: skip


@freeze_time(OFFICE_TIME)
@pytest.mark.parametrize("who", CAST)
def test_missing_report_is_404_like_not_yours(crisis_world, client_for, who):
    response = client_for(crisis_world.cast[who]).get(reverse("concerns:report_detail", args=[999999]))
    assert response.status_code == 404


@freeze_time(OFFICE_TIME)
def test_an_escalated_school_leader_is_told_but_does_not_see_the_student(crisis_world, client_for):
    """The school leader at the escalation chain's top holds no post over students and no role on a case:
    asked to take a report, they are told that it waits untaken (xinyu.concerns.services.acks), and neither
    the report page, its actions nor "my work" name the student (DESIGN.md §4)."""
    w = crisis_world
    report = submit(w)
    leader = w.cast["school_leader"]
    client = client_for(leader)
    # Escalation adds the next person up the chain as a recipient (xinyu.concerns.services.acks).
    AckRecipient.objects.create(ack=report.ack, person=leader, stage=3)
    before_id = last_entry_id()
    assert client.get(reverse("concerns:report_detail", args=[report.pk])).status_code == 404
    assert client.post(reverse("concerns:report_acknowledge", args=[report.pk])).status_code == 404
    work = client.get(reverse("core:my_work"))
    assert w.in_scope.name not in work.content.decode()
    assert 'data-testid="work-withheld" data-count="1"' in work.content.decode()
    assert not AuditEntry.objects.filter(id__gt=before_id, student_number=w.in_scope.student_number).exists()
    report.refresh_from_db()
    assert report.status == "new"


@freeze_time(OFFICE_TIME)
@pytest.mark.parametrize("who", CAST)
def test_acknowledge_action(crisis_world, client_for, who):
    w = crisis_world
    report = submit(w)
    response = client_for(w.cast[who]).post(reverse("concerns:report_acknowledge", args=[report.pk]))
    report.refresh_from_db()
    if who in HANDLES_REPORT:
        assert response.status_code == 302
        assert response["Location"] == reverse("concerns:report_detail", args=[report.pk])
        assert (report.status, report.acknowledged_by) == ("acknowledged", w.cast[who])
        assert report.ack.acknowledged_by == w.cast[who]
    else:
        assert response.status_code == 404
        assert report.status == "new" and report.ack.acknowledged_at is None


@freeze_time(OFFICE_TIME)
def test_acknowledge_is_post_only_and_a_second_take_changes_nothing(crisis_world, client_for):
    w = crisis_world
    report = submit(w)
    url = reverse("concerns:report_acknowledge", args=[report.pk])
    assert client_for(w.cast["advisor"]).get(url).status_code == 405
    client_for(w.cast["advisor"]).post(url)
    client_for(w.cast["counsellor"]).post(url)
    report.refresh_from_db()
    assert report.acknowledged_by == w.cast["advisor"]


@freeze_time(OFFICE_TIME)
@pytest.mark.parametrize("who", CAST)
def test_triage_action(crisis_world, client_for, who):
    w = crisis_world
    report = submit(w)
    response = client_for(w.cast[who]).post(
        reverse("concerns:report_triage", args=[report.pk]), {"outcome": "B", "reason": "情绪极不稳定，有自伤倾向"}
    )
    report.refresh_from_db()
    if who not in HANDLES_REPORT:
        assert response.status_code == 404
        assert report.status == "new" and not CrisisCase.objects.exists()
        return
    case = CrisisCase.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("concerns:case_detail", args=[case.pk])
    assert (report.status, report.case, report.triaged_by) == ("crisis", case, w.cast[who])
    assert (case.student, case.level, case.organiser) == (w.in_scope, "B", w.cast["college_leader"])


@freeze_time(OFFICE_TIME)
def test_triage_no_crisis_needs_a_note_and_may_schedule_an_interview(crisis_world, client_for):
    w = crisis_world
    report = submit(w, urgency="normal", category="life_event")
    client = client_for(w.cast["advisor"])
    url = reverse("concerns:report_triage", args=[report.pk])
    refused = client.post(url, {"outcome": "none", "note": " "})
    assert refused.status_code == 400
    assert refused.context["triage_form"].non_field_errors()
    report.refresh_from_db()
    assert report.status == "new"  # the whole triage, the implied taking included, was rolled back
    response = client.post(url, {"outcome": "none", "note": "家中变故，情绪尚稳定", "interview_on": "2026-11-27"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.status, report.triage_note) == ("no_crisis", "家中变故，情绪尚稳定")
    assert list(Interview.objects.values_list("student", "assignee", "due_on", "source")) == [
        (w.in_scope.pk, w.cast["advisor"].pk, dt.date(2026, 11, 27), "concern_report")
    ]
    again = client.post(url, {"outcome": "A", "reason": "再分一次"})
    assert again.status_code == 400 and not CrisisCase.objects.exists()


@freeze_time(OFFICE_TIME)
def test_triage_into_a_crisis_when_one_is_open_says_so(crisis_world, client_for):
    w = crisis_world
    first, second = submit(w), submit(w, reporter="wellbeing_rep")
    client = client_for(w.cast["advisor"])
    client.post(reverse("concerns:report_triage", args=[first.pk]), {"outcome": "A", "reason": "适应问题"})
    response = client.post(reverse("concerns:report_triage", args=[second.pk]), {"outcome": "B", "reason": "加重"})
    assert response.status_code == 400
    assert response.context["triage_form"].non_field_errors()
    second.refresh_from_db()
    assert second.status == "new" and CrisisCase.objects.count() == 1


@freeze_time(OFFICE_TIME)
@pytest.mark.parametrize("who", ["dorm_leader", "wellbeing_rep", "student"])
def test_a_reporter_and_dorm_leader_see_nothing_of_why(crisis_world, client_for, who):
    """After triage into a crisis the reporter's pages show only "taken"; the report and the case are 404."""
    w = crisis_world
    report = submit(w, reporter=who) if who != "student" else submit(w, reporter=who, student=w.in_scope)
    client_for(w.cast["advisor"]).post(
        reverse("concerns:report_triage", args=[report.pk]), {"outcome": "C", "reason": "割腕，已送医"}
    )
    case = CrisisCase.objects.get()
    client = client_for(w.cast[who])
    assert statuses(client.get(reverse("concerns:my_reports"))) == {report.pk: "taken"}
    for url in (
        reverse("concerns:report_detail", args=[report.pk]),
        reverse("concerns:case_detail", args=[case.pk]),
        reverse("org:student_detail", args=[w.in_scope.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "割腕" not in response.content.decode()
    for url in (
        reverse("concerns:my_reports"),
        reverse("core:home"),
        reverse("concerns:report_thanks", args=[report.pk]),
    ):
        body = client.get(url).content.decode()
        assert "割腕" not in body and f"/concerns/cases/{case.pk}/" not in body and "Level C" not in body


@freeze_time(OFFICE_TIME)
def test_a_report_page_shows_the_outcome_to_handlers(crisis_world, client_for):
    w = crisis_world
    report = submit(w)
    client_for(w.cast["advisor"]).post(
        reverse("concerns:report_triage", args=[report.pk]), {"outcome": "B", "reason": "x"}
    )
    case = CrisisCase.objects.get()
    body = client_for(w.cast["head_teacher"]).get(reverse("concerns:report_detail", args=[report.pk])).content.decode()
    assert reverse("concerns:case_detail", args=[case.pk]) in body
    assert 'data-testid="report-acknowledge"' not in body and 'data-testid="triage-crisis"' not in body


def test_picker_skips_students_who_left(crisis_world, client_for):
    w = crisis_world
    left = student_with_account(
        name="孙离校", student_number="2025100001", class_group=w.a1, dorm_room=w.r1, school=w.school
    )
    left.status = "withdrawn"
    left.save()
    response = client_for(w.cast["dorm_leader"]).get(reverse("concerns:report_new"))
    assert picked_names(response) == {"张三"}


def test_a_staff_member_without_any_post_can_still_report_by_number(crisis_world, client_for):
    newcomer = UserFactory(username="T19999", full_name="新来的老师")
    response = client_for(newcomer).post(
        reverse("concerns:report_new"), form_data(student_number="2025000003", student_name="王五")
    )
    assert response.status_code == 302
    assert ConcernReport.objects.get().student == crisis_world.other_college


@pytest.mark.parametrize(
    ("name", "args", "method"),
    [
        ("concerns:report_new", [], "get"),
        ("concerns:my_reports", [], "get"),
        ("concerns:report_thanks", [1], "get"),
        ("concerns:report_detail", [1], "get"),
        ("concerns:report_acknowledge", [1], "post"),
        ("concerns:report_triage", [1], "post"),
        ("core:my_work", [], "get"),
        ("concerns:board", [], "get"),
        ("concerns:duty_roster", [], "get"),
        ("concerns:duty_shift_add", [], "post"),
        ("concerns:duty_shift_remove", [1], "post"),
    ],
)
def test_signed_out_visitors_are_sent_to_sign_in(crisis_world, client, name, args, method):
    url = reverse(name, args=args)
    response = getattr(client, method)(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@freeze_time(OFFICE_TIME)
@pytest.mark.usefixtures("other_centre")
def test_the_help_lines_after_an_urgent_report_come_from_the_policy_file(crisis_world, client_for):
    report = submit(crisis_world, urgency="urgent")
    body = client_for(crisis_world.cast["dorm_leader"]).get(reverse("concerns:report_thanks", args=[report.pk]))
    body = body.content.decode()
    help_box = body[body.index('data-testid="help-lines"') :]
    assert 'data-testid="help-line-centre">阳光心理中心: <a href="tel:0570-7654321"' in help_box
    assert "测试值班电话" in help_box and "0570-7777777" in help_box
    assert "测试热线" in help_box and "400-000-1234" in help_box
    assert "12356" not in body and "400-161-9995" not in body
