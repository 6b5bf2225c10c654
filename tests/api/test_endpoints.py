"""Every endpoint's authorization (operation, owner in scope and out of scope), no T3/T4 in any answer, the
access log of what was shown, and no-store."""

import datetime as dt
import json

import pytest
from django.test import Client
from django.urls import reverse

from xinyu.audit.models import AuditEntry
from xinyu.concerns.models import ConcernReport
from xinyu.reports import monthly

pytestmark = pytest.mark.django_db
# Words of T3/T4 data: none may appear anywhere in an answer.
T3_T4_KEYS = {"score", "scores", "result", "results", "interview", "care_plan", "referral", "diagnosis", "notes",
              "id_number", "guardian", "guardians", "registry", "crisis_level", "restricted_detail"}  # fmt: skip


def url(name, *args):
    return reverse(name, args=args)


def keys_of(data) -> set:
    if isinstance(data, dict):
        return set(data) | set().union(*(keys_of(value) for value in data.values()))
    if isinstance(data, list):
        return set().union(set(), *(keys_of(value) for value in data))
    return set()


def assert_clean(response):
    assert response["Cache-Control"] == "no-store, private"
    assert not keys_of(response.json()) & T3_T4_KEYS


def api_entries(what):
    return AuditEntry.objects.filter(what=what, detail__via="api")


# network.read


def test_network_for_the_centre_shows_every_college_and_its_posts(world, api, token_for):
    owner = world.cast["supervisor"]
    response = api("get", url("api:network"), token_for(owner, "network.read"))
    assert response.status_code == 200
    assert_clean(response)
    data = response.json()
    assert [c["code"] for c in data["colleges"]] == ["A", "B"]
    a = data["colleges"][0]
    a1 = next(group for group in a["classes"] if group["name"] == "软件2501班")
    assert {p["post"] for p in a1["posts"]} == {"head_teacher", "advisor", "wellbeing_rep"}
    assert {p["number"] for p in a["posts"]} >= {"T10003", "T10004"}
    room = next(room for room in data["dorms"] if room["room"] == "101")
    assert room["posts"][0]["number"] == world.cast["dorm_leader"].username
    assert room["gender_name"] in {"男", "女"} and room["posts"][0]["post_name"] == "寝室长"
    assert {(p["post"], p["post_name"]) for p in data["school_posts"]} >= {
        ("student_affairs_staff", "学工部工作人员"),
        ("leading_group_member", "领导小组成员"),
    }
    entry = api_entries("org.network").get()
    assert entry.actor_username == owner.username
    assert entry.detail["colleges"] == ["A", "B"] and entry.detail["token"]


def test_network_for_a_college_shows_that_college_only(world, api, token_for):
    response = api("get", url("api:network"), token_for(world.cast["mental_health_advisor"], "network.read"))
    assert response.status_code == 200
    assert [c["code"] for c in response.json()["colleges"]] == ["A"]


def test_network_refused_to_an_owner_without_a_network_post(world, api, token_for):
    response = api("get", url("api:network"), token_for(world.cast["head_teacher"], "network.read"))
    assert response.status_code == 403
    assert response.json()["error"]["message"] == "令牌负责人没有可查看校院班寝网络的岗位。"
    assert not api_entries("org.network").exists()


# aggregates.read


def test_grid_and_summary_for_the_leading_group(world, api, token_for):
    token = token_for(world.cast["leading_group_member"], "aggregates.read")
    grid = api("get", url("api:monthly_grid") + "?year=2026", token)
    assert grid.status_code == 200
    assert_clean(grid)
    assert [row["college"]["code"] for row in grid.json()["colleges"]] == ["A", "B"]
    summary = api("get", url("api:month_summary", "2026-03"), token)
    assert summary.status_code == 200
    assert_clean(summary)
    assert summary.json()["suppressed"] is True
    assert api_entries("reports.monthly.grid").get().detail["year"] == 2026
    assert api_entries("reports.monthly.summary").get().detail["month"] == "2026-03"


def test_aggregates_bad_month_and_year(world, api, token_for):
    token = token_for(world.cast["leading_group_member"], "aggregates.read")
    assert api("get", url("api:month_summary", "2026-13"), token).json()["error"]["code"] == "invalid_month"
    assert api("get", url("api:monthly_grid") + "?year=abc", token).status_code == 400


def test_aggregates_refused_out_of_scope(world, api, token_for):
    token = token_for(world.cast["head_teacher"], "aggregates.read")
    for address in (
        url("api:monthly_grid"),
        url("api:month_summary", "2026-03"),
        url("api:monthly_reports", "2026-03"),
    ):
        response = api("get", address, token)
        assert response.status_code == 403, address
    # A college's working group reads its own college's reports, not the school's grid.
    token = token_for(world.cast["mental_health_advisor"], "aggregates.read")
    assert api("get", url("api:monthly_grid"), token).status_code == 403
    reports = api("get", url("api:monthly_reports", "2026-03"), token)
    assert reports.status_code == 200
    assert_clean(reports)
    assert [r["college"]["code"] for r in reports.json()["reports"]] == ["A"]
    assert api_entries("reports.monthly").get().detail["colleges"] == ["A"]


