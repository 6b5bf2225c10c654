"""Print and Word export of a student file: who may, what is left out, audited, export behind step-up."""

import io
import time

import pytest
from django.test import override_settings
from django.urls import reverse
from docx import Document

from tests.studentfile.conftest import CONFIDENTIAL_TEXT, DRILL_TEXT, T3_TEXTS
from xinyu.accounts.stepup import SESSION_KEY
from xinyu.accounts.twofactor import VERIFIED_SESSION_KEY
from xinyu.audit.models import AuditEntry


def print_url(student) -> str:
    return reverse("studentfile:file_print", args=[student.pk])


def export_url(student) -> str:
    return reverse("studentfile:file_export", args=[student.pk])


def docx_text(response) -> str:
    document = Document(io.BytesIO(response.content))
    parts = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(parts)


@pytest.mark.parametrize("name", ["studentfile:file_print", "studentfile:file_export"])
@pytest.mark.parametrize("who", ["dorm_leader", "wellbeing_rep", "student", "outsider", "leading_group_member"])
def test_print_and_export_are_404_out_of_scope(world, client_for, records, name, who):
    response = client_for(world.cast[who]).get(reverse(name, args=[world.in_scope.pk]))
    assert response.status_code == 404
    assert not AuditEntry.objects.filter(what__startswith="studentfile.").exists()


def test_head_teacher_prints_the_t2_file_and_it_is_audited(world, client_for, records):
    response = client_for(world.cast["head_teacher"]).get(print_url(world.in_scope))
    assert response.status_code == 200
    html = response.content.decode()
    assert "宿舍里情绪低落-REPORT" in html
    for text in (*T3_TEXTS, DRILL_TEXT):
        assert text not in html, text
    assert "studentfile-print.css" in html and "studentfile-print.js" in html
    entry = AuditEntry.objects.get(what="studentfile.print")
    assert (entry.action, entry.tier, entry.actor_username, entry.student_id) == (
        "print",
        2,
        "T10001",
        world.in_scope.pk,
    )


def test_print_leaves_confidential_out_unless_a_reader_asks(world, client_for, records, confidential_source):
    supervisor = client_for(world.cast["supervisor"])
    assert CONFIDENTIAL_TEXT not in supervisor.get(print_url(world.in_scope)).content.decode()
    asked = supervisor.get(print_url(world.in_scope), {"confidential": "1"}).content.decode()
    assert CONFIDENTIAL_TEXT in asked
    assert 'data-testid="print-confidential-note"' in asked
    details = [
        entry.detail["confidential"] for entry in AuditEntry.objects.filter(what="studentfile.print").order_by("id")
    ]
    assert details == [False, True]
    # Asking is not enough for someone whose sources hold no confidential entry.
    counsellor = client_for(world.cast["counsellor"]).get(print_url(world.in_scope), {"confidential": "1"})
    assert CONFIDENTIAL_TEXT not in counsellor.content.decode()


@pytest.mark.parametrize("who,tier", [("head_teacher", 2), ("mental_health_advisor", 3)])
def test_export_to_word_at_the_viewers_tier_audited(world, client_for, records, who, tier):
    response = client_for(world.cast[who]).get(export_url(world.in_scope))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.wordprocessingml")
    assert "attachment" in response["Content-Disposition"]
    assert response["Cache-Control"] == "no-store, private"
    text = docx_text(response)
    assert "宿舍里情绪低落-REPORT" in text and world.in_scope.student_number in text
    assert DRILL_TEXT not in text
    assert ("INTERVIEW-NOTE-学业压力" in text) is (tier >= 3)
    assert ("FAMILY-OUTCOME-母亲同意" in text) is (tier >= 3)
    entry = AuditEntry.objects.get(what="studentfile.export")
    assert (entry.action, entry.tier, entry.student_id) == ("export", tier, world.in_scope.pk)


