"""Every entry of the access log names the post in which its actor acted, whoever wrote it."""

import pytest

from xinyu.audit.models import AuditEntry
from xinyu.concerns.services.reports import acknowledge_report, submit_report
from xinyu.org import scope
from xinyu.org.access_log import Event, record_many

pytestmark = pytest.mark.django_db


def test_the_acting_post_is_the_one_giving_the_tier_over_the_student(network):
    w = network
    assert scope.acting_post(w.cast["head_teacher"], w.in_scope) == "head_teacher"
    assert scope.acting_post(w.cast["head_teacher"], w.other_college) == "head_teacher"  # the highest post held
    assert scope.acting_post(w.cast["counsellor"], w.in_scope) == "centre_counsellor"
    assert scope.acting_post(w.cast["admin"], w.in_scope) == "technical_admin"
    assert scope.acting_post(w.cast["dorm_leader"]) == "dorm_leader"
    assert scope.acting_post(w.in_scope.user) == ""  # a student without a post
    assert scope.acting_post(None) == ""


def test_entries_written_without_a_post_get_the_actors_and_named_posts_stay(network):
    w = network
    record_many(
        w.cast["mental_health_advisor"],
        [
            Event(AuditEntry.Action.VIEW, "student.detail", student=w.in_scope, tier=3),
            Event(AuditEntry.Action.VIEW, "concern.my_work", student=w.in_scope, tier=2, post="assigned"),
        ],
    )
    assert list(AuditEntry.objects.order_by("id").values_list("post", flat=True)) == [
        "mental_health_advisor",
        "assigned",
    ]


def test_a_concern_reports_writes_name_their_actors_posts(network):
    w = network
    report = submit_report(
        w.cast["head_teacher"], w.in_scope, category="emotional_change", urgency="normal", description="情绪低落"
    )
    acknowledge_report(report, by=w.cast["mental_health_advisor"])
    rows = list(AuditEntry.objects.filter(what__startswith="concern.report").order_by("id").values_list("what", "post"))
    assert rows == [("concern.report", "head_teacher"), ("concern.report.acknowledge", "mental_health_advisor")]
