"""Every supervision and case-conference page × the cast: who gets it and who a 404, in and out of scope, with
data present that could leak. A counsellor never reads another counsellor's supervision; a head teacher never
sees any of it; an attendee who may not see a student reads the case under its code."""

import datetime as dt
import time

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from tests.workforce.conftest import GUIDANCE, QUESTION, counsel
from xinyu.accounts.stepup import SESSION_KEY
from xinyu.audit.models import AuditEntry
from xinyu.workforce import services
from xinyu.workforce.models import SupervisionRequest

pytestmark = pytest.mark.django_db

CAST = [
    "dorm_leader", "wellbeing_rep", "head_teacher", "advisor", "mental_health_advisor", "college_leader",
    "counsellor", "other_counsellor", "leading_group_member", "outsider", "student", "supervisor", "student_affairs",
]  # fmt: skip
CENTRE = {"counsellor", "other_counsellor", "supervisor"}
STAFF = set(CAST) - {"dorm_leader", "wellbeing_rep", "student"}
CONFERENCE = {"supervisor", "counsellor", "other_counsellor", "student_affairs", "head_teacher", "outsider"}
READERS = {
    "workforce:supervision": CENTRE,
    "workforce:request_new": CENTRE,
    "workforce:request_detail": {"counsellor", "supervisor"},  # 张三's case, of 冯咨询师
    "workforce:session_new": {"supervisor"},
    "workforce:session_detail": {"counsellor", "supervisor"},
    "workforce:conferences": STAFF,
    "workforce:conference_new": CENTRE | {"student_affairs"},
    "workforce:conference_detail": CONFERENCE,
    "workforce:conference_case": CONFERENCE,
    "workforce:conference_task": CONFERENCE,
}
OTHER_QUESTION = "王五的个案：是否需要转介"
# A conference task names its student to those who may be told T2 about them: the head teacher (its assignee)
# and 学工部; the conference and case pages name them only to T3 holders.
TOLD_THE_TASK = {("head_teacher", "workforce:conferences"), ("head_teacher", "workforce:conference_task"),
                 ("student_affairs", "workforce:conference_task")}  # fmt: skip
NOTES = "张三的家庭关系紧张，父母离异"


@pytest.fixture
def records(world, other_counsellor):
    cast = {**world.cast, "other_counsellor": other_counsellor}
    counsellor, supervisor = cast["counsellor"], cast["supervisor"]
    mine = services.submit_request(world.in_scope, by=counsellor, question=QUESTION,
                                   session=counsel(world, counsellor, next_step="supervision"))  # fmt: skip
    counsel(world, other_counsellor, world.other_college)
    theirs = services.submit_request(world.other_college, by=other_counsellor, question=OTHER_QUESTION)
    session = services.record_session(
        world.school, by=supervisor, kind="individual", held_at=timezone.now() - dt.timedelta(hours=1),
        duration_minutes=60, discussions=[(mine, "讨论了家庭治疗的时机", GUIDANCE)],
    )  # fmt: skip
    conference = services.schedule_conference(
        world.school, by=cast["student_affairs"], title="本月个案研讨", held_at=timezone.now(), place="会议室",
        chair=supervisor, attendees=[cast["head_teacher"], counsellor, cast["outsider"]],
    )  # fmt: skip
    case = services.add_case(conference, by=supervisor, student=world.in_scope)
    services.save_case(case, by=supervisor, conclusion="班主任加强关注", notes=NOTES)
    day = timezone.localdate() + dt.timedelta(days=7)
    task = services.add_task(case, by=supervisor, text="每周谈心一次", assignee=cast["head_teacher"], due_on=day)
    coded = services.add_task(case, by=supervisor, text="了解宿舍情况", assignee=cast["outsider"], due_on=day)
    return {"cast": cast, "mine": mine, "theirs": theirs, "session": session, "conference": conference,
            "case": case, "task": task, "coded": coded}  # fmt: skip


def url(name, records):
    args = {
        "workforce:request_detail": [records["mine"].pk],
        "workforce:session_detail": [records["session"].pk],
        "workforce:conference_detail": [records["conference"].pk],
        "workforce:conference_case": [records["case"].pk],
        "workforce:conference_task": [records["task"].pk],
    }.get(name, [])
    return reverse(name, args=args)