def test_export_leaves_confidential_out_unless_asked(world, client_for, records, confidential_source):
    supervisor = client_for(world.cast["supervisor"])
    assert CONFIDENTIAL_TEXT not in docx_text(supervisor.get(export_url(world.in_scope)))
    assert CONFIDENTIAL_TEXT in docx_text(supervisor.get(export_url(world.in_scope), {"confidential": "1"}))


def test_export_with_a_kind_filter(world, client_for, records):
    response = client_for(world.cast["mental_health_advisor"]).get(
        export_url(world.in_scope), {"kind": "family_contact"}
    )
    text = docx_text(response)
    assert "FAMILY-OUTCOME-母亲同意" in text
    assert "宿舍里情绪低落-REPORT" not in text


@override_settings(XINYU_ENFORCE_TWO_FACTOR=True)
def test_export_needs_a_recent_step_up(world, client_for, records):
    response = client_for(world.cast["mental_health_advisor"]).get(export_url(world.in_scope))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:step_up"))
    assert "next=" in response["Location"]
    assert not AuditEntry.objects.filter(what="studentfile.export").exists()


@override_settings(XINYU_ENFORCE_TWO_FACTOR=True)
def test_export_after_step_up(world, client_for, records):

    client = client_for(world.cast["mental_health_advisor"])
    session = client.session
    session[SESSION_KEY] = int(time.time())
    session.save()
    assert client.get(export_url(world.in_scope)).status_code == 200
    assert AuditEntry.objects.filter(what="studentfile.export").count() == 1


def stepped_up(client, minutes_ago):
    """Signed in with the second factor, last re-authenticated `minutes_ago`."""

    session = client.session
    session[SESSION_KEY] = int(time.time()) - minutes_ago * 60
    session[VERIFIED_SESSION_KEY] = int(session["_auth_user_id"])
    session.save()
    return client


@override_settings(XINYU_ENFORCE_TWO_FACTOR=True)
def test_printing_asks_for_step_up_like_export_and_an_hour_old_one_is_too_old(
    world, client_for, records, confidential_source
):
    """The print view showed T4 entries with a 60-minute-old step-up while export asked again: one rule now."""
    client = stepped_up(client_for(world.cast["supervisor"]), minutes_ago=60)
    for url in (print_url(world.in_scope), export_url(world.in_scope)):
        response = client.get(url, {"confidential": "1"})
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("accounts:step_up"))
    assert not AuditEntry.objects.filter(what__in=["studentfile.print", "studentfile.export"]).exists()
    stepped_up(client, minutes_ago=1)
    response = client.get(print_url(world.in_scope), {"confidential": "1"})
    assert response.status_code == 200 and CONFIDENTIAL_TEXT in response.content.decode()


@override_settings(XINYU_ENFORCE_TWO_FACTOR=True)
def test_the_file_page_shows_confidential_entries_only_after_a_recent_step_up(
    world, client_for, records, confidential_source
):
    file_url = reverse("studentfile:file", args=[world.in_scope.pk])
    client = stepped_up(client_for(world.cast["supervisor"]), minutes_ago=60)
    response = client.get(file_url)
    assert response.status_code == 200
    html = response.content.decode()
    assert CONFIDENTIAL_TEXT not in html and 'data-confidential="1"' not in html
    assert 'data-testid="file-confidential-hidden"' in html
    assert response.context["step_up_url"] == f"{reverse('accounts:step_up')}?next={file_url.replace('/', '%2F')}"
    assert AuditEntry.objects.get(what="studentfile.file").detail["confidential"] is False
    stepped_up(client, minutes_ago=1)
    html = client.get(file_url).content.decode()
    assert CONFIDENTIAL_TEXT in html and 'data-testid="file-confidential-hidden"' not in html


@override_settings(XINYU_ENFORCE_TWO_FACTOR=True)
def test_viewing_needs_no_step_up_when_there_is_nothing_confidential(world, client_for, records):
    response = client_for(world.cast["head_teacher"]).get(reverse("studentfile:file", args=[world.in_scope.pk]))
    assert response.status_code == 200
    assert 'data-testid="file-confidential-hidden"' not in response.content.decode()
