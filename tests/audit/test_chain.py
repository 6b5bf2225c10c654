"""The access log is append-only and its HMAC chain detects every kind of tampering."""

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.test import override_settings

from tests.audit.tampering import triggers_disabled
from tests.factories import UserFactory
from xinyu.audit.chain import CHAINED_FIELDS, ENTRY_FIELDS
from xinyu.audit.models import AppendOnlyError, AuditEntry
from xinyu.audit.seal import seal_audit
from xinyu.audit.services import Event, record, record_many
from xinyu.audit.verify import Break, verify_chain

pytestmark = pytest.mark.django_db


@pytest.fixture
def log(world):
    actor = world.cast["counsellor"]
    events = [
        Event(AuditEntry.Action.VIEW, "student.detail", student=student, tier=3, post="centre_counsellor",
              detail={"n": n, "note": "看过"})
        for n, student in enumerate([world.in_scope, world.other_class, world.other_college, world.in_scope])
    ]  # fmt: skip
    record_many(actor, events, address="10.1.2.3")
    seal_audit()
    return AuditEntry.objects.order_by("seq")


def verify_command():
    with pytest.raises(CommandError) as failure:
        call_command("verify_audit")
    return str(failure.value)


def test_an_intact_chain_verifies(log, capsys):
    assert verify_chain() == (4, None)
    call_command("verify_audit")
    assert "4" in capsys.readouterr().out


def test_entries_link_and_copy_who_and_which_student(log, world):
    first = log.first()
    assert (
        first.seq, first.actor_id, first.actor_username, first.actor_name, first.student_id, first.student_number,
        first.address,
    ) == (
        1, world.cast["counsellor"].pk, "T10005", "冯咨询师", world.in_scope.pk, world.in_scope.student_number,
        "10.1.2.3",
    )  # fmt: skip
    assert [e.prev_mac for e in log[1:]] == [e.mac for e in log[:3]]


def test_edited_entry_is_detected(log):
    with triggers_disabled() as cursor:
        cursor.execute("UPDATE audit_auditentry SET student_number = %s WHERE seq = 2", ["2025999999"])
    assert verify_chain()[1].seq == 2
    assert "#2 " in verify_command()


def test_edited_detail_is_detected(log):
    with triggers_disabled() as cursor:
        cursor.execute("UPDATE audit_auditentry SET reason = %s WHERE seq = 3", ["编造的理由"])
    assert verify_chain()[1].seq == 3


@pytest.mark.parametrize(
    "column,value",
    [("actor_id", None), ("actor_id", "other"), ("student_id", None), ("student_id", "other")],
)
def test_a_cut_or_repointed_link_is_detected(log, world, column, value):
    """Setting who or whose data to NULL or to another id (the triggers bypassed) breaks the chain there, and
    the command names the entry."""
    if value == "other":
        value = world.cast["supervisor"].pk if column == "actor_id" else world.other_college.pk
    with triggers_disabled() as cursor:
        cursor.execute(f"UPDATE audit_auditentry SET {column} = %s WHERE seq = 2", [value])  # noqa: S608
    assert getattr(AuditEntry.objects.get(seq=2), column) == value
    assert verify_chain()[1] == Break(2, "its content does not match its HMAC (edited)")
    assert "#2 " in verify_command()


def test_deleted_entry_is_detected(log):
    with triggers_disabled() as cursor:
        cursor.execute("DELETE FROM audit_auditentry WHERE seq = 2")
    broken = verify_chain()[1]
    assert broken.seq == 3
    assert "#3 " in verify_command()


def test_deleted_first_entry_is_detected(log):
    with triggers_disabled() as cursor:
        cursor.execute("DELETE FROM audit_auditentry WHERE seq = 1")
    assert verify_chain()[1].seq == 2


def test_inserted_entry_is_detected(log):
    """A forged entry slipped in between 2 and 3 (the later ones renumbered) breaks the chain."""
    with triggers_disabled() as cursor:
        cursor.execute("UPDATE audit_auditentry SET seq = seq + 100 WHERE seq >= 3")
        cursor.execute("UPDATE audit_auditentry SET seq = seq - 99 WHERE seq >= 103")
        second = log.get(seq=2)
        cursor.execute(
            "INSERT INTO audit_auditentry (seq, at, actor_username, actor_name, post, student_number, action, what,"
            " tier, detail, reason, prev_mac, mac, entry_mac) VALUES (3, %s, 'T10005', 'x', '', '', 'view',"
            " 'student.detail', 0, '{}', '', %s, %s, '')",
            [second.at, second.mac, "f" * 64],
        )
    assert verify_chain()[1].seq == 3


def test_reordered_entries_are_detected(log):
    with triggers_disabled() as cursor:
        cursor.execute("UPDATE audit_auditentry SET seq = 100 WHERE seq = 2")
        cursor.execute("UPDATE audit_auditentry SET seq = 2 WHERE seq = 3")
        cursor.execute("UPDATE audit_auditentry SET seq = 3 WHERE seq = 100")
    assert verify_chain()[1].seq == 2


@override_settings(AUDIT_HMAC_KEY="someone-elses-key")
def test_a_chain_recomputed_without_the_key_does_not_verify(log):
    assert verify_chain()[1].seq == 1


def test_the_orm_refuses_to_change_or_delete(log):
    entry = log.first()
    entry.reason = "changed"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(seq=1).update(reason="x")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_auditentry SET reason = 'x'",
        "UPDATE audit_auditentry SET student_id = (SELECT MAX(id) FROM org_student)",
        "UPDATE audit_auditentry SET student_id = NULL",
        "UPDATE audit_auditentry SET actor_id = NULL",
        "UPDATE audit_auditentry SET prev_mac = mac",
        "DELETE FROM audit_auditentry",
        "DELETE FROM audit_auditentry WHERE seq = (SELECT MAX(seq) FROM audit_auditentry)",
    ],
)
def test_the_database_refuses_to_change_or_delete(log, statement):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)
    assert verify_chain() == (4, None)


def test_new_entries_continue_the_chain(log, world):
    record(world.cast["supervisor"], Event(AuditEntry.Action.EXPORT, "student.list", detail={"count": 3}))
    assert verify_chain() == (4, None)  # not sealed yet
    assert seal_audit().sealed == 1
    assert verify_chain() == (5, None)
    assert AuditEntry.objects.get(seq=5).actor_username == "T10008"


def test_entries_outlive_the_student_and_the_person_and_still_verify(log, world):
    """Deleting a student or a user changes nothing in the log: the ids stay, and so do the copies."""
    number = world.other_college.student_number
    other_college_id = world.other_college.pk
    world.other_college.delete()
    actor = UserFactory(username="T19999", full_name="临时工")
    record(actor, Event(AuditEntry.Action.VIEW, "student.detail", student=world.in_scope, tier=2))
    actor_id = actor.pk
    actor.delete()
    seal_audit()
    entry = AuditEntry.objects.get(seq=3)
    assert (entry.student_id, entry.student_number) == (other_college_id, number)
    entry = AuditEntry.objects.get(seq=5)
    assert (entry.actor_id, entry.actor_username, entry.actor_name) == (actor_id, "T19999", "临时工")
    assert verify_chain() == (5, None)


def test_the_chain_covers_every_column_but_the_row_id():

    columns = {field.attname for field in AuditEntry._meta.concrete_fields}
    assert columns - set(CHAINED_FIELDS) == {"id", "prev_mac", "mac", "entry_mac"}
    assert columns - set(ENTRY_FIELDS) == {"seq", "prev_mac", "mac", "entry_mac"}