@pytest.mark.parametrize("who", CAST)
def test_matrix(world, records, client_for, who):
    client = client_for(records["cast"][who])
    problems = []
    for name, readers in READERS.items():
        response = client.get(url(name, records))
        expected = 200 if who in readers else 404
        if response.status_code != expected:
            problems.append(f"{name}: {response.status_code}, expected {expected}")
            continue
        if expected == 200:
            body = response.content.decode()
            if who not in {"counsellor", "supervisor"}:
                problems += [f"{name} shows {text}" for text in (QUESTION, GUIDANCE) if text in body]
            if who not in {"other_counsellor", "supervisor"} and OTHER_QUESTION in body:
                problems.append(f"{name} shows the other counsellor's question")
            if who not in {"supervisor", "counsellor", "other_counsellor"}:
                problems += [f"{name} shows the case notes" for text in (NOTES,) if text in body]
                if (who, name) not in TOLD_THE_TASK and "张三" in body:
                    problems.append(f"{name} names 张三")
    assert not problems, "\n".join(problems)


def test_the_counsellor_reads_the_guidance_and_it_is_marked_read_and_logged(world, records, client_for):
    response = client_for(world.cast["counsellor"]).get(url("workforce:request_detail", records))
    body = response.content.decode()
    assert GUIDANCE in body and QUESTION in body and "讨论了家庭治疗的时机" in body
    assert SupervisionRequest.objects.get(pk=records["mine"].pk).guidance_read_at is not None
    entry = AuditEntry.objects.filter(what="workforce.supervision.request").latest("id")
    assert (entry.student_id, entry.tier, entry.post) == (world.in_scope.pk, 4, "treating_counsellor")


def test_the_supervisor_reading_does_not_mark_it_read(world, records, client_for):
    client_for(world.cast["supervisor"]).get(url("workforce:request_detail", records))
    assert SupervisionRequest.objects.get(pk=records["mine"].pk).guidance_read_at is None


def test_another_counsellor_cannot_open_the_guidance_nor_act_on_it(records, client_for):
    client = client_for(records["cast"]["other_counsellor"])
    assert client.get(url("workforce:request_detail", records)).status_code == 404
    assert client.post(url("workforce:request_detail", records), {"action": "close"}).status_code == 404
    assert SupervisionRequest.objects.get(pk=records["mine"].pk).status == "discussed"


def test_the_queue_lists_open_requests_for_the_supervisor(world, records, client_for):
    response = client_for(world.cast["supervisor"]).get(reverse("workforce:supervision"))
    assert [item.pk for item in response.context["queue"]] == [records["theirs"].pk]
    response = client_for(world.cast["counsellor"]).get(reverse("workforce:supervision"))
    assert response.context["queue"] == [] and [r.pk for r in response.context["mine"]] == [records["mine"].pk]


def test_a_group_session_shows_each_counsellor_only_their_own_case(world, records, client_for):
    other = records["cast"]["other_counsellor"]
    services.bring_again(records["mine"], by=world.cast["counsellor"])
    group = services.record_session(
        world.school, by=world.cast["supervisor"], kind="group", held_at=timezone.now() - dt.timedelta(minutes=30),
        duration_minutes=90, discussions=[(records["mine"], "", "组内指导甲"), (records["theirs"], "", "组内指导乙")],
    )  # fmt: skip
    page = reverse("workforce:session_detail", args=[group.pk])
    body = client_for(other).get(page).content.decode()
    assert "组内指导乙" in body and "组内指导甲" not in body and "张三" not in body
    assert 'data-testid="others" data-count="1"' in body
    body = client_for(world.cast["supervisor"]).get(page).content.decode()
    assert "组内指导甲" in body and "组内指导乙" in body


def test_submitting_from_a_counselling_session(world, client_for):
    counsellor = world.cast["counsellor"]
    session = counsel(world, counsellor, next_step="supervision")
    client = client_for(counsellor)
    page = f"{reverse('workforce:request_new')}?session={session.pk}"
    assert "张三" in client.get(page).content.decode()
    response = client.post(page, {"question": "如何处理阻抗"})
    request = SupervisionRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == request.get_absolute_url()
    assert (request.session, request.question) == (session, "如何处理阻抗")
    assert client.post(page, {"question": ""}).status_code == 400
    # Another counsellor cannot submit from this session.
    assert client_for(world.cast["supervisor"]).get(page).status_code == 404


def test_the_counselling_record_links_to_supervision(world, client_for):
    session = counsel(world, world.cast["counsellor"], next_step="supervision")
    body = client_for(world.cast["counsellor"]).get(reverse("counselling:session_detail", args=[session.pk]))
    assert f"{reverse('workforce:request_new')}?session={session.pk}" in body.content.decode()


