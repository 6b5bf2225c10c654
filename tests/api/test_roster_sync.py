"""Roster sync: the Excel import's checks, plan and all-or-nothing apply, from JSON; the change summary;
idempotence; the batch limit; the owner's right to import."""

import pytest
from django.urls import reverse

from tests.roster.conftest import table_counts
from xinyu.api import roster as roster_api
from xinyu.audit.models import AuditEntry
from xinyu.org.models import ClassGroup, DormRoom, Student

pytestmark = pytest.mark.django_db
URL = reverse("api:roster_sync")


def student(number, name="新同学", **fields):
    return {"student_number": number, "name": name, "gender": "女", "enrolment_year": 2025, "college": "信息工程学院",
            "class_group": "软件2501班", **fields}  # fmt: skip


def roster_counts():
    counts = table_counts()
    counts.pop("AuditEntry")
    return counts


@pytest.fixture
def sync(world, api, token_for):
    token = token_for(world.cast["student_affairs"], "roster.sync")

    def send(batch, token=token):
        return api("post", URL, token, json=batch)

    return send


def test_creates_updates_and_summarises(world, sync):
    batch = {
        "students": [
            student("2025100001", building="3号楼", room="301"),
            student("2025100002", class_group="人工智能2501班"),
            {**student("2025000002", name="李四"), "phone": "13811112222", "class_group": "网络2501班"},
        ],
        "staff": [{"username": "T30001", "name": "新老师", "email": "new@example.edu.cn"}],
    }
    response = sync(batch)
    assert response.status_code == 200, response.json()
    assert response["Cache-Control"] == "no-store, private"
    summary = response.json()["summary"]
    assert response.json()["changed"] is True and response.json()["rows"] == 4
    assert summary["students"] == {"created": 2, "updated": 1, "unchanged": 0, "left": 0}
    assert summary["staff"] == {"created": 1, "updated": 0, "unchanged": 0, "left": 0}
    assert summary["classes"] == {"created": 1, "updated": 0, "unchanged": 2, "left": 0}
    assert summary["dorms"] == {"created": 1, "updated": 0, "unchanged": 0, "left": 0}
    assert ClassGroup.objects.filter(name="人工智能2501班").exists()
    assert DormRoom.objects.get(building="3号楼", room="301").gender == Student.Gender.FEMALE
    assert Student.objects.get(student_number="2025000002").phone == "13811112222"
    # Written to the access log as the Excel import writes it, by the token's owner, and the call itself.
    assert AuditEntry.objects.filter(what="student.import", actor_username="T10009").count() == 3
    assert AuditEntry.objects.filter(what="api.roster_sync", detail__via="api").get().detail["changed"] is True


def test_the_same_batch_twice_changes_nothing(world, sync):
    batch = {"students": [student("2025100001", building="3号楼", room="301", guardian_name="王妈妈",
                                  guardian_phone="13900001111")]}  # fmt: skip
    assert sync(batch).status_code == 200
    before, imports = roster_counts(), AuditEntry.objects.filter(what="student.import").count()
    response = sync(batch)
    assert response.status_code == 200
    assert response.json()["changed"] is False
    assert response.json()["summary"]["students"] == {"created": 0, "updated": 0, "unchanged": 1, "left": 0}
    assert roster_counts() == before
    assert AuditEntry.objects.filter(what="student.import").count() == imports


def test_leaving_is_counted_as_left(world, sync):
    response = sync({"students": [{**student("2025000002", name="李四"), "class_group": "网络2501班",
                                   "status": "退学"}]})  # fmt: skip
    assert response.status_code == 200, response.json()
    assert response.json()["summary"]["students"]["left"] == 1
    assert Student.objects.get(student_number="2025000002").status == Student.Status.WITHDRAWN


def test_one_bad_row_and_nothing_is_written(world, sync):
    before = table_counts()
    batch = {"students": [student("2025100001"), student("2025100002", gender="未知"), student("2025100003", name="")]}
    response = sync(batch)
    assert response.status_code == 422
    body = response.json()
    assert body["error"]["code"] == "rows_refused"
    assert "未写入任何内容" in body["error"]["message"]
    problems = {(p["kind"], p["row"], p["field"]): p for p in body["problems"]}
    assert set(problems) == {("students", 2, "gender"), ("students", 3, "name")}
    assert problems[("students", 2, "gender")]["message"].startswith("学生第 2 条，字段 gender：")
    assert "男" in problems[("students", 2, "gender")]["message"]
    assert table_counts() == before


