"""Reads in the access log: only the names listed in `Read` are written, and the log's pages show each
read in words (a name from before the list, or a change, shows as stored)."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from xinyu.audit.models import AuditEntry
from xinyu.audit.reads import Read, read_event, what_label
from xinyu.audit.services import Event, record
from xinyu.org.access_log import record_read, record_reads
from xinyu.org.scope import Tier

pytestmark = pytest.mark.django_db

LABEL = "学生基本信息（花名册、联系方式、监护人）"


def test_a_name_outside_the_list_is_refused(world):
    reader = world.cast["counsellor"]
    with pytest.raises(ValueError):
        read_event("student.detials", student=world.in_scope)
    with pytest.raises(ValueError):
        record_read(reader, "screening.result", student=world.in_scope, tier=Tier.T3)
    with pytest.raises(ValueError):  # an event built by hand, even with a listed name, is not a read
        record_reads(reader, [Event(AuditEntry.Action.UPDATE, Read.STUDENT_DETAIL.value, student=world.in_scope)])
    with pytest.raises(ValueError):
        record_reads(reader, [Event(AuditEntry.Action.VIEW, "made.up", student=world.in_scope)])
    assert not AuditEntry.objects.filter(actor=reader).exists()


def test_a_read_is_written_under_its_listed_name(world):
    reader = world.cast["counsellor"]
    entry = record_read(reader, Read.SCREENING_RESULTS, student=world.in_scope, tier=Tier.T3, post="centre_counsellor")
    assert (entry.action, entry.what, entry.student_id, entry.tier) == (
        AuditEntry.Action.VIEW,
        "screening.results",
        world.in_scope.pk,
        Tier.T3,
    )


def test_every_read_has_chinese_words():
    with translation.override("zh-hans"):
        for read in Read:
            assert re.search(r"[\u4e00-\u9fff]", str(read.label)), read.value


def test_a_change_reads_as_the_record_it_is_about_and_only_an_unknown_name_as_stored():
    assert what_label("student.detail") == str(Read.STUDENT_DETAIL.label)
    with translation.override("zh-hans"):
        assert what_label("org.appointment.grant") == "岗位任职"
        assert what_label("care.registry.confirm") == str(Read.REGISTRY_ENTRY.label)
        assert what_label("studentfile.export") == str(Read.STUDENT_FILE.label)
        assert what_label("reports.monthly.send_back") == str(Read.MONTHLY_REPORT.label)
    assert what_label("nobody.knows") == "nobody.knows"


def test_the_log_page_shows_a_read_in_words_and_an_old_name_as_stored(world, client_for):
    record_read(world.cast["counsellor"], Read.STUDENT_DETAIL, student=world.in_scope, tier=Tier.T2)
    record(world.cast["counsellor"], Event(AuditEntry.Action.VIEW, "nobody.old_page", student=world.in_scope))
    page = client_for(world.cast["supervisor"]).get(reverse("privacy:log")).content.decode()
    assert f"<td>{LABEL}</td>" in page
    assert "<td>student.detail</td>" not in page
    assert "<td>nobody.old_page</td>" in page


def test_who_opened_a_file_shows_each_read_in_words(world, client_for):
    record_read(world.cast["counsellor"], Read.STUDENT_DETAIL, student=world.in_scope, tier=Tier.T2)
    client = client_for(world.cast["supervisor"])
    page = client.get(reverse("studentfile:access_log", args=[world.in_scope.pk])).content.decode()
    assert f"<td>{LABEL}</td>" in page
    assert "<td>student.detail</td>" not in page