def test_the_supervisor_records_a_session_from_the_form(world, records, client_for):
    theirs = records["theirs"]
    response = client_for(world.cast["supervisor"]).post(reverse("workforce:session_new"), {
        "kind": "individual", "held_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"), "duration_minutes": 50,
        "place": "", f"discuss_{theirs.pk}": "on", f"notes_{theirs.pk}": "", f"guidance_{theirs.pk}": "建议转介评估",
    })  # fmt: skip
    assert response.status_code == 302
    theirs.refresh_from_db()
    assert theirs.status == "discussed" and theirs.discussions.get().guidance == "建议转介评估"


def test_a_session_form_without_guidance_says_where(world, records, client_for):
    theirs = records["theirs"]
    response = client_for(world.cast["supervisor"]).post(reverse("workforce:session_new"), {
        "kind": "individual", "held_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"), "duration_minutes": 50,
        f"discuss_{theirs.pk}": "on", f"guidance_{theirs.pk}": "",
    })  # fmt: skip
    assert response.status_code == 400
    assert f'data-field="guidance_{theirs.pk}"' in response.content.decode()


def test_conference_attendees_see_codes_unless_they_may_see_the_student(world, records, client_for):
    page = url("workforce:conference_detail", records)
    for who, named in (("supervisor", True), ("counsellor", True), ("head_teacher", False), ("outsider", False),
                       ("student_affairs", False)):  # fmt: skip
        body = client_for(world.cast[who]).get(page).content.decode()
        assert ('data-named="yes"' in body) is named, who
        assert ("张三" in body) is named, who
        assert "班主任加强关注" in body  # the conclusion, written without the name, for every attendee
        assert NOTES not in body


def test_case_notes_only_for_t3_holders(world, records, client_for):
    page = url("workforce:conference_case", records)
    assert NOTES in client_for(world.cast["supervisor"]).get(page).content.decode()
    body = client_for(world.cast["head_teacher"]).get(page).content.decode()
    assert NOTES not in body and "张三" not in body and "每周谈心一次" in body


def test_a_task_names_the_student_only_to_who_may_be_told(world, records, client_for):
    body = client_for(world.cast["head_teacher"]).get(url("workforce:conference_task", records)).content.decode()
    assert "张三" in body  # the head teacher holds T2 over 张三: told what to do about them
    coded = reverse("workforce:conference_task", args=[records["coded"].pk])
    body = client_for(world.cast["outsider"]).get(coded).content.decode()
    assert "张三" not in body and "了解宿舍情况" in body
    assert client_for(world.cast["advisor"]).get(coded).status_code == 404


def test_the_assignee_marks_the_task_done(world, records, client_for):
    page = url("workforce:conference_task", records)
    assert client_for(world.cast["head_teacher"]).post(page, {"note": ""}).status_code == 400
    assert client_for(world.cast["outsider"]).post(page, {"note": "x"}).status_code == 400  # not theirs
    response = client_for(world.cast["head_teacher"]).post(page, {"note": "已谈心"})
    assert response.status_code == 302
    records["task"].refresh_from_db()
    assert records["task"].done_note == "已谈心"


def test_scheduling_a_conference_and_adding_a_case_from_the_pages(world, client_for):
    client = client_for(world.cast["student_affairs"])
    response = client.post(reverse("workforce:conference_new"), {
        "title": "期中个案研讨", "held_at": "2026-12-10T14:00", "place": "", "chair": world.cast["supervisor"].pk,
        "attendees": [world.cast["head_teacher"].pk],
    })  # fmt: skip
    assert response.status_code == 302
    conference = world.school.case_conferences.get()
    page = reverse("workforce:conference_detail", args=[conference.pk])
    assert client.post(page, {"student_number": "9999999999"}).status_code == 400
    assert client.post(page, {"student_number": world.other_class.student_number}).status_code == 302
    assert [case.student for case in conference.cases.all()] == [world.other_class]
    # An attendee does not keep the record.
    assert client_for(world.cast["head_teacher"]).post(page, {"student_number": "2025000001"}).status_code == 404


@override_settings(XINYU_ENFORCE_TWO_FACTOR=True)
@pytest.mark.parametrize("name", ["workforce:request_detail", "workforce:session_detail", "workforce:session_new"])
def test_reading_supervision_needs_a_step_up(world, records, client_for, name):
    response = client_for(world.cast["supervisor"]).get(url(name, records))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:step_up") + "?next=")
    assert not AuditEntry.objects.filter(what__startswith="workforce.supervision.").filter(action="view").exists()


@override_settings(XINYU_ENFORCE_TWO_FACTOR=True)
def test_after_a_step_up_the_guidance_opens(world, records, client_for):
    client = client_for(world.cast["counsellor"])
    store = client.session
    store[SESSION_KEY] = int(time.time())
    store.save()
    assert GUIDANCE in client.get(url("workforce:request_detail", records)).content.decode()