def test_types_and_unknown_fields_are_problems_of_their_row(world, sync):
    before = table_counts()
    batch = {"students": [{**student("2025100001"), "nickname": "小张"}, {**student("2025100002"), "name": ["x"]}, 7]}
    response = sync(batch)
    assert response.status_code == 422
    found = {(p["row"], p["field"], p["code"]) for p in response.json()["problems"]}
    assert (1, "nickname", "unknown_field") in found
    assert (2, "name", "invalid_type") in found
    assert (3, "", "not_an_object") in found
    assert table_counts() == before


def test_same_student_twice_in_a_batch(world, sync):
    response = sync({"students": [student("2025100001"), student("2025100001")]})
    assert response.status_code == 422
    assert {p["code"] for p in response.json()["problems"]} == {"duplicate"}


def test_batch_limit(world, sync, monkeypatch):
    monkeypatch.setattr(roster_api, "MAX_ROWS", 2)
    before = table_counts()
    response = sync({"students": [student(f"20251000{n:02d}") for n in range(3)]})
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "batch_too_large"
    assert "最多 2 行" in response.json()["error"]["message"]
    assert table_counts() == before


def test_the_real_limit_is_5000(world, sync):
    response = sync({"students": [{}] * 5001})
    assert response.status_code == 413


@pytest.mark.parametrize(
    "body",
    [[], {"students": {}}, {"teachers": []}, {"create_missing": "yes", "students": [{}]}, {}],
)
def test_malformed_batches(world, sync, body):
    response = sync(body)
    assert response.status_code == 400
    assert response.json()["error"]["message"]


def test_not_json(world, api, token_for):
    token = token_for(world.cast["student_affairs"], "roster.sync")
    response = api("post", URL, token, json='{"students": [')
    assert response.status_code == 400
    assert response.json()["error"] == {"code": "malformed_json", "message": "请求内容不是有效的 JSON。"}


def test_owner_who_may_not_import_is_refused(world, sync, token_for):
    before = roster_counts()
    response = sync({"students": [student("2025100001")]}, token=token_for(world.cast["head_teacher"], "roster.sync"))
    assert response.status_code == 403
    assert response.json()["error"]["message"] == "令牌负责人无权导入名单。"
    response = sync({"students": [student("2025100001")]}, token=token_for(world.cast["supervisor"], "network.read"))
    assert response.status_code == 403
    assert roster_counts() == before


def test_posts_follow_the_owners_right_to_grant(world, sync):
    batch = {"staff": [{"username": "T30001", "name": "新老师"}],
             "appointments": [{"username": "T30001", "post": "班主任", "scope": "软件2501班",
                               "starts_on": "2025-09-01"}]}  # fmt: skip
    response = sync(batch)
    assert response.status_code == 200, response.json()
    assert response.json()["summary"]["appointments"]["created"] == 1
    assert sync(batch).json()["summary"]["appointments"] == {"created": 0, "updated": 0, "unchanged": 1, "left": 0}


def test_the_readmes_example(world, sync):
    batch = {
        "students": [{"student_number": "2025010001", "name": "张三", "gender": "男", "enrolment_year": 2025,
                      "college": "信息工程学院", "class_group": "软件2501班", "building": "3号楼", "room": "301"}],
        "staff": [{"username": "T20001", "name": "李老师", "email": "li@example.edu.cn"}],
    }  # fmt: skip
    response = sync(batch)
    assert response.json() == {
        "changed": True,
        "rows": 2,
        "summary": {
            "students": {"created": 1, "updated": 0, "unchanged": 0, "left": 0},
            "staff": {"created": 1, "updated": 0, "unchanged": 0, "left": 0},
            "appointments": {"created": 0, "updated": 0, "unchanged": 0, "left": 0},
            "colleges": {"created": 0, "updated": 0, "unchanged": 1, "left": 0},
            "classes": {"created": 0, "updated": 0, "unchanged": 1, "left": 0},
            "dorms": {"created": 1, "updated": 0, "unchanged": 0, "left": 0},
        },
    }


def test_a_row_never_changes_who_a_student_is(world, sync):
    before = roster_counts()
    response = sync({"students": [{**student("2025000001", name="王八"), "gender": "男"}]})
    assert response.status_code == 422
    assert [p["code"] for p in response.json()["problems"]] == ["identity_conflict"]
    assert roster_counts() == before
    assert Student.objects.get(student_number="2025000001").name == "张三"


def test_a_body_over_the_upload_limit_is_a_json_413(world, sync, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
    response = sync({"students": [student(f"20259{n:05d}", major="专" * 100) for n in range(2000)]})
    assert response.status_code == 413
    assert response.json()["error"] == {
        "code": "body_too_large",
        "message": "请求内容超过 1 MB。请分成更小的批次发送。",
    }
