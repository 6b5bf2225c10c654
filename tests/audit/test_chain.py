"""The access log is append-only and its HMAC chain detects every kind of tampering."""

import contextlib

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.test import override_settings

from xinyu.audit.models import AppendOnlyError, AuditEntry
from xinyu.audit.services import Event, record, record_many
from xinyu.audit.verify import verify_chain

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
    return AuditEntry.objects.order_by("seq")


@contextlib.contextmanager
def triggers_disabled():
    """What an attacker with database access would do first: switch off the append-only triggers."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # ALTER TABLE refuses while FK checks are pending
            cursor.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER audit_entry_no_update")
            yield cursor
            cursor.execute("ALTER TABLE audit_auditentry ENABLE TRIGGER audit_entry_no_update")
        else:
            for trigger in ("audit_entry_no_update", "audit_entry_no_relink", "audit_entry_no_delete"):
                cursor.execute(f"DROP TRIGGER {trigger}")
            yield cursor


def verify_command():
    with pytest.raises(CommandError) as failure:
        call_command("verify_audit")
    return str(failure.value)


def test_an_intact_chain_verifies(log, capsys):
    assert verify_chain() == (4, None)
    call_command("verify_audit")
    assert "4" in capsys.readouterr().out


def test_entries_copy_who_and_which_student(log, world):
    first = log.first()
    assert (first.seq, first.actor_username, first.actor_name, first.student_number, first.address) == (
        1,
        "T10005",
        "冯咨询师",
        world.in_scope.student_number,
        "10.1.2.3",
    )
    assert [e.prev_mac for e in log[1:]] == [e.mac for e in log[:3]]


def test_edited_entry_is_detected(log):
    with triggers_disabled() as cursor:
        cursor.execute("UPDATE audit_auditentry SET student_number = %s WHERE seq = 2", ["2025999999"])
    assert verify_chain()[1].seq == 2
    assert "第 2 条" in verify_command()


def test_edited_detail_is_detected(log):
    with triggers_disabled() as cursor:
        cursor.execute("UPDATE audit_auditentry SET reason = %s WHERE seq = 3", ["编造的理由"])
    assert verify_chain()[1].seq == 3


def test_deleted_entry_is_detected(log):
    with triggers_disabled() as cursor:
        cursor.execute("DELETE FROM audit_auditentry WHERE seq = 2")
    broken = verify_chain()[1]
    assert broken.seq == 3
    assert "第 3 条" in verify_command()


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
            " tier, detail, reason, prev_mac, mac) VALUES (3, %s, 'T10005', 'x', '', '', 'view', 'student.detail',"
            " 0, '{}', '', %s, %s)",
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
        "DELETE FROM audit_auditentry",
    ],
)
def test_the_database_refuses_to_change_or_delete(log, statement):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)
    assert verify_chain() == (4, None)


def test_new_entries_continue_the_chain(log, world):
    record(world.cast["supervisor"], Event(AuditEntry.Action.EXPORT, "student.list", detail={"count": 3}))
    assert verify_chain() == (5, None)
    assert AuditEntry.objects.get(seq=5).actor_username == "T10008"


def test_entries_outlive_the_student_and_still_verify(log, world):
    number = world.other_college.student_number
    world.other_college.delete()
    entry = AuditEntry.objects.get(seq=3)
    assert (entry.student_id, entry.student_number) == (None, number)
    assert verify_chain() == (4, None)