def test_monthly_report_figures_once_sent(world, api, token_for):
    advisor, leader = world.cast["mental_health_advisor"], world.cast["college_leader"]
    month = dt.date(2026, 3, 1)
    report = monthly.start_report(world.college_a, month, by=advisor)
    monthly.save_narrative(report, by=advisor, activities="无", problems="无", concerns="无", next_focus="无")
    monthly.submit_report(report, by=advisor)
    monthly.approve_and_send(report, by=leader)
    response = api("get", url("api:monthly_reports", "2026-03"), token_for(advisor, "aggregates.read"))
    figures = {f["key"]: f["value"] for f in response.json()["reports"][0]["figures"]}
    assert response.json()["reports"][0]["state"] in {"sent", "late"}
    assert figures["students_on_roll"] == 4  # in_scope, other_class, the dorm leader and the rep


# concerns.report

REPORT = {
    "reporter_number": "2025000004",
    "student_number": "2025000001",
    "student_name": "张三",
    "category": "emotional_change",
    "urgency": "normal",
    "description": "最近几天情绪低落，不愿出门。",
}


def test_concern_report_through_the_form_service(world, api, token_for):
    owner = world.cast["head_teacher"]
    response = api("post", url("api:concern_report"), token_for(owner, "concerns.report"), json=REPORT)
    assert response.status_code == 201, response.json()
    assert response.json()["status"] == "waiting"
    assert_clean(response)
    report = ConcernReport.objects.get(pk=response.json()["id"])
    assert report.reporter == world.cast["dorm_leader"] and report.student == world.in_scope
    assert AuditEntry.objects.filter(what="concern.report", actor_username="2025000004").exists()
    entry = api_entries("api.concern_report").get()
    assert entry.actor_username == owner.username and entry.detail["reporter"] == "2025000004"


def test_concern_report_refusals(world, network, api, token_for):
    token = token_for(world.cast["head_teacher"], "concerns.report")
    newcomer = {**REPORT, "reporter_number": network.cast["newcomer"].username}
    response = api("post", url("api:concern_report"), token, json=newcomer)
    assert response.status_code == 400 and response.json()["error"]["code"] == "reporter_without_post"
    nobody = {**REPORT, "student_name": "不存在"}
    response = api("post", url("api:concern_report"), token, json=nobody)
    assert response.status_code == 400 and "学号" in response.json()["error"]["message"]
    missing = {key: value for key, value in REPORT.items() if key != "description"}
    response = api("post", url("api:concern_report"), token, json=missing)
    assert response.status_code == 400 and "description" in response.json()["error"]["message"]
    assert not ConcernReport.objects.exists()
    wrong = token_for(world.cast["supervisor"], "network.read")
    assert api("post", url("api:concern_report"), wrong, json=REPORT).status_code == 403
    assert api("post", url("api:concern_report"), json=REPORT).status_code == 401


# The schema and the docs


def test_schema_for_staff_and_tokens_only(world, api, token_for, client_for):
    assert api("get", url("api:schema")).status_code in (401, 403)
    token = token_for(world.cast["supervisor"], "network.read")
    response = api("get", url("api:schema") + "?format=json", token)
    assert response.status_code == 200
    schema = json.loads(response.content)
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/roster/sync/" in schema["paths"]
    assert client_for(world.cast["head_teacher"]).get(url("api:schema") + "?format=json").status_code == 200
    assert client_for(world.cast["student"]).get(url("api:schema")).status_code == 403


def test_docs_for_signed_in_staff_only_with_vendored_files(world, client_for):
    assert Client().get(url("api:docs")).status_code == 302
    assert client_for(world.cast["student"]).get(url("api:docs")).status_code == 404
    page = client_for(world.cast["head_teacher"]).get(url("api:docs"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in text
    assert "cdn" not in text.lower() and "https://" not in text


def test_no_such_endpoint_is_a_json_404(world, api):
    response = api("get", "/api/v1/students/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert response["Cache-Control"] == "no-store, private"
    assert api("get", "/api/v1/aggregates/month-summary/2026/03/").status_code == 404


def test_wrong_method_in_the_error_shape(world, api, token_for):
    token = token_for(world.cast["student_affairs"], "roster.sync")
    response = api("get", url("api:roster_sync"), token)
    assert response.status_code == 405
    assert response.json()["error"] == {"code": "method_not_allowed", "message": "此处不允许该请求方法。"}
    assert response["Cache-Control"] == "no-store, private"


def test_the_docs_script_is_served_to_staff(world, client_for):
    client = client_for(world.cast["head_teacher"])
    page = client.get(url("api:docs")).content.decode()
    assert '<script src="/api/v1/docs/?script="' in page or "?script=" in page
    script = client.get(url("api:docs") + "?script=")
    assert script.status_code == 200
    assert "SwaggerUIBundle" in script.content.decode()
    assert "/api/v1/schema/" in script.content.decode()
